"""Statistics as named tables: what the CLI prints and `stats --format csv|xlsx` exports.

Cells hold ids (drug, agency, request type) and numbers as the statistics service computed them; a qualified
total is written with its mark (≥ at least, ≈ approximately, a–b for a range), and the `figures` table gives
every figure with its value, unit and qualifier in separate columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from straitlink.domain.errors import InvalidValue
from straitlink.domain.quantity import Qualifier, Total, Unit, canonical
from straitlink.stats.model import BASES, DIRECTIONS, Statistics

Cell = str | int | Decimal | None


@dataclass(frozen=True)
class StatTable:
    name: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def marked(total: Total | None) -> str | None:
    """A total as one cell: "3099", "≥3062", "≈500", "1–2"."""
    if total is None:
        return None
    value = canonical(total.value)
    if total.qualifier is Qualifier.AT_LEAST:
        return f"≥{value}"
    if total.qualifier is Qualifier.APPROX:
        return f"≈{value}"
    if total.qualifier is Qualifier.RANGE and total.upper is not None:
        return f"{value}–{canonical(total.upper)}"
    return value


def statistics_tables(stats: Statistics) -> list[StatTable]:
    """Every table of the statistics, the breakdown last when there is one."""
    tables = [
        _figures(stats),
        _requests_by_direction(stats),
        _requests_by_type(stats),
        _seizures_by_drug(stats),
        _intel(stats, "intel_by_provider", "Intel hand-overs by providing agency (or party)", "provider"),
        _intel(stats, "intel_by_recipient", "Intel hand-overs by receiving side", "recipient"),
    ]
    if stats.breakdown is not None:
        tables.append(_breakdown(stats))
    return tables


def table_named(stats: Statistics, name: str) -> StatTable:
    tables = {t.name: t for t in statistics_tables(stats)}
    if name not in tables:
        raise InvalidValue("table", name, f"expected one of {', '.join(tables)}")
    return tables[name]


def _figures(stats: Statistics) -> StatTable:
    rows = []
    for key, f in stats.figures().items():
        upper = canonical(f.upper) if f.upper is not None else None
        rows.append((key, canonical(f.value), f.unit, str(f.qualifier), upper, "estimate" if f.estimate else None))
    return StatTable("figures", "Every figure", ("key", "value", "unit", "qualifier", "upper", "note"), tuple(rows))


def _requests_by_direction(stats: Statistics) -> StatTable:
    rows = []
    for name, counts in (*((d, stats.requests.directions[d]) for d in DIRECTIONS), ("both", stats.requests.both)):
        days = counts.processing_days
        rows.append(
            (
                name,
                counts.total,
                counts.open,
                counts.completed,
                counts.completion_rate,
                days.median,
                days.p90,
            )
        )
    columns = ("direction", "filed", "open", "completed", "completion_rate_%", "median_days", "p90_days")
    return StatTable("requests_by_direction", "Requests by direction", columns, tuple(rows))


def _requests_by_type(stats: Statistics) -> StatTable:
    r = stats.requests
    rows = []
    for kind, total in r.both.by_type.items():
        if not total:
            continue
        rows.append(
            (
                kind,
                r.directions["tw_to_cn"].by_type[kind],
                r.directions["cn_to_tw"].by_type[kind],
                total,
                r.both.completed_by_type[kind],
            )
        )
    columns = ("type", "tw_to_cn", "cn_to_tw", "total", "completed")
    return StatTable("requests_by_type", "Requests by type", columns, tuple(rows))


def _seizures_by_drug(stats: Statistics) -> StatTable:
    rows = []
    for drug, s in stats.seizures.by_drug.items():
        counts = "; ".join(f"{marked(t)} {unit}" for unit, t in sorted(s.counts.items())) or None
        doses = s.doses
        estimate = None
        if doses is not None:
            estimate = marked(Total(doses.doses, Unit.DOSE, doses.qualifier, doses.upper, frozenset(), 1))
        rows.append(
            (
                drug,
                s.category,
                s.count,
                *(marked(s.by_basis[b]) for b in BASES),
                counts,
                marked(s.weight_kg),
                estimate,
            )
        )
    seized = stats.seizures
    for label, total in (
        ("(drugs)", seized.drugs_weight_kg),
        ("(precursors)", seized.precursors_weight_kg),
        ("(all)", seized.total_weight_kg),
    ):
        rows.append((label, None, total.count, None, None, None, None, marked(total), None))
    columns = (
        "drug",
        "category",
        "seizures",
        "gross_kg",
        "net_kg",
        "unstated_kg",
        "counts",
        "weight_kg",
        "doses_estimate",
    )
    return StatTable("seizures_by_drug", "Seizures by drug", columns, tuple(rows))


def _intel(stats: Statistics, name: str, title: str, side: str) -> StatTable:
    groups = stats.intel.by_provider if side == "provider" else stats.intel.by_recipient
    rows = []
    for key, o in groups.items():
        weights = "; ".join(f"{drug} {marked(t)} kg" for drug, t in sorted(o.weight_by_drug.items())) or None
        rows.append((key, o.handovers, o.seizures, o.suspects, weights, marked(o.total_weight_kg)))
    columns = (side, "handovers", "seizures", "suspects", "weight_by_drug", "total_weight_kg")
    return StatTable(name, title, columns, tuple(rows))


def _breakdown(stats: Statistics) -> StatTable:
    b = stats.breakdown
    assert b is not None
    rows: list[tuple[Cell, ...]] = []
    for r in b.rows:
        req: dict[str, Any] = dict(r.requests) if r.requests is not None else {}
        rows.append(
            (
                r.key,
                req.get("total"),
                req.get("tw_to_cn"),
                req.get("cn_to_tw"),
                req.get("completed"),
                r.cases_joint_drug,
                r.suspects,
                r.caught_in_act,
                r.seizures,
                marked(r.weight_kg),
                r.intel_handovers,
            )
        )
    columns = (
        b.by,
        "requests",
        "tw_to_cn",
        "cn_to_tw",
        "completed",
        "joint_drug_cases",
        "suspects",
        "caught_in_act",
        "seizures",
        "weight_kg",
        "intel_handovers",
    )
    note = "" if b.additive else " (rows share records; they do not add up to the total)"
    return StatTable("breakdown", f"By {b.by}{note}", columns, tuple(rows))
