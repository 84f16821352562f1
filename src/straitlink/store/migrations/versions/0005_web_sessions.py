"""web sessions and API tokens

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 13:30:00

The web app keeps a row per logged-in browser (revocable: logging out, or disabling the account, ends it) and a
row per API token of a machine client. Both store the SHA-256 of the secret, never the secret, and go with their
account if it is ever deleted.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_session",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["username"], ["account.username"], name=op.f("fk_web_session_username_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_session")),
    )
    op.create_index(op.f("ix_web_session_username"), "web_session", ["username"], unique=False)
    op.create_index(op.f("ix_web_session_expires_at"), "web_session", ["expires_at"], unique=False)
    op.create_table(
        "api_token",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.String(length=32), nullable=True),
        sa.Column("revoked_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["username"], ["account.username"], name=op.f("fk_api_token_username_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
    )
    op.create_index(op.f("ix_api_token_username"), "api_token", ["username"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_api_token_username"), table_name="api_token")
    op.drop_table("api_token")
    op.drop_index(op.f("ix_web_session_expires_at"), table_name="web_session")
    op.drop_index(op.f("ix_web_session_username"), table_name="web_session")
    op.drop_table("web_session")
