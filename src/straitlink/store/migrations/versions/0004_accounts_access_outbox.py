"""accounts and roles, a marking on every record, the access log and the outbox of domain events

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 13:40:00

Every record table gains its marking (classification, handling code, releasable, publishable, note). Columns are
added with ALTER TABLE ADD COLUMN on both engines: a SQLite batch rebuild would drop the rollup triggers of 0003.
SQLite cannot add a CHECK with a column, so the marking's checks exist on PostgreSQL only; the domain refuses a bad
marking on both. intel_report already had `classification` (with its check); it gains the source's reliability and
the information's accuracy.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

RECORD_TABLES = (
    "source_document",
    "assistance_request",
    "legal_case",
    "operation",
    "person",
    "seizure",
    "intel_report",
    "outcome",
    "meeting",
    "published_figure",
)
CLASSIFICATIONS = "('unclassified','restricted','confidential','secret')"
HANDLING = "('H0','H1','H2','H3')"
ROLES = "('admin','liaison_officer','prosecutor','investigator','analyst','viewer','peer')"


def _is_pg() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    for table in RECORD_TABLES:
        if table != "intel_report":
            op.add_column(
                table, sa.Column("classification", sa.String(16), server_default="restricted", nullable=False)
            )
        op.add_column(table, sa.Column("handling", sa.String(2), server_default="H0", nullable=False))
        op.add_column(table, sa.Column("releasable", sa.Boolean(), server_default=sa.false(), nullable=False))
        op.add_column(table, sa.Column("publishable", sa.Boolean(), server_default=sa.false(), nullable=False))
        op.add_column(table, sa.Column("marking_note", sa.Text(), nullable=True))
        if _is_pg():
            if table != "intel_report":
                op.create_check_constraint(
                    op.f(f"ck_{table}_classification"), table, f"classification IN {CLASSIFICATIONS}"
                )
            op.create_check_constraint(op.f(f"ck_{table}_handling"), table, f"handling IN {HANDLING}")
            op.create_check_constraint(
                op.f(f"ck_{table}_handling_note"), table, "handling <> 'H3' OR marking_note IS NOT NULL"
            )
    op.add_column("intel_report", sa.Column("source_reliability", sa.String(1), server_default="X", nullable=False))
    op.add_column("intel_report", sa.Column("information_accuracy", sa.String(1), server_default="3", nullable=False))
    if _is_pg():
        op.create_check_constraint(
            op.f("ck_intel_report_source_reliability"), "intel_report", "source_reliability IN ('A','B','C','X')"
        )
        op.create_check_constraint(
            op.f("ck_intel_report_information_accuracy"), "intel_report", "information_accuracy IN ('1','2','3','4')"
        )

    op.create_table(
        "account",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("party", sa.String(length=2), nullable=False),
        sa.Column("agency", sa.String(length=64), nullable=True),
        sa.Column("clearance", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("changed_at", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("party IN ('TW','CN')", name=op.f("ck_account_party")),
        sa.CheckConstraint(f"clearance IN {CLASSIFICATIONS}", name=op.f("ck_account_clearance")),
        sa.ForeignKeyConstraint(["agency"], ["agency.id"], name=op.f("fk_account_agency_agency")),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_account")),
    )
    op.create_index(op.f("ix_account_agency"), "account", ["agency"], unique=False)
    op.create_table(
        "account_role",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.CheckConstraint(f"role IN {ROLES}", name=op.f("ck_account_role_role")),
        sa.ForeignKeyConstraint(
            ["username"], ["account.username"], name=op.f("fk_account_role_username_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("username", "role", name=op.f("pk_account_role")),
    )
    op.create_table(
        "access_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("record_kind", sa.String(length=32), nullable=True),
        sa.Column("record_id", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("sealed_by", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('read','not_found','forbidden','unauthenticated')", name=op.f("ck_access_log_outcome")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log")),
    )
    op.create_index("ix_access_log_record", "access_log", ["record_kind", "record_id"], unique=False)
    op.create_index(op.f("ix_access_log_username"), "access_log", ["username"], unique=False)
    op.create_index(op.f("ix_access_log_sealed_by"), "access_log", ["sealed_by"], unique=False)
    op.create_table(
        "outbox_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("occurred_at", sa.String(length=32), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("aggregate_kind", sa.String(length=32), nullable=False),
        sa.Column("aggregate_id", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("releasable", sa.Boolean(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_event")),
        sa.UniqueConstraint("event_id", name=op.f("uq_outbox_event_event_id")),
    )
    op.create_index("ix_outbox_event_aggregate", "outbox_event", ["aggregate_kind", "aggregate_id", "id"], unique=False)
    op.create_index(op.f("ix_outbox_event_type"), "outbox_event", ["type"], unique=False)


def downgrade() -> None:
    op.drop_table("outbox_event")
    op.drop_table("access_log")
    op.drop_table("account_role")
    op.drop_table("account")
    op.drop_column("intel_report", "information_accuracy")
    op.drop_column("intel_report", "source_reliability")
    for table in RECORD_TABLES:
        if _is_pg():
            op.drop_constraint(op.f(f"ck_{table}_handling_note"), table, type_="check")
            op.drop_constraint(op.f(f"ck_{table}_handling"), table, type_="check")
            if table != "intel_report":
                op.drop_constraint(op.f(f"ck_{table}_classification"), table, type_="check")
        for column in ("marking_note", "publishable", "releasable", "handling"):
            op.drop_column(table, column)
        if table != "intel_report":
            op.drop_column(table, "classification")
