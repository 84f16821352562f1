"""per-year request rollups, kept from the monthly ones, for the statistics of whole years

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 23:20:00

The headline figures of ten years were bound by how many rows request_rollup (50k at a million requests: keyed by
filing and closing month) and request_days_rollup (123k: the processing-days histogram per filing and closing
month) hold for the period. Two coarser tables answer the whole years of a period:

- request_year_rollup: requests per party, type, status now, filing year and provenance (no closing month);
- request_days_year_rollup: the processing-days histogram per party, days, filing year and provenance;
- seizure_year_rollup, seizure_quantity_year_rollup, seizure_place_year_rollup, seizure_agency_year_rollup: the
  seizure rollups with the year of the seizure's date instead of its month (the breakdowns by drug, place, party
  and agency read them; seizure_agency_rollup held 179k rows for ten years).

Without the closing month they cannot tell whether a request was closed by the period's end; the readers take
the requests closed after the period's end month off again, from the monthly rollups through the new index on
their closing month (stats/rollup.py). The histogram stays a histogram, so medians and percentiles stay exact.

They are kept from the monthly rollups rather than from the raw rows: a trigger on each monthly rollup adds the
change of its rows to the year's row, whoever changed them (the raw tables' triggers of 0003, a backfill, a
repair). SQLite: row triggers (an upsert's DO UPDATE fires the UPDATE trigger). PostgreSQL: statement triggers
with transition tables, so that one statement's month rows are all upserted (and locked) before its year rows,
each set in key order: two writers queue instead of deadlocking. A year row is shared by every request of its
party, type, status and year — a hotter row than the month's; writers of such requests queue at it until commit.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# year table → (month table, {year key: its expression over the month table's columns}, sums)
FILED = "substr(filed_month, 1, 4)"
YEAR = "substr(month, 1, 4)"
SEIZURE = ("joint_drug", "drug", "unit", "basis", "qualifier", "year", "case_synthetic", "synthetic")
MASS = ("n", "micro", "micro_upper")
YEARS: dict[str, tuple[str, dict[str, str], tuple[str, ...]]] = {
    "request_year_rollup": (
        "request_rollup",
        {"requesting_party": "requesting_party", "type": "type", "status": "status", "filed_year": FILED,
         "synthetic": "synthetic"},
        ("n",),
    ),
    "request_days_year_rollup": (
        "request_days_rollup",
        {"requesting_party": "requesting_party", "days": "days", "filed_year": FILED, "synthetic": "synthetic"},
        ("n",),
    ),
    "seizure_year_rollup": ("seizure_rollup", {k: YEAR if k == "year" else k for k in SEIZURE}, MASS),
    "seizure_quantity_year_rollup": ("seizure_quantity_rollup", {k: YEAR if k == "year" else k for k in SEIZURE},
                                     MASS),
    "seizure_place_year_rollup": (
        "seizure_place_rollup", {k: YEAR if k == "year" else k for k in ("place", *SEIZURE)}, MASS
    ),
    "seizure_agency_year_rollup": (
        "seizure_agency_rollup",
        {k: YEAR if k == "year" else k for k in ("agency", *SEIZURE) if k != "joint_drug"},
        MASS,
    ),
}  # fmt: skip
CLOSING = ("request_rollup", "request_days_rollup")
TYPES: dict[str, Any] = {
    "requesting_party": sa.String(2),
    "type": sa.String(32),
    "status": sa.String(16),
    "filed_year": sa.String(4),
    "year": sa.String(4),
    "synthetic": sa.Boolean(),
    "days": sa.Integer(),
    "joint_drug": sa.Boolean(),
    "case_synthetic": sa.Boolean(),
    "drug": sa.String(64),
    "unit": sa.String(8),
    "basis": sa.String(8),
    "qualifier": sa.String(16),
    "place": sa.String(64),
    "agency": sa.String(64),
}


def _row(keys: dict[str, str], ref: str) -> str:
    """The year key of a row trigger's NEW or OLD (SQLite)."""
    return ", ".join(f"{ref}.{e}" if e == k else e.replace("(", f"({ref}.") for k, e in keys.items())


def _upsert(year: str, keys: dict[str, str], sums: tuple[str, ...], select: str) -> str:
    columns = ", ".join(keys)
    added = ", ".join(f"{v} = {year}.{v} + excluded.{v}" for v in sums)
    return f"INSERT INTO {year} ({columns}, {', '.join(sums)}) {select} ON CONFLICT ({columns}) DO UPDATE SET {added}"


def sqlite_triggers() -> list[str]:
    out = []
    for year, (month, keys, sums) in YEARS.items():
        new = _upsert(year, keys, sums, f"SELECT {_row(keys, 'NEW')}, {', '.join(f'NEW.{v}' for v in sums)} WHERE true")
        old = _upsert(
            year, keys, sums, f"SELECT {_row(keys, 'OLD')}, {', '.join(f'-OLD.{v}' for v in sums)} WHERE true"
        )
        for event, body in (("insert", [new]), ("update", [old, new]), ("delete", [old])):
            statements = "; ".join(body)
            out.append(f"CREATE TRIGGER {month}_{event}_year AFTER {event.upper()} ON {month} BEGIN {statements}; END")
    return out


def postgresql_triggers() -> list[str]:
    out = []
    for year, (month, keys, sums) in YEARS.items():
        grouped = ", ".join(str(i + 1) for i in range(len(keys)))
        expressions = ", ".join(keys.values())
        plus, minus = ", ".join(sums), ", ".join(f"-{v}" for v in sums)
        signed = {
            "insert": f"SELECT {expressions}, {plus} FROM new_rows",
            "update": f"SELECT {expressions}, {plus} FROM new_rows UNION ALL SELECT {expressions}, {minus} FROM old_rows",
            "delete": f"SELECT {expressions}, {minus} FROM old_rows",
        }
        refs = {
            "insert": "REFERENCING NEW TABLE AS new_rows",
            "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
            "delete": "REFERENCING OLD TABLE AS old_rows",
        }
        totals = ", ".join(f"sum({v}) AS {v}" for v in sums)
        changed = " OR ".join(f"{v} <> 0" for v in sums)
        for event, rows in signed.items():
            name = f"{month}_{event}_year"
            select = (
                f"SELECT * FROM (SELECT {', '.join(keys)}, {totals} FROM ({rows}) AS d ({', '.join(keys)}, "
                f"{', '.join(sums)}) GROUP BY {grouped}) AS g WHERE {changed} ORDER BY {grouped}"
            )
            out.append(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"{_upsert(year, keys, sums, select)}; RETURN NULL; END $$"
            )
            out.append(
                f"CREATE TRIGGER {name} AFTER {event.upper()} ON {month} {refs[event]} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )
    return out


def upgrade() -> None:
    for year, (_, keys, sums) in YEARS.items():
        values = [
            sa.Column(v, sa.BigInteger() if v.startswith("micro") else sa.Integer(), nullable=False) for v in sums
        ]
        op.create_table(
            year,
            *(sa.Column(k, TYPES[k], nullable=False) for k in keys),
            *values,
            sa.PrimaryKeyConstraint(*keys, name=op.f(f"pk_{year}")),
            sqlite_with_rowid=False,
        )
    for month in CLOSING:
        # The requests closed after a period's end month, taken off the whole years again, are found through it.
        op.create_index(op.f(f"ix_{month}_closed_month"), month, ["closed_month"])
    d = op.get_bind().dialect.name
    # Backfill from the monthly rollups as they stand, before the triggers exist.
    for year, (month, keys, sums) in YEARS.items():
        grouped = ", ".join(keys.values())
        totals = ", ".join(f"sum({v})" for v in sums)
        op.execute(
            f"INSERT INTO {year} ({', '.join(keys)}, {', '.join(sums)}) SELECT {grouped}, {totals} FROM {month} "
            f"GROUP BY {grouped}"
        )
    for statement in sqlite_triggers() if d == "sqlite" else postgresql_triggers():
        op.execute(statement)


def downgrade() -> None:
    d = op.get_bind().dialect.name
    for year, (month, _, _) in YEARS.items():
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {month}_{event}_year" + (f" ON {month}" if d != "sqlite" else ""))
            if d != "sqlite":
                op.execute(f"DROP FUNCTION IF EXISTS {month}_{event}_year()")
        op.drop_table(year)
    for month in CLOSING:
        op.drop_index(op.f(f"ix_{month}_closed_month"), table_name=month)
