"""A unit of work for the packages whose functions run inside the caller's transaction (stats, audit, ingest).

The CLI and the web reach the store only through services; this is the one door they use to hand those
packages a transaction without importing the store themselves.
"""

from __future__ import annotations

from sqlalchemy import Engine

from straitlink.store.db import make_engine
from straitlink.store.uow import UnitOfWork


def unit_of_work(engine: Engine) -> UnitOfWork:
    """`with unit_of_work(engine) as uow:` — leaving without `uow.commit()` rolls back."""
    return UnitOfWork(engine)


def connect(url: str) -> Engine:
    """The engine for a database URL (SQLite or PostgreSQL), with the pragmas and pool the store sets."""
    return make_engine(url)
