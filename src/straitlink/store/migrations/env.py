"""Alembic environment: runs on the connection the application hands over, never on its own URL."""

from __future__ import annotations

from alembic import context

from straitlink.store.schema import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - the application always passes its connection
    raise RuntimeError("straitlink migrations run through straitlink.store.migrate, not the alembic CLI")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
