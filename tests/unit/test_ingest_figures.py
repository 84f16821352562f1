"""Published figures: the vocabulary (vocabulary/figures.yaml), totals carried across sentences, and tables."""

from __future__ import annotations

from typing import Any

import pytest

from straitlink.domain.dates import PartialDate
from straitlink.ingest.extract import extract
from straitlink.ingest.proposals import DocumentInfo

DAY = PartialDate(2016, 10, 12)


def figures(text: str, date: PartialDate | None = DAY) -> list[dict[str, Any]]:
    doc = DocumentInfo(id="doc", name="doc.txt", media_type="text/plain", sha256="0" * 64, chars=len(text))
    return [p.fields for p in extract(doc, [text], date=date) if p.kind == "figure"]


def by_value(found: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {f["value"]: f for f in found}


@pytest.mark.parametrize(
    ("sentence", "value", "metric"),
    [
        ("截至105年9月底，兩岸相互請求司法互助案件計6萬8,452件，已完成5萬8,917件。", "58917", "requests.completed"),
        ("截至105年9月底，兩岸相互請求司法互助案件計6萬8,452件，完成率86.07%。", "86.07", "requests.completion_rate"),
        ("協議生效以來，兩岸請求與通報案件總計9萬2,130件。", "92130", "requests.total"),
        (
            "協議生效以來，在情資交換及案件協查（7,600餘件）方面成效顯著。",
            "7600",
            "requests.total.intelligence_exchange",
        ),
        ("今年以來，兩岸警方聯手打掉詐騙團伙46個。", "46", "fraud.groups"),
        ("今年以來，兩岸警方聯手打掉販毒團伙5個、製毒窩點3個，繳獲毒品12批。", "12", "seizures.batches"),
        ("截至9月底，本年新收案件3,862件，平均每月約429件。", "429", "requests.total.monthly_average"),
        ("截至9月底，兩岸合作破獲4件毒品案。", "4", "cases.joint_drug"),
        ("截至105年6月30日，罪犯接返16人。", "16", "sentenced_transfers.persons"),
    ],
)
def test_what_a_figure_counts(sentence: str, value: str, metric: str) -> None:
    assert by_value(figures(sentence))[value]["metric"] == metric


def test_a_zero_written_in_words_is_a_figure_of_this_year_to_the_documents_day() -> None:
    (found,) = figures("今年循兩岸共打機制遣返人數掛零。")
    assert (found["metric"], found["value"], found["unit"]) == ("repatriations.persons", "0", "person")
    assert found["period_end"] == "2016-10-12"  # not 2016-12-31: counted on the document's day


def test_a_sentence_continuing_the_totals_keeps_their_period_and_side() -> None:
    found = by_value(
        figures(
            "自協議生效以來至104年12月31日止，兩岸合作偵破各類刑事案件共計112件。\n\n"
            "同期間陸方遣返我方刑事犯及刑事嫌疑犯437人。"
        )
    )
    assert found["437"]["metric"] == "repatriations.persons"
    assert found["437"]["period_end"] == "2015-12-31"
    assert found["437"]["period_start"] == "2009-06-25"


def test_each_count_takes_the_period_heading_it() -> None:
    found = by_value(figures("前年兩岸合作破獲毒品案件11件，去年破獲9件。"))
    assert found["11"]["period_end"] == "2014-12-31"
    assert (found["9"]["period_end"], found["9"]["metric"]) == ("2015-12-31", "cases.joint_drug")


def test_a_seizure_totalling_its_parts_is_no_sentence_of_totals() -> None:
    doc = DocumentInfo(id="doc", name="doc.txt", media_type="text/plain", sha256="0" * 64, chars=0)
    text = "海巡隊於7月16日至17日在料羅灣海域查獲安非他命2批共計48公斤，逮捕嫌犯4人。"
    found = list(extract(doc, [text], date=PartialDate(2015, 7, 20)))
    (seizure,) = [p.fields for p in found if p.kind == "seizure"]
    assert seizure["date"]["iso"] == "2015-07-16" and seizure["place"] == "liaoluo-bay"
    assert seizure["suspects"] == 4
    assert not [p for p in found if p.kind == "figure"]


def test_a_flattened_table_is_read_row_by_column() -> None:
    text = (
        "兩岸司法互助成效統計表（統計至103年10月31日）\n"
        "項目\n我方完成\n陸方完成\n司法文書送達\n1萬0,215件\n3萬2,406件\n調查取證\n161件\n402件\n"
    )
    found = by_value(figures(text, PartialDate(2014, 11, 20)))
    assert found["10215"]["metric"] == "requests.completed.document_service"
    assert found["402"]["metric"] == "requests.completed.evidence_collection"
    assert {f["period_end"] for f in found.values()} == {"2014-10-31"}
    # 我方完成: Taiwan completed what the mainland asked
    assert found["10215"]["direction"] == "cn_to_tw" and found["32406"]["direction"] == "tw_to_cn"
