"""A refused value is explained in the page's language when its reason is one the pages know; otherwise whole."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from straitlink.catalog import load_catalog
from straitlink.domain.access import AccountRole, Principal, decide_create
from straitlink.domain.dates import PartialDate
from straitlink.domain.errors import Forbidden, InvalidValue, MissingField, NotFound, UnknownReference
from straitlink.domain.marking import Classification, Marking
from straitlink.domain.parties import Party
from straitlink.domain.quantity import Quantity, Unit
from straitlink.services.forms import parse_fields
from straitlink.services.kinds import kind_named
from straitlink.web.i18n import LANGS
from straitlink.web.reasons import _MISSING, _NOT_FOUND, _REASONS, _UNKNOWN, refusal
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


def _reason(refused: Callable[[], object]) -> str:
    with pytest.raises(InvalidValue) as caught:
        refused()
    return caught.value.reason


# What the domain itself says to a typed date or quantity that it refuses: the forms' commonest slips, taken from
# the parsers (a change of their wording fails here instead of falling back to English on Chinese pages).
TYPED = [
    _reason(lambda: PartialDate.parse("tomorrow")),
    _reason(lambda: PartialDate.parse("102年13月")),
    _reason(lambda: PartialDate.parse("2013-02-30")),
    _reason(lambda: PartialDate.parse("3000年")),
    _reason(lambda: PartialDate(2013, None, 5)),
    _reason(lambda: PartialDate.parse("20 13-11-17")),
    _reason(lambda: PartialDate.parse("  ")),
    _reason(lambda: PartialDate.parse("102年5月上")),
    _reason(lambda: PartialDate.parse("102年中秋")),
    _reason(lambda: Quantity.parse("five kg")),
    _reason(lambda: Quantity.parse("~3000+ kg")),
    _reason(lambda: Quantity.parse("毛重229公斤 net")),
    _reason(lambda: Quantity(Decimal(-1), Unit.KG)),
    _reason(lambda: parse_fields(kind_named("seizure"), ["drug=K他命", "drug=海洛因"], load_catalog())),
    _reason(lambda: parse_fields(kind_named("case"), ["agencies=老大:高雄地檢署"], load_catalog())),
    _reason(lambda: parse_fields(kind_named("case"), ["agencies=高雄地檢署"], load_catalog())),
]
# What a translation may keep in Latin letters: the value, the choices, the parties, the date pattern, a handling code.
KEPT = re.compile(r"'[^']*'|TW|CN|YYYY-MM-DD|zh-TW|zh-CN|en\b|\||H[0-3]")


def test_every_pattern_has_an_example() -> None:
    for pattern, message in _REASONS:
        assert any(pattern.fullmatch(r) for r in KNOWN + TYPED), message
    for reason in TYPED:
        assert any(pattern.fullmatch(reason) for pattern, _ in _REASONS), reason


@pytest.mark.parametrize("reason", KNOWN + TYPED)
def test_english_pages_say_it_in_english_with_every_figure(reason: str) -> None:
    text = error_text(InvalidValue("from", "2028-01-11", reason), "en")
    assert text.startswith("Period start: '2028-01-11' is not valid: ")
    assert set(re.findall(r"[\u4e00-\u9fff]+", text)) <= set(re.findall(r"[\u4e00-\u9fff]+", reason)), text
    for number in re.findall(r"\d+", reason):
        assert number in text, (number, text)


@pytest.mark.parametrize("reason", KNOWN + TYPED)
@pytest.mark.parametrize("lang", ["zh-TW", "zh-CN"])
def test_chinese_pages_say_all_of_it_in_chinese(reason: str, lang: str) -> None:
    text = refusal(InvalidValue("from", "2028-01-11", reason), lang)
    assert text is not None and "is not valid" not in text
    assert not re.search(r"[A-Za-z]", KEPT.sub("", text)), text
    for number in re.findall(r"\d+", reason):  # every figure and date of the reason is still said
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


def test_what_a_record_needs_is_said_in_each_language_and_is_what_the_domain_says() -> None:
    sources = "".join(p.read_text(encoding="utf-8") for p in Path("src/straitlink").rglob("*.py"))
    for what in _MISSING:
        assert f'"{what}"' in sources, what  # the domain still words it so
        for lang in ("zh-TW", "zh-CN"):
            text = refusal(MissingField("quantities", what), lang)
            assert text is not None and not re.search(r"[A-Za-z]", KEPT.sub("", text)), (what, text)
        assert refusal(MissingField("quantities", what), "en") == what


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


def test_a_record_not_stored_is_said_in_each_language() -> None:
    assert error_text(NotFound("case", "00000000"), "zh-TW") == "此處沒有案件 '00000000'"
    assert error_text(NotFound("seizure", "ab"), "zh-CN") == "此处没有缴获 'ab'"
    assert error_text(NotFound("case", "00000000"), "en") == "no case '00000000' is stored here"
    for kind in _NOT_FOUND:
        for lang in ("zh-TW", "zh-CN"):
            text = error_text(NotFound(kind, "x"), lang)
            assert not re.search(r"[A-Za-z]", KEPT.sub("", text)), (kind, text)
    hinted = NotFound("exchange peer", "CN", field="party", hint="add it with straitlink exchange peer add")
    assert error_text(hinted, "zh-TW") == hinted.message  # a kind or a hint not known here: shown whole


def test_a_record_an_account_may_not_add_says_what_to_do_in_each_language() -> None:
    prosecutor = Principal(
        "pro", Party.TW, frozenset({AccountRole.PROSECUTOR}), Classification.CONFIDENTIAL, "kdp", frozenset({"kdp"})
    )
    refused = []
    for marking, agencies in ((Marking(Classification.RESTRICTED), ["other"]), (Marking(Classification.SECRET), [])):
        with pytest.raises(Forbidden) as caught:
            decide_create(prosecutor, "seizure", marking, agencies)
        refused.append(caught.value)
    assert error_text(refused[0], "zh-TW").startswith("帳號 'pro' 所屬機關未參與此筆資料")
    assert "案件" in error_text(refused[0], "zh-CN") and "'pro'" in error_text(refused[0], "zh-CN")
    assert error_text(refused[1], "zh-TW").startswith("帳號 'pro' 的安全等級低於此筆資料的密等")
    for error in refused:
        assert error_text(error, "en").startswith("'pro' may not add a record")
        for lang in ("zh-TW", "zh-CN"):
            assert not re.search(r"[A-Za-z]", KEPT.sub("", error_text(error, lang)))
    other = Forbidden("pro", "produce bulletins", "bulletins.produce")
    assert error_text(other, "zh-TW") == other.message  # a refusal not known here is shown whole
