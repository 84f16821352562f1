"""the search index: one entry per record, with each engine's full-text index over its folded terms

SQLite: an FTS5 table reading `search_entry` (external content), kept in step by triggers, so every write of an
entry, in whatever transaction, updates the index in that transaction. PostgreSQL: a GIN index over the terms as
a tsvector (`array_to_tsvector`: the terms are folded and split by StraitLink, so no text-search parser or
dictionary touches them, and Chinese needs no parser at all). Existing records are indexed by `straitlink init`
(services/setup.py) once the schema is upgraded.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 16:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_SQLITE = (
    # unicode61 keeps the underscores of concept tokens (`_drug_methamphetamine`) inside the token.
    "CREATE VIRTUAL TABLE search_fts USING fts5(terms, content='search_entry', content_rowid='id', "
    "tokenize=\"unicode61 tokenchars '_'\")",
    "CREATE TRIGGER search_entry_ai AFTER INSERT ON search_entry BEGIN "
    "INSERT INTO search_fts(rowid, terms) VALUES (new.id, new.terms); END",
    "CREATE TRIGGER search_entry_ad AFTER DELETE ON search_entry BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, terms) VALUES ('delete', old.id, old.terms); END",
    "CREATE TRIGGER search_entry_au AFTER UPDATE ON search_entry BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, terms) VALUES ('delete', old.id, old.terms); "
    "INSERT INTO search_fts(rowid, terms) VALUES (new.id, new.terms); END",
)
_POSTGRESQL = (
    "CREATE INDEX ix_search_entry_terms ON search_entry USING gin (array_to_tsvector(string_to_array(terms, ' ')))",
)


def upgrade() -> None:
    op.create_table(
        "search_entry",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_entry")),
        sa.UniqueConstraint("kind", "record_id", name="uq_search_entry_kind_record"),
    )
    statements = _POSTGRESQL if op.get_bind().dialect.name == "postgresql" else _SQLITE
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("search_entry_ai", "search_entry_ad", "search_entry_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_search_entry_terms")
    op.drop_table("search_entry")
