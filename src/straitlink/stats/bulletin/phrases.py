"""The bulletin's fixed wording in Traditional Chinese (Taiwan) and English; zh-CN is converted from zh-TW.

Phrases hold words only: every number and name is a {field} filled from the statistics service or the catalogue.
"""

from __future__ import annotations

ZH_TW: dict[str, str] = {
    "title": "兩岸共同打擊犯罪及司法互助成效通報",
    "subtitle": "─{start}至{end}─",
    "s_headline": "協議生效以來之成效",
    "headline_requests": (
        "「海峽兩岸共同打擊犯罪及司法互助協議」自{agreement}生效至{end}止，雙方請求互助案件數達{total}件"
        "，其中臺灣方面請求{tw}件、大陸方面請求{cn}件；至{end}已完成{completed}件，完成率{rate}%。"
    ),
    "headline_processing": "已完成之請求自收件至完成所需日數，中位數為{median}日，九成於{p90}日內完成。",
    "headline_drugs": (
        "兩岸檢察、警察機關自協議生效以來，雙方聯手查獲毒品案件{cases}件，查獲嫌犯{suspects}人（其中現行"
        "犯{caught}人），查獲各式毒品及先驅原料達{weight}，其中毒品{drugs}、先驅原料{precursors}。"
    ),
    "s_period": "本期概況",
    "period_requests": (
        "本期（{start}至{end}）雙方請求互助案件{total}件（臺灣方面請求{tw}件、大陸方面請求{cn}件），至期"
        "末已完成{completed}件。"
    ),
    "period_drugs": (
        "本期雙方聯手查獲毒品案件{cases}件，查獲嫌犯{suspects}人（其中現行犯{caught}人），查獲毒品及先驅原料{weight}。"
    ),
    "period_operations": "本期兩岸聯合查緝行動{operations}次，投入警力{personnel}。",
    "period_intel": "本期雙方交換情資{handovers}次（臺灣方面提供{tw}次、大陸方面提供{cn}次）。",
    "period_meetings": "本期召開會議、工作會談、研討會及實地考察共{meetings}次，其中兩岸共同參與{cross}次。",
    "s_cases": "本期重大兩岸毒品案件",
    "no_cases": "本期無雙方聯手查獲之毒品案件。",
    "case_title": "「{title}」",
    "case_directed": "{directing}檢察官指揮{agencies}",
    "case_with": "與{lead}指揮之{agencies}",
    "case_with_plain": "與{agencies}",
    "case_seized": "於{place}查獲{seized}",
    "case_seized_noplace": "查獲{seized}",
    "case_suspects": "查獲嫌犯{suspects}人",
    "case_caught": "（其中現行犯{caught}人）",
    "case_operation": "本案行動：「{name}」（{when}），{party}動員警力{personnel}參與。",
    "case_operation_plain": "本案行動：「{name}」（{when}）。",
    "case_doses": "{drug}{weight}如流出市面，預估可供{doses}施用（估計值，依每人次{factor}公克估算）。",
    "cases_left_out": "另有{more}件案件未逐一列出（以上依查獲重量列出前{shown}件）。",
    "s_intel": "情資交換及循線查獲",
    "no_intel": "本期無情資交換紀錄。",
    "intel_led": "{date}，{provider}透過兩岸司法互助協議聯繫機制提供{recipient}情資，使{recipient}得以循線{found}。",
    "intel_found": "{where}查獲{seized}",
    "intel_where": "在{place}",
    "intel_suspects": "及嫌犯{suspects}人",
    "intel_plain": "{date}，{provider}提供{recipient}情資：{summary}。",
    "intel_summary": "本期{provider}共提供情資{handovers}次，循線查獲{weights}。",
    "intel_summary_suspects": "本期{provider}共提供情資{handovers}次，循線查獲{weights}，嫌犯{suspects}人。",
    "s_meetings": "會議、工作會談及互訪",
    "no_meetings": "本期無會議紀錄。",
    "meeting": "{date}，{host}{kind}「{title}」{where}{who}{decided}。",
    "meeting_where": "（{places}）",
    "meeting_who": "，{participants}參與",
    "meeting_decided": "，決議或共識：{decisions}",
    "kind_liaison_coordination": "召開第{sequence}次",
    "kind_liaison_coordination_plain": "召開",
    "kind_working_talks": "進行",
    "kind_seminar": "舉辦",
    "kind_field_visit": "",
    "kind_case_conference": "召開",
    "kind_policy_meeting": "召開",
    "s_table": "本期查獲毒品及先驅原料（依毒品別）",
    "col_drug": "毒品",
    "col_category": "類別",
    "col_seizures": "查獲件數",
    "col_gross": "毛重",
    "col_net": "淨重",
    "col_unstated": "未載毛淨重",
    "col_counts": "數量",
    "col_weight": "計入總量之重量",
    "col_doses": "預估施用人次（估計）",
    "category_drug": "毒品",
    "category_precursor": "先驅原料",
    "row_drugs": "毒品合計",
    "row_precursors": "先驅原料合計",
    "row_all": "總計",
    "s_charts": "統計圖",
    "chart_requests": "歷年雙方請求互助案件數（依請求方）",
    "chart_seizures": "歷年聯手查獲毒品及先驅原料重量（依毒品別，公斤）",
    "axis_year": "年",
    "axis_requests": "件數",
    "axis_kg": "公斤",
    "tw_to_cn": "臺灣方面請求",
    "cn_to_tw": "大陸方面請求",
    "both": "雙方",
    "dir_tw_to_cn": "臺灣→大陸",
    "dir_cn_to_tw": "大陸→臺灣",
    "dir_both": "雙方",
    "s_annex": "附錄：公開數據核對",
    "annex_intro": "下表將各公開來源發布之數據與本系統依所存紀錄計算之同一指標、期間及方向之數據並列。",
    "annex_none": "本期無公開數據可資核對。",
    "annex_counts": (
        "核對結果：相符{match}項、在約數範圍內{within}項、不符{discrepancy}項、無法計算{not_computable}項。"
    ),
    "col_metric": "指標",
    "col_period": "期間",
    "col_direction": "方向",
    "col_published": "公開數據",
    "col_computed": "本系統計算",
    "col_difference": "差額",
    "col_verdict": "結論",
    "col_source": "來源",
    "col_reason": "說明",
    "verdict_match": "相符",
    "verdict_within_qualifier": "在約數範圍內",
    "verdict_discrepancy": "不符",
    "verdict_not_computable": "無法計算",
    "reason_metric_not_held": "本系統未統計此指標",
    "reason_period_not_held": "期間超出所存紀錄範圍",
    "reason_direction_unstated": "來源未載明請求方向",
    "reason_units_differ": "單位不同",
    "s_contradictions": "相互矛盾之公開數據",
    "contradiction_same_period": "同一期間，數值無法同時成立",
    "contradiction_falls": "累計數據不應隨時間減少，後者低於前者",
    "period_to": "至",
    "s_notes": "說明",
    "note_weight": (
        "重量：每件查獲以淨重計入總量；未載淨重者以毛重、均未載者以所載重量計入；「餘」表示以上。塊、顆等"
        "數量另列，不併入重量。"
    ),
    "note_doses": "預估施用人次係依每人次用量估算之估計值，非實測數據。",
    "note_source": "本通報所有數據均由StraitLink統計服務依所存紀錄計算，每一數據均可追溯至其紀錄及出處。",
    "note_synthetic": "本通報所據資料含示範用之合成紀錄。",
}

EN: dict[str, str] = {
    "title": "Cross-Strait Joint Crime-Fighting and Mutual Legal Assistance: Effectiveness Bulletin",
    "subtitle": "{start} to {end}",
    "s_headline": "Since the Agreement took effect",
    "headline_requests": (
        "From the entry into force of the Cross-Strait Joint Crime-Fighting and Mutual Legal Assistance "
        "Agreement on {agreement} to {end}, the two sides made {total} requests for assistance: {tw} by the "
        "Taiwan side and {cn} by the mainland side. By {end}, {completed} had been completed, a completion "
        "rate of {rate}%."
    ),
    "headline_processing": (
        "Completed requests took a median of {median} days from receipt to completion; nine in ten were "
        "completed within {p90} days."
    ),
    "headline_drugs": (
        "Since the Agreement took effect, prosecutors and police of the two sides have jointly cracked "
        "{cases} drug cases, arrested {suspects} suspects ({caught} caught in the act) and seized {weight} "
        "of drugs and precursor chemicals: {drugs} of drugs and {precursors} of precursors."
    ),
    "s_period": "This period",
    "period_requests": (
        "From {start} to {end} the two sides made {total} requests for assistance ({tw} by the Taiwan side, "
        "{cn} by the mainland side); {completed} had been completed by the end of the period."
    ),
    "period_drugs": (
        "The two sides jointly cracked {cases} drug cases, arrested {suspects} suspects ({caught} caught in "
        "the act) and seized {weight} of drugs and precursors."
    ),
    "period_operations": "Joint operations: {operations}, deploying {personnel}.",
    "period_intel": "Intelligence hand-overs: {handovers} ({tw} by the Taiwan side, {cn} by the mainland side).",
    "period_meetings": "Meetings, talks, seminars and visits: {meetings} ({cross} with both sides).",
    "s_cases": "Significant joint drug cases",
    "no_cases": "No joint drug case was cracked in this period.",
    "case_title": "“{title}”",
    "case_directed": "prosecutors of the {directing} directed the {agencies}",
    "case_with": "with the {agencies} led by the {lead}",
    "case_with_plain": "with the {agencies}",
    "case_seized": "seized {seized} at {place}",
    "case_seized_noplace": "seized {seized}",
    "case_suspects": "arrested {suspects} suspects",
    "case_caught": " ({caught} caught in the act)",
    "case_operation": "A joint operation ({when}) deployed {personnel} of {party}.",
    "case_operation_plain": "An operation took place {when}.",
    "case_doses": (
        "Had the {weight} of {drug} reached the market, it could have supplied an estimated {doses} (an "
        "estimate at {factor} g per use)."
    ),
    "cases_left_out": "{more} further cases are not listed (the {shown} largest seizures are shown).",
    "s_intel": "Intelligence hand-overs and what they led to",
    "no_intel": "No intelligence hand-over is recorded in this period.",
    "intel_led": (
        "{date}: {provider} handed intelligence to {recipient} through the Agreement's liaison channel, "
        "which led {recipient} to {found}."
    ),
    "intel_found": "seize {seized}{where}",
    "intel_where": " at {place}",
    "intel_suspects": " and arrest {suspects} suspects",
    "intel_plain": "{date}: {provider} handed intelligence to {recipient}.",
    "intel_summary": "Hand-overs by {provider} in this period: {handovers}, which led to seizures of {weights}.",
    "intel_summary_suspects": (
        "Hand-overs by {provider} in this period: {handovers}, which led to seizures of {weights} and "
        "{suspects} suspects."
    ),
    "s_meetings": "Meetings, working talks and visits",
    "no_meetings": "No meeting is recorded in this period.",
    "meeting": "{date}: {host} {kind}{where}{who}{decided}.",
    "meeting_where": " ({places})",
    "meeting_who": ", with {participants}",
    "meeting_decided": "; {decisions} points were agreed (set out in the Chinese editions)",
    "kind_liaison_coordination": "held liaison and coordination meeting no. {sequence}",
    "kind_liaison_coordination_plain": "held a liaison and coordination meeting",
    "kind_working_talks": "held working talks",
    "kind_seminar": "held a seminar",
    "kind_field_visit": "made a field visit",
    "kind_case_conference": "held a case conference",
    "kind_policy_meeting": "held a policy meeting",
    "s_table": "Seizures by drug in this period",
    "col_drug": "Drug",
    "col_category": "Category",
    "col_seizures": "Seizures",
    "col_gross": "Gross",
    "col_net": "Net",
    "col_unstated": "Basis unstated",
    "col_counts": "Counts",
    "col_weight": "Weight counted in totals",
    "col_doses": "Estimated doses (estimate)",
    "category_drug": "drug",
    "category_precursor": "precursor",
    "row_drugs": "Drugs",
    "row_precursors": "Precursors",
    "row_all": "Total",
    "s_charts": "Charts",
    "chart_requests": "Requests for assistance per year, by requesting side",
    "chart_seizures": "Drugs and precursors seized in joint cases per year, by drug (kg)",
    "axis_year": "year",
    "axis_requests": "requests",
    "axis_kg": "kg",
    "tw_to_cn": "requested by the Taiwan side",
    "cn_to_tw": "requested by the mainland side",
    "both": "both sides",
    "dir_tw_to_cn": "Taiwan → mainland",
    "dir_cn_to_tw": "mainland → Taiwan",
    "dir_both": "both",
    "s_annex": "Annex: published figures reconciled",
    "annex_intro": (
        "Each published figure is set beside the figure StraitLink computes from its records for the same "
        "metric, period and direction."
    ),
    "annex_none": "No published figure ends in this period.",
    "annex_counts": (
        "{match} match, {within} agree within the qualifier, {discrepancy} disagree, {not_computable} cannot "
        "be computed."
    ),
    "col_metric": "Metric",
    "col_period": "Period",
    "col_direction": "Direction",
    "col_published": "Published",
    "col_computed": "Computed",
    "col_difference": "Difference",
    "col_verdict": "Verdict",
    "col_source": "Source",
    "col_reason": "Why",
    "verdict_match": "match",
    "verdict_within_qualifier": "within the qualifier",
    "verdict_discrepancy": "discrepancy",
    "verdict_not_computable": "not computable",
    "reason_metric_not_held": "metric not held",
    "reason_period_not_held": "period not held",
    "reason_direction_unstated": "direction not stated",
    "reason_units_differ": "units differ",
    "s_contradictions": "Published figures that contradict each other",
    "contradiction_same_period": "same period, values that cannot both hold",
    "contradiction_falls": "a running total that falls over time",
    "period_to": " to ",
    "s_notes": "Notes",
    "note_weight": (
        "Weights: each seizure counts once in totals, by its net weight, else its gross weight, else the "
        "weight stated; “at least” carries through sums. Counts of blocks or tablets are kept apart from "
        "weights."
    ),
    "note_doses": "Estimated doses are estimates from a per-use amount, never measured figures.",
    "note_source": (
        "Every figure in this bulletin was computed by the StraitLink statistics service from stored "
        "records; each can be traced to its records and their sources."
    ),
    "note_synthetic": "The records behind this bulletin include synthetic demonstration data.",
}  # fmt: skip
