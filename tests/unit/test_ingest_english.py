"""Text that is not Chinese: English releases read for figures and repatriations, other languages refused by name."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from straitlink.domain.dates import PartialDate
from straitlink.ingest.english import language_of
from straitlink.ingest.extract import extract
from straitlink.ingest.proposals import DocumentInfo, Proposal

DAY = PartialDate(2014, 6, 20)


def _doc() -> DocumentInfo:
    return DocumentInfo(id="doc", name="doc.txt", media_type="text/plain", sha256="0" * 64, chars=0)


def run(text: str, date: PartialDate | None = DAY, doc: DocumentInfo | None = None) -> list[Proposal]:
    return list(extract(doc or _doc(), [text], date=date))


def figures(text: str) -> list[dict[str, Any]]:
    return [p.fields for p in run(text) if p.kind == "figure"]


@pytest.mark.parametrize(
    ("sample", "language"),
    [
        ("Police from the mainland and Taiwan have cracked more than 9,000 cases of fraud since the agreement.", "en"),
        (
            "「海峡両岸共同犯罪取締り及び司法共助協定」は2009年6月25日に発効し、満5年となった。統計によると合計5万件だった。",
            "ja",
        ),
        ("중국 공안 당국은 9일 대만 출신 전화금융사기 용의자 12명을 대만으로 송환했다고 밝혔다.", "ko"),
        ("兩岸相互請求司法互助案件計6萬8,452件，已完成5萬8,917件。", None),
        (
            "Les polices des deux rives ont démantelé plus de neuf mille réseaux depuis la signature de cet accord.",
            "und",
        ),
    ],
)
def test_the_language_of_a_sample(sample: str, language: str | None) -> None:
    assert language_of(sample) == language


def test_a_korean_text_gets_a_warning_and_no_proposal() -> None:
    doc = _doc()
    assert (
        run("중국 공안 당국은 9일 대만 출신 전화금융사기 용의자 12명을 대만으로 송환했다고 밝혔다. " * 3, doc=doc) == []
    )
    assert doc.language == "ko" and "Korean" in doc.warnings[0]


def test_totals_since_the_agreement_with_qualifiers_and_a_unit_carried_over() -> None:
    found = figures(
        "The two sides exchanged 67,900 requests for mutual legal assistance between June 25, 2009 and the end of "
        "May this year, of which 58,300 were completed, a completion rate of 85.9 percent, the ministry said. "
        "Over the same period, more than 370 fugitives were repatriated to Taiwan from the mainland."
    )
    by_metric = {f["metric"]: f for f in found}
    assert by_metric["requests.total"]["value"] == "67900"
    assert by_metric["requests.completed"]["value"] == "58300"
    assert by_metric["requests.completion_rate"]["value"] == "85.9"
    assert by_metric["repatriations.persons"]["qualifier"] == "at_least"
    assert {f["period_end"] for f in found} == {"2014-05-31"}


def test_a_repatriation_on_a_weekday_is_dated_back_from_the_dateline() -> None:
    text = (
        "FUZHOU, Sept. 19 (Xinhua) -- Police in Fujian on Wednesday repatriated 14 Taiwanese suspects in a fraud "
        "case to Taiwan via Kinmen, local authorities said.\n"
    )
    (found,) = [p.fields for p in run(text, PartialDate(2012, 9, 20)) if p.kind == "repatriation"]
    assert found["count"] == 14 and found["to_party"] == "TW"
    assert found["date"]["iso"] == "2012-09-19"  # the Wednesday of the dateline's week


def test_a_single_named_person_to_the_mainland() -> None:
    text = "A mainland fugitive surnamed Wang was handed over to the mainland on January 9 under the agreement."
    (found,) = [p.fields for p in run(text) if p.kind == "repatriation"]
    assert (found["count"], found["to_party"], found["persons"]) == (1, "CN", ["Wang"])
    assert found["date"]["iso"] == "2014-01-09"


def test_spans_quote_the_original_across_blocks() -> None:
    paragraph = "Since the agreement took effect, the mainland has repatriated 327 criminals to Taiwan.\n"
    text = paragraph * 2000  # several blocks
    found = run(text)
    assert len(found) == 1  # the same figure told again is proposed once
    for p in found:
        assert text[p.span.start : p.span.end] == p.span.text


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="abc ,.0123456789\nSinceMayrepatriated%", max_size=300))
def test_english_text_of_any_shape_never_fails(text: str) -> None:
    for p in run("The police said the two sides have cooperated. " * 3 + text):
        assert p.kind in ("figure", "repatriation", "case")
