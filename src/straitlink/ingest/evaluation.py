"""Measure the extractor against annotated documents: precision and recall per record kind and per field.

An annotation (JSON, one per document) lists the records a careful reader takes from the document. Proposed and
annotated records are paired by what identifies them (a seizure by its drug and first quantity, a figure by its
value and unit, a meeting by its kind and month...); unpaired proposals are false positives, unpaired annotations
false negatives. Each pair's fields are then compared: a field proposed wrong counts against precision, a field
the annotation has and the proposal misses or gets wrong against recall.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from straitlink.domain.dates import PartialDate
from straitlink.domain.quantity import Quantity
from straitlink.ingest.extract import extract
from straitlink.ingest.proposals import Proposal
from straitlink.ingest.readers import open_document

# Targets the issue sets; kinds without one are reported for information.
TARGETS = {"seizure": 0.95, "figure": 0.95}
KINDS = ("seizure", "figure", "meeting", "intel", "case", "arrest", "repatriation")
_ANNOTATION_KEYS = {"seizure": "seizures", "figure": "figures", "meeting": "meetings", "intel": "intel"}
_ANNOTATION_KEYS |= {"case": "cases", "arrest": "arrests", "repatriation": "repatriations"}


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Report:
    """Scores per kind and per (kind, field), and the mismatches behind them for reading."""

    kinds: dict[str, Score] = field(default_factory=dict)
    fields: dict[tuple[str, str], Score] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)
    documents: int = 0
    months_right: int = 0  # seizures found whose month (year and month) is the annotated one
    months_dated: int = 0  # seizures found that the annotation dates to the month or better
    figures_full: int = 0  # figures found with every field right (value, unit, metric, qualifier, period end)
    figures_annotated: int = 0
    languages_right: int = 0  # documents whose language (and, for one not read, its warning) is right

    def kind(self, name: str) -> Score:
        return self.kinds.setdefault(name, Score())

    def field(self, kind: str, name: str) -> Score:
        return self.fields.setdefault((kind, name), Score())

    @property
    def month_rate(self) -> float:
        return self.months_right / self.months_dated if self.months_dated else 1.0

    @property
    def figures_full_rate(self) -> float:
        return self.figures_full / self.figures_annotated if self.figures_annotated else 1.0

    def add(self, other: Report) -> None:
        """Add another report's counts to this one (documents scored apart, summed by part or kind of error)."""
        for name, score in other.kinds.items():
            mine = self.kind(name)
            mine.tp, mine.fp, mine.fn = mine.tp + score.tp, mine.fp + score.fp, mine.fn + score.fn
        for (kind, name), score in other.fields.items():
            mine = self.field(kind, name)
            mine.tp, mine.fp, mine.fn = mine.tp + score.tp, mine.fp + score.fp, mine.fn + score.fn
        self.misses.extend(other.misses)
        self.documents += other.documents
        self.months_right += other.months_right
        self.months_dated += other.months_dated
        self.figures_full += other.figures_full
        self.figures_annotated += other.figures_annotated
        self.languages_right += other.languages_right


@dataclass
class Scored:
    """One annotated document's report, with what the annotation says about the document."""

    name: str
    heldout: bool
    errors: tuple[str, ...]
    report: Report


def _date(text: Any) -> Any:
    return PartialDate.parse(text).to_json() if isinstance(text, str) else None


def _quantity(text: str) -> dict[str, str]:
    return Quantity.parse(text).to_json()


def _first_amount(quantities: list[dict[str, str]]) -> tuple[str, str]:
    return (quantities[0]["value"], quantities[0]["unit"]) if quantities else ("", "")


def _gold(kind: str, raw: dict[str, Any]) -> dict[str, Any]:
    """An annotated record in the proposals' field shapes."""
    out = dict(raw)
    if kind == "seizure":
        out["quantities"] = [_quantity(q) for q in raw["quantities"]]
    if "date" in out:
        out["date"] = _date(out["date"])
    return out


def _pred(kind: str, p: Proposal, seizures_by_case: dict[str, list[Proposal]]) -> dict[str, Any]:
    """A proposal's fields as the annotation states them."""
    f = dict(p.fields)
    if kind == "case":
        f["directing"] = next((a["agency"] for a in f["agencies"] if a["role"] == "directing"), None)
        f["seizures"] = [_label(s) for s in seizures_by_case.get(p.id, [])]
    if kind == "meeting":
        f["places"] = sorted(f["places"])
    return f


def _label(seizure: Proposal) -> str:
    value, unit = _first_amount(seizure.fields["quantities"])
    return f"{seizure.fields['drug']} {value} {unit}"


def _case_label(text: str) -> str:
    drug, amount, unit = text.split()
    q = Quantity.parse(f"{amount} {unit}")
    return f"{drug} {q.to_json()['value']} {q.to_json()['unit']}"


# kind -> (what pairs records, the fields compared)
_PAIRING: dict[str, tuple[Callable[[dict[str, Any]], Any], tuple[str, ...]]] = {
    "seizure": (lambda r: (r["drug"], _first_amount(r["quantities"])), ("quantities", "date", "place", "suspects")),
    "figure": (lambda r: (r["value"], r["unit"]), ("metric", "qualifier", "period_end")),
    "meeting": (
        lambda r: (r["kind"], (r.get("date") or {}).get("iso", "")[:7]),
        ("date", "sequence", "host", "places"),
    ),
    "intel": (lambda r: r["provider_party"], ("provider_agency", "date")),
    "case": (lambda r: r.get("key"), ("joint", "directing")),
    "arrest": (lambda r: r["count"], ("date",)),
    "repatriation": (lambda r: r["count"], ("to_party", "date")),
}


def _pairs(kind: str, gold: list[dict[str, Any]], pred: list[dict[str, Any]]) -> tuple[list[Any], int, int]:
    """Pair annotated and proposed records of one kind; among candidates, the one agreeing on most fields."""
    key, names = _PAIRING[kind]
    free = list(range(len(pred)))
    pairs = []
    for g in gold:
        candidates = [i for i in free if _matches(kind, key, g, pred[i])]
        if not candidates:
            continue
        best = max(candidates, key=lambda i: sum(pred[i].get(n) == g.get(n) for n in names))
        free.remove(best)
        pairs.append((g, pred[best]))
    return pairs, len(gold) - len(pairs), len(free)


def _matches(kind: str, key: Callable[[dict[str, Any]], Any], g: dict[str, Any], p: dict[str, Any]) -> bool:
    if kind == "case":
        return _case_label(g["seizure"]) in p["seizures"]
    return bool(key(g) == key(p))


def evaluate_document(annotation: Path, report: Report) -> dict[str, Any]:
    """Add one annotated document's scores to the report; returns the annotation."""
    spec: dict[str, Any] = json.loads(annotation.read_text(encoding="utf-8"))
    opened = open_document(annotation.parent / spec["document"])
    given = PartialDate.parse(spec["date"]) if spec.get("date") else None
    proposals = list(extract(opened.info, opened.chunks(), date=given))
    report.documents += 1
    _language(spec, opened.info.language, opened.info.warnings, proposals, report)
    seizures_by_case: dict[str, list[Proposal]] = {}
    for p in proposals:
        if p.kind == "seizure" and p.fields.get("case"):
            seizures_by_case.setdefault(p.fields["case"], []).append(p)
    for kind in KINDS:
        gold = [_gold(kind, r) for r in spec.get(_ANNOTATION_KEYS[kind], [])]
        pred = [_pred(kind, p, seizures_by_case) for p in proposals if p.kind == kind]
        if kind == "case":
            pred = [p for p in pred if p["seizures"]]  # cases are annotated by their seizures
        if kind == "meeting":
            for g in gold:
                g["places"] = sorted(g.get("places", []))
        pairs, missed, extra = _pairs(kind, gold, pred)
        score = report.kind(kind)
        score.tp, score.fn, score.fp = score.tp + len(pairs), score.fn + missed, score.fp + extra
        if missed or extra:
            report.misses.append(f"{spec['document']}: {kind}: {missed} missed, {extra} extra")
        for g, p in pairs:
            for name in _PAIRING[kind][1]:
                _compare(report, kind, name, g.get(name), p.get(name), spec["document"])
        if kind == "seizure":
            _months(report, pairs)
        if kind == "figure":
            report.figures_annotated += len(gold)
            report.figures_full += sum(all(g.get(n) == p.get(n) for n in _PAIRING["figure"][1]) for g, p in pairs)
    return spec


def _months(report: Report, pairs: list[Any]) -> None:
    """Seizures found whose month is right, among those the annotation dates to the month or better."""
    for g, p in pairs:
        gold = (g.get("date") or {}).get("iso", "")
        if len(gold) < 7:
            continue
        report.months_dated += 1
        report.months_right += ((p.get("date") or {}).get("iso", "") or "")[:7] == gold[:7]


def _language(
    spec: dict[str, Any], found: str | None, warnings: list[str], proposals: list[Proposal], r: Report
) -> None:
    """The document's language: Chinese in either script by default; a text not read names its language in a
    warning and proposes nothing."""
    expected = spec.get("language", "zh")
    if expected in ("zh", "en"):
        right = (found or "").split("-")[0] == expected
    else:
        right = found == expected and any(expected in w for w in warnings) and not proposals
    r.languages_right += right
    if not right:
        r.misses.append(f"{spec['document']}: language: expected {expected!r}, read {found!r} {warnings}")


def _compare(report: Report, kind: str, name: str, gold: Any, pred: Any, document: str) -> None:
    if gold is None and pred is None:
        return
    score = report.field(kind, name)
    if gold == pred:
        score.tp += 1
        return
    if pred is not None:
        score.fp += 1
    if gold is not None:
        score.fn += 1
    report.misses.append(f"{document}: {kind}.{name}: expected {gold!r}, proposed {pred!r}")


def score_documents(directory: Path, names: Iterable[str] | None = None) -> list[Scored]:
    """Each annotated document's own report (every *.json in the directory, or the named ones)."""
    wanted = set(names) if names is not None else None
    scored = []
    for annotation in sorted(directory.glob("*.json")):
        if wanted is None or annotation.stem in wanted:
            report = Report()
            spec = evaluate_document(annotation, report)
            heldout = spec.get("part") == "heldout"
            scored.append(Scored(annotation.stem, heldout, tuple(spec.get("errors", ())), report))
    return scored


def total(scored: Iterable[Scored]) -> Report:
    """The documents' reports summed."""
    report = Report()
    for s in scored:
        report.add(s.report)
    return report


def evaluate(directory: Path, names: Iterable[str] | None = None) -> Report:
    """Scores over every annotation (*.json) in the directory, or over the named ones."""
    return total(score_documents(directory, names))
