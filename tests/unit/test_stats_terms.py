"""How bulletins write names, dates, numbers and quantities in each language, and that no figure is typed in."""

from __future__ import annotations

import re
from decimal import Decimal
from importlib import resources

import opencc
import pytest

from straitlink.catalog import load_catalog
from straitlink.demo.figures import build_figures
from straitlink.demo.seed import build_seed
from straitlink.domain.dates import PartialDate
from straitlink.domain.errors import InvalidValue
from straitlink.domain.quantity import Basis, Qualifier, Quantity, Total, Unit
from straitlink.stats.bulletin.phrases import EN, ZH_TW
from straitlink.stats.bulletin.terms import Words, vocabulary


def words(lang: str) -> Words:
    return Words(lang, load_catalog())


@pytest.mark.parametrize(
    ("lang", "n", "shown"),
    [
        ("zh-TW", 45426, "4萬5,426"),
        ("zh-TW", 130643, "13萬0,643"),  # as the Legislative Yuan's budget office writes it
        ("zh-TW", 100000, "10萬"),
        ("zh-TW", 9999, "9,999"),
        ("zh-CN", 45426, "4万5426"),  # mainland texts write no thousands separators
        ("zh-CN", 4052, "4052"),
        ("zh-CN", 130643, "13万0643"),
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
        ("zh-CN", Quantity.parse("3000+ kg"), "3000余千克"),
        ("zh-CN", Quantity.parse("2310000+ dose"), "231余万人次"),
        ("zh-TW", Quantity.parse("2310000+ dose"), "231餘萬人次"),  # as the Ministry writes it
        ("zh-TW", Quantity.parse("10000+ case"), "1萬餘件"),
        ("zh-CN", Quantity.parse("200 kg net"), "净重200千克"),
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
    # The Ministry writes 大陸公安部; mainland texts write 公安部.
    assert [words(lang).agency("mps") for lang in ("zh-TW", "zh-CN", "en")] == [
        "大陸公安部",
        "公安部",
        "Ministry of Public Security",
    ]
    assert words("en").place("quanzhou") == load_catalog().place("quanzhou").name_en


def test_zh_cn_free_text_gets_mainland_terms() -> None:
    converted = words("zh-CN").text("巴拿馬籍貨輪「笙宏號」走私K他命案，查獲甲基安非他命及麻黃素，透過聯繫機制提供情資")
    assert converted == "巴拿马籍货轮“笙宏号”走私氯胺酮案，查获甲基苯丙胺及麻黄碱，通过联系机制提供情报"


@pytest.mark.parametrize(
    ("taiwan", "mainland"),
    [
        ("同一指標", "同一指标"),  # OpenCC's Taiwan-phrase table alone would give 指针 (a pointer)
        ("「海峽兩岸共同打擊犯罪及司法互助協議」自", "《海峡两岸共同打击犯罪及司法互助协议》自"),
        ("查獲K他命231公斤", "查获氯胺酮231千克"),
        ("查獲嫌犯4人", "抓获犯罪嫌疑人4人"),
        ("毒品及先驅原料", "毒品及易制毒化学品"),
        ("專案會議", "专案会议"),
        ("所存紀錄", "所存记录"),
    ],
)
def test_zh_cn_takes_the_mainland_word_of_each_concept(taiwan: str, mainland: str) -> None:
    assert words("zh-CN").to_zh_cn(taiwan) == mainland


def test_every_term_table_names_the_same_concepts_in_each_chinese_script() -> None:
    """The tables are data; each concept zh-TW converts has a zh-CN word, and zh-CN's words are Simplified."""
    tw, cn = vocabulary("zh-TW"), vocabulary("zh-CN")
    assert set(tw["terms"]) == set(cn["terms"])
    simplify = opencc.OpenCC("t2s")
    for section in ("terms", "units", "agencies", "sources", "metrics"):
        for key, word in (cn[section] or {}).items():
            text = word if isinstance(word, str) else word["name"]
            assert simplify.convert(text) == text, (section, key, text)


@pytest.mark.parametrize("lang", ["zh-TW", "zh-CN", "en"])
def test_metric_names_come_from_the_vocabulary_with_their_unit_words(lang: str) -> None:
    named = words(lang).metric("requests.completion_rate.document_service")
    assert named is not None and named.unit == "%"
    assert words(lang).metric("no.such.metric") is None
    heroin = words(lang).metric("seizures.by_drug.heroin.gross")
    assert heroin is not None and words(lang).drug("heroin") in heroin.name


@pytest.mark.parametrize("lang", ["zh-TW", "zh-CN", "en"])
def test_every_metric_and_source_of_the_demo_is_named_in_each_language(lang: str) -> None:
    documents, figures = build_figures()
    seed = build_seed()
    unnamed = {f.metric for f in [*figures, *seed.figures] if words(lang).metric(f.metric) is None}
    assert unnamed == set()
    for d in [*documents, seed.document]:
        name = words(lang).source(d.publisher or "")
        if lang == "en":
            assert not re.search(r"[\u3400-\u9fff]", name), name
        if lang == "zh-CN":
            assert opencc.OpenCC("t2s").convert(name) == name, name


def test_sources_are_named_in_the_bulletins_language() -> None:
    assert [words(lang).source("Xinhua") for lang in ("zh-TW", "zh-CN", "en")] == ["新華社", "新华社", "Xinhua"]
    assert words("en").source("中國台灣網") == "Taiwan.cn"
    assert words("zh-CN").source("立法院預算中心") == "立法院预算中心"  # not listed: converted to Simplified


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
