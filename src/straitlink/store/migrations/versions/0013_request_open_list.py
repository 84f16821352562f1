"""ix_request_open_list: the open requests of one side in list order, for the inbox's and outbox's work queue

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 20:20:00

The inbox and outbox show the open requests by default, oldest filed first. On ix_request_list (all requests of a
side in (filed_on, id) order, migration 0011) that page reads every closed request between the open ones — about
ten index entries and table rows per row shown when nine in ten requests are closed. This partial index holds the
open requests alone, in the same order, so the page reads the fifty rows it shows. Its condition is the very
`status IN (...)` the list writes, literally (straitlink.services.request_views), since SQLite uses a partial index
only for a query that names its condition.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

OPEN = "status IN ('assigned', 'filed', 'in_execution', 'info_requested', 'postponed', 'received', 'sent')"


def upgrade() -> None:
    where = sa.text(OPEN)
    op.create_index(
        "ix_request_open_list",
        "assistance_request",
        ["requesting_party", "filed_on", "id"],
        unique=False,
        sqlite_where=where,
        postgresql_where=where,
    )


def downgrade() -> None:
    op.drop_index("ix_request_open_list", table_name="assistance_request")
