"""Bring a database to the head revision, down to base, or check that models and migrations agree."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine


def _config(engine_connection: object) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(files("straitlink.store") / "migrations"))
    cfg.attributes["connection"] = engine_connection
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the migrations up to `revision` in one transaction."""
    with engine.begin() as conn:
        command.upgrade(_config(conn), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Run the migrations down to `revision`."""
    with engine.begin() as conn:
        command.downgrade(_config(conn), revision)


def check(engine: Engine) -> None:
    """Raise alembic's error if the models differ from what the migrations build."""
    with engine.begin() as conn:
        command.check(_config(conn))


def current(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty one."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head() -> str | None:
    """The newest revision shipped."""
    return ScriptDirectory.from_config(_config(None)).get_current_head()


def revision(engine: Engine, message: str) -> None:
    """Autogenerate a new revision from the models (developers only)."""
    with engine.begin() as conn:
        command.revision(_config(conn), message=message, autogenerate=True)
