"""The extractor: what it proposes from sentences in both scripts, the spans it cites, and that it never fails."""

from __future__ import annotations

import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from straitlink.domain.dates import PartialDate
from straitlink.ingest.extract import extract
from straitlink.ingest.proposals import DocumentInfo, Proposal
from straitlink.ingest.readers import open_document

DATA = Path(__file__).resolve().parent.parent / "data" / "ingest"
SEED = (DATA / "moj-2013-cross-strait-drugs.txt").read_text(encoding="utf-8")


def _doc(text: str) -> DocumentInfo:
    return DocumentInfo(id="doc", name="doc.txt", media_type="text/plain", sha256="0" * 64, chars=len(text))


def run(text: str, date: PartialDate | None = None) -> list[Proposal]:
    return list(extract(_doc(text), [text], date=date))


def of(kind: str, proposals: list[Proposal]) -> list[dict[str, Any]]:
    return [p.fields for p in proposals if p.kind == kind]


def amounts(fields: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(q["value"], q["unit"], q["basis"]) for q in fields["quantities"]]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("聯手破獲巴拿馬籍貨輪「笙宏號」走私 K 他命毒品 500 公斤。", [("ketamine", [("500", "kg", "unstated")])]),
        (
            "在桃園機場查獲 600 塊海洛因(毛重 229 公斤)。",
            [("heroin", [("600", "block", "unstated"), ("229", "kg", "gross")])],
        ),
        (
            "在福建省泉州市查獲毒品 K 他命 123 公斤、麻黃素 20 公斤及嫌犯 4 人。",
            [("ketamine", [("123", "kg", "unstated")]), ("ephedrine", [("20", "kg", "unstated")])],
        ),
        (
            "广东警方缴获氯胺酮 353 千克、冰毒 1.36 吨。",
            [("ketamine", [("353", "kg", "unstated")]), ("methamphetamine", [("1.36", "t", "unstated")])],
        ),
        ("查獲海洛因２４塊(淨重８.４公斤)。", [("heroin", [("24", "block", "unstated"), ("8.4", "kg", "net")])]),
        ("警方查获海洛因一千二百三十克。", [("heroin", [("1230", "g", "unstated")])]),
    ],
)
def test_seizures_with_drug_unit_and_basis(sentence: str, expected: list[tuple[str, list[Any]]]) -> None:
    found = of("seizure", run(sentence))
    assert [(f["drug"], amounts(f)) for f in found] == expected


def test_suspects_belong_to_the_case_of_every_seizure_in_the_sentence() -> None:
    found = run("同年 9 月13 日陸方並在福建省漳州市查獲 K 他命 260 公斤及現行犯 4 人。")
    (seizure,) = of("seizure", found)
    (case,) = of("case", found)
    assert (seizure["suspects"], seizure["caught_in_act"], seizure["place"]) == (4, True, "zhangzhou")
    assert seizure["case"] == next(p.id for p in found if p.kind == "case")
    assert case["places"] == ["zhangzhou"]


def test_who_directed_who_led_who_took_part_and_the_ship() -> None:
    item = SEED[SEED.index("一、 102 年 9月") : SEED.index("二、 102 年 11")]
    found = run(item)
    (case,) = of("case", found)
    roles = {a["agency"]: a["role"] for a in case["agencies"]}
    assert roles == {
        "kaohsiung-district-prosecutors": "directing",
        "coast-guard": "participating",
        "mjib-south-mobile": "participating",
        "mps": "leading",
        "gd-narcotics": "participating",
        "fj-narcotics-corps": "participating",
    }
    assert case["joint"] is True
    (operation,) = of("operation", found)
    assert operation["name"] == "首次兩岸海上聯合查緝行動"
    assert operation["vessels"] == [{"name": "笙宏號", "flag_state": "巴拿馬", "kind": "貨輪"}]
    assert operation["personnel"] == {"value": "500", "unit": "person", "basis": "unstated", "qualifier": "at_least"}
    assert operation["personnel_party"] == "CN"
    (vessel,) = of("vessel", found)
    assert vessel == {"name": "笙宏號", "flag_state": "巴拿馬", "kind": "貨輪"}


def test_one_sides_own_case_is_not_joint() -> None:
    (case,) = of("case", run("2013年3月下旬，云南省公安厅禁毒总队在瑞丽市破获一起贩毒案，缴获海洛因1,230克。"))
    assert case["joint"] is False


def test_intel_and_its_outcome() -> None:
    found = run("行政院海岸巡防署於 102 年 5 月底提供陸方情資，使陸方得以循線在福建省泉州市查獲毒品 K 他命 123 公斤。")
    (intel,) = of("intel", found)
    assert (intel["provider_party"], intel["provider_agency"], intel["recipient_party"]) == ("TW", "coast-guard", "CN")
    assert PartialDate.from_json(intel["date"]) == PartialDate.parse("102年5月底")
    (outcome,) = of("outcome", found)
    assert outcome["seizures"] == [p.id for p in found if p.kind == "seizure"]


def test_an_unknown_agency_is_proposed_as_a_new_catalogue_entry() -> None:
    found = run("记者从厦门市公安局获悉，警方查获冰毒5公斤。")
    new = [f for f in of("agency", found) if f["new"]]
    assert new == [{"id": None, "name": "厦门市公安局", "new": True, "kind": "public_security", "party": "CN"}]


@pytest.mark.parametrize(
    "text",
    [
        "查獲私菸2,000條，市價約新臺幣200萬元。",
        "本署艦艇救起遇險漁船船員12人。",
        "涉案金額逾人民幣5,000萬元，另查扣現金300萬元。",
        "據估計，該集團每年販運的毒品約三百至七百公斤。",
        "金三角約種植有64萬畝罌粟。",
    ],
)
def test_money_cigarettes_people_and_estimates_are_not_seizures(text: str) -> None:
    assert of("seizure", run(text)) == []


def test_the_same_seizure_in_either_script_gets_one_id() -> None:
    traditional = run("102年8月7日在福建省東山縣查獲毒品K他命241公斤、嫌犯5人。")
    simplified = run("2013年8月7日，东山警方在东山县查获氯胺酮241公斤，抓获犯罪嫌疑人5名。")
    key = {p.id for p in traditional if p.kind == "seizure"}
    assert key and key == {p.id for p in simplified if p.kind == "seizure"}


def test_a_headline_is_replaced_by_the_body_telling_the_same() -> None:
    text = (
        "海巡署與陸方聯手　金門海域查獲安非他命86公斤\n\n"
        "本月8日在金門外海查獲甲基安非他命86公斤(淨重)，逮捕現行犯3人。\n"
    )
    (seizure,) = of("seizure", run(text, PartialDate(2013, 10, 9)))
    assert amounts(seizure) == [("86", "kg", "net")]
    assert (seizure["suspects"], seizure["date"]["iso"]) == (3, "2013-10-08")


def test_a_relative_date_without_the_documents_date_stays_unknown() -> None:
    proposal = next(p for p in run("本月8日在金門外海查獲甲基安非他命86公斤。") if p.kind == "seizure")
    assert proposal.fields["date"] is None
    assert any("--date" in u for u in proposal.unresolved)


def test_every_span_quotes_the_original_exactly() -> None:
    for path in sorted(DATA.iterdir()):
        if path.suffix not in (".txt", ".md", ".html") or path.name == "README.md":
            continue
        opened = open_document(path)
        text = opened.text()
        found = list(extract(opened.info, opened.chunks()))
        if opened.info.language in ("ja", "ko"):
            assert not found and opened.info.warnings, path.name  # refused by name, nothing proposed
            continue
        assert found, path.name
        for p in found:
            assert text[p.span.start : p.span.end] == p.span.text, (path.name, p.kind)
            assert p.span.text.strip() == p.span.text or not p.span.text.strip()


@pytest.mark.parametrize(
    "text",
    [
        "自協議生效以來，查獲嫌犯99999999999999999人，查獲毒品達1.12345678公斤。",
        "大陸先後動員99999999999999999名警力，展開聯合查緝行動，破獲K他命毒品500公斤。",
        "查獲K他命500公斤，如流出市面預估可供99999999999999999萬人次施用。",
        "查獲K他命1.123456789公斤、海洛因99999999999999999公斤。",
    ],
)
def test_figures_too_long_to_store_are_left_out_not_a_crash(text: str) -> None:
    for p in run(text):
        for q in p.fields.get("quantities") or []:
            assert len(q["value"].replace(".", "")) <= 20
        if p.kind == "figure":
            assert len(p.fields["value"]) <= 20


CJK = st.sampled_from(
    [
        *"查獲海洛因K他命毒品公斤塊毛重淨重嫌犯人年月日底間同今去(102)及、，。\n 0123456789萬餘約至",
        *("情資", "提供", "陸方", "指揮", "地檢署", "會報", "研討會", "遣返", "以來", "累計"),
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=200), st.lists(CJK, max_size=200).map("".join)), st.integers(1, 40))
def test_any_text_never_crashes_and_every_span_is_real(text: str, chunk: int) -> None:
    pieces = [text[i : i + chunk] for i in range(0, len(text), chunk)]
    for p in extract(_doc(text), pieces):
        assert 0 <= p.span.start <= p.span.end <= len(text)
        assert text[p.span.start : p.span.end] == p.span.text
        assert 0.0 <= p.confidence <= 1.0


FILLER = (
    "兩岸司法互助協議之執行，有賴雙方持續溝通，並依協議精神處理相關事務，"
    "各機關應就送達文書、調查取證及罪犯遣返等事項，依既定程序辦理並定期檢討，以確保合作順暢。\n"
)


def test_a_10_mb_file_is_read_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "archive.txt"
    unit = SEED + FILLER * 200
    with path.open("w", encoding="utf-8") as f:
        written = 0
        while written < 10_000_000:
            f.write(unit)
            written += len(unit.encode("utf-8"))
    opened = open_document(path)
    list(extract(opened.info, [SEED]))  # the catalogue matcher and jieba load once, outside the measure
    tracemalloc.start()
    try:
        count = sum(1 for _ in extract(opened.info, opened.chunks()))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count > 0
    # The text alone would take over 6 MB as a str; reading it block by block takes a small fraction of that.
    assert peak < written / 10, f"peak {peak / 1e6:.1f} MB for a {written / 1e6:.1f} MB file"


def test_a_proposal_round_trips_through_its_json() -> None:
    for p in run(SEED):
        data = p.to_json()
        back = Proposal.from_json(data, document=p.document)
        assert (back.id, back.kind, back.fields, back.span, back.unresolved) == (
            p.id,
            p.kind,
            p.fields,
            p.span,
            p.unresolved,
        )


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("廣東山區", ["guangdong"]),
        ("在東山查獲", ["dongshan"]),
        ("北市警方查獲", ["taipei"]),
        ("南市場", []),
        ("協助police查緝", []),
        ("查獲ice三公斤", ["methamphetamine"]),
        ("大陸公安部門", []),  # public-security departments in general: not the Ministry
    ],
)
def test_short_names_only_where_they_are_words(text: str, names: list[str]) -> None:
    from straitlink.ingest.folding import fold
    from straitlink.ingest.gazetteer import default_gazetteer

    folded = fold(text).text
    assert [m.id for m in default_gazetteer().find(folded)] == names
