"""What real reports write that the first extractor missed (issue #14): names, 安非他命, identity, mirror noise,
notices, retold repatriations and meetings that are not meetings of the mechanism."""

from __future__ import annotations

from typing import Any

from straitlink.domain.dates import PartialDate
from straitlink.ingest.extract import extract
from straitlink.ingest.normalise import repaired
from straitlink.ingest.proposals import DocumentInfo, Proposal, Result, merge_across

DAY = PartialDate(2016, 12, 5)


def _doc(name: str = "doc") -> DocumentInfo:
    return DocumentInfo(id=name, name=f"{name}.txt", media_type="text/plain", sha256=name, chars=0)


def run(text: str, date: PartialDate | None = DAY, doc: DocumentInfo | None = None) -> list[Proposal]:
    return list(extract(doc or _doc(), [text], date=date))


def of(kind: str, proposals: list[Proposal]) -> list[dict[str, Any]]:
    return [p.fields for p in proposals if p.kind == kind]


def test_chloropseudoephedrine_is_not_pseudoephedrine_and_methcathinone_is_known() -> None:
    found = of("seizure", run("海巡隊於上（11）月30日在臺中港查獲氯假麻黃鹼500公斤及甲卡西酮12公斤。"))
    assert [f["drug"] for f in found] == ["chloropseudoephedrine", "methcathinone"]
    assert found[0]["date"]["iso"] == "2016-11-30" and found[0]["place"] == "taichung-port"


def test_places_the_catalogue_lacked() -> None:
    for place, text in (("xining", "西寧市"), ("ningbo", "寧波"), ("ruili", "瑞麗"), ("liaoluo-bay", "料羅灣")):
        (found,) = of("seizure", run(f"警方於12月1日在{text}查獲海洛因3公斤。"))
        assert found["place"] == place, text


def test_amphetamine_is_methamphetamine_and_keeps_the_texts_word() -> None:
    taiwan = run("警方於12月1日在高雄港查獲安非他命52公斤。", doc=_doc("a"))
    mainland = run("警方於12月1日在高雄港查獲甲基安非他命52公斤。", doc=_doc("b"))
    (a,) = [p for p in taiwan if p.kind == "seizure"]
    (b,) = [p for p in mainland if p.kind == "seizure"]
    assert a.fields["drug"] == b.fields["drug"] == "methamphetamine"
    assert a.id == b.id  # either word, the same event
    assert "安非他命" in a.fields["description"] and "甲基" not in a.fields["description"]
    merged = merge_across([Result(_doc("a"), taiwan), Result(_doc("b"), mainland)])
    assert merged[1].merged >= 1 and [s.document for s in a.also] == ["b"]


def test_equal_amounts_on_different_days_are_two_seizures() -> None:
    text = "3月5日，警方在寧波查獲甲卡西酮12千克。\n3月19日，警方在寧波又查獲甲卡西酮12千克。"
    found = of("seizure", run(text, PartialDate(2015, 4, 2)))
    assert [f["date"]["iso"] for f in found] == ["2015-03-05", "2015-03-19"]


def test_mirror_noise_is_dropped_and_the_users_date_wins() -> None:
    text = (
        "福建邊防查獲冰毒42千克\n本頁更新日期：2019-08-01\n首頁 | 新聞 | 社會 | 法治\n"
        "福(fú)建省公(gōng)安(ān)邊防總隊2月27日在泉州查獲冰毒42千克。\n"
        "【熱門推薦】免費領取，點此進入 www.gift-888.cn\n"
    )
    folded = repaired(text)
    assert "gōng" not in folded and "www" not in folded and "首页" not in folded
    (found,) = of("seizure", run(text, PartialDate(2014, 3, 2)))
    assert found["date"]["iso"] == "2014-02-27" and found["place"] == "quanzhou"


def test_notices_are_hand_overs() -> None:
    found = of(
        "intel",
        run(
            "大陸公安部於本年4月間得知一詐騙集團擬詐騙臺灣民眾，即將此訊息通報我方法務部調查局。\n"
            "另刑事警察局於本年4月22日接獲陸方通知，隨即回報陸方。",
            PartialDate(2013, 5, 8),
        ),
    )
    assert [(f["provider_party"], f["provider_agency"]) for f in found] == [("CN", "mps"), ("CN", None), ("TW", "cib")]


def test_a_hand_overs_parts_and_a_second_telling_are_not_new_repatriations() -> None:
    text = (
        "移民署於本月7日經馬祖向大陸遣返大陸地區偷渡犯23人。\n本次遣返分3批執行，第1批9人、第2批8人、第3批6人。\n"
        "刑事局於本月1日派員將通緝犯張○○押解回台。\n張○○押解回台後已移送臺北地檢署偵辦。"
    )
    found = of("repatriation", run(text))
    assert [(f["count"], f["to_party"]) for f in found] == [(23, "CN"), (1, "TW")]


def test_meetings_in_general_as_a_topic_or_of_one_side_are_not_meetings() -> None:
    text = (
        "海峽兩岸禁毒論壇在昆明舉行\n11月5日，「海峽兩岸禁毒論壇」在昆明舉行，台灣方面因故未派員出席。\n"
        "論文集以《兩岸刑事司法互助研討會的回顧》為題。\n雙方將持續推動工作會晤和互訪。"
    )
    assert of("meeting", run(text)) == []


def test_an_official_release_in_chinese_numerals_dates_and_weighs_what_it_seized() -> None:
    """ROC years written with 百 (一百零二年), a second figure after a comma, a ship boarded on the day before it."""
    text = (
        "法務部新聞稿\n發稿日期：中華民國一百零二年十一月二十日\n\n"
        "法務部調查局於一百零二年十一月十七日在桃園機場查獲海洛因六百塊，毛重二百二十九公斤，逮捕犯罪嫌疑人三名。\n"
        "另海巡署於本年九月二十七日查獲笙宏號漁船走私K他命三千餘公斤。"
    )
    found = run(text, date=None)
    heroin, ketamine = of("seizure", found)
    assert heroin["date"]["iso"] == "2013-11-17" and heroin["place"] == "taoyuan-airport"
    assert [(q["value"], q["unit"], q["basis"]) for q in heroin["quantities"]] == [
        ("600", "block", "unstated"),
        ("229", "kg", "gross"),
    ]
    assert ketamine["date"]["iso"] == "2013-09-27"  # 本年: the release's own year, from its head
    assert [(q["value"], q["qualifier"]) for q in ketamine["quantities"]] == [("3000", "at_least")]
    (vessel,) = of("vessel", found)
    assert vessel["name"] == "笙宏號" and vessel["kind"] == "漁船"
    (operation,) = of("operation", found)
    assert operation["date"]["iso"] == "2013-09-27" and operation["vessels"][0]["name"] == "笙宏號"


def test_a_mainland_notice_of_a_side_handing_over_to_the_other_and_a_weight_in_chinese_kilograms() -> None:
    text = (
        "公安部禁毒局通报\n2014年1月14日\n\n"
        "2013年12月20日，福建省公安厅在厦门港查获一批伪装成茶叶的甲基苯丙胺（冰毒）二百三十一千克，抓获犯罪嫌疑人5名。\n"
        "此前，台湾方面于同年12月上旬向大陆警方通报相关线索。"
    )
    found = run(text, date=None)
    (seizure,) = of("seizure", found)
    assert seizure["drug"] == "methamphetamine" and seizure["quantities"][0]["value"] == "231"
    assert seizure["quantities"][0]["unit"] == "kg" and seizure["place"] == "xiamen-port"
    (intel,) = [p for p in found if p.kind == "intel"]
    # The side before 向 gave it; the one between 向 and 通报 received it (not "the side nearest the verb").
    assert (intel.fields["provider_party"], intel.fields["recipient_party"]) == ("TW", "CN")
    assert intel.fields["date"]["iso"] == "2013-12"
    # 「此前，…通报相关线索」 tells what led to the case just told: the intel's outcome, and the case is joint.
    (outcome,) = of("outcome", found)
    (case,) = [p for p in found if p.kind == "case"]
    assert outcome["intel"] == intel.id and outcome["case"] == case.id and case.fields["joint"] is True
