"""rollups for the breakdowns by the agencies, places and drugs of a case, kept per case

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 19:45:00

Before this, `stats --by agency|place|drug` counted joint drug cases and their suspects under every agency, place
or drug of the case, and `--by agency` the seizures under every agency of their case, by scanning the raw rows of
the period (seconds to tens of seconds over 100k cases and 1M seizures). Two more rollups answer them:

- case_key_rollup: joint drug cases with a date, under each (dimension, key) of the case — 'agency' (each agency
  of the case once), 'place' (each place of the case once), 'drug' (each drug the case has a seizure of, any
  date) — per month of the case's date and the case's provenance; `only_synthetic` is true for a drug whose every
  seizure in the case is synthetic (with synthetic records left out, the case does not count under that drug).
  Sums: cases, their suspects and those caught in the act, each also without the synthetic persons.
- seizure_agency_rollup: the seizures of joint drug cases under each agency of their case and their one counted
  mass (as seizure_rollup), per month of the seizure's date.

Both depend on up to six tables (legal_case, case_agency, case_place, person, seizure, seizure_quantity), so they
are kept per case rather than per row: before any row of a case changes, the case's contribution (computed from
the tables as they stand) is taken out and the case is noted in rollup_pending_case; after the statement (a row
on SQLite, which has no statement triggers), every noted case's contribution is put back from the tables as they
stand then, and the note dropped. A case touched several times in one statement, or by a cascade, is taken out
once and put back once. The notes are keyed by transaction (txid_current() on PostgreSQL; SQLite has one writer),
so two transactions never wait on each other's notes; none outlives its statement.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

MASS = "('kg','g','t')"
MONTH = sa.String(length=7)
KEYS = {
    "case_key_rollup": ("dimension", "key", "month", "synthetic", "only_synthetic"),
    "seizure_agency_rollup": ("agency", "drug", "unit", "basis", "qualifier", "month", "case_synthetic", "synthetic"),
}
SUMS = {
    "case_key_rollup": ("n", "suspects", "caught", "suspects_real", "caught_real"),
    "seizure_agency_rollup": ("n", "micro", "micro_upper"),
}
PENDING = "rollup_pending_case"
# The columns whose change may move a case's contribution, per table (an update of others leaves it alone).
WATCHED = {
    "legal_case": ("id", "kind", "joint", "date_earliest", "prov_kind"),
    "case_agency": ("case_id", "agency"),
    "case_place": ("case_id", "place"),
    "person": ("case_id", "role", "caught_in_act", "prov_kind"),
    "seizure": ("id", "case_id", "drug", "date_earliest", "prov_kind"),
    "seizure_quantity": ("seizure", "position", "value", "upper", "unit", "basis", "qualifier"),
}


def month(d: str, column: str) -> str:
    return f"strftime('%Y-%m', {column})" if d == "sqlite" else f"to_char({column}, 'YYYY-MM')"


def micro(d: str, column: str) -> str:
    return f"CAST(round({column} * 1000000) AS {'INTEGER' if d == 'sqlite' else 'BIGINT'})"


def tx(d: str) -> str:
    return "0" if d == "sqlite" else "txid_current()"


def _in(column: str, cases: str | None) -> str:
    return "TRUE" if cases is None else f"{column} IN {cases}"


def case_keys(d: str, cases: str | None, sign: int) -> str:
    """The contribution of the cases (a relation of ids; None for every case) to case_key_rollup."""
    keyed = (
        f"SELECT DISTINCT case_id, 'agency' AS dimension, agency AS key, FALSE AS only_synthetic FROM case_agency "
        f"WHERE {_in('case_id', cases)} "
        f"UNION ALL SELECT DISTINCT case_id, 'place', place, FALSE FROM case_place WHERE {_in('case_id', cases)} "
        "UNION ALL SELECT case_id, 'drug', drug, "
        "min(CASE WHEN prov_kind = 'synthetic' THEN 1 ELSE 0 END) = 1 FROM seizure "
        f"WHERE case_id IS NOT NULL AND {_in('case_id', cases)} GROUP BY case_id, drug"
    )
    real = "prov_kind <> 'synthetic'"
    people = (
        "SELECT case_id, count(*) AS s, sum(CASE WHEN caught_in_act THEN 1 ELSE 0 END) AS sc, "
        f"sum(CASE WHEN {real} THEN 1 ELSE 0 END) AS r, "
        f"sum(CASE WHEN caught_in_act AND {real} THEN 1 ELSE 0 END) AS rc "
        f"FROM person WHERE role = 'suspect' AND {_in('case_id', cases)} GROUP BY case_id"
    )
    return (
        f"SELECT k.dimension AS dimension, k.key AS key, {month(d, 'c.date_earliest')} AS month, "
        "c.prov_kind = 'synthetic' AS synthetic, k.only_synthetic AS only_synthetic, "
        f"{sign} AS n, {sign} * coalesce(p.s, 0) AS suspects, {sign} * coalesce(p.sc, 0) AS caught, "
        f"{sign} * coalesce(p.r, 0) AS suspects_real, {sign} * coalesce(p.rc, 0) AS caught_real "
        f"FROM legal_case c JOIN ({keyed}) k ON k.case_id = c.id LEFT JOIN ({people}) p ON p.case_id = c.id "
        f"WHERE c.kind = 'drugs' AND c.joint AND c.date_earliest IS NOT NULL AND {_in('c.id', cases)}"
    )


def seizure_agencies(d: str, cases: str | None, sign: int) -> str:
    """The contribution of the cases' seizures to seizure_agency_rollup: each under every agency of its case."""
    rank = "CASE q.basis WHEN 'net' THEN 0 WHEN 'gross' THEN 1 ELSE 2 END, q.position"
    # The counted mass through the quantities' primary key (seizure, position): indexed on both engines, where a
    # ranked subquery would be joined without an index on SQLite.
    first = (
        f"(SELECT q.position FROM seizure_quantity q WHERE q.seizure = s.id AND q.unit IN {MASS} "
        f"ORDER BY {rank} LIMIT 1)"
    )
    seized = (
        "SELECT s.id, s.case_id, s.drug, s.date_earliest, s.prov_kind, c.prov_kind AS case_prov_kind, "
        "m.unit, m.basis, m.qualifier, m.value, m.upper FROM seizure s JOIN legal_case c ON c.id = s.case_id "
        f"LEFT JOIN seizure_quantity m ON m.seizure = s.id AND m.position = {first} "
        f"WHERE c.kind = 'drugs' AND c.joint AND s.date_earliest IS NOT NULL AND {_in('s.case_id', cases)}"
    )
    agencies = f"SELECT DISTINCT case_id, agency FROM case_agency WHERE {_in('case_id', cases)}"
    return (
        f"SELECT a.agency AS agency, x.drug AS drug, coalesce(x.unit, '') AS unit, coalesce(x.basis, '') AS basis, "
        f"coalesce(x.qualifier, '') AS qualifier, {month(d, 'x.date_earliest')} AS month, "
        "x.case_prov_kind = 'synthetic' AS case_synthetic, x.prov_kind = 'synthetic' AS synthetic, "
        f"{sign} AS n, {sign} * coalesce({micro(d, 'x.value')}, 0) AS micro, "
        f"{sign} * coalesce({micro(d, 'coalesce(x.upper, x.value)')}, 0) AS micro_upper "
        f"FROM ({seized}) x JOIN ({agencies}) a ON a.case_id = x.case_id"
    )


def upsert(table: str, part: str) -> str:
    """Add the part's net change to the rollup in one grouped upsert, in key order (as migrations 0003, 0011)."""
    keys, sums = ", ".join(KEYS[table]), SUMS[table]
    return (
        f"INSERT INTO {table} ({keys}, {', '.join(sums)}) "
        f"SELECT {keys}, {', '.join(f'sum({s})' for s in sums)} FROM ({part}) d WHERE TRUE "
        f"GROUP BY {keys} HAVING {' OR '.join(f'sum({s}) <> 0' for s in sums)} ORDER BY {keys} "
        f"ON CONFLICT ({keys}) DO UPDATE SET {', '.join(f'{s} = {table}.{s} + excluded.{s}' for s in sums)}"
    )


def contributions(d: str, cases: str | None, sign: int) -> list[str]:
    return [
        upsert("case_key_rollup", case_keys(d, cases, sign)),
        upsert("seizure_agency_rollup", seizure_agencies(d, cases, sign)),
    ]


def touched(table: str, refs: tuple[str, ...]) -> str:
    """The ids of the cases a row touches, for each of its versions (OLD, NEW)."""
    if table == "legal_case":
        ids = [f"SELECT {ref}.id AS case_id" for ref in refs]
    elif table == "seizure_quantity":
        ids = [f"SELECT case_id FROM seizure WHERE id = {ref}.seizure" for ref in refs]
    else:
        ids = [f"SELECT {ref}.case_id AS case_id" for ref in refs]
    return " UNION ".join(ids)


def take_out(d: str, table: str, refs: tuple[str, ...]) -> list[str]:
    """Before a row changes: its cases not yet noted are taken out of the rollups and noted."""
    fresh = (
        f"(SELECT t.case_id FROM ({touched(table, refs)}) t WHERE t.case_id IS NOT NULL AND NOT EXISTS "
        f"(SELECT 1 FROM {PENDING} p WHERE p.tx = {tx(d)} AND p.case_id = t.case_id))"
    )
    return [*contributions(d, fresh, -1), f"INSERT INTO {PENDING} (tx, case_id) SELECT {tx(d)}, case_id FROM {fresh} f"]


def put_back(d: str) -> list[str]:
    """After the statement: every noted case back into the rollups, as it stands now; the notes dropped."""
    noted = f"(SELECT case_id FROM {PENDING} WHERE tx = {tx(d)})"
    return [*contributions(d, noted, 1), f"DELETE FROM {PENDING} WHERE tx = {tx(d)}"]


REFS = {"INSERT": ("NEW",), "UPDATE": ("OLD", "NEW"), "DELETE": ("OLD",)}


def _changed(table: str) -> str:
    return " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in WATCHED[table])


# --- SQLite: row triggers -----------------------------------------------------------------------------------------


def sqlite_triggers() -> list[str]:
    d, out = "sqlite", []
    for table in WATCHED:
        for when, refs in REFS.items():
            of = f" OF {', '.join(WATCHED[table])}" if when == "UPDATE" else ""
            condition = " WHEN " + _changed(table).replace("IS DISTINCT FROM", "IS NOT") if when == "UPDATE" else ""
            for name, timing, body in (
                (f"case_rollups_{table}_{when.lower()}_before", "BEFORE", take_out(d, table, refs)),
                (f"case_rollups_{table}_{when.lower()}", "AFTER", put_back(d)),
            ):
                out.append(
                    f"CREATE TRIGGER {name} {timing} {when}{of} ON {table}{condition} BEGIN {'; '.join(body)}; END"
                )
    return out


def sqlite_drops() -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS case_rollups_{table}_{when.lower()}{suffix}"
        for table in WATCHED
        for when in REFS
        for suffix in ("", "_before")
    ]


# --- PostgreSQL: row triggers before, a statement trigger after ---------------------------------------------------


def _pg_function(name: str, body: list[str], returns: str) -> str:
    statements = "".join(f"  {s};\n" for s in body)
    return f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n{statements}  RETURN {returns};\nEND\n$$"


def postgresql_triggers() -> list[str]:
    d = "postgresql"
    out = [_pg_function("case_rollups_put_back", put_back(d), "NULL")]
    for table in WATCHED:
        for when, refs in REFS.items():
            name = f"case_rollups_{table}_{when.lower()}_before"
            out.append(_pg_function(name, take_out(d, table, refs), "OLD" if when == "DELETE" else "NEW"))
            of = f" OF {', '.join(WATCHED[table])}" if when == "UPDATE" else ""
            condition = f" WHEN ({_changed(table)})" if when == "UPDATE" else ""
            out.append(
                f"CREATE TRIGGER {name} BEFORE {when}{of} ON {table} FOR EACH ROW{condition} EXECUTE FUNCTION {name}()"
            )
        out.append(
            f"CREATE TRIGGER case_rollups_{table}_after AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION case_rollups_put_back()"
        )
    return out


def postgresql_drops() -> list[str]:
    out = []
    for table in WATCHED:
        out.append(f"DROP TRIGGER IF EXISTS case_rollups_{table}_after ON {table}")
        for when in REFS:
            name = f"case_rollups_{table}_{when.lower()}_before"
            out += [f"DROP TRIGGER IF EXISTS {name} ON {table}", f"DROP FUNCTION IF EXISTS {name}()"]
    return [*out, "DROP FUNCTION IF EXISTS case_rollups_put_back()"]


# --- the migration ---------------------------------------------------------------------------------------------


def _create(table: str, *columns: tuple[str, Any]) -> None:
    keys = [sa.Column(name, type_, nullable=False) for name, type_ in columns]
    values = [
        sa.Column(s, sa.BigInteger() if s.startswith("micro") else sa.Integer(), nullable=False) for s in SUMS[table]
    ]
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
        "case_key_rollup",
        ("dimension", sa.String(8)), ("key", sa.String(64)), ("month", MONTH), ("synthetic", flag),
        ("only_synthetic", flag),
    )  # fmt: skip
    _create(
        "seizure_agency_rollup",
        ("agency", sa.String(64)), ("drug", sa.String(64)), ("unit", sa.String(8)), ("basis", sa.String(8)),
        ("qualifier", sa.String(16)), ("month", MONTH), ("case_synthetic", flag), ("synthetic", flag),
    )  # fmt: skip
    op.create_table(
        PENDING,
        sa.Column("tx", sa.BigInteger(), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("tx", "case_id", name=op.f(f"pk_{PENDING}")),
        sqlite_with_rowid=False,
    )
    d = op.get_bind().dialect.name
    # Backfill from the rows already stored, before the triggers exist: each rollup is the sum over every case.
    for statement in contributions(d, None, 1):
        op.execute(statement)
    for statement in sqlite_triggers() if d == "sqlite" else postgresql_triggers():
        op.execute(statement)


def downgrade() -> None:
    for statement in sqlite_drops() if op.get_bind().dialect.name == "sqlite" else postgresql_drops():
        op.execute(statement)
    for table in (PENDING, *reversed(KEYS)):
        op.drop_table(table)
