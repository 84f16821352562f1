"""Words of each language: names from the catalogue, dates, numbers, quantities, and the zh-CN conversion.

zh-TW uses ROC dates and Taiwan's terms; zh-CN is zh-TW text converted by OpenCC (Taiwan phrases to mainland
phrases, `tw2sp`) and then by our own term table (K他命 → 氯胺酮, catalogue names → their mainland forms), with
Gregorian dates; en uses the catalogue's English names.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from decimal import Decimal
from typing import Any

import opencc

from straitlink.catalog import Catalog
from straitlink.domain.dates import PartialDate
from straitlink.domain.errors import InvalidValue, UnknownReference
from straitlink.domain.parties import Party
from straitlink.domain.quantity import Basis, Qualifier, Quantity, Total, Unit, canonical

LANGS = ("zh-TW", "zh-CN", "en")
# Our term table: Taiwan's words the zh-CN text must not keep, beside the catalogue's drug names (GLOSSARY.md).
# Applied before OpenCC, whose Taiwan-phrase table would otherwise turn 專案 into 项目.
TAIWAN_TO_MAINLAND = {
    "K他命": "氯胺酮",
    "安非他命": "甲基苯丙胺",
    "情資": "情报",
    "專案": "专案",
    "貨櫃": "集装箱",
    "透過": "通过",
    "公克": "克",
    "公噸": "吨",
}
# What Taiwanese bulletins call a drug where it differs from the catalogue's formal Traditional name.
TAIWAN_USAGE = {"ketamine": "K他命"}
UNITS = {
    "zh-TW": {"kg": "公斤", "g": "公克", "t": "公噸", "block": "塊", "tablet": "顆", "packet": "包",
              "person": "人", "dose": "人次", "case": "件", "item": "件"},
    "zh-CN": {"kg": "公斤", "g": "克", "t": "吨", "block": "块", "tablet": "粒", "packet": "包",
              "person": "人", "dose": "人次", "case": "件", "item": "件"},
    "en": {"kg": "kg", "g": "g", "t": "t", "block": "blocks", "tablet": "tablets", "packet": "packets",
           "person": "persons", "dose": "doses", "case": "cases", "item": "items"},
}  # fmt: skip


@functools.cache
def _opencc(config: str) -> Any:
    return opencc.OpenCC(config)


class Words:
    """How one language names and writes things."""

    def __init__(self, lang: str, catalog: Catalog) -> None:
        if lang not in LANGS:
            raise InvalidValue("lang", lang, f"expected one of {', '.join(LANGS)}")
        self.lang = lang
        self.catalog = catalog
        self._terms = _term_pattern(catalog) if lang == "zh-CN" else None

    @property
    def chinese(self) -> bool:
        return self.lang != "en"

    # --- text ------------------------------------------------------------------------------------------------

    def text(self, stored: str) -> str:
        """Stored free text (titles, decisions) in this language's script and terms; English keeps the original."""
        if self.lang == "zh-CN":
            return self.to_zh_cn(stored)
        if self.lang == "zh-TW":
            return str(_opencc("s2twp").convert(stored)) if _opencc("t2s").convert(stored) == stored else stored
        return stored

    def to_zh_cn(self, text: str) -> str:
        """Taiwan Traditional to mainland Simplified: our term table, OpenCC's phrases, then mainland quotes."""
        assert self._terms is not None
        pattern, table = self._terms
        converted = str(_opencc("tw2sp").convert(pattern.sub(lambda m: table[m.group(0)], text)))
        return converted.replace("「", "“").replace("」", "”").replace("『", "‘").replace("』", "’")

    # --- names -----------------------------------------------------------------------------------------------

    def drug(self, drug_id: str) -> str:
        d = self.catalog.drug(drug_id)
        if self.lang == "zh-TW":
            return TAIWAN_USAGE.get(drug_id, d.name_zh_hant)
        return d.name_zh_hans if self.lang == "zh-CN" else d.name_en

    def agency(self, agency_id: str) -> str:
        try:
            a = self.catalog.agency(agency_id)
        except UnknownReference:
            return agency_id  # an agency users added to the database but not to the shipped catalogue
        return {"zh-TW": a.name_zh_hant, "zh-CN": a.name_zh_hans, "en": a.name_en}[self.lang]

    def agency_party(self, agency_id: str) -> Party | None:
        try:
            return self.catalog.agency(agency_id).party
        except UnknownReference:
            return None

    def place(self, place_id: str) -> str:
        try:
            p = self.catalog.place(place_id)
        except UnknownReference:
            return place_id
        return {"zh-TW": p.name_zh_hant, "zh-CN": p.name_zh_hans, "en": p.name_en}[self.lang]

    def request_type(self, type_id: str) -> str:
        r = self.catalog.request_type(type_id)
        return {"zh-TW": r.name_zh_hant, "zh-CN": r.name_zh_hans, "en": r.name_en}[self.lang]

    def provider(self, key: str) -> str:
        """An intel provider key: an agency id, or a party code when the agency is not named."""
        return self.party(Party(key)) if key in ("TW", "CN") else self.agency(key)

    def party(self, party: Party) -> str:
        names = {
            "zh-TW": {Party.TW: "臺灣方面", Party.CN: "大陸方面"},
            "zh-CN": {Party.TW: "台湾方面", Party.CN: "大陆方面"},
            "en": {Party.TW: "the Taiwan side", Party.CN: "the mainland side"},
        }
        return names[self.lang][party]

    def join(self, items: list[str]) -> str:
        if self.chinese:
            return "、".join(items)
        if len(items) <= 2:
            return " and ".join(items)
        # Names such as "Narcotics Control Bureau, Ministry of Public Security" hold commas of their own.
        comma = "; " if any("," in i for i in items) else ", "
        return comma.join(items[:-1]) + " and " + items[-1]

    # --- dates and numbers -----------------------------------------------------------------------------------

    def date(self, when: PartialDate | date | None) -> str:
        if when is None:
            return {"zh-TW": "日期不詳", "zh-CN": "日期不详", "en": "undated"}[self.lang]
        if not isinstance(when, PartialDate):
            when = PartialDate(when.year, when.month, when.day)
        if self.lang == "zh-TW":
            return when.format_roc()
        return when.format_zh_cn() if self.lang == "zh-CN" else when.format_en()

    def count(self, n: int | Decimal) -> str:
        """A count in the bulletins' style: 4萬5,426 (zh), 45,426 (en)."""
        value = int(n)
        if self.chinese and value >= 10_000:
            wan, rest = divmod(value, 10_000)
            unit = "萬" if self.lang == "zh-TW" else "万"
            # 13萬0,643: the remainder keeps its four places, as the Ministry writes it.
            return f"{wan:,}{unit}{rest:05,}" if rest else f"{wan:,}{unit}"
        return f"{value:,}"

    def number(self, value: Decimal) -> str:
        """A decimal with thousands separators and no trailing zeros: 3,099 or 1.5."""
        text = canonical(value)
        whole, _, fraction = text.partition(".")
        return f"{int(whole):,}" + (f".{fraction}" if fraction else "")

    def unit(self, unit: Unit | str) -> str:
        return UNITS[self.lang][str(unit)]

    def quantity(self, q: Quantity) -> str:
        """One stated quantity: 毛重229公斤 / 229 kg gross; 3,000餘公斤 / at least 3,000 kg."""
        amount = self.amount(q.value, q.qualifier, q.upper, q.unit)
        if q.basis is Basis.UNSTATED:
            return amount
        if self.chinese:
            return {"zh-TW": {"gross": "毛重", "net": "淨重"}, "zh-CN": {"gross": "毛重", "net": "净重"}}[self.lang][
                q.basis.value
            ] + amount
        return f"{amount} {q.basis.value}"

    def total(self, t: Total) -> str:
        """A sum with its qualifier carried through; mixed gross and net weights are said to be mixed."""
        amount = self.amount(t.value, t.qualifier, t.upper, t.unit)
        if t.mixed_basis:
            amount += {"zh-TW": "（含毛重及淨重）", "zh-CN": "（含毛重及净重）", "en": " (gross and net mixed)"}[
                self.lang
            ]
        return amount

    def amount(self, value: Decimal, qualifier: Qualifier, upper: Decimal | None, unit: Unit) -> str:
        """A value in a unit with its qualifier: 3,000餘公斤, 約500人, at least 3,000 kg."""
        shown = self.count(value) if unit.dimension.value != "mass" and value == value.to_integral() else None
        shown = shown or self.number(value)
        word = self.unit(unit)
        if self.chinese:
            if qualifier is Qualifier.AT_LEAST:
                return f"{shown}{'餘' if self.lang == 'zh-TW' else '余'}{word}"
            if qualifier is Qualifier.APPROX:
                return f"{'約' if self.lang == 'zh-TW' else '约'}{shown}{word}"
            if qualifier is Qualifier.RANGE and upper is not None:
                return f"{shown}至{self.number(upper)}{word}"
            return f"{shown}{word}"
        if qualifier is Qualifier.AT_LEAST:
            return f"at least {shown} {word}"
        if qualifier is Qualifier.APPROX:
            return f"about {shown} {word}"
        if qualifier is Qualifier.RANGE and upper is not None:
            return f"{shown}–{self.number(upper)} {word}"
        return f"{shown} {word}"


@functools.cache
def _term_pattern(catalog: Catalog) -> tuple[re.Pattern[str], dict[str, str]]:
    """Taiwan terms, in either script, → mainland terms; longest first, so 甲基安非他命 wins over 安非他命.

    Agencies, places and drugs the bulletin names itself come straight from the catalogue's mainland names;
    this table is for free text (case titles, meeting decisions) written in Taiwan's terms.
    """
    t2s = _opencc("t2s")
    pairs = dict(TAIWAN_TO_MAINLAND)
    for drug in catalog.drugs:
        for name in (drug.name_zh_hant, TAIWAN_USAGE.get(drug.id)):
            if name and _is_chinese(name) and str(t2s.convert(name)) != drug.name_zh_hans:
                pairs.setdefault(name, drug.name_zh_hans)
    table = {**{str(t2s.convert(k)): v for k, v in pairs.items()}, **pairs}
    pattern = re.compile("|".join(re.escape(k) for k in sorted(table, key=len, reverse=True)))
    return pattern, table


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
