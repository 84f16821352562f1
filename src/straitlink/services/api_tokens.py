"""Use cases of API tokens: issue one (shown once), list an account's tokens, revoke one; each change audited.

A token is its own account's, or any account's for an admin (a service account's token is issued by an admin from
the command line). The audit entry names the token by the first 12 hex digits of its hash, never the token itself.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, insert, select, update

from straitlink.audit import log as audit
from straitlink.audit.entries import AuditAction, Change, diff
from straitlink.domain.access import Permission, Principal
from straitlink.domain.errors import InvalidValue, NotFound
from straitlink.services.access import require, use_case
from straitlink.services.web_sessions import TokenInfo, token_hash
from straitlink.store.tables_access import AccountRow
from straitlink.store.tables_web import ApiTokenRow
from straitlink.store.uow import UnitOfWork

MAX_TOKEN_DAYS = 366
TOKEN_ID_LENGTH = 12


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _may_manage(engine: Engine, principal: Principal, username: str, what: str) -> None:
    if username != principal.username:
        require(engine, principal, Permission.ACCOUNTS_MANAGE, what)


def check_label(label: str) -> str:
    """A token's label: what it is for, 1 to 100 characters."""
    text = label.strip()
    if not text or len(text) > 100 or any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise InvalidValue("label", label, "name what the token is for, in 1 to 100 characters, no control characters")
    return text


def check_days(days: int | None) -> int | None:
    if days is not None and not 1 <= days <= MAX_TOKEN_DAYS:
        raise InvalidValue("days", days, f"between 1 and {MAX_TOKEN_DAYS}")
    return days


@use_case("tokens.issue")
def issue_token(
    engine: Engine, username: str, label: str, *, days: int | None, principal: Principal, now: datetime | None = None
) -> tuple[str, TokenInfo]:
    """A new bearer token for `username` (one's own, or any account's for an admin); the only time it is shown."""
    _may_manage(engine, principal, username, "issue tokens for other accounts")
    text, days = check_label(label), check_days(days)
    token = "sl_" + secrets.token_urlsafe(32)
    moment = now or datetime.now(UTC)
    info = TokenInfo(
        token_hash(token)[:TOKEN_ID_LENGTH],
        text,
        _stamp(moment),
        _stamp(moment + timedelta(days=days)) if days else None,
        None,
    )
    with UnitOfWork(engine) as uow:
        if uow.session.get(AccountRow, username) is None:
            raise NotFound("account", username)
        head = audit.lock(uow)
        values = {"id": token_hash(token), "username": username, "label": text}
        uow.connection.execute(
            insert(ApiTokenRow).values(**values, created_at=info.created_at, expires_at=info.expires_at)
        )
        shown = {"username": username, "label": text, "expires_at": info.expires_at}
        change = Change(principal.username, AuditAction.CREATE, "api_token", info.id, diff(None, shown))
        audit.append(uow, head, [change])
        uow.commit()
    return token, info


@use_case("tokens.list")
def list_tokens(engine: Engine, username: str, *, principal: Principal) -> list[TokenInfo]:
    """An account's tokens, oldest first, revoked and expired ones included (never the tokens themselves)."""
    _may_manage(engine, principal, username, "see other accounts' tokens")
    T = ApiTokenRow
    with UnitOfWork(engine) as uow:
        rows = uow.connection.execute(select(T).where(T.username == username).order_by(T.created_at, T.id)).all()
    return [TokenInfo(r.id[:TOKEN_ID_LENGTH], r.label, r.created_at, r.expires_at, r.revoked_at) for r in rows]


@use_case("tokens.revoke")
def revoke_token(
    engine: Engine, username: str, token_id: str, *, principal: Principal, now: datetime | None = None
) -> TokenInfo:
    """Revoke one of `username`'s tokens by its id (the 12 hex digits lists show); NotFound when none is live."""
    _may_manage(engine, principal, username, "revoke other accounts' tokens")
    T = ApiTokenRow
    given = token_id.strip().lower()
    if len(given) != TOKEN_ID_LENGTH or any(c not in "0123456789abcdef" for c in given):
        raise InvalidValue("token", token_id, f"the {TOKEN_ID_LENGTH} characters the token list shows")
    stamp = _stamp(now or datetime.now(UTC))
    where = (T.username == username, T.id.startswith(given, autoescape=True), T.revoked_at.is_(None))
    with UnitOfWork(engine) as uow:
        head = audit.lock(uow)
        row = uow.connection.execute(select(T).where(*where)).first()
        if row is None:
            raise NotFound("token", token_id)
        uow.connection.execute(update(T).where(T.id == row.id).values(revoked_at=stamp))
        change = Change(principal.username, AuditAction.UPDATE, "api_token", given, {"revoked_at": [None, stamp]})
        audit.append(uow, head, [change])
        uow.commit()
    return TokenInfo(given, row.label, row.created_at, row.expires_at, stamp)
