"""Alembic environment: runs on the connection the application hands over, never on its own URL."""

from __future__ import annotations

from alembic import context

from straitlink.store.schema import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - the application always passes its connection
    raise RuntimeError("straitlink migrations run through straitlink.store.migrate, not the alembic CLI")

# Built by migration 0009 beside `search_entry`, outside the metadata: SQLite's FTS5 table (and the shadow tables
# FTS5 makes for it) and PostgreSQL's GIN expression index.
_UNMODELLED = ("search_fts", "ix_search_entry_terms")


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    return not (name or "").startswith(_UNMODELLED)


context.configure(
    connection=connection,
    include_name=include_name,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
