"""Folding text for matching: PDF repair, script and width folding, and offsets that lead back to the original."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from straitlink.ingest.folding import _FOLD, Folded, fold, to_simplified
from straitlink.ingest.normalise import blocks, repaired

DATA = Path(__file__).resolve().parent.parent / "data" / "ingest"
SEED = (DATA / "moj-2013-cross-strait-drugs.txt").read_text(encoding="utf-8")


def _all_points_map_back(b: Folded, text: str) -> None:
    for i in range(len(b.text)):
        start, end = b.span(i, i + 1)
        assert b.base <= start < end <= b.base + len(b.original)
        assert text[start:end] == b.original[start - b.base : end - b.base]


def test_seed_page_number_and_broken_lines_are_repaired() -> None:
    folded = repaired(SEED)
    # 「赴大陸北京與大 / 2 / 陸公安部」: the page number is gone and the word joined again across it.
    assert "赴大陆北京与大陆公安部进行工作会谈" in folded
    assert "\n2\n" not in folded
    # 「3,000 / 餘公斤」 joined, and the short line after it ends its paragraph.
    assert "达3,000余公斤\n为加强" in folded
    # Spaces inside a sentence go, so dates and quantities read as written: 98年6月25日, 4万5,426件.
    assert "自98年6月25日生效至今(102)年11月30日止" in folded
    assert "4万5,426件" in folded


def test_every_folded_character_comes_from_the_original() -> None:
    for b in blocks([SEED]):
        _all_points_map_back(b, SEED)
    offsets = [b.base for b in blocks([SEED])]
    assert offsets == sorted(offsets)


def test_a_span_across_the_page_break_quotes_the_original_exactly() -> None:
    for b in blocks([SEED]):
        i = b.text.find("大陆公安部进行")
        if i >= 0:
            start, end = b.span(i, i + 5)
            assert SEED[start:end] == "大\n\n\n\n2\n\n陸公安部"
            assert b.clean(i, i + 5) == "大陸公安部"
            return
    raise AssertionError("the passage across the page break was not found")


def test_running_header_after_a_page_number_is_dropped() -> None:
    text = (DATA / "tw-cib-2014-airport-heroin-pdf.txt").read_text(encoding="utf-8")
    folded = repaired(text)
    assert folded.count("内政部警政署刑事警察局新闻稿") == 1  # the first one is the letterhead, kept
    assert "转运来台之海洛因24块(净重8.4公斤)" in folded  # joined across "- 1 -" and the header


def test_full_width_digits_letters_and_script_fold_but_full_width_comma_stays() -> None:
    b = fold("查獲ＫＩＮＧ１２３公斤，４５６人")
    assert b.text == "查获king123公斤，456人"
    assert to_simplified("臺灣海峽") == "台湾海峡"


def test_digits_either_side_of_a_space_stay_apart() -> None:
    assert fold("嫌犯 3 5 人").text == "嫌犯3 5人"


def test_chunking_does_not_change_the_result() -> None:
    whole = [(b.base, b.text) for b in blocks([SEED])]
    pieces = [SEED[i : i + 7] for i in range(0, len(SEED), 7)]
    assert [(b.base, b.text) for b in blocks(pieces)] == whole


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("12３ 　\t\u200b\n公斤臺灣AB,")), max_size=60))
def test_the_fast_fold_agrees_with_the_offset_map(text: str) -> None:
    for b in blocks([text], max_block=16):
        assert to_simplified(b._spaced().translate(_FOLD)) == b.text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300), st.integers(1, 50))
def test_any_text_folds_and_maps_back(text: str, chunk: int) -> None:
    pieces = [text[i : i + chunk] for i in range(0, len(text), chunk)] or [""]
    found = list(blocks(pieces, max_block=64))
    assert "".join(b.original for b in found) == text  # the blocks cover the document exactly, in order
    for b in found:
        assert text[b.base : b.base + len(b.original)] == b.original
        _all_points_map_back(b, text)
