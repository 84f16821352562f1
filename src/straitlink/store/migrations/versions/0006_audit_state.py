"""the audit chain head keeps the digest of the stored records (straitlink.audit.state)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 13:30:00

Every audit entry now carries the digest of the stored records as its transaction leaves them, and the head keeps
the latest, so a writer adds only what its own rows change. A head upgraded from before has none (NULL): the first
audited change after the upgrade takes the digest of the tables as they stand (docs/audit.md).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit_head", sa.Column("state", sa.LargeBinary(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.drop_column("state")
