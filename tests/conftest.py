"""Fixtures: a fresh database per test on SQLite and PostgreSQL, built by the migrations (never create_all)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from straitlink.services.setup import init_database
from straitlink.store.db import make_engine, normalise_url

PG_URL = os.environ.get("STRAITLINK_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _pg_admin() -> Engine | None:
    try:
        engine = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return engine
    except OperationalError as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL at {PG_URL} is required in CI and does not answer: {exc}")
        return None


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Engine | None]:
    engine = _pg_admin()
    yield engine
    if engine is not None:
        engine.dispose()


@contextmanager
def fresh_pg_database(admin: Engine | None) -> Iterator[str]:
    """A fresh, empty PostgreSQL database, dropped afterwards."""
    if admin is None:
        pytest.skip("PostgreSQL not reachable (set CI=true to make this a failure)")
    name = f"straitlink_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(normalise_url(PG_URL)).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def pg_url(pg_admin: Engine | None) -> Iterator[str]:
    """A fresh PostgreSQL database for one test."""
    with fresh_pg_database(pg_admin) as url:
        yield url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty database URL on each engine, shared by one test module (for expensive set-ups like the demo)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'straitlink.db'}"
        return
    with fresh_pg_database(request.getfixturevalue("pg_admin")) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database URL on each engine."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'straitlink.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def empty_engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file at head with the catalogue loaded, built once and copied for each test that needs one."""
    path = tmp_path_factory.mktemp("template") / "straitlink.db"
    engine = make_engine(f"sqlite:///{path}")
    init_database(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_template(pg_admin: Engine | None) -> Iterator[str]:
    """The name of a PostgreSQL database at head with the catalogue loaded, the template of each test's database."""
    with fresh_pg_database(pg_admin) as url:
        engine = make_engine(url)
        init_database(engine)
        engine.dispose()  # CREATE DATABASE … TEMPLATE refuses a template with open connections
        yield str(make_url(url).database)


@pytest.fixture
def engine(request: pytest.FixtureRequest, db_url: str) -> Iterator[Engine]:
    """A database at head with the catalogue loaded: a copy of a template that `init_database` built once per run.

    Running the migrations and loading the catalogue costs about half a second a test; copying costs a few ms.
    """
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        shutil.copyfile(request.getfixturevalue("sqlite_template"), str(url.database))
    else:
        template = request.getfixturevalue("pg_template")
        with request.getfixturevalue("pg_admin").connect() as conn:
            conn.execute(text(f'DROP DATABASE "{url.database}"'))
            conn.execute(text(f'CREATE DATABASE "{url.database}" TEMPLATE "{template}"'))
    engine = make_engine(db_url)
    yield engine
    engine.dispose()
