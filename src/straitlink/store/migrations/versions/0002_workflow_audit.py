"""request workflow (history, replies, documents) and the hash-chained audit log

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 07:43:34.040897
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

PARTIES = "('TW','CN')"


def upgrade() -> None:
    # First, while nothing references assistance_request rows yet: SQLite rebuilds the table to add the checks.
    with op.batch_alter_table("assistance_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("form", sa.String(length=8), server_default="written", nullable=False))
        batch_op.add_column(sa.Column("confirmed_on", sa.Date(), nullable=True))
        batch_op.create_check_constraint(op.f("ck_assistance_request_form"), "form IN ('written','other')")
        batch_op.create_check_constraint(
            op.f("ck_assistance_request_confirmed_after_filed"), "confirmed_on IS NULL OR confirmed_on >= filed_on"
        )

    op.create_table(
        "audit_entry",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_entry")),
    )
    # An index on the record the entry's JSON body names (straitlink.store.tables_workflow.record_field).
    record = {
        "sqlite": "json_extract(body, '$.record')",
        "postgresql": "(CAST(body AS JSON) ->> 'record')",
    }[op.get_bind().dialect.name]
    op.create_index("ix_audit_entry_record", "audit_entry", [sa.text(record)], unique=False)

    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    # The chain starts empty: no entry yet, and the hash the first entry links to is 32 zero bytes.
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": bytes(32)}])

    op.create_table(
        "stored_file",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("first_stored_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint("size > 0", name=op.f("ck_stored_file_size")),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_stored_file")),
    )
    op.create_table(
        "request_transition",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("acting_party", sa.String(length=2), nullable=False),
        sa.Column("acting_role", sa.String(length=24), nullable=False),
        sa.Column("acting_agency", sa.String(length=64), nullable=True),
        sa.Column("ground", sa.String(length=24), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("executing_agency", sa.String(length=64), nullable=True),
        sa.Column("recorded_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint(f"acting_party IN {PARTIES}", name=op.f("ck_request_transition_acting_party")),
        sa.CheckConstraint(
            "acting_role IN ('requesting_side','requested_side','contact_point','executing_agency')",
            name=op.f("ck_request_transition_acting_role"),
        ),
        sa.CheckConstraint(
            "action IN ('file','send','receive','request_info','supplement','assign','start','postpone','resume','complete','refuse','report_unable','withdraw','confirm_in_writing')",
            name=op.f("ck_request_transition_action"),
        ),
        sa.CheckConstraint(
            "ground IS NULL OR ground IN ('not_conforming','public_order','other')",
            name=op.f("ck_request_transition_ground"),
        ),
        sa.ForeignKeyConstraint(
            ["acting_agency"], ["agency.id"], name=op.f("fk_request_transition_acting_agency_agency")
        ),
        sa.ForeignKeyConstraint(
            ["executing_agency"], ["agency.id"], name=op.f("fk_request_transition_executing_agency_agency")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["assistance_request.id"],
            name=op.f("fk_request_transition_request_id_assistance_request"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_transition")),
    )
    with op.batch_alter_table("request_transition", schema=None) as batch_op:
        batch_op.create_index("ix_request_transition_action", ["action", "occurred_on"], unique=False)
        batch_op.create_index("ix_request_transition_request", ["request_id", "id"], unique=False)

    op.create_table(
        "request_reply",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("transition_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("from_party", sa.String(length=2), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint(f"from_party IN {PARTIES}", name=op.f("ck_request_reply_from_party")),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["assistance_request.id"],
            name=op.f("fk_request_reply_request_id_assistance_request"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["transition_id"],
            ["request_transition.id"],
            name=op.f("fk_request_reply_transition_id_request_transition"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_reply")),
    )
    with op.batch_alter_table("request_reply", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_request_reply_request_id"), ["request_id"], unique=False)

    op.create_table(
        "request_document",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("reply_id", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("from_party", sa.String(length=2), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=True),
        sa.CheckConstraint(f"from_party IN {PARTIES}", name=op.f("ck_request_document_from_party")),
        sa.ForeignKeyConstraint(
            ["reply_id"],
            ["request_reply.id"],
            name=op.f("fk_request_document_reply_id_request_reply"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["assistance_request.id"],
            name=op.f("fk_request_document_request_id_assistance_request"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sha256"], ["stored_file.sha256"], name=op.f("fk_request_document_sha256_stored_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_document")),
    )
    with op.batch_alter_table("request_document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_request_document_reply_id"), ["reply_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_request_document_request_id"), ["request_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_request_document_sha256"), ["sha256"], unique=False)


def downgrade() -> None:
    op.drop_table("request_document")
    op.drop_table("request_reply")
    op.drop_table("request_transition")
    op.drop_table("stored_file")
    op.drop_table("audit_head")
    op.drop_table("audit_entry")
    with op.batch_alter_table("assistance_request", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_assistance_request_confirmed_after_filed"), type_="check")
        batch_op.drop_constraint(op.f("ck_assistance_request_form"), type_="check")
        batch_op.drop_column("confirmed_on")
        batch_op.drop_column("form")
