"""Engines for the embedded SQLite file and for PostgreSQL, with the settings each needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from straitlink.domain.errors import StoreUnavailable


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain postgresql:// URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Foreign keys are off by default in SQLite; WAL lets readers run beside the one writer.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def sqlite_path(parsed: URL) -> Path | None:
    """The file a SQLite URL names (also in `file:` URI form), or None for an in-memory database."""
    name = parsed.database or ""
    if not name or name == ":memory:" or "mode=memory" in name:
        return None
    if name.startswith("file:"):
        name = name[len("file:") :].split("?", 1)[0]
    return Path(name)


def _check_sqlite_file(path: Path, url: str, *, create: bool) -> None:
    """Refuse a SQLite file whose directory is missing or not a directory, or that is missing, unless creating."""
    directory = path.parent
    if directory.exists() and not directory.is_dir():
        raise StoreUnavailable(
            f"database_url: {url!r}: {str(directory)!r} is a file, not a directory", field="database_url", value=url
        )
    if path.exists() and path.is_dir():
        raise StoreUnavailable(
            f"database_url: {url!r}: {str(path)!r} is a directory, not a database file", field="database_url", value=url
        )
    if create:
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreUnavailable(
                f"database_url: {url!r}: cannot create {str(directory)!r} ({exc.strerror})",
                field="database_url",
                value=url,
            ) from None
        return
    if not directory.is_dir():
        raise StoreUnavailable(
            f"database_url: {url!r}: the directory {str(directory)!r} does not exist (`straitlink init` creates it)",
            field="database_url",
            value=url,
        )
    if not path.exists():
        raise StoreUnavailable(
            f"database_url: {url!r}: no database there yet (`straitlink init` creates it)",
            field="database_url",
            value=url,
        )


# How each engine words "this database cannot be written": a read-only SQLite file or directory, a read-only
# PostgreSQL transaction or server (SQLSTATE 25006).
_READ_ONLY = ("attempt to write a readonly database", "unable to open database file", "read-only transaction")


def read_only_refusal(exc: BaseException, url: str) -> StoreUnavailable | None:
    """The one-line error for a write the database refused because it is read-only; None for any other error."""
    text = str(getattr(exc, "orig", None) or exc)
    if not any(marker in text for marker in _READ_ONLY):
        return None
    first = text.strip().splitlines()[0] if text.strip() else text
    return StoreUnavailable(
        f"database_url: {url!r} cannot be written ({first}); check the data directory's permissions",
        field="database_url",
        value=url,
    )


def require_initialised(engine: Engine) -> None:
    """Refuse a database the migrations never ran on: every command but `init` needs its tables."""
    with engine.connect() as conn:
        ready = inspect(conn).has_table("alembic_version")
    if not ready:
        shown = engine.url.render_as_string(hide_password=True)
        raise StoreUnavailable(
            f"database_url: {shown!r} holds no StraitLink database yet (run `straitlink init`)",
            field="database_url",
            value=shown,
        )


def make_engine(url: str, *, check: bool = True, create: bool = True) -> Engine:
    """An engine for the URL; with `check`, fail now with a clear message if the database does not answer.

    Without `create`, a SQLite file (and its directory) must already exist: only `straitlink init` makes one.
    """
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreUnavailable(
            f"database_url: {url!r} is not a database URL", field="database_url", value=url
        ) from None
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(parsed)
        if path is not None:
            _check_sqlite_file(path, url, create=create)
        kwargs["connect_args"] = {"timeout": 30}
    elif parsed.get_backend_name() == "postgresql":
        kwargs["connect_args"] = {"connect_timeout": 5}
        kwargs["pool_pre_ping"] = True
    else:
        raise StoreUnavailable(
            f"database_url: {url!r} names neither SQLite nor PostgreSQL", field="database_url", value=url
        )
    engine = create_engine(parsed, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    if check:
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except OperationalError as exc:
            shown = parsed.render_as_string(hide_password=True)
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise StoreUnavailable(
                f"database_url: {shown!r} does not answer: {reason}", field="database_url", value=shown
            ) from None
    return engine
