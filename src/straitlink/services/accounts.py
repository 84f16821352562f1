"""Use cases of accounts: add, list, show, enable/disable, set a password, grant and revoke roles, authenticate.

Passwords are hashed with argon2id (argon2-cffi); neither a password nor its hash is ever printed, logged or put
in an audit entry: the audit diff says only whether a password is set.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, func, select

from straitlink.audit import log as audit
from straitlink.audit.entries import AuditAction, Change, diff, timestamp
from straitlink.domain.access import AccountRole, Permission, Principal
from straitlink.domain.accounts import Account, check_password
from straitlink.domain.errors import Conflict, NotAuthenticated, NotFound, UnknownReference
from straitlink.domain.marking import Classification
from straitlink.domain.parties import Party
from straitlink.services.access import load_principal, log, require, use_case
from straitlink.store import tables as t
from straitlink.store.tables_access import AccountRoleRow, AccountRow
from straitlink.store.uow import UnitOfWork

_HASHER = PasswordHasher()
# Verifying against this when the account does not exist keeps a failed login as slow as a wrong password.
_DUMMY_HASH = _HASHER.hash("not-a-password-of-anyone")


def _load(uow: UnitOfWork, username: str) -> tuple[AccountRow, Account]:
    row = uow.session.get(AccountRow, username)
    if row is None:
        raise NotFound("account", username)
    roles = uow.session.scalars(select(AccountRoleRow.role).where(AccountRoleRow.username == username))
    account = Account(
        username=row.username,
        party=Party(row.party),
        roles=frozenset(AccountRole(r) for r in roles),
        agency=row.agency,
        clearance=Classification(row.clearance),
        display_name=row.display_name,
        active=row.active,
        version=row.version,
    )
    return row, account


def _audit_json(account: Account, password_set: bool) -> dict[str, Any]:
    return {**account.to_json(), "password_set": password_set}


def _check_agency(uow: UnitOfWork, account: Account) -> None:
    if account.agency is None:
        return
    row = uow.session.get(t.AgencyRow, account.agency)
    if row is None:
        raise UnknownReference("agency", account.agency, "agency")
    if row.party != account.party.value:
        raise UnknownReference("agency", account.agency, f"agency of {account.party.value}")


def _store(
    uow: UnitOfWork, account: Account, row: AccountRow | None, password_hash: str | None, *, keep_password: bool
) -> AccountRow:
    now = timestamp()
    if row is None:
        row = AccountRow(username=account.username, created_at=now, version=0)
        uow.session.add(row)
    row.display_name, row.party, row.agency = account.display_name, account.party.value, account.agency
    row.clearance, row.active, row.changed_at = account.clearance.value, account.active, now
    if not keep_password:
        row.password_hash = password_hash
    row.version = account.version
    uow.session.execute(delete(AccountRoleRow).where(AccountRoleRow.username == account.username))
    uow.flush()
    uow.session.add_all(AccountRoleRow(username=account.username, role=r.value) for r in sorted(account.roles))
    return row


def hash_password(password: str) -> str:
    return _HASHER.hash(check_password(password))


def create_account(uow: UnitOfWork, account: Account, password: str | None, *, own_party: Party, actor: str) -> None:
    """Store a new account with its audit entry in the caller's unit of work (used by set-up and by `add_account`)."""
    account.check_party(own_party)
    if uow.session.get(AccountRow, account.username) is not None:
        raise Conflict(
            f"username: account {account.username!r} already exists", field="username", value=account.username
        )
    _check_agency(uow, account)
    password_hash = hash_password(password) if password is not None else None
    head = audit.lock(uow)
    _store(uow, account, None, password_hash, keep_password=False)
    change = Change(
        actor, AuditAction.CREATE, "account", account.username, diff(None, _audit_json(account, password is not None))
    )
    audit.append(uow, head, [change])


@use_case("accounts.add")
def add_account(
    engine: Engine, account: Account, password: str | None, *, principal: Principal, own_party: Party
) -> Account:
    """Add an account (admins only); without a password it can act through the CLI but not log in to the web."""
    require(engine, principal, Permission.ACCOUNTS_MANAGE, "add accounts")
    with UnitOfWork(engine) as uow:
        create_account(uow, account, password, own_party=own_party, actor=principal.username)
        uow.commit()
    return account


@use_case("accounts.list")
def list_accounts(engine: Engine, *, principal: Principal) -> list[Account]:
    require(engine, principal, Permission.ACCOUNTS_MANAGE, "list accounts")
    with UnitOfWork(engine) as uow:
        names = uow.session.scalars(select(AccountRow.username).order_by(AccountRow.username))
        return [_load(uow, n)[1] for n in list(names)]


@use_case("accounts.show")
def show_account(engine: Engine, username: str, *, principal: Principal) -> Account:
    """One account; everyone may see their own, admins every account."""
    if username != principal.username:
        require(engine, principal, Permission.ACCOUNTS_MANAGE, "see other accounts")
    with UnitOfWork(engine) as uow:
        return _load(uow, username)[1]


def _change(
    engine: Engine,
    username: str,
    actor: str,
    change: Any,
    *,
    password: str | None = None,
    own_party: Party | None = None,
) -> Account:
    with UnitOfWork(engine) as uow:
        row, before = _load(uow, username)
        after = dataclasses.replace(change(before), version=before.version + 1)
        if own_party is not None:
            after.check_party(own_party)
        _check_agency(uow, after)
        had_password = row.password_hash is not None
        head = audit.lock(uow)
        _store(
            uow, after, row, hash_password(password) if password is not None else None, keep_password=password is None
        )
        delta = diff(_audit_json(before, had_password), _audit_json(after, had_password or password is not None))
        if password is not None:
            delta["password_changed_at"] = [None, row.changed_at]
        audit.append(uow, head, [Change(actor, AuditAction.UPDATE, "account", username, delta)])
        uow.commit()
        return after


@use_case("accounts.enable")
def set_active(engine: Engine, username: str, active: bool, *, principal: Principal) -> Account:
    """Enable or disable an account (a disabled one is refused everywhere, its web sessions end)."""
    require(engine, principal, Permission.ACCOUNTS_MANAGE, "enable or disable accounts")
    if not active and username == principal.username:
        raise Conflict("username: an admin cannot disable their own account", field="username", value=username)
    return _change(engine, username, principal.username, lambda a: dataclasses.replace(a, active=active))


@use_case("accounts.passwd")
def set_password(engine: Engine, username: str, password: str, *, principal: Principal) -> Account:
    """Set an account's password: one's own, or anyone's for an admin."""
    if username != principal.username:
        require(engine, principal, Permission.ACCOUNTS_MANAGE, "set other accounts' passwords")
    return _change(engine, username, principal.username, lambda a: a, password=password)


@use_case("accounts.grant")
def grant_role(engine: Engine, username: str, role: AccountRole, *, principal: Principal, own_party: Party) -> Account:
    require(engine, principal, Permission.ACCOUNTS_MANAGE, "grant roles")
    return _change(
        engine,
        username,
        principal.username,
        lambda a: dataclasses.replace(a, roles=a.roles | {role}),
        own_party=own_party,
    )


@use_case("accounts.revoke")
def revoke_role(engine: Engine, username: str, role: AccountRole, *, principal: Principal) -> Account:
    require(engine, principal, Permission.ACCOUNTS_MANAGE, "revoke roles")
    if role is AccountRole.ADMIN and username == principal.username:
        raise Conflict("role: an admin cannot revoke their own admin role", field="role", value=role.value)
    return _change(engine, username, principal.username, lambda a: dataclasses.replace(a, roles=a.roles - {role}))


def authenticate(engine: Engine, username: str, password: str) -> Principal:
    """The principal of an active account whose password matches; every failure is logged and says the same."""
    with UnitOfWork(engine) as uow:
        row = uow.session.get(AccountRow, username)
        stored = row.password_hash if row is not None and row.active else None
        try:
            _HASHER.verify(stored or _DUMMY_HASH, password)
            ok = stored is not None
        except (VerificationError, InvalidHashError):
            ok = False
        if ok and row is not None:
            return load_principal(uow, row)
    log(engine, username, "login", None, None, "unauthenticated", "wrong username or password")
    raise NotAuthenticated(username, "and this password do not match an active account")


def count_accounts(engine: Engine, *, role: AccountRole | None = None) -> int:
    """How many accounts exist (with `role`): set-up asks this before any principal exists."""
    with UnitOfWork(engine) as uow:
        stmt = select(func.count()).select_from(AccountRow)
        if role is not None:
            stmt = select(func.count()).select_from(AccountRoleRow).where(AccountRoleRow.role == role.value)
        return int(uow.session.scalar(stmt) or 0)
