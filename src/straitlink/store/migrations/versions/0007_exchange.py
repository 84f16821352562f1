"""the exchange between the two instances: peer and keys, messages both ways, receipts, the outbox cursor

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 13:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

STATUSES = "('queued','delivered','waiting','applied','parked','rejected')"


def upgrade() -> None:
    op.create_table(
        "exchange_peer",
        sa.Column("party", sa.String(length=2), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("added_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint("party IN ('TW','CN')", name=op.f("ck_exchange_peer_party")),
        sa.PrimaryKeyConstraint("party", name=op.f("pk_exchange_peer")),
    )
    op.create_table(
        "exchange_peer_key",
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("party", sa.String(length=2), nullable=False),
        sa.Column("public_key", sa.Text(), nullable=False),
        sa.Column("added_at", sa.String(length=32), nullable=False),
        sa.Column("retires_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["party"],
            ["exchange_peer.party"],
            name=op.f("fk_exchange_peer_key_party_exchange_peer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_exchange_peer_key")),
    )
    op.create_index(op.f("ix_exchange_peer_key_party"), "exchange_peer_key", ["party"], unique=False)
    op.create_table(
        "exchange_message",
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("peer", sa.String(length=2), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=True),
        sa.Column("record_key", sa.String(length=128), nullable=False),
        sa.Column("after", sa.String(length=64), nullable=True),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("wire", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.String(length=32), nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint("direction IN ('out','in')", name=op.f("ck_exchange_message_direction")),
        sa.CheckConstraint(f"status IN {STATUSES}", name=op.f("ck_exchange_message_status")),
        sa.PrimaryKeyConstraint("direction", "id", name=op.f("pk_exchange_message")),
        sa.UniqueConstraint("event_id", name=op.f("uq_exchange_message_event_id")),
    )
    op.create_index(
        "ix_exchange_message_work", "exchange_message", ["direction", "peer", "status", "seq"], unique=False
    )
    op.create_index("ix_exchange_message_record", "exchange_message", ["direction", "record_key", "seq"], unique=False)
    op.create_index("ix_exchange_message_after", "exchange_message", ["direction", "after"], unique=False)
    op.create_table(
        "exchange_receipt",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=True),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("wire", sa.JSON(), nullable=False),
        sa.Column("refused", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint("direction IN ('given','received')", name=op.f("ck_exchange_receipt_direction")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_receipt")),
    )
    op.create_index(op.f("ix_exchange_receipt_message_id"), "exchange_receipt", ["message_id"], unique=False)
    op.create_table(
        "exchange_cursor",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_exchange_cursor")),
    )


def downgrade() -> None:
    op.drop_table("exchange_cursor")
    op.drop_index(op.f("ix_exchange_receipt_message_id"), table_name="exchange_receipt")
    op.drop_table("exchange_receipt")
    op.drop_index("ix_exchange_message_after", table_name="exchange_message")
    op.drop_index("ix_exchange_message_record", table_name="exchange_message")
    op.drop_index("ix_exchange_message_work", table_name="exchange_message")
    op.drop_table("exchange_message")
    op.drop_index(op.f("ix_exchange_peer_key_party"), table_name="exchange_peer_key")
    op.drop_table("exchange_peer_key")
    op.drop_table("exchange_peer")
