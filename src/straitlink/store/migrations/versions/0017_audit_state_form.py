"""the records' digest moves to its second canonical form (straitlink.audit.form)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 14:10:00

A row's canonical text was the JSON array of its columns' texts; it is now its table's name, its count of NULL
columns and its columns' texts joined by U+001F (NULL as U+001E), which both databases build at a fraction of the
cost. No table changes: a log that has entries with a digest gets one `rebase` entry carrying the digest in the new
form, with any difference the stored records had from the last entry's digest carried over (docs/audit.md).
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

ACTOR = "straitlink init"


def upgrade() -> None:
    from straitlink.audit import form

    form.reform(op.get_bind(), actor=ACTOR)


def downgrade() -> None:
    # The entry stays: the chain is append-only. A StraitLink from before it reads its digest as altered.
    pass
