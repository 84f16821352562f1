"""The one query a cached page is served on: the session, whether its account is active, and the page versions.

The web app's page cache (straitlink.web.page_cache) runs it on every GET of a cached page, before anything else:
a session gone, expired or of a disabled account is never served from the cache, and the counters of migration 0016
tell whether what a stored page was computed from has changed since. It is the whole database cost of a cache hit,
so it is compiled once, by SQLAlchemy, and run straight on the driver's connection (as store.driver does), kept per
thread in autocommit: no pool checkout, no pre-ping, no BEGIN and ROLLBACK round trips, none of SQLAlchemy's per-call
bookkeeping (which costs several times the query on SQLite).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, literal_column, select

from straitlink.services.web_sessions import Clock, _stamp, token_hash, utc_now
from straitlink.store.tables_access import AccountRow
from straitlink.store.tables_web import PageVersionRow, WebSessionRow

S, A, V = WebSessionRow, AccountRow, PageVersionRow
_CHECK = (
    select(S.username, S.csrf, S.lang, S.expires_at, A.active, V.principal, V.requests, V.statistics)
    .join(A, A.username == S.username)
    .join(V, V.id == literal_column("1"))  # written in, not bound: the one parameter is the session's
    .where(S.id == bindparam("id"))
)


@dataclass(frozen=True)
class PageCheck:
    """A live session of an active account, and the page versions as of this moment."""

    token_hash: str
    username: str
    csrf: str
    lang: str
    versions: dict[str, int]  # family (principal, requests, statistics) → counter


class PageChecker:
    """Runs the check on a connection of its own per thread (the event loop's, in a server)."""

    def __init__(self, engine: Engine, *, clock: Clock = utc_now) -> None:
        self.engine, self.clock = engine, clock  # the session store's clock: a session expires for both at once
        self._local = threading.local()
        compiled: Any = _CHECK.compile(dialect=engine.dialect)
        self._sql = str(compiled)
        self._positional = compiled.positiontup is not None  # SQLite's qmark; psycopg's are named
        self._errors: type[Exception] = engine.dialect.loaded_dbapi.Error

    def _connection(self) -> Connection:
        conn: Connection | None = getattr(self._local, "conn", None)
        if conn is None or conn.closed or conn.invalidated:
            conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            self._local.conn = conn
        return conn

    def check(self, token: str) -> PageCheck | None:
        """The session of `token` if it is live and its account active; None otherwise, or when the database does
        not answer this connection (the page is then served the ordinary way, which says why)."""
        hashed = token_hash(token)
        try:
            driver: Any = self._connection().connection.driver_connection
            # fetchall, not fetchone: SQLite ends the read (and lets go of its snapshot) once the statement is done
            rows = driver.execute(self._sql, (hashed,) if self._positional else {"id": hashed}).fetchall()
        except self._errors:
            self.close()  # a dropped connection: the next check opens another
            return None
        if not rows:
            return None
        username, csrf, lang, expires_at, active, principal, requests, statistics = rows[0]
        if not active or expires_at < _stamp(self.clock()):
            return None
        versions = {"principal": principal, "requests": requests, "statistics": statistics}
        return PageCheck(hashed, username, csrf, lang, versions)

    def close(self) -> None:
        conn: Connection | None = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            conn.invalidate()  # not back to the pool: it may be the broken one
