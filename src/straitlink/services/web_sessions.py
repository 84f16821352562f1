"""The web app's server-side sessions and API tokens: a row each; the cookie or the Authorization header carries a
random token.

Only the token's SHA-256 is stored, so a copy of the table logs no one in. A session ends when its user logs out,
when it expires, or when the account is disabled (the principal is loaded on every request and refused then).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, insert, select, update

from straitlink.store.tables_web import ApiTokenRow, WebSessionRow

SESSION_TTL = timedelta(hours=12)
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def token_hash(token: str) -> str:
    """The stored form of a secret token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class WebSession:
    """A logged-in browser: whose it is, its CSRF token and its language."""

    token: str
    username: str
    csrf: str
    lang: str
    expires_at: str


class SqlSessionStore:
    """Sessions as rows of `web_session`, on the application's engine."""

    def __init__(self, engine: Engine, *, ttl: timedelta = SESSION_TTL, clock: Clock = utc_now) -> None:
        self.engine, self.ttl, self.clock = engine, ttl, clock

    def open(self, username: str, lang: str) -> WebSession:
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = self.clock()
        expires = _stamp(now + self.ttl)
        with self.engine.begin() as conn:
            # Expired sessions are swept here, where a write happens anyway.
            conn.execute(delete(WebSessionRow).where(WebSessionRow.expires_at < _stamp(now)))
            values = {"id": token_hash(token), "username": username, "csrf": csrf, "lang": lang}
            conn.execute(insert(WebSessionRow).values(**values, created_at=_stamp(now), expires_at=expires))
        return WebSession(token, username, csrf, lang, expires)

    def find(self, token: str) -> WebSession | None:
        S = WebSessionRow
        stmt = select(S.username, S.csrf, S.lang, S.expires_at).where(S.id == token_hash(token))
        with self.engine.connect() as conn:
            row = conn.execute(stmt).first()
        if row is None or row.expires_at < _stamp(self.clock()):
            return None
        return WebSession(token, row.username, row.csrf, row.lang, row.expires_at)

    def set_lang(self, token: str, lang: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(WebSessionRow).where(WebSessionRow.id == token_hash(token)).values(lang=lang))

    def close(self, token: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(WebSessionRow).where(WebSessionRow.id == token_hash(token)))

    def close_all(self, username: str) -> int:
        """End every session of one account; returns how many there were."""
        with self.engine.begin() as conn:
            return conn.execute(delete(WebSessionRow).where(WebSessionRow.username == username)).rowcount or 0


@dataclass(frozen=True)
class TokenInfo:
    id: str  # the first 12 hex digits of the hash: enough to name it when revoking, useless to log in
    label: str
    created_at: str
    expires_at: str | None
    revoked_at: str | None


class TokenStore:
    """API tokens of machine clients (`Authorization: Bearer …`), stored hashed."""

    def __init__(self, engine: Engine, *, clock: Clock = utc_now) -> None:
        self.engine, self.clock = engine, clock

    def issue(self, username: str, label: str, *, days: int | None = None) -> str:
        """A new token for `username`; the only time it is ever shown."""
        token = "sl_" + secrets.token_urlsafe(32)
        now = self.clock()
        values = {
            "id": token_hash(token),
            "username": username,
            "label": label[:100],
            "created_at": _stamp(now),
            "expires_at": _stamp(now + timedelta(days=days)) if days else None,
            "revoked_at": None,
        }
        with self.engine.begin() as conn:
            conn.execute(insert(ApiTokenRow).values(**values))
        return token

    def username_for(self, token: str) -> str | None:
        """Whose token this is, if it is neither revoked nor expired."""
        T = ApiTokenRow
        stmt = select(T.username, T.expires_at, T.revoked_at).where(T.id == token_hash(token))
        with self.engine.connect() as conn:
            row = conn.execute(stmt).first()
        if row is None or row.revoked_at is not None:
            return None
        if row.expires_at is not None and row.expires_at < _stamp(self.clock()):
            return None
        return str(row.username)

    def list(self, username: str) -> list[TokenInfo]:
        T = ApiTokenRow
        stmt = select(T).where(T.username == username).order_by(T.created_at, T.id)
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).all()
        return [TokenInfo(r.id[:12], r.label, r.created_at, r.expires_at, r.revoked_at) for r in rows]

    def revoke(self, username: str, token_id: str) -> bool:
        """Revoke one of `username`'s tokens by the start of its id; False when none matches."""
        T = ApiTokenRow
        if len(token_id) < 12:
            return False
        where = (T.username == username, T.id.startswith(token_id, autoescape=True), T.revoked_at.is_(None))
        with self.engine.begin() as conn:
            done = conn.execute(update(T).where(*where).values(revoked_at=_stamp(self.clock())))
        return bool(done.rowcount)
