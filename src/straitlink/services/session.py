"""A unit of work for the packages whose functions run inside the caller's transaction (stats, audit, ingest).

The CLI and the web reach the store only through services; this is the one door they use to hand those
packages a transaction without importing the store themselves.
"""

from __future__ import annotations

from sqlalchemy import Engine

from straitlink.domain.errors import StoreUnavailable
from straitlink.store.db import make_engine, require_initialised
from straitlink.store.uow import UnitOfWork


def unit_of_work(engine: Engine) -> UnitOfWork:
    """`with unit_of_work(engine) as uow:` — leaving without `uow.commit()` rolls back."""
    return UnitOfWork(engine)


def connect(url: str, *, create: bool = False) -> Engine:
    """The engine for a database URL (SQLite or PostgreSQL), with the pragmas and pool the store sets.

    Only `init` passes `create`: every other command refuses a database that does not exist yet or that the
    migrations never ran on, naming it, instead of creating an empty one and failing on a missing table.
    """
    engine = make_engine(url, create=create)
    if not create:
        try:
            require_initialised(engine)
        except StoreUnavailable:
            engine.dispose()
            raise
    return engine
