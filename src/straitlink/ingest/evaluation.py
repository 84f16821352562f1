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

    def kind(self, name: str) -> Score:
        return self.kinds.setdefault(name, Score())

    def field(self, kind: str, name: str) -> Score:
        return self.fields.setdefault((kind, name), Score())


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


def evaluate_document(annotation: Path, report: Report) -> None:
    """Add one annotated document's scores to the report."""
    spec = json.loads(annotation.read_text(encoding="utf-8"))
    opened = open_document(annotation.parent / spec["document"])
    given = PartialDate.parse(spec["date"]) if spec.get("date") else None
    proposals = list(extract(opened.info, opened.chunks(), date=given))
    report.documents += 1
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


def evaluate(directory: Path, names: Iterable[str] | None = None) -> Report:
    """Scores over every annotation (*.json) in the directory, or over the named ones."""
    report = Report()
    wanted = set(names) if names is not None else None
    for annotation in sorted(directory.glob("*.json")):
        if wanted is None or annotation.stem in wanted:
            evaluate_document(annotation, report)
    return report
