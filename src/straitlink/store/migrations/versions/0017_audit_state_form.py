"""PostgreSQL keeps the records' digest in the joined canonical form (straitlink.audit.state, .form)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 14:10:00

A row's canonical text was the JSON array of its columns' texts on both engines; PostgreSQL now keeps the joined
form (the table's name, its count of NULL columns and its columns' texts joined by U+001F), which it builds at a
third of the cost. No table changes and no entry: on PostgreSQL the head's digest, from which writers add their
differences, moves to the joined form, with any difference the stored records had from it carried over; `verify`
accepts a last entry carrying the JSON form's digest until the next audited change (docs/audit.md). SQLite keeps
the JSON form: nothing changes there.
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from straitlink.audit import form
    from straitlink.audit.state import JSON_FORM

    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        form.move_head(bind, source=JSON_FORM)


def downgrade() -> None:
    from straitlink.audit import form
    from straitlink.audit.state import JOINED_FORM, JSON_FORM

    bind = op.get_bind()
    if bind.dialect.name == "postgresql":  # back to the JSON form, for the StraitLink before this one
        form.move_head(bind, source=JOINED_FORM, into=JSON_FORM)
