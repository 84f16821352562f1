"""Words of each language: names from the catalogue, dates, numbers, quantities, and the zh-CN conversion.

zh-TW uses ROC dates and Taiwan's terms; zh-CN is zh-TW text converted by the term tables (words/zh-TW.yaml's
word for each concept becomes words/zh-CN.yaml's: K他命 → 氯胺酮, 公斤 → 千克, 「協議」 → 《协议》) and then by OpenCC
(Taiwan phrases to mainland phrases, `tw2sp`), with Gregorian dates; en uses the catalogue's English names.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import resources
from typing import Any

import opencc
import yaml

from straitlink.catalog import Catalog
from straitlink.domain.dates import PartialDate
from straitlink.domain.errors import InvalidValue, UnknownReference
from straitlink.domain.parties import Party
from straitlink.domain.quantity import Basis, Qualifier, Quantity, Total, Unit, canonical

LANGS = ("zh-TW", "zh-CN", "en")
# Placeholders around a term already in mainland wording, so that OpenCC's phrase table cannot touch it again
# (its Taiwan-phrase table turns 專案 into 项目, and 指標 into 指针 — a pointer).
_HOLD, _RELEASE = "\ue000", "\ue001"
_HELD = re.compile(f"{_HOLD}([0-9]+){_RELEASE}")


@dataclass(frozen=True)
class MetricName:
    """A metric as the bulletin names it, and the unit word for a unit the figures table has no code for."""

    name: str
    unit: str | None = None


@functools.cache
def vocabulary(lang: str) -> dict[str, Any]:
    """The term table of one language: stats/bulletin/words/<lang>.yaml."""
    if lang not in LANGS:
        raise InvalidValue("lang", lang, f"expected one of {', '.join(LANGS)}")
    text = resources.files("straitlink.stats.bulletin").joinpath("words", f"{lang}.yaml").read_text(encoding="utf-8")
    table: dict[str, Any] = yaml.safe_load(text)
    return table


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
        self.table = vocabulary(lang)
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
        """Taiwan Traditional to mainland Simplified: the term tables, OpenCC's phrases, then mainland quotes."""
        assert self._terms is not None
        pattern, table = self._terms
        held: list[str] = []

        def hold(match: re.Match[str]) -> str:
            held.append(table[match.group(0)])
            return f"{_HOLD}{len(held) - 1}{_RELEASE}"

        converted = str(_opencc("tw2sp").convert(pattern.sub(hold, text)))
        converted = converted.replace("「", "“").replace("」", "”").replace("『", "‘").replace("』", "’")
        return _HELD.sub(lambda m: held[int(m.group(1))], converted)

    # --- names -----------------------------------------------------------------------------------------------

    def drug(self, drug_id: str) -> str:
        d = self.catalog.drug(drug_id)
        usage: dict[str, str] = self.table["drugs"] or {}
        return usage.get(drug_id) or {"zh-TW": d.name_zh_hant, "zh-CN": d.name_zh_hans, "en": d.name_en}[self.lang]

    def agency(self, agency_id: str) -> str:
        """The agency as this language's texts name it (大陸公安部 in zh-TW, 公安部 in zh-CN), else the catalogue's."""
        usage: dict[str, str] = self.table["agencies"] or {}
        if agency_id in usage:
            return usage[agency_id]
        try:
            a = self.catalog.agency(agency_id)
        except UnknownReference:
            return agency_id  # an agency users added to the database but not to the shipped catalogue
        return {"zh-TW": a.name_zh_hant, "zh-CN": a.name_zh_hans, "en": a.name_en}[self.lang]

    def source(self, publisher: str) -> str:
        """A source's publisher as this language names the outlet; zh-CN never keeps a Traditional character."""
        named: dict[str, str] = self.table["sources"] or {}
        if publisher in named:
            return named[publisher]
        return self.to_zh_cn(publisher) if self.lang == "zh-CN" else publisher

    def metric(self, key: str) -> MetricName | None:
        """The name of a statistics key in this bulletin's vocabulary; None for a key it has no name for."""
        found = _metric_entry(self.table, key, self.catalog)
        if found is None and self.lang == "zh-CN":
            tw = Words("zh-TW", self.catalog).metric(key)
            return MetricName(self.to_zh_cn(tw.name), tw.unit and self.to_zh_cn(tw.unit)) if tw else None
        if found is None:
            return None
        entry, fields = found
        name = entry if isinstance(entry, str) else entry["name"]
        unit = None if isinstance(entry, str) else entry.get("unit")
        named = {k: self.request_type(v) if k == "type" else self.drug(v) for k, v in fields.items()}
        return MetricName(name.format(**named), unit)

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
        """A count in the language's style: 4萬5,426 (zh-TW), 4万5426 (zh-CN), 45,426 (en)."""
        value, style = int(n), self.table["numbers"]
        if style["wan"] and value >= 10_000:
            wan, rest = divmod(value, 10_000)
            if not rest:
                return f"{self._grouped(wan)}{style['wan']}"
            # 13萬0,643: the remainder keeps its four places, as the Ministry writes it.
            tail = f"{rest:04d}" if style["pad_after_wan"] else str(rest)
            if style["separator"] and len(tail) == 4:
                tail = f"{tail[0]}{style['separator']}{tail[1:]}"
            return f"{self._grouped(wan)}{style['wan']}{tail}"
        return self._grouped(value)

    def _grouped(self, value: int) -> str:
        return f"{value:,}".replace(",", self.table["numbers"]["separator"])

    def number(self, value: Decimal) -> str:
        """A decimal with the language's thousands separators and no trailing zeros: 3,099 or 1.5 (3099 in zh-CN)."""
        text = canonical(value)
        whole, _, fraction = text.partition(".")
        return self._grouped(int(whole)) + (f".{fraction}" if fraction else "")

    def unit(self, unit: Unit | str) -> str:
        return str(self.table["units"][str(unit)])

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

    def amount(
        self, value: Decimal, qualifier: Qualifier, upper: Decimal | None, unit: Unit, *, word: str | None = None
    ) -> str:
        """A value in a unit with its qualifier: 3,000餘公斤, 231餘萬人次, 約500人, at least 3,000 kg.

        `word` names a unit the Unit codes lack (「畝」, "%"), for figures published in one.
        """
        counted = unit.dimension.value != "mass" and value == value.to_integral()
        shown = self.count(value) if counted else self.number(value)
        word = self.unit(unit) if word is None else word
        more, near = self.table["qualifiers"]["at_least"], self.table["qualifiers"]["approx"]
        if self.chinese:
            if qualifier is Qualifier.AT_LEAST:
                wan = self.table["numbers"]["wan"]
                if shown.endswith(wan) and value >= 100_000:  # 231餘萬人次, as the Ministry writes it; but 1萬餘件
                    return f"{shown[: -len(wan)]}{more}{wan}{word}"
                return f"{shown}{more}{word}"
            if qualifier is Qualifier.APPROX:
                return f"{near}{shown}{word}"
            if qualifier is Qualifier.RANGE and upper is not None:
                return f"{shown}至{self.number(upper)}{word}"
            return f"{shown}{word}"
        space = "" if word == "%" else " "
        if qualifier is Qualifier.AT_LEAST:
            return f"{more} {shown}{space}{word}"
        if qualifier is Qualifier.APPROX:
            return f"{near} {shown}{space}{word}"
        if qualifier is Qualifier.RANGE and upper is not None:
            return f"{shown}–{self.number(upper)}{space}{word}"
        return f"{shown}{space}{word}"


@functools.cache
def _term_pattern(catalog: Catalog) -> tuple[re.Pattern[str], dict[str, str]]:
    """zh-TW words, in either script, → zh-CN words; longest first, so 甲基安非他命 wins over 安非他命.

    Pairs are zh-TW.yaml's and zh-CN.yaml's `terms` of the same concept, then the catalogue's drug names.
    Agencies, places and drugs the bulletin names itself come straight from the catalogue's mainland names;
    this table is for the fixed wording and for free text (case titles, meeting decisions) in Taiwan's terms.
    """
    t2s = _opencc("t2s")
    tw, cn = vocabulary("zh-TW")["terms"], vocabulary("zh-CN")["terms"]
    pairs = {tw[concept]: cn[concept] for concept in tw if concept in cn and tw[concept] != cn[concept]}
    usage = vocabulary("zh-TW")["drugs"] or {}
    for drug in catalog.drugs:
        for name in (drug.name_zh_hant, usage.get(drug.id)):
            if name and _is_chinese(name) and str(t2s.convert(name)) != drug.name_zh_hans:
                pairs.setdefault(name, drug.name_zh_hans)
    table = {**{str(t2s.convert(k)): v for k, v in pairs.items()}, **pairs}
    pattern = re.compile("|".join(re.escape(k) for k in sorted(table, key=len, reverse=True)))
    return pattern, table


def _metric_entry(table: dict[str, Any], key: str, catalog: Catalog) -> tuple[Any, dict[str, str]] | None:
    """The vocabulary entry naming a key, exact or by a {type}/{drug} pattern, with the ids the pattern matched."""
    metrics: dict[str, Any] = table.get("metrics") or {}
    if key in metrics:
        return metrics[key], {}
    for pattern, entry in metrics.items():
        if "{" not in pattern:
            continue
        regex = re.escape(pattern).replace(r"\{type\}", "(?P<type>[a-z_]+)").replace(r"\{drug\}", "(?P<drug>[a-z_-]+)")
        match = re.fullmatch(regex, key)
        if match is None:
            continue
        fields = match.groupdict()
        known = {"type": {r.id.value for r in catalog.request_types}, "drug": {d.id for d in catalog.drugs}}
        if all(v in known[k] for k, v in fields.items()):
            return entry, fields
    return None


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
