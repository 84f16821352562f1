"""How bulletins write names, dates, numbers and quantities in each language, and that no figure is typed in."""

from __future__ import annotations

import re
from decimal import Decimal
from importlib import resources

import pytest

from straitlink.catalog import load_catalog
from straitlink.domain.dates import PartialDate
from straitlink.domain.errors import InvalidValue
from straitlink.domain.quantity import Basis, Qualifier, Quantity, Total, Unit
from straitlink.stats.bulletin.phrases import EN, ZH_TW
from straitlink.stats.bulletin.terms import Words


def words(lang: str) -> Words:
    return Words(lang, load_catalog())


@pytest.mark.parametrize(
    ("lang", "n", "shown"),
    [
        ("zh-TW", 45426, "4萬5,426"),
        ("zh-TW", 130643, "13萬0,643"),  # as the Legislative Yuan's budget office writes it
        ("zh-TW", 100000, "10萬"),
        ("zh-TW", 9999, "9,999"),
        ("zh-CN", 45426, "4万5,426"),
        ("en", 45426, "45,426"),
    ],
)
def test_counts(lang: str, n: int, shown: str) -> None:
    assert words(lang).count(n) == shown


@pytest.mark.parametrize(
    ("lang", "quantity", "shown"),
    [
        ("zh-TW", Quantity.parse("3,000餘公斤"), "3,000餘公斤"),
        ("zh-TW", Quantity.parse("毛重229公斤"), "毛重229公斤"),
        ("zh-TW", Quantity.parse("600 block"), "600塊"),
        ("zh-TW", Quantity.parse("~500 kg"), "約500公斤"),
        ("zh-CN", Quantity.parse("3000+ kg"), "3,000余公斤"),
        ("zh-CN", Quantity.parse("200 kg net"), "净重200公斤"),
        ("zh-CN", Quantity.parse("1.5 g"), "1.5克"),
        ("en", Quantity.parse("3000+ kg"), "at least 3,000 kg"),
        ("en", Quantity.parse("229 kg gross"), "229 kg gross"),
        ("en", Quantity.parse("1-2 t"), "1–2 t"),
    ],
)
def test_quantities_keep_basis_and_qualifier(lang: str, quantity: Quantity, shown: str) -> None:
    assert words(lang).quantity(quantity) == shown


def test_a_total_of_gross_and_net_weights_says_so() -> None:
    mixed = Total(Decimal(429), Unit.KG, Qualifier.EXACT, None, frozenset({Basis.GROSS, Basis.NET}), 2)
    assert words("zh-TW").total(mixed) == "429公斤（含毛重及淨重）"
    assert words("en").total(mixed) == "429 kg (gross and net mixed)"


def test_dates_in_each_calendar() -> None:
    end_of_may = PartialDate.parse("102年5月底")
    assert words("zh-TW").date(end_of_may) == "102年5月底"
    assert words("zh-CN").date(end_of_may) == "2013年5月底"
    assert words("en").date(end_of_may) == "end of May 2013"


def test_names_from_the_catalogue_in_each_language() -> None:
    assert [words(lang).drug("ketamine") for lang in ("zh-TW", "zh-CN", "en")] == ["K他命", "氯胺酮", "ketamine"]
    assert words("zh-CN").agency("gd-narcotics") == "广东省公安厅禁毒局"
    assert words("en").place("quanzhou") == load_catalog().place("quanzhou").name_en


def test_zh_cn_free_text_gets_mainland_terms() -> None:
    converted = words("zh-CN").text("巴拿馬籍貨輪「笙宏號」走私K他命案，查獲甲基安非他命及麻黃素，透過聯繫機制提供情資")
    assert converted == "巴拿马籍货轮“笙宏号”走私氯胺酮案，查获甲基苯丙胺及麻黄碱，通过联系机制提供情报"


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(InvalidValue) as refused:
        Words("fr", load_catalog())
    assert refused.value.field == "lang" and refused.value.value == "fr"


def test_no_figure_is_typed_into_phrases_or_templates() -> None:
    """Every number in a bulletin is a {field}: the wording and the Markdown layout hold no digits."""
    for table in (ZH_TW, EN):
        for key, phrase in table.items():
            assert not re.search(r"[0-9０-９]", re.sub(r"\{[a-z_0-9]+\}", "", phrase)), key
    markdown = resources.files("straitlink.stats").joinpath("templates", "bulletin.md").read_text(encoding="utf-8")
    assert not re.search(r"[0-9]", markdown)
    html = resources.files("straitlink.stats").joinpath("templates", "bulletin.html").read_text(encoding="utf-8")
    body = html.split("</style>", 1)[1]  # the stylesheet's sizes are layout, not figures
    assert not re.search(r"[0-9]", re.sub(r"</?h[12]|base64|b64", "", body))
