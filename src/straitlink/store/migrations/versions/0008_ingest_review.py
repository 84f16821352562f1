"""the review of ingested documents: the documents under review and their proposals with the decisions taken

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 16:30:00

Proposals wait here between an upload and the reviewers' decisions, so that every reviewer sees the same state
and a rejected proposal is not proposed again when the page is reloaded.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

STATUSES = "('new','conflict','accepted','known','rejected')"


def upgrade() -> None:
    op.create_table(
        "ingest_review",
        sa.Column("document", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("info", sa.JSON(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["document"], ["source_document.id"], name=op.f("fk_ingest_review_document_source_document")
        ),
        sa.PrimaryKeyConstraint("document", name=op.f("pk_ingest_review")),
    )
    op.create_index(op.f("ix_ingest_review_uploaded_at"), "ingest_review", ["uploaded_at"], unique=False)
    op.create_table(
        "ingest_proposal",
        sa.Column("document", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=False),
        sa.Column("span_end", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.String(length=32), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(f"status IN {STATUSES}", name=op.f("ck_ingest_proposal_status")),
        sa.ForeignKeyConstraint(
            ["document"],
            ["ingest_review.document"],
            name=op.f("fk_ingest_proposal_document_ingest_review"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document", "id", name=op.f("pk_ingest_proposal")),
    )


def downgrade() -> None:
    op.drop_table("ingest_proposal")
    op.drop_index(op.f("ix_ingest_review_uploaded_at"), table_name="ingest_review")
    op.drop_table("ingest_review")
