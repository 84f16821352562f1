"""a meeting's follow-ups: each action item agreed, the agency carrying it out, its due date and where it stands

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 19:55:00

A meeting kept its decisions as text and nothing of what became of them. `meeting_follow_up` holds one row per
action item (domain FollowUp): what was agreed, the responsible agency of either side, the decision it follows up
(its number), the due date, the status (open, in_progress, done, dropped) with a note and the day it changed, and
the request, case or intel hand-over that carried it out. It is one of the meeting's child tables: written with the
meeting, in its audit entry's digest, and checked by `audit verify`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

TABLE = "meeting_follow_up"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("meeting", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("decision", sa.Integer(), nullable=True),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("agency", sa.String(length=64), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("request", sa.String(length=64), nullable=True),
        sa.Column("case_id", sa.String(length=64), nullable=True),
        sa.Column("intel", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "status IN ('open','in_progress','done','dropped')", name=op.f("ck_meeting_follow_up_status")
        ),
        sa.CheckConstraint("decision IS NULL OR decision >= 1", name=op.f("ck_meeting_follow_up_decision")),
        sa.CheckConstraint("status = 'open' OR status_on IS NOT NULL", name=op.f("ck_meeting_follow_up_status_on")),
        sa.ForeignKeyConstraint(
            ["meeting"], ["meeting.id"], name=op.f("fk_meeting_follow_up_meeting_meeting"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["agency"], ["agency.id"], name=op.f("fk_meeting_follow_up_agency_agency")),
        sa.ForeignKeyConstraint(
            ["request"], ["assistance_request.id"], name=op.f("fk_meeting_follow_up_request_assistance_request")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["legal_case.id"], name=op.f("fk_meeting_follow_up_case_id_legal_case")),
        sa.ForeignKeyConstraint(["intel"], ["intel_report.id"], name=op.f("fk_meeting_follow_up_intel_intel_report")),
        sa.PrimaryKeyConstraint("meeting", "position", name=op.f("pk_meeting_follow_up")),
    )
    for column in ("agency", "request", "case_id", "intel"):
        op.create_index(op.f(f"ix_{TABLE}_{column}"), TABLE, [column], unique=False)
    op.create_index("ix_meeting_follow_up_pending", TABLE, ["status", "due"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_meeting_follow_up_pending", table_name=TABLE)
    for column in ("agency", "request", "case_id", "intel"):
        op.drop_index(op.f(f"ix_{TABLE}_{column}"), table_name=TABLE)
    op.drop_table(TABLE)
