"""page_version: counters the web app's page cache keys on, bumped by triggers in the writing transaction

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 23:20:00

The web app keeps rendered request lists and statistics pages in memory (straitlink.web.page_cache) and serves one
again only while nothing it was computed from has changed. What "changed" means is this one-row table: a counter per
family of pages, which a trigger on every table the family reads adds one to, in the same transaction as the write.
A reader therefore sees a new counter exactly when it sees the new rows (never a counter moved before the commit,
under which old rows could be cached), whichever process, command or raw SQL wrote them.

- principal: account, account_role, agency (the principal every page is built for: roles, clearance, units).
- requests: assistance_request, request_transition (the inbox and outbox rows and their assign dates).
- statistics: every record table the statistics are computed from (the rollups follow them, so they need none).

One row, so a transaction bumping several families locks one row and two writers cannot deadlock on the counters;
audited writes already queue on the audit chain's head before they touch it. SQLite has only row triggers (a bump
per row written); PostgreSQL bumps once per statement, TRUNCATE included.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

FAMILIES = ("principal", "requests", "statistics")
RECORDS = (
    "source_document", "source_citation", "drug", "place", "request_type", "legal_case", "case_agency", "case_place",
    "operation", "operation_agency", "operation_place", "vessel", "person", "seizure", "seizure_quantity",
    "intel_report", "outcome", "outcome_seizure", "outcome_person", "meeting", "meeting_agency", "meeting_place",
    "meeting_follow_up", "published_figure",
)  # fmt: skip
WATCHED: dict[str, tuple[str, ...]] = {
    "account": ("principal",),
    "account_role": ("principal",),
    "agency": ("principal", "statistics"),
    "assistance_request": ("requests", "statistics"),
    "request_transition": ("requests", "statistics"),
    **{table: ("statistics",) for table in RECORDS},
}


def _bump(families: tuple[str, ...]) -> str:
    return "UPDATE page_version SET " + ", ".join(f"{f} = {f} + 1" for f in families) + " WHERE id = 1"


def upgrade() -> None:
    op.create_table(
        "page_version",
        sa.Column("id", sa.Integer(), nullable=False),
        *(sa.Column(f, sa.BigInteger(), nullable=False) for f in FAMILIES),
        sa.CheckConstraint("id = 1", name=op.f("ck_page_version_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_page_version")),
    )
    op.execute("INSERT INTO page_version (id, " + ", ".join(FAMILIES) + ") VALUES (1" + ", 0" * len(FAMILIES) + ")")
    if op.get_bind().dialect.name == "sqlite":
        for table, families in WATCHED.items():
            for event in ("INSERT", "UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER page_version_{table}_{event.lower()} AFTER {event} ON {table} "
                    f"BEGIN {_bump(families)}; END"
                )
        return
    for families in sorted(set(WATCHED.values())):
        op.execute(
            f"CREATE FUNCTION page_version_{'_'.join(families)}() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {_bump(families)}; RETURN NULL; END $$"
        )
    for table, families in WATCHED.items():
        op.execute(
            f"CREATE TRIGGER page_version_{table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION page_version_{'_'.join(families)}()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in WATCHED:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS page_version_{table}_{event}")
    else:
        for table in WATCHED:
            op.execute(f"DROP TRIGGER IF EXISTS page_version_{table} ON {table}")
        for families in sorted(set(WATCHED.values())):
            op.execute(f"DROP FUNCTION IF EXISTS page_version_{'_'.join(families)}()")
    op.drop_table("page_version")
