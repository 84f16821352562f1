"""The web app's door into the account and token use cases: each acts as the logged-in principal.

Beside `acting.py` (records, requests, statistics) so that each stays small; the use cases check the principal's
permission (admins manage every account; anyone their own password and tokens) and audit every change.
"""

from __future__ import annotations

from dataclasses import dataclass

from straitlink.catalog import load_catalog
from straitlink.domain.access import AccountRole, Principal, check_username
from straitlink.domain.accounts import Account
from straitlink.domain.errors import InvalidValue
from straitlink.domain.marking import Classification
from straitlink.domain.parties import Party
from straitlink.services import accounts, api_tokens
from straitlink.services.web_sessions import TokenInfo
from straitlink.web.acting import Office


@dataclass(frozen=True)
class NewAccount:
    """What the admin gives for a new account, as typed; checked when it becomes an `Account`."""

    username: str
    roles: tuple[str, ...]
    agency: str | None = None
    clearance: str = "restricted"
    display_name: str | None = None
    password: str | None = None


def role_named(value: str) -> AccountRole:
    try:
        return AccountRole(value.strip().lower())
    except ValueError:
        raise InvalidValue("role", value, "one of " + "|".join(r.value for r in AccountRole)) from None


def clearance_named(value: str) -> Classification:
    try:
        return Classification(value.strip().lower())
    except ValueError:
        raise InvalidValue("clearance", value, "one of " + "|".join(c.value for c in Classification)) from None


def list_accounts(office: Office, principal: Principal) -> list[Account]:
    return accounts.list_accounts(office.engine, principal=principal)


def show_account(office: Office, principal: Principal, username: str) -> Account:
    username = check_username(username)  # a name from a URL or form: refused before a query holds it
    return accounts.show_account(office.engine, username, principal=principal)


def add_account(office: Office, principal: Principal, given: NewAccount) -> Account:
    """A new account of this instance's side (the peer account, the other side's, stays a CLI matter)."""
    roles = frozenset(role_named(r) for r in given.roles)
    own: Party = office.desk.party
    party = own.other if AccountRole.PEER in roles else own
    agency = load_catalog().find_agency(given.agency, field="agency").id if given.agency else None
    account = Account(
        username=given.username.strip(),
        party=party,
        roles=roles,
        agency=agency,
        clearance=clearance_named(given.clearance),
        display_name=(given.display_name or "").strip() or None,
    )
    return accounts.add_account(office.engine, account, given.password, principal=principal, own_party=own)


def set_active(office: Office, principal: Principal, username: str, active: bool) -> Account:
    username = check_username(username)  # a name from a URL or form: refused before a query holds it
    return accounts.set_active(office.engine, username, active, principal=principal)


def grant_role(office: Office, principal: Principal, username: str, role: str) -> Account:
    username = check_username(username)  # a name from a URL or form: refused before a query holds it
    return accounts.grant_role(
        office.engine, username, role_named(role), principal=principal, own_party=office.desk.party
    )


def revoke_role(office: Office, principal: Principal, username: str, role: str) -> Account:
    username = check_username(username)  # a name from a URL or form: refused before a query holds it
    return accounts.revoke_role(office.engine, username, role_named(role), principal=principal)


def set_password(office: Office, principal: Principal, username: str, password: str) -> Account:
    username = check_username(username)  # a name from a URL or form: refused before a query holds it
    return accounts.set_password(office.engine, username, password, principal=principal)


def issue_token(
    office: Office, principal: Principal, username: str, label: str, days: int | None
) -> tuple[str, TokenInfo]:
    username = check_username(username)  # a name from a URL or form: refused before a query holds it
    return api_tokens.issue_token(office.engine, username, label, days=days, principal=principal)


def list_tokens(office: Office, principal: Principal, username: str) -> list[TokenInfo]:
    username = check_username(username)  # a name from a URL or form: refused before a query holds it
    return api_tokens.list_tokens(office.engine, username, principal=principal)


def revoke_token(office: Office, principal: Principal, username: str, token_id: str) -> TokenInfo:
    username = check_username(username)  # a name from a URL or form: refused before a query holds it
    return api_tokens.revoke_token(office.engine, username, token_id, principal=principal)
