"""statistics rollups, kept in the same transaction as every change by triggers, and backfilled

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 09:00:00

Six rollup tables (straitlink.store.tables_stats) and the triggers that keep them: every insert, update and delete
of a request, case, person, seizure or seizure quantity adds its change to the rollups in the same statement,
whoever writes. Each trigger adds (contribution after) − (contribution before) of the rows it touches, computed
from the tables themselves, so any order of writes telescopes to the recount (straitlink.stats.rollup_check).

- SQLite: row triggers, which run right after (or before) each row changes. A quantity decides which mass of its
  seizure counts, so its triggers take the seizure's row out BEFORE the change and put it back AFTER.
- PostgreSQL: statement triggers with transition tables (one grouped upsert per statement, so a COPY of a million
  rows costs one query, not a million), plus a BEFORE DELETE row trigger on seizure: it takes a seizure out while
  its quantities are still there, before the cascade deletes them (their own triggers then find no seizure).

Both engines run the same contribution SQL below; only dates, months and rows of NEW/OLD are spelled apart. A
later migration that rebuilds one of these tables on SQLite (batch mode copies the table) must recreate its
triggers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

MASS = "('kg','g','t')"
CLOSED = "('completed','refused','unable','withdrawn')"
MONTH = sa.String(length=7)
JD = "coalesce(c.kind = 'drugs' AND c.joint, FALSE)"
CS = "coalesce(c.kind = 'drugs' AND c.joint AND c.prov_kind = 'synthetic', FALSE)"
# Primary keys: the columns the statistics group by first, the month after them (SQLite then streams the groups
# of a period in key order instead of sorting them; straitlink.store.tables_stats).
SEIZURE_KEY = ("joint_drug", "drug", "unit", "basis", "qualifier", "month", "case_synthetic", "synthetic")
KEYS = {
    "request_rollup": ("requesting_party", "type", "status", "filed_month", "closed_month", "synthetic"),
    "request_days_rollup": ("requesting_party", "days", "filed_month", "closed_month", "synthetic"),
    "case_rollup": ("kind", "joint", "month", "synthetic"),
    "suspect_rollup": ("joint_drug", "month", "case_synthetic", "synthetic", "caught_in_act"),
    "seizure_rollup": SEIZURE_KEY,
    "seizure_quantity_rollup": SEIZURE_KEY,
}
SUMS = {"seizure_rollup": ("n", "micro", "micro_upper"), "seizure_quantity_rollup": ("n", "micro", "micro_upper")}
COLUMNS = {
    "assistance_request": ("id", "filed_on", "requesting_party", "type", "status", "prov_kind", "received_on",
                           "closed_on"),
    "legal_case": ("id", "date_earliest", "kind", "joint", "prov_kind"),
    "person": ("id", "case_id", "role", "caught_in_act", "prov_kind"),
    "seizure": ("id", "date_earliest", "drug", "prov_kind", "case_id"),
    "seizure_quantity": ("seizure", "position", "value", "upper", "unit", "basis", "qualifier"),
}  # fmt: skip


class Dialect:
    """How one engine spells months, whole days, exact millionths and the rows a trigger sees."""

    def __init__(self, name: str) -> None:
        self.name = name

    def month(self, column: str) -> str:
        return f"strftime('%Y-%m', {column})" if self.name == "sqlite" else f"to_char({column}, 'YYYY-MM')"

    def days(self, first: str, second: str) -> str:
        if self.name == "sqlite":
            return f"CAST(julianday({second}) - julianday({first}) AS INTEGER)"
        return f"({second} - {first})"

    def micro(self, column: str) -> str:
        return f"CAST(round({column} * 1000000) AS {'INTEGER' if self.name == 'sqlite' else 'BIGINT'})"


def row(table: str, ref: str) -> str:
    """NEW or OLD of a row trigger as a one-row relation with the columns the rollups read."""
    return "(SELECT " + ", ".join(f"{ref}.{c} AS {c}" for c in COLUMNS[table]) + ")"


def nothing(table: str) -> str:
    """No rows (the OLD of an insert, the NEW of a delete): a contribution driven by it is left out altogether."""
    return f"(SELECT * FROM {table} WHERE FALSE)"


EMPTY = {nothing(table) for table in COLUMNS}


# --- contributions: rows of (key..., n[, micro, micro_upper]) that a set of raw rows adds to a rollup -----------


def requests(d: Dialect, rows: str, sign: int) -> str:
    if rows in EMPTY:
        return ""
    closed = f"CASE WHEN r.status IN {CLOSED} AND r.closed_on IS NOT NULL THEN {d.month('r.closed_on')} ELSE '' END"
    return (
        f"SELECT {d.month('r.filed_on')} AS filed_month, r.requesting_party AS requesting_party, r.type AS type, "
        f"r.status AS status, r.prov_kind = 'synthetic' AS synthetic, {closed} AS closed_month, {sign} AS n "
        f"FROM {rows} r"
    )


def request_days(d: Dialect, rows: str, sign: int) -> str:
    if rows in EMPTY:
        return ""
    return (
        f"SELECT {d.month('r.filed_on')} AS filed_month, r.requesting_party AS requesting_party, "
        f"r.prov_kind = 'synthetic' AS synthetic, {d.month('r.closed_on')} AS closed_month, "
        f"{d.days('r.received_on', 'r.closed_on')} AS days, {sign} AS n FROM {rows} r "
        "WHERE r.status = 'completed' AND r.received_on IS NOT NULL AND r.closed_on IS NOT NULL"
    )


def cases(d: Dialect, rows: str, sign: int) -> str:
    if rows in EMPTY:
        return ""
    return (
        f"SELECT {d.month('c.date_earliest')} AS month, c.kind AS kind, c.joint AS joint, "
        f"c.prov_kind = 'synthetic' AS synthetic, {sign} AS n FROM {rows} c WHERE c.date_earliest IS NOT NULL"
    )


def suspects(d: Dialect, persons: str, case_rows: str, sign: int) -> str:
    """Suspects counted under their case's month and kind; a person without a (dated) case counts nowhere."""
    if persons in EMPTY or case_rows in EMPTY:
        return ""
    return (
        f"SELECT {d.month('c.date_earliest')} AS month, {JD} AS joint_drug, {CS} AS case_synthetic, "
        f"p.prov_kind = 'synthetic' AS synthetic, p.caught_in_act AS caught_in_act, {sign} AS n "
        f"FROM {persons} p JOIN {case_rows} c ON c.id = p.case_id "
        "WHERE p.role = 'suspect' AND c.date_earliest IS NOT NULL"
    )


def _seizure_key(d: Dialect) -> str:
    return (
        f"{d.month('s.date_earliest')} AS month, s.drug AS drug, {JD} AS joint_drug, {CS} AS case_synthetic, "
        "s.prov_kind = 'synthetic' AS synthetic"
    )


def seizures(d: Dialect, rows: str, case_rows: str, quantities: str, sign: int) -> str:
    """One row per seizure, under the mass that counts: net, else gross, else unstated; the first stated wins."""
    if rows in EMPTY:
        return ""
    rank = "CASE q.basis WHEN 'net' THEN 0 WHEN 'gross' THEN 1 ELSE 2 END, q.position"
    chosen = (
        "(SELECT * FROM (SELECT q.seizure, q.unit, q.basis, q.qualifier, q.value, q.upper, "
        f"row_number() OVER (PARTITION BY q.seizure ORDER BY {rank}) AS rank FROM {quantities} q "
        f"WHERE q.unit IN {MASS} AND q.seizure IN (SELECT id FROM {rows} x)) ranked WHERE rank = 1)"
    )
    joined = f"LEFT JOIN {chosen} m ON m.seizure = s.id"
    if d.name == "sqlite" and quantities == "seizure_quantity":
        # SQLite cannot index the ranked subquery, so over many seizures (a backfill) that join is quadratic:
        # from the table itself, its primary key (seizure, position) finds each seizure's counted mass instead.
        first = (
            f"(SELECT q.position FROM seizure_quantity q WHERE q.seizure = s.id AND q.unit IN {MASS} "
            f"ORDER BY {rank} LIMIT 1)"
        )
        joined = f"LEFT JOIN seizure_quantity m ON m.seizure = s.id AND m.position = {first}"
    return (
        f"SELECT {_seizure_key(d)}, coalesce(m.unit, '') AS unit, coalesce(m.basis, '') AS basis, "
        f"coalesce(m.qualifier, '') AS qualifier, {sign} AS n, {sign} * coalesce({d.micro('m.value')}, 0) AS micro, "
        f"{sign} * coalesce({d.micro('coalesce(m.upper, m.value)')}, 0) AS micro_upper "
        f"FROM {rows} s LEFT JOIN {case_rows} c ON c.id = s.case_id {joined} "
        "WHERE s.date_earliest IS NOT NULL"
    )


def quantities(d: Dialect, rows: str, case_rows: str, quantity_rows: str, sign: int) -> str:
    if rows in EMPTY or quantity_rows in EMPTY:
        return ""
    return (
        f"SELECT {_seizure_key(d)}, q.unit AS unit, q.basis AS basis, q.qualifier AS qualifier, {sign} AS n, "
        f"{sign} * {d.micro('q.value')} AS micro, {sign} * {d.micro('coalesce(q.upper, q.value)')} AS micro_upper "
        f"FROM {quantity_rows} q JOIN {rows} s ON s.id = q.seizure LEFT JOIN {case_rows} c ON c.id = s.case_id "
        "WHERE s.date_earliest IS NOT NULL"
    )


def upsert(table: str, *parts: str) -> str:
    """Add the parts' net change to the rollup: one grouped upsert, skipping keys whose change is nothing.

    In key order, so that concurrent writers on PostgreSQL lock the rollup rows they share in the same order.
    """
    parts = tuple(p for p in parts if p)
    if not parts:
        return ""
    keys, sums = ", ".join(KEYS[table]), SUMS.get(table, ("n",))
    return (
        f"INSERT INTO {table} ({keys}, {', '.join(sums)}) "
        f"SELECT {keys}, {', '.join(f'sum({s})' for s in sums)} FROM ({' UNION ALL '.join(parts)}) d WHERE TRUE "
        f"GROUP BY {keys} HAVING {' OR '.join(f'sum({s}) <> 0' for s in sums)} ORDER BY {keys} "
        f"ON CONFLICT ({keys}) DO UPDATE SET {', '.join(f'{s} = {table}.{s} + excluded.{s}' for s in sums)}"
    )


# --- what each change does to the rollups; `old`/`new` are relations of the rows before and after it ------------


def on_request(d: Dialect, old: str, new: str) -> list[str]:
    return [
        upsert("request_rollup", requests(d, old, -1), requests(d, new, 1)),
        upsert("request_days_rollup", request_days(d, old, -1), request_days(d, new, 1)),
    ]


def on_case(d: Dialect, old: str, new: str) -> list[str]:
    """A case's own row, and its seizures and suspects moved from the case as it was to the case as it is now."""
    touched = f"(SELECT id FROM {old} o UNION SELECT id FROM {new} n)"
    of_case = f"(SELECT * FROM seizure WHERE case_id IN {touched})"
    persons = f"(SELECT * FROM person WHERE case_id IN {touched})"
    return [
        upsert("case_rollup", cases(d, old, -1), cases(d, new, 1)),
        upsert("suspect_rollup", suspects(d, persons, old, -1), suspects(d, persons, "legal_case", 1)),
        upsert(
            "seizure_rollup",
            seizures(d, of_case, old, "seizure_quantity", -1),
            seizures(d, of_case, "legal_case", "seizure_quantity", 1),
        ),
        upsert(
            "seizure_quantity_rollup",
            quantities(d, of_case, old, "seizure_quantity", -1),
            quantities(d, of_case, "legal_case", "seizure_quantity", 1),
        ),
    ]


def on_person(d: Dialect, old: str, new: str) -> list[str]:
    return [upsert("suspect_rollup", suspects(d, old, "legal_case", -1), suspects(d, new, "legal_case", 1))]


def on_seizure(d: Dialect, old: str, new: str) -> list[str]:
    return [
        upsert(
            "seizure_rollup",
            seizures(d, old, "legal_case", "seizure_quantity", -1),
            seizures(d, new, "legal_case", "seizure_quantity", 1),
        ),
        upsert(
            "seizure_quantity_rollup",
            quantities(d, old, "legal_case", "seizure_quantity", -1),
            quantities(d, new, "legal_case", "seizure_quantity", 1),
        ),
    ]


def on_quantity(d: Dialect, old: str, new: str, *, chosen: bool = True) -> list[str]:
    """Each quantity under its seizure as it is; and, unless the caller does it apart, the seizure's counted mass."""
    out = [
        upsert(
            "seizure_quantity_rollup",
            quantities(d, "seizure", "legal_case", old, -1),
            quantities(d, "seizure", "legal_case", new, 1),
        )
    ]
    if chosen:
        touched = f"(SELECT * FROM seizure WHERE id IN (SELECT seizure FROM {old} o UNION SELECT seizure FROM {new} n))"
        cols = ", ".join(COLUMNS["seizure_quantity"])
        before = (
            f"(SELECT {cols} FROM seizure_quantity q WHERE q.seizure IN (SELECT id FROM {touched} t) AND NOT EXISTS "
            f"(SELECT 1 FROM {new} n WHERE n.seizure = q.seizure AND n.position = q.position) "
            f"UNION ALL SELECT {cols} FROM {old} o)"
        )
        out.append(
            upsert(
                "seizure_rollup",
                seizures(d, touched, "legal_case", before, -1),
                seizures(d, touched, "legal_case", "seizure_quantity", 1),
            )
        )
    return out


# --- SQLite: row triggers -----------------------------------------------------------------------------------------

WATCHED = {
    "assistance_request": COLUMNS["assistance_request"][1:],
    "legal_case": COLUMNS["legal_case"],
    "person": COLUMNS["person"][1:],
    "seizure": COLUMNS["seizure"],
    "seizure_quantity": COLUMNS["seizure_quantity"],
}
Handler = Callable[[Dialect, str, str], list[str]]
HANDLERS: dict[str, Handler] = {
    "assistance_request": on_request,
    "legal_case": on_case,
    "person": on_person,
    "seizure": on_seizure,
}


def _sqlite_trigger(name: str, when: str, table: str, body: list[str], condition: str = "") -> str:
    of = f" OF {', '.join(WATCHED[table])}" if "UPDATE" in when else ""
    return f"CREATE TRIGGER {name} {when}{of} ON {table}{condition} BEGIN {'; '.join(s for s in body if s)}; END"


def sqlite_triggers() -> list[str]:
    d = Dialect("sqlite")
    out = []
    for table, handler in HANDLERS.items():
        changed = " WHEN " + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in WATCHED[table])
        empty, new, old = nothing(table), row(table, "NEW"), row(table, "OLD")
        # A seizure leaves BEFORE its row goes: the cascade that deletes its quantities comes after.
        delete_when = "BEFORE DELETE" if table == "seizure" else "AFTER DELETE"
        out += [
            _sqlite_trigger(f"stats_{table}_insert", "AFTER INSERT", table, handler(d, empty, new)),
            _sqlite_trigger(f"stats_{table}_update", "AFTER UPDATE", table, handler(d, old, new), changed),
            _sqlite_trigger(f"stats_{table}_delete", delete_when, table, handler(d, old, empty)),
        ]
    q, empty = "seizure_quantity", nothing("seizure_quantity")
    new, old = row(q, "NEW"), row(q, "OLD")
    changed = " WHEN " + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in WATCHED[q])
    for when, seizure, quantity_change in (
        ("INSERT", f"id = NEW.seizure AND NEW.unit IN {MASS}", (empty, new)),
        ("UPDATE", f"id IN (NEW.seizure, OLD.seizure) AND (NEW.unit IN {MASS} OR OLD.unit IN {MASS})", (old, new)),
        ("DELETE", f"id = OLD.seizure AND OLD.unit IN {MASS}", (old, empty)),
    ):
        # The seizure's counted mass may change with any of its masses: out before, back in after.
        touched = f"(SELECT * FROM seizure WHERE {seizure})"
        take = [upsert("seizure_rollup", seizures(d, touched, "legal_case", "seizure_quantity", -1))]
        put = [upsert("seizure_rollup", seizures(d, touched, "legal_case", "seizure_quantity", 1))]
        put += on_quantity(d, *quantity_change, chosen=False)
        condition = changed if when == "UPDATE" else ""
        out.append(_sqlite_trigger(f"stats_{q}_{when.lower()}_before", f"BEFORE {when}", q, take, condition))
        out.append(_sqlite_trigger(f"stats_{q}_{when.lower()}", f"AFTER {when}", q, put, condition))
    return out


def sqlite_drops() -> list[str]:
    names = [f"stats_{table}_{op_}" for table in HANDLERS for op_ in ("insert", "update", "delete")]
    names += [f"stats_seizure_quantity_{op_}{s}" for op_ in ("insert", "update", "delete") for s in ("", "_before")]
    return [f"DROP TRIGGER IF EXISTS {name}" for name in names]


# --- PostgreSQL: statement triggers with transition tables -----------------------------------------------------


def _pg_function(name: str, body: list[str]) -> str:
    statements = "".join(f"  {s};\n" for s in body if s)
    return (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n{statements}  RETURN NULL;\nEND\n$$"
    )


def postgresql_triggers() -> list[str]:
    d = Dialect("postgresql")
    handlers: dict[str, Handler] = {**HANDLERS, "seizure_quantity": on_quantity}
    out = []
    for table, handler in handlers.items():
        for when in ("INSERT", "UPDATE", "DELETE"):
            if table == "seizure" and when == "DELETE":
                continue
            old = "old_rows" if when != "INSERT" else nothing(table)
            new = "new_rows" if when != "DELETE" else nothing(table)
            name = f"stats_{table}_{when.lower()}"
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
    out.append(_pg_function("stats_seizure_delete", body).replace("RETURN NULL", "RETURN OLD"))
    out.append(
        "CREATE TRIGGER stats_seizure_delete BEFORE DELETE ON seizure FOR EACH ROW "
        "EXECUTE FUNCTION stats_seizure_delete()"
    )
    return out


def postgresql_drops() -> list[str]:
    out = []
    for table in (*HANDLERS, "seizure_quantity"):
        for op_ in ("insert", "update", "delete"):
            out.append(f"DROP TRIGGER IF EXISTS stats_{table}_{op_} ON {table}")
            out.append(f"DROP FUNCTION IF EXISTS stats_{table}_{op_}()")
    return out


# --- the migration ---------------------------------------------------------------------------------------------


def _key_columns(*columns: tuple[str, Any]) -> list[sa.Column[Any]]:
    return [sa.Column(name, type_, nullable=False) for name, type_ in columns]


def _create(table: str, *columns: sa.Column[Any]) -> None:
    sums = SUMS.get(table, ("n",))
    values = [sa.Column(s, sa.Integer() if s == "n" else sa.BigInteger(), nullable=False) for s in sums]
    op.create_table(
        table,
        *columns,
        *values,
        sa.PrimaryKeyConstraint(*KEYS[table], name=op.f(f"pk_{table}")),
        sqlite_with_rowid=False,
    )


def upgrade() -> None:
    flag = sa.Boolean()
    _create(
        "request_rollup",
        *_key_columns(("filed_month", MONTH), ("requesting_party", sa.String(2)), ("type", sa.String(32)),
                      ("status", sa.String(16)), ("synthetic", flag), ("closed_month", MONTH)),
    )  # fmt: skip
    _create(
        "request_days_rollup",
        *_key_columns(("filed_month", MONTH), ("requesting_party", sa.String(2)), ("synthetic", flag),
                      ("closed_month", MONTH), ("days", sa.Integer())),
    )  # fmt: skip
    _create(
        "case_rollup", *_key_columns(("month", MONTH), ("kind", sa.String(16)), ("joint", flag), ("synthetic", flag))
    )
    _create(
        "suspect_rollup",
        *_key_columns(("month", MONTH), ("joint_drug", flag), ("case_synthetic", flag), ("synthetic", flag),
                      ("caught_in_act", flag)),
    )  # fmt: skip
    for table in ("seizure_rollup", "seizure_quantity_rollup"):
        _create(
            table,
            *_key_columns(("month", MONTH), ("drug", sa.String(64)), ("joint_drug", flag), ("case_synthetic", flag),
                          ("synthetic", flag), ("unit", sa.String(8)), ("basis", sa.String(8)),
                          ("qualifier", sa.String(16))),
        )  # fmt: skip
    op.create_index("ix_request_closed_on", "assistance_request", ["closed_on"], unique=False)

    name = op.get_bind().dialect.name
    d = Dialect(name)
    # Backfill from the rows already stored, before the triggers exist: each rollup is the sum over every row.
    for statement in [
        *on_request(d, nothing("assistance_request"), "assistance_request"),
        upsert("case_rollup", cases(d, "legal_case", 1)),
        *on_person(d, nothing("person"), "person"),
        *on_seizure(d, nothing("seizure"), "seizure"),
    ]:
        if statement:
            op.execute(statement)
    for statement in sqlite_triggers() if name == "sqlite" else postgresql_triggers():
        op.execute(statement)


def downgrade() -> None:
    for statement in sqlite_drops() if op.get_bind().dialect.name == "sqlite" else postgresql_drops():
        op.execute(statement)
    op.drop_index("ix_request_closed_on", table_name="assistance_request")
    for table in reversed(KEYS):
        op.drop_table(table)
