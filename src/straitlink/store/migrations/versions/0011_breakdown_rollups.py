"""rollups for the breakdowns by agency (requests) and by place and party (seizures), kept like those of 0003

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 16:50:00

Before this, `stats --by agency` counted requests and `--by place` / `--by party` seizures by scanning every raw
row of the period (seconds over a million rows). Two more rollup tables answer them for whole months:

- request_agency_rollup: requests per requesting agency ('' for none), party, status now, filing and closing
  month and provenance (the type is left out: a breakdown by agency does not split by type, and it would multiply
  the rows).
- seizure_place_rollup: each seizure under its one counted mass (as seizure_rollup) and the place seized ('' for
  none); a breakdown by party joins the place to its party when it reads.

They are kept by triggers of their own, written like those of migration 0003 (same contribution rule: (after) −
(before) of the rows touched, computed from the tables themselves): row triggers on SQLite, statement triggers
with transition tables on PostgreSQL plus a BEFORE DELETE row trigger on seizure. The triggers of 0003 are left
as they are. A breakdown by the agencies or places of a *case* (cases, suspects and seizures counted under every
agency or place of their case) is still read from the raw rows: those rows are the hundred-thousand-case side.

And ix_request_list (requesting_party, filed_on, id): the inbox and outbox list one side's requests in that order
and page by keyset on it, so any page is an index seek.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

MASS = "('kg','g','t')"
CLOSED = "('completed','refused','unable','withdrawn')"
MONTH = sa.String(length=7)
JD = "coalesce(c.kind = 'drugs' AND c.joint, FALSE)"
CS = "coalesce(c.kind = 'drugs' AND c.joint AND c.prov_kind = 'synthetic', FALSE)"
KEYS = {
    "request_agency_rollup": ("requesting_agency", "requesting_party", "status", "filed_month", "closed_month",
                              "synthetic"),
    "seizure_place_rollup": ("joint_drug", "place", "drug", "unit", "basis", "qualifier", "month", "case_synthetic",
                             "synthetic"),
}  # fmt: skip
SUMS = {"request_agency_rollup": ("n",), "seizure_place_rollup": ("n", "micro", "micro_upper")}
COLUMNS = {
    "assistance_request": ("id", "filed_on", "requesting_party", "requesting_agency", "status", "prov_kind",
                           "closed_on"),
    "legal_case": ("id", "date_earliest", "kind", "joint", "prov_kind"),
    "seizure": ("id", "date_earliest", "drug", "prov_kind", "case_id", "place"),
    "seizure_quantity": ("seizure", "position", "value", "upper", "unit", "basis", "qualifier"),
}  # fmt: skip


def month(d: str, column: str) -> str:
    return f"strftime('%Y-%m', {column})" if d == "sqlite" else f"to_char({column}, 'YYYY-MM')"


def micro(d: str, column: str) -> str:
    return f"CAST(round({column} * 1000000) AS {'INTEGER' if d == 'sqlite' else 'BIGINT'})"


def row(table: str, ref: str) -> str:
    """NEW or OLD of a row trigger as a one-row relation with the columns the rollups read."""
    return "(SELECT " + ", ".join(f"{ref}.{c} AS {c}" for c in COLUMNS[table]) + ")"


def nothing(table: str) -> str:
    return f"(SELECT * FROM {table} WHERE FALSE)"


EMPTY = {nothing(table) for table in COLUMNS}


def requests(d: str, rows: str, sign: int) -> str:
    if rows in EMPTY:
        return ""
    closed = f"CASE WHEN r.status IN {CLOSED} AND r.closed_on IS NOT NULL THEN {month(d, 'r.closed_on')} ELSE '' END"
    return (
        f"SELECT coalesce(r.requesting_agency, '') AS requesting_agency, r.requesting_party AS requesting_party, "
        f"r.status AS status, {month(d, 'r.filed_on')} AS filed_month, {closed} AS closed_month, "
        f"r.prov_kind = 'synthetic' AS synthetic, {sign} AS n FROM {rows} r"
    )


def seizures(d: str, rows: str, case_rows: str, quantities: str, sign: int) -> str:
    """One row per seizure, under its place and the mass that counts: net, else gross, else unstated."""
    if rows in EMPTY:
        return ""
    rank = "CASE q.basis WHEN 'net' THEN 0 WHEN 'gross' THEN 1 ELSE 2 END, q.position"
    chosen = (
        "(SELECT * FROM (SELECT q.seizure, q.unit, q.basis, q.qualifier, q.value, q.upper, "
        f"row_number() OVER (PARTITION BY q.seizure ORDER BY {rank}) AS rank FROM {quantities} q "
        f"WHERE q.unit IN {MASS} AND q.seizure IN (SELECT id FROM {rows} x)) ranked WHERE rank = 1)"
    )
    joined = f"LEFT JOIN {chosen} m ON m.seizure = s.id"
    if d == "sqlite" and quantities == "seizure_quantity":
        # SQLite cannot index the ranked subquery, so over many seizures (a backfill) that join is quadratic:
        # from the table itself, its primary key (seizure, position) finds each seizure's counted mass instead.
        first = (
            f"(SELECT q.position FROM seizure_quantity q WHERE q.seizure = s.id AND q.unit IN {MASS} "
            f"ORDER BY {rank} LIMIT 1)"
        )
        joined = f"LEFT JOIN seizure_quantity m ON m.seizure = s.id AND m.position = {first}"
    return (
        f"SELECT {month(d, 's.date_earliest')} AS month, coalesce(s.place, '') AS place, s.drug AS drug, "
        f"{JD} AS joint_drug, {CS} AS case_synthetic, s.prov_kind = 'synthetic' AS synthetic, "
        "coalesce(m.unit, '') AS unit, coalesce(m.basis, '') AS basis, coalesce(m.qualifier, '') AS qualifier, "
        f"{sign} AS n, {sign} * coalesce({micro(d, 'm.value')}, 0) AS micro, "
        f"{sign} * coalesce({micro(d, 'coalesce(m.upper, m.value)')}, 0) AS micro_upper "
        f"FROM {rows} s LEFT JOIN {case_rows} c ON c.id = s.case_id {joined} "
        "WHERE s.date_earliest IS NOT NULL"
    )


def upsert(table: str, *parts: str) -> str:
    """Add the parts' net change to the rollup in one grouped upsert, in key order (as migration 0003)."""
    parts = tuple(p for p in parts if p)
    if not parts:
        return ""
    keys, sums = ", ".join(KEYS[table]), SUMS[table]
    return (
        f"INSERT INTO {table} ({keys}, {', '.join(sums)}) "
        f"SELECT {keys}, {', '.join(f'sum({s})' for s in sums)} FROM ({' UNION ALL '.join(parts)}) d WHERE TRUE "
        f"GROUP BY {keys} HAVING {' OR '.join(f'sum({s}) <> 0' for s in sums)} ORDER BY {keys} "
        f"ON CONFLICT ({keys}) DO UPDATE SET {', '.join(f'{s} = {table}.{s} + excluded.{s}' for s in sums)}"
    )


def on_request(d: str, old: str, new: str) -> list[str]:
    return [upsert("request_agency_rollup", requests(d, old, -1), requests(d, new, 1))]


def on_case(d: str, old: str, new: str) -> list[str]:
    """The case's seizures, moved from the case as it was to the case as it is now."""
    touched = f"(SELECT id FROM {old} o UNION SELECT id FROM {new} n)"
    of_case = f"(SELECT * FROM seizure WHERE case_id IN {touched})"
    return [
        upsert(
            "seizure_place_rollup",
            seizures(d, of_case, old, "seizure_quantity", -1),
            seizures(d, of_case, "legal_case", "seizure_quantity", 1),
        )
    ]


def on_seizure(d: str, old: str, new: str) -> list[str]:
    return [
        upsert(
            "seizure_place_rollup",
            seizures(d, old, "legal_case", "seizure_quantity", -1),
            seizures(d, new, "legal_case", "seizure_quantity", 1),
        )
    ]


def on_quantity(d: str, old: str, new: str) -> list[str]:
    """The counted mass of the seizures touched, computed from their quantities before and after the change."""
    touched = f"(SELECT * FROM seizure WHERE id IN (SELECT seizure FROM {old} o UNION SELECT seizure FROM {new} n))"
    cols = ", ".join(COLUMNS["seizure_quantity"])
    before = (
        f"(SELECT {cols} FROM seizure_quantity q WHERE q.seizure IN (SELECT id FROM {touched} t) AND NOT EXISTS "
        f"(SELECT 1 FROM {new} n WHERE n.seizure = q.seizure AND n.position = q.position) "
        f"UNION ALL SELECT {cols} FROM {old} o)"
    )
    return [
        upsert(
            "seizure_place_rollup",
            seizures(d, touched, "legal_case", before, -1),
            seizures(d, touched, "legal_case", "seizure_quantity", 1),
        )
    ]


# --- SQLite: row triggers -----------------------------------------------------------------------------------------

WATCHED = {
    "assistance_request": COLUMNS["assistance_request"][1:],
    "legal_case": COLUMNS["legal_case"],
    "seizure": COLUMNS["seizure"],
    "seizure_quantity": COLUMNS["seizure_quantity"],
}
HANDLERS = {"assistance_request": on_request, "legal_case": on_case, "seizure": on_seizure}


def _sqlite_trigger(name: str, when: str, table: str, body: list[str], condition: str = "") -> str:
    of = f" OF {', '.join(WATCHED[table])}" if "UPDATE" in when else ""
    return f"CREATE TRIGGER {name} {when}{of} ON {table}{condition} BEGIN {'; '.join(s for s in body if s)}; END"


def _changed(table: str) -> str:
    return " WHEN " + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in WATCHED[table])


def sqlite_triggers() -> list[str]:
    d = "sqlite"
    out = []
    for table, handler in HANDLERS.items():
        empty, new, old = nothing(table), row(table, "NEW"), row(table, "OLD")
        # A seizure leaves BEFORE its row goes: the cascade that deletes its quantities comes after.
        delete_when = "BEFORE DELETE" if table == "seizure" else "AFTER DELETE"
        out += [
            _sqlite_trigger(f"breakdown_{table}_insert", "AFTER INSERT", table, handler(d, empty, new)),
            _sqlite_trigger(f"breakdown_{table}_update", "AFTER UPDATE", table, handler(d, old, new), _changed(table)),
            _sqlite_trigger(f"breakdown_{table}_delete", delete_when, table, handler(d, old, empty)),
        ]
    q = "seizure_quantity"
    for when, seizure in (
        ("INSERT", f"id = NEW.seizure AND NEW.unit IN {MASS}"),
        ("UPDATE", f"id IN (NEW.seizure, OLD.seizure) AND (NEW.unit IN {MASS} OR OLD.unit IN {MASS})"),
        ("DELETE", f"id = OLD.seizure AND OLD.unit IN {MASS}"),
    ):
        # The seizure's counted mass may change with any of its masses: out before, back in after.
        touched = f"(SELECT * FROM seizure WHERE {seizure})"
        take = [upsert("seizure_place_rollup", seizures(d, touched, "legal_case", "seizure_quantity", -1))]
        put = [upsert("seizure_place_rollup", seizures(d, touched, "legal_case", "seizure_quantity", 1))]
        condition = _changed(q) if when == "UPDATE" else ""
        out.append(_sqlite_trigger(f"breakdown_{q}_{when.lower()}_before", f"BEFORE {when}", q, take, condition))
        out.append(_sqlite_trigger(f"breakdown_{q}_{when.lower()}", f"AFTER {when}", q, put, condition))
    return out


def sqlite_drops() -> list[str]:
    names = [f"breakdown_{table}_{op_}" for table in HANDLERS for op_ in ("insert", "update", "delete")]
    names += [f"breakdown_seizure_quantity_{op_}{s}" for op_ in ("insert", "update", "delete") for s in ("", "_before")]
    return [f"DROP TRIGGER IF EXISTS {name}" for name in names]


# --- PostgreSQL: statement triggers with transition tables -----------------------------------------------------


def _pg_function(name: str, body: list[str]) -> str:
    statements = "".join(f"  {s};\n" for s in body if s)
    return (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n{statements}  RETURN NULL;\nEND\n$$"
    )


def postgresql_triggers() -> list[str]:
    d = "postgresql"
    handlers: dict[str, Any] = {**HANDLERS, "seizure_quantity": on_quantity}
    out = []
    for table, handler in handlers.items():
        for when in ("INSERT", "UPDATE", "DELETE"):
            if table == "seizure" and when == "DELETE":
                continue
            old = "old_rows" if when != "INSERT" else nothing(table)
            new = "new_rows" if when != "DELETE" else nothing(table)
            name = f"breakdown_{table}_{when.lower()}"
            refs = {"INSERT": "NEW TABLE AS new_rows", "DELETE": "OLD TABLE AS old_rows"}.get(
                when, "OLD TABLE AS old_rows NEW TABLE AS new_rows"
            )
            out.append(_pg_function(name, handler(d, old, new)))
            out.append(
                f"CREATE TRIGGER {name} AFTER {when} ON {table} REFERENCING {refs} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )
    # Before the row goes, while its quantities are still there; the cascade deleting them comes after.
    body = on_seizure(d, row("seizure", "OLD"), nothing("seizure"))
    out.append(_pg_function("breakdown_seizure_delete", body).replace("RETURN NULL", "RETURN OLD"))
    out.append(
        "CREATE TRIGGER breakdown_seizure_delete BEFORE DELETE ON seizure FOR EACH ROW "
        "EXECUTE FUNCTION breakdown_seizure_delete()"
    )
    return out


def postgresql_drops() -> list[str]:
    out = []
    for table in (*HANDLERS, "seizure_quantity"):
        for op_ in ("insert", "update", "delete"):
            out.append(f"DROP TRIGGER IF EXISTS breakdown_{table}_{op_} ON {table}")
            out.append(f"DROP FUNCTION IF EXISTS breakdown_{table}_{op_}()")
    return out


# --- the migration ---------------------------------------------------------------------------------------------


def _create(table: str, *columns: tuple[str, Any]) -> None:
    keys = [sa.Column(name, type_, nullable=False) for name, type_ in columns]
    values = [sa.Column(s, sa.Integer() if s == "n" else sa.BigInteger(), nullable=False) for s in SUMS[table]]
    op.create_table(
        table,
        *keys,
        *values,
        sa.PrimaryKeyConstraint(*KEYS[table], name=op.f(f"pk_{table}")),
        sqlite_with_rowid=False,
    )


def upgrade() -> None:
    flag = sa.Boolean()
    _create(
        "request_agency_rollup",
        ("requesting_agency", sa.String(64)), ("requesting_party", sa.String(2)), ("status", sa.String(16)),
        ("filed_month", MONTH), ("closed_month", MONTH), ("synthetic", flag),
    )  # fmt: skip
    _create(
        "seizure_place_rollup",
        ("joint_drug", flag), ("place", sa.String(64)), ("drug", sa.String(64)), ("unit", sa.String(8)),
        ("basis", sa.String(8)), ("qualifier", sa.String(16)), ("month", MONTH), ("case_synthetic", flag),
        ("synthetic", flag),
    )  # fmt: skip
    op.create_index("ix_request_list", "assistance_request", ["requesting_party", "filed_on", "id"], unique=False)
    d = op.get_bind().dialect.name
    # Backfill from the rows already stored, before the triggers exist: each rollup is the sum over every row.
    backfill = [*on_request(d, nothing("assistance_request"), "assistance_request")]
    backfill += on_seizure(d, nothing("seizure"), "seizure")
    for statement in backfill:
        op.execute(statement)
    for statement in sqlite_triggers() if d == "sqlite" else postgresql_triggers():
        op.execute(statement)


def downgrade() -> None:
    for statement in sqlite_drops() if op.get_bind().dialect.name == "sqlite" else postgresql_drops():
        op.execute(statement)
    for table in reversed(KEYS):
        op.drop_table(table)
    op.drop_index("ix_request_list", table_name="assistance_request")
