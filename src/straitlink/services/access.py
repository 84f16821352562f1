"""Resolving who acts, and the access log: reads of classified records and every refusal, without the chain lock.

`principal_for` turns an account name into the `Principal` every use case takes. `use_case` logs a use case's
refusals; `log_read` logs an allowed read above `unclassified`. Both write one row of `access_log` on a connection
of their own: reads of a busy office never queue behind each other on the audit chain's head, and a refused use
case's rollback cannot take the log row with it.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Engine, bindparam, insert, select
from sqlalchemy.exc import DBAPIError

from straitlink.audit.entries import timestamp
from straitlink.domain import access
from straitlink.domain.access import AccountRole, Permission, Principal
from straitlink.domain.errors import Forbidden, NotAuthenticated, NotFound
from straitlink.domain.marking import Classification
from straitlink.domain.parties import Party
from straitlink.store import tables as t
from straitlink.store.db import read_only_refusal
from straitlink.store.tables_access import AccessLogRow, AccountRoleRow, AccountRow
from straitlink.store.uow import UnitOfWork

# A list logs the ids it showed above unclassified, up to this many (and how many there were).
LIST_IDS_LOGGED = 1000
_LOG = insert(AccessLogRow.__table__)  # type: ignore[arg-type]


def _units_under() -> Any:
    """An agency (`:agency`) and every unit under it, as one recursive query (UNION, not UNION ALL: a cycle in the
    parent links ends instead of looping)."""
    A = t.AgencyRow
    units = select(A.id).where(A.id == bindparam("agency")).cte("units", recursive=True)
    units = units.union(select(A.id).where(A.parent == units.c.id))
    return select(units.c.id)


# Built once: every web request runs these, and building a statement costs more than SQLite takes to answer it.
_UNITS = _units_under()
_ACCOUNT = (
    select(AccountRow.party, AccountRow.clearance, AccountRow.agency, AccountRow.active, AccountRoleRow.role)
    .outerjoin(AccountRoleRow, AccountRoleRow.username == AccountRow.username)
    .where(AccountRow.username == bindparam("username"))
)


def agency_units(uow: UnitOfWork, agency: str | None) -> frozenset[str]:
    """An agency and every unit under it, following the catalogue's parent links."""
    if agency is None:
        return frozenset()
    return frozenset(uow.session.scalars(_UNITS, {"agency": agency})) | {agency}


def principal_for(engine: Engine, username: str | None) -> Principal:
    """The principal of an active account, or NotAuthenticated naming the account (and logged).

    Every web request loads its principal, so this reads the account, its roles and its agency's units with two
    Core statements on one connection: no ORM session, and nothing kept between calls, so a disabled account or a
    revoked role takes effect on the very next request.
    """
    found: list[Any] = []
    units: frozenset[str] = frozenset()
    if username:
        with engine.connect() as conn:
            found = list(conn.execute(_ACCOUNT, {"username": username}))
            if found and found[0].active and found[0].agency is not None:
                units = frozenset(conn.scalars(_UNITS, {"agency": found[0].agency})) | {found[0].agency}
    if not found or not found[0].active:
        reason = "is not an account here" if not found else "is disabled"
        if not username:
            reason = "is required: name the acting account with --user or STRAITLINK_USER"
        log(engine, username, "authenticate", None, None, "unauthenticated", reason)
        raise NotAuthenticated(username, reason)
    row = found[0]
    return Principal(
        username=username or "",
        party=Party(row.party),
        roles=frozenset(AccountRole(r.role) for r in found if r.role is not None),
        clearance=Classification(row.clearance),
        agency=row.agency,
        agencies=units,
    )


def load_principal(uow: UnitOfWork, row: AccountRow) -> Principal:
    roles = uow.session.scalars(select(AccountRoleRow.role).where(AccountRoleRow.username == row.username))
    return Principal(
        username=row.username,
        party=Party(row.party),
        roles=frozenset(AccountRole(r) for r in roles),
        clearance=Classification(row.clearance),
        agency=row.agency,
        agencies=agency_units(uow, row.agency),
    )


def log(
    engine: Engine,
    username: str | None,
    action: str,
    kind: str | None,
    record_id: str | None,
    outcome: str,
    detail: str | None = None,
) -> None:
    """Append one row to the access log, committed on its own."""
    values = {
        "at": timestamp(),
        "username": username,
        "action": action,
        "record_kind": kind,
        "record_id": record_id,
        "outcome": outcome,
        "detail": detail,
    }
    try:
        with engine.begin() as conn:
            conn.execute(_LOG, values)
    except DBAPIError as exc:
        # A read-only store cannot keep its access log, so the access it would record is refused, in one line.
        refusal = read_only_refusal(exc, engine.url.render_as_string(hide_password=True))
        if refusal is None:
            raise
        raise refusal from None


def refused(engine: Engine, principal: Principal, action: str, exc: NotFound | Forbidden) -> None:
    """Log a refusal: records out of reach as not_found, the rest as forbidden."""
    if isinstance(exc, NotFound):
        log(engine, principal.username, action, exc.kind, exc.record_id, "not_found", exc.message)
    else:
        log(engine, principal.username, action, None, None, "forbidden", exc.message)


F = TypeVar("F", bound=Callable[..., Any])


def use_case(action: str) -> Callable[[F], F]:
    """Mark a use case `(engine_or_desk, ..., *, principal)`: its refusals are logged once its transaction ended.

    Logging after the unit of work has closed matters on SQLite, where a use case holding the writer lock would
    otherwise wait on its own log row.
    """

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def run(first: Any, *args: Any, principal: Principal, **kwargs: Any) -> Any:
            try:
                return fn(first, *args, principal=principal, **kwargs)
            except (NotFound, Forbidden) as exc:
                refused(first if isinstance(first, Engine) else first.engine, principal, action, exc)
                raise

        return run  # type: ignore[return-value]

    return wrap


def log_read(engine: Engine, principal: Principal, kind: str, records: Sequence[Any]) -> None:
    """Log the allowed read of records above unclassified: one row for one record, one row naming them for a list."""
    shown = [r for r in records if r.marking.classification is not Classification.UNCLASSIFIED]
    if not shown:
        return
    if len(records) == 1:
        r = shown[0]
        log(engine, principal.username, "read", kind, r.id, "read", r.marking.classification.value)
        return
    ids = [r.id for r in shown]
    detail = json.dumps({"count": len(ids), "ids": ids[:LIST_IDS_LOGGED]}, separators=(",", ":"))
    log(engine, principal.username, "list", kind, None, "read", detail)


def require(engine: Engine, principal: Principal, permission: Permission, what: str) -> None:
    """The role check every use case makes first; a refusal is logged."""
    try:
        access.require(principal, permission, what)
    except Forbidden as exc:
        refused(engine, principal, what, exc)
        raise


@dataclass(frozen=True)
class AccessEntry:
    """One row of the access log, as `straitlink audit access` shows it."""

    id: int
    at: str
    username: str | None
    action: str
    kind: str | None
    record_id: str | None
    outcome: str
    detail: str | None

    def to_json(self) -> dict[str, Any]:
        return dict(vars(self))


def access_entries(
    engine: Engine, *, record_id: str | None = None, username: str | None = None, limit: int | None = None
) -> list[AccessEntry]:
    """The access log, oldest first, for one record or one account."""
    L = AccessLogRow
    stmt = select(L.id, L.at, L.username, L.action, L.record_kind, L.record_id, L.outcome, L.detail).order_by(L.id)
    if record_id is not None:
        stmt = stmt.where(L.record_id == record_id)
    if username is not None:
        stmt = stmt.where(L.username == username)
    if limit is not None:
        stmt = stmt.limit(limit)
    with engine.connect() as conn:
        return [AccessEntry(*row) for row in conn.execute(stmt)]
