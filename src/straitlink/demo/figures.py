"""Every row of the shipped figures CSVs as PublishedFigures, with one SourceDocument per source URL."""

from __future__ import annotations

import csv
import io
import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import opencc

from straitlink.catalog import load_catalog
from straitlink.demo.bulletin import DEMO_USER
from straitlink.domain.errors import InvalidValue
from straitlink.domain.figures import PublishedFigure, SourceDocument
from straitlink.domain.provenance import Provenance
from straitlink.domain.quantity import Qualifier, Unit
from straitlink.domain.records import stable_id

BY_TYPE_PREFIX = "completed_by_type"

# Substring of a row's metric_en (lower case) -> statistics key; the first match wins, so narrow rules come first.
# Keys StraitLink computes: requests.total[.<type>], requests.completed[.<type>], cases.joint_drug, suspects.total,
# seizures.total_weight_kg. The rest are descriptive keys, kept for reconciliation by hand.
METRIC_RULES: tuple[tuple[str, str], ...] = (
    ("service of documents: mainland completion rate", "requests.completion_rate.document_service"),
    ("service of documents: taiwan completion rate", "requests.completion_rate.document_service"),
    ("taiwan closure rate", "requests.closure_rate.document_service"),
    ("completion rate", "requests.completion_rate"),
    ("average completions per month", "requests.completed.monthly_average"),
    ("average repatriations per month", "repatriations.persons.monthly_average"),
    ("judicial documents served per day", "documents_served.daily_average"),
    ("difference in new requests", "requests.total.document_service.difference"),
    ("difference in closed requests", "requests.closed.document_service.difference"),
    ("service of documents + evidence taking", "requests.total.service_and_evidence"),
    ("service of documents: closed", "requests.closed.document_service"),
    ("service of documents: completed by", "requests.completed.document_service"),
    ("service of documents", "requests.total.document_service"),
    ("requests: evidence taking", "requests.total.evidence_collection"),
    ("criminal-intelligence inquiries", "requests.total.intelligence_exchange"),
    ("requests completed", "requests.completed"),
    ("assistance items completed", "requests.completed"),
    ("requests for assistance", "requests.total"),
    ("requests for judicial assistance", "requests.total"),
    ("all requests and notifications", "requests.total"),
    ("in calendar year", "requests.total"),
    ("(海巡署 channel)", "cases.joint_drug.coast_guard_channel"),
    ("drugs seized in those", "seizures.total_weight_kg.coast_guard_channel"),
    ("drugs seized in joint drug cases (by mainland police)", "seizures.total_weight_kg.cn_police"),
    ("drugs seized in joint drug cases", "seizures.total_weight_kg"),
    ("suspects arrested (all the above)", "suspects.coast_guard_channel"),
    ("smuggled cigarettes", "smuggling.cigarettes"),
    ("illegal-migration cases", "migration.cases"),
    ("joint sea rescues (vessels)", "sea_rescue.vessels"),
    ("joint sea rescues (persons)", "sea_rescue.persons"),
    ("fujian border police drug cases", "pre_agreement.fujian_border.drug_cases"),
    ("fujian border police drug suspects", "pre_agreement.fujian_border.suspects"),
    ("ketamine seized", "pre_agreement.fujian_border.seized.ketamine"),
    ("heroin seized", "pre_agreement.fujian_border.seized.heroin"),
    ("methamphetamine (finished", "pre_agreement.fujian_border.seized.methamphetamine"),
    ("precursor chemicals seized", "pre_agreement.fujian_border.seized.precursor"),
    ("fraud groups", "fraud.groups"),
    ("fraud suspects", "fraud.suspects"),
    ("suspects arrested (fraud cases)", "fraud.suspects"),
    ("fraud cases", "fraud.cases"),
    ("criminal cases dealt with cooperatively", "cases.cooperated"),
    ("joint cases (fraud, drugs, kidnapping)", "cases.joint"),
    ("arrests in joint cases: taiwanese", "suspects.joint.tw_nationals"),
    ("arrests in joint cases: mainlanders", "suspects.joint.cn_nationals"),
    ("evidence items delivered", "evidence.items_delivered"),
    ("police intelligence exchange", "police_channel.intel_and_inquiries"),
    ("jointly investigated cases (警政署", "police_channel.joint_cases"),
    ("wanted criminals repatriated (警政署", "repatriations.persons.police_channel"),
    ("sentenced persons transferred", "sentenced_transfers.persons"),
    ("stowaways", "repatriations.stowaways"),
    ("repatriat", "repatriations.persons"),
    ("handed over", "repatriations.persons"),
    ("returned by taiwan", "repatriations.persons"),
)
# The Kinmen-era series (1990-2009, before the Agreement) gets its own keys; the catch-all "" comes last.
KINMEN_SERIES = "pre_agreement_kinmen_era"
KINMEN_RULES: tuple[tuple[str, str], ...] = (
    ("asked", "kinmen_era.arrest_requests.persons"),
    ("without request", "kinmen_era.repatriations_unrequested.persons"),
    ("on their own", "kinmen_era.self_returned.persons"),
    ("operations", "kinmen_era.repatriation_batches"),
    ("stowaways", "kinmen_era.stowaways.persons"),
    ("", "kinmen_era.repatriations.persons"),
)
# A "mixed" row restates several seed figures in one cell ("39 cases; 234 suspects; 3000+ kg").
MIXED_PARTS: dict[str, tuple[str, Unit]] = {
    "cases": ("cases.joint_drug", Unit.CASE),
    "suspects": ("suspects.total", Unit.PERSON),
    "kg": ("seizures.total_weight_kg", Unit.KG),
}
# Units the domain lacks (percent, rates, groups, boxes…) become the nearest count unit; label_en keeps the original.
UNITS: dict[str, Unit] = {
    "cases": Unit.CASE,
    "requests": Unit.CASE,
    "requests+notifications": Unit.CASE,
    "requests/month": Unit.CASE,
    "persons": Unit.PERSON,
    "persons/month": Unit.PERSON,
    "items": Unit.ITEM,
    "kg": Unit.KG,
    "kg (千克)": Unit.KG,
    "tonnes (吨)": Unit.T,
    "groups": Unit.ITEM,
    "batches": Unit.ITEM,
    "boxes (箱)": Unit.ITEM,
    "vessels": Unit.ITEM,
    "documents/day": Unit.ITEM,
    "percent": Unit.ITEM,
}
EXACT_UNITS = frozenset(
    {"cases", "requests", "requests+notifications", "persons", "items", "kg", "kg (千克)", "tonnes (吨)"}
)
QUALIFIERS: dict[str, Qualifier] = {
    "": Qualifier.EXACT,
    **dict.fromkeys(("餘", "余", "多", "more than", "over", "超過", "some"), Qualifier.AT_LEAST),
    **dict.fromkeys(("近", "將近", "约", "約", "about", "左右"), Qualifier.APPROX),
}
# The outlet a row's publisher cell names first ("新華網 on 海巡署 release" → 新華網), as it names itself: the
# rest of the cell (who it cites, notes such as "text not saved") is for the corpus's readers, not the bulletin's.
PUBLISHERS: dict[str, str] = {
    "taiwan.cn EN": "Taiwan.cn",
    "中國臺灣網": "中國台灣網",
    "中國台灣網": "中國台灣網",
    "台灣網": "中國台灣網",
    "Xinhua EN": "Xinhua",
    "新華網": "新華網",
    "新華網福建": "新華網福建頻道",
    "chinadaily EN": "China Daily",
    "中新網": "中新網",
    "中新社": "中新社",
    "Taiwan Today JP": "Taiwan Today",
    "lawdata abstract": "月旦法學知識庫",
    "環球時報": "環球時報",
    "Yahoo": "Yahoo奇摩新聞",
    "桃園電子報": "桃園電子報",
    "聯合報": "聯合報",
    "立法院預算中心": "立法院預算中心",
    "法務通訊2585期": "法務通訊第2585期",
    "法務部海峽兩岸共同打擊犯罪與司法互助協議執行情行情形統計總表": "法務通訊第2585期",
}
_PUBLISHER_END = re.compile(r" via | citing | on | quoting |, | \(| — ")
# A metric cell says which language a source wrote in ("(EN) …", "(JA) …"); the label keeps only the words.
_LANGUAGE_MARK = re.compile(r"^\((EN|JA)\)\s*")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})(?:-([0-9]{2}))?")
_PART = re.compile(r"([0-9][0-9,.]*)(\+?)\s*(\S+)")


@dataclass(frozen=True)
class CsvRow:
    """One data row of a shipped CSV: the file, its 1-based position among the data rows, and its cells."""

    file: str
    line: int
    cells: dict[str, str]

    def get(self, name: str) -> str:
        """A cell, stripped; "" when the column is absent or empty."""
        return (self.cells.get(name) or "").strip()


def figure_id(file: str, line: int, part: str) -> str:
    """The id of the figure made from one CSV row (part "0", or "tw"/"cn", or "1", "2"… for split rows)."""
    return stable_id("figures", file, str(line), part)


def csv_rows() -> list[CsvRow]:
    """Every data row of every shipped figures CSV, files in name order."""
    folder = resources.files("straitlink.demo").joinpath("data", "figures")
    rows: list[CsvRow] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".csv"):
            reader = csv.DictReader(io.StringIO(entry.read_bytes().decode("utf-8")))
            rows += [CsvRow(entry.name, n, dict(cells)) for n, cells in enumerate(reader, start=1)]
    return rows


def build_figures() -> tuple[list[SourceDocument], list[PublishedFigure]]:
    """The source documents (one per URL) and the figures of every shipped CSV row."""
    documents: dict[str, SourceDocument] = {}
    figures: list[PublishedFigure] = []
    for row in csv_rows():
        url = row.get("source_url")
        if url not in documents:
            documents[url] = _document(row, url)
        source = documents[url].id
        figures += _by_type(row, source) if row.file.startswith(BY_TYPE_PREFIX) else _generic(row, source)
    return list(documents.values()), figures


def _document(row: CsvRow, url: str) -> SourceDocument:
    publisher = publisher_name(row.get("publisher_and_cited_origin") or row.get("cited_origin"))
    quote = row.get("verbatim_quote") or row.get("item_zh_as_in_source")
    return SourceDocument(
        id=stable_id("figures", "document", url),
        provenance=Provenance.by_user(DEMO_USER),
        title=f"{publisher} — {urlsplit(url).hostname or url}",
        publisher=publisher,
        url=url,
        language=_language(quote, row.get("metric_zh_as_in_source")),
    )


def publisher_name(cell: str) -> str:
    """The outlet a publisher cell names first, as it names itself; InvalidValue for one not mapped."""
    first = _PUBLISHER_END.split(cell.strip(), maxsplit=1)[0].strip()
    try:
        return PUBLISHERS[first]
    except KeyError:
        raise InvalidValue("publisher_and_cited_origin", cell, "no outlet maps it; add it to PUBLISHERS") from None


def metric_label(cell: str) -> str:
    """The metric as worded in the source, without the column's language mark ("(EN) items …" → "items …")."""
    return _LANGUAGE_MARK.sub("", cell.strip())


@cache
def _converter(config: str) -> Any:
    return opencc.OpenCC(config)


def _language(quote: str, label: str) -> str | None:
    """en for English quotes; else zh-Hant or zh-Hans by whether the text changes under script conversion."""
    if label.startswith("(EN)") or (quote and sum(ch.isascii() for ch in quote) > 0.8 * len(quote)):
        return "en"
    if label.startswith("(JA)"):
        return "ja"
    if _converter("t2s").convert(quote) != quote:
        return "zh-Hant"
    if _converter("s2t").convert(quote) != quote:
        return "zh-Hans"
    return None


def metric_key(series: str, metric_en: str) -> str:
    """The statistics key for a row's metric; InvalidValue for a metric no rule maps (map new rows on purpose)."""
    wanted = metric_en.lower()
    rules = KINMEN_RULES if series == KINMEN_SERIES else METRIC_RULES
    for needle, key in rules:
        if needle in wanted:
            return key
    raise InvalidValue("metric_en", metric_en, "no statistics key maps this metric; add a rule to METRIC_RULES")


def direction(text: str) -> str | None:
    """tw_to_cn, cn_to_tw, both, or None (n/a, unspecified, ambiguous), from the CSV's arrow."""
    if text == "both":
        return "both"
    if text.startswith("Taiwan→mainland"):
        return "tw_to_cn"
    if text.startswith("mainland→Taiwan"):
        return "cn_to_tw"
    if text in ("n/a", "unspecified", "ambiguous"):
        return None
    raise InvalidValue("direction", text, "expected both, Taiwan→mainland, mainland→Taiwan, n/a, unspecified")


def qualifier(text: str) -> Qualifier:
    """The qualifier a CSV word stands for (餘 → at_least, 近 → approx, blank → exact)."""
    try:
        return QUALIFIERS[text]
    except KeyError:
        raise InvalidValue("value_qualifier", text, f"one of {', '.join(repr(k) for k in QUALIFIERS)}") from None


def day(text: str, *, end: bool) -> date | None:
    """A CSV date; a bare month ("2011-01 (近3年)") is its first day, or its last when it ends a period."""
    match = _DATE.match(text)
    if match is None:
        return None
    year, month = int(match[1]), int(match[2])
    if match[3] is not None:
        return date(year, month, int(match[3]))
    return date(year, month, monthrange(year, month)[1] if end else 1)


def _period(row: CsvRow) -> tuple[date | None, date]:
    end = day(row.get("period_end"), end=True) or day(row.get("as_of"), end=True)
    if end is None:
        raise InvalidValue(f"{row.file}:{row.line}", row.get("period_end"), "the row has no period end or as_of")
    return day(row.get("period_start"), end=False), end


def _number(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _generic(row: CsvRow, source: str) -> list[PublishedFigure]:
    start, end = _period(row)
    unit_text, label_en = row.get("unit"), row.get("metric_en")
    common: dict[str, Any] = {
        "label": metric_label(row.get("metric_zh_as_in_source")),
        "period_start": start,
        "period_end": end,
        "direction": direction(row.get("direction")),
        "source": source,
        "provenance": Provenance.from_document(source, quote=row.get("verbatim_quote") or None),
    }
    if unit_text == "mixed":
        parts = []
        for n, piece in enumerate(row.get("value").split(";"), start=1):
            match = _PART.fullmatch(piece.strip())
            if match is None or match[3] not in MIXED_PARTS:
                raise InvalidValue(f"{row.file}:{row.line}", piece, "expected e.g. 39 cases or 3000+ kg")
            metric, unit = MIXED_PARTS[match[3]]
            parts.append(
                PublishedFigure(
                    id=figure_id(row.file, row.line, str(n)),
                    metric=metric,
                    value=_number(match[1]),
                    unit=unit,
                    qualifier=Qualifier.AT_LEAST if match[2] else Qualifier.EXACT,
                    label_en=f"{label_en} [{match[3]}]",
                    **common,
                )
            )
        return parts
    if unit_text not in UNITS:
        raise InvalidValue(f"{row.file}:{row.line}", unit_text, f"one of {', '.join(UNITS)}")
    metric, unit = metric_key(row.get("series"), row.get("metric_en")), UNITS[unit_text]
    # Requests are counted in cases everywhere; "assistance items completed" counts requests too.
    if metric.startswith("requests.") and unit is Unit.ITEM and unit_text == "items":
        unit = Unit.CASE
        label_en += f" [published unit: {unit_text}]"
    elif unit_text not in EXACT_UNITS:
        label_en += f" [published unit: {unit_text}]"
    return [
        PublishedFigure(
            id=figure_id(row.file, row.line, "0"),
            metric=metric,
            value=_number(row.get("value")),
            unit=unit,
            qualifier=qualifier(row.get("value_qualifier")),
            label_en=label_en,
            **common,
        )
    ]


def _by_type(row: CsvRow, source: str) -> list[PublishedFigure]:
    start, end = _period(row)
    label = row.get("item_zh_as_in_source")
    kind = load_catalog().find_request_type(label, field="item_zh_as_in_source").id.value
    columns = (
        # column, who completed, direction of the requests they completed
        ("completed_by_taiwan_我方完成", "tw", "cn_to_tw", "completed by Taiwan (on mainland requests)"),
        ("completed_by_mainland_陸方完成", "cn", "tw_to_cn", "completed by the mainland (on Taiwan requests)"),
    )
    return [
        PublishedFigure(
            id=figure_id(row.file, row.line, part),
            metric=f"requests.completed.{kind}",
            label=label,
            label_en=f"{row.get('item_en')}: {who}",
            value=_number(row.get(column)),
            unit=Unit.CASE,
            period_start=start,
            period_end=end,
            direction=towards,
            source=source,
            # The table has no sentence to quote; its row label is the source's own wording.
            provenance=Provenance.from_document(source, quote=label),
        )
        for column, part, towards, who in columns
    ]
