"""A refused value is explained in the page's language when its reason is one the pages know; otherwise whole."""

from __future__ import annotations

import re

import pytest

from straitlink.domain.errors import InvalidValue, MissingField, UnknownReference
from straitlink.web.i18n import LANGS
from straitlink.web.reasons import _REASONS, _UNKNOWN, refusal
from straitlink.web.render import error_text

# One reason of each kind the pages translate, as the domain words it.
KNOWN = [
    "after today (2026-12-08)",
    "after today (2026-12-08): nothing has happened in it yet",
    "after to (2013-01-01)",
    "start is after end",
    "between 1 and 366",
    "between 1 and 10,000 persons",
    "at least 1",
    "at most 200 characters",
    "at most 200 characters, not 40000",
    "one of TW|CN",
    "expected one of zh-TW, zh-CN, en",
    "expected text",
    "expected a whole number",
    "a whole number",
    "expected true or false",
    "yes or no",
    "TW or CN",
    "expected a date",
    "not an ISO date (YYYY-MM-DD)",
    "a day is needed here",
    "not a decimal number",
    "does not repeat the new password",
]
# What a translation may keep in Latin letters: the value, the choices, the parties and the date pattern.
KEPT = re.compile(r"'[^']*'|TW|CN|YYYY-MM-DD|zh-TW|zh-CN|en\b|\|")


def test_every_pattern_has_an_example() -> None:
    for pattern, message in _REASONS:
        assert any(pattern.fullmatch(r) for r in KNOWN), message


@pytest.mark.parametrize("reason", KNOWN)
def test_english_pages_say_it_in_english_with_every_figure(reason: str) -> None:
    text = error_text(InvalidValue("from", "2028-01-11", reason), "en")
    assert text.startswith("Period start: '2028-01-11' is not valid: ") and not re.search(r"[\u4e00-\u9fff]", text)
    for number in re.findall(r"\d[\d,-]*", reason):
        assert number in text, (number, text)


@pytest.mark.parametrize("reason", KNOWN)
@pytest.mark.parametrize("lang", ["zh-TW", "zh-CN"])
def test_chinese_pages_say_all_of_it_in_chinese(reason: str, lang: str) -> None:
    text = refusal(InvalidValue("from", "2028-01-11", reason), lang)
    assert text is not None and "is not valid" not in text
    assert not re.search(r"[A-Za-z]", KEPT.sub("", text)), text
    for number in re.findall(r"\d[\d,-]*", reason):  # every figure and date of the reason is still said
        assert number in text, (number, text)


def test_a_period_that_has_not_begun_in_each_language() -> None:
    error = InvalidValue("from", "2028-01-11", "after today (2026-12-08): nothing has happened in it yet")
    assert error_text(error, "zh-TW") == "期間起日：'2028-01-11' 無效：晚於今日（2026-12-08）：這段期間尚未發生任何事"
    assert error_text(error, "zh-CN") == "期间起始日：'2028-01-11' 无效：晚于今日（2026-12-08）：该期间尚未发生任何事"


@pytest.mark.parametrize("lang", LANGS)
def test_a_reason_not_known_here_is_shown_whole_not_half_translated(lang: str) -> None:
    error = InvalidValue("from", "x", "precision does not match iso '2013'")
    assert refusal(error, lang) is None
    assert error_text(error, lang).endswith("'x' is not valid: precision does not match iso '2013'")


def test_a_missing_field_is_required_in_each_language() -> None:
    assert error_text(MissingField("summary"), "zh-TW") == "摘要：為必填"
    assert error_text(MissingField("summary"), "en") == "Summary: is required"
    assert error_text(MissingField("summary", "iso is required"), "zh-CN").endswith("iso is required")


def test_an_unknown_reference_in_each_language() -> None:
    error = UnknownReference("drug", "某某", "drug")
    assert error_text(error, "zh-TW") == "毒品：未知的毒品 '某某'"
    assert error_text(error, "zh-CN") == "毒品：未知的毒品 '某某'"
    assert error_text(error, "en") == "Drug: unknown drug '某某'"
    for kind in _UNKNOWN:  # every kind a reference may name, said in each language
        for lang in ("zh-TW", "zh-CN"):
            text = refusal(UnknownReference("case", "x", kind), lang)
            assert text is not None and "unknown" not in text, (kind, lang)
    assert refusal(UnknownReference("step", "x", "contact point of TW for"), "zh-TW") is None  # shown whole
