"""a document's citations of stored records: a later report of a known event is a source of the stored record

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 16:40:00

Ingesting a report of an event already stored (the same seizure told by a second outlet) stores no second record:
the document names the stored record in `source_citation`, with the span telling it (docs/ingest.md).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "source_citation",
        sa.Column("document", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("record_kind", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=True),
        sa.Column("span_end", sa.Integer(), nullable=True),
        sa.Column("quote", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "span_start IS NULL OR (span_start >= 0 AND span_end >= span_start)", name=op.f("ck_source_citation_span")
        ),
        sa.ForeignKeyConstraint(
            ["document"],
            ["source_document.id"],
            name=op.f("fk_source_citation_document_source_document"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document", "position", name=op.f("pk_source_citation")),
    )
    op.create_index("ix_source_citation_record", "source_citation", ["record_kind", "record_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_source_citation_record", table_name="source_citation")
    op.drop_table("source_citation")
