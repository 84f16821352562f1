"""`/api/v1/accounts`: accounts and roles (admins), passwords and API tokens (one's own, or any for an admin)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from straitlink.domain.accounts import Account
from straitlink.services.web_sessions import TokenInfo
from straitlink.web import acting_accounts as acts
from straitlink.web.api import ERRORS
from straitlink.web.security import Caller, caller, web_state

router = APIRouter(prefix="/api/v1/accounts", responses=ERRORS, tags=["accounts"])
Who = Annotated[Caller, Depends(caller)]


class AccountIn(BaseModel):
    """A new account of this instance's side, as `straitlink user add` takes it."""

    username: str = Field(description="Letters, digits, . _ -")
    roles: list[str] = Field(description="admin|liaison_officer|prosecutor|investigator|analyst|viewer")
    agency: str | None = Field(None, description="The account's agency, by id or name (高雄地檢署)")
    clearance: str = Field("restricted", description="unclassified|restricted|confidential|secret")
    display_name: str | None = None
    password: str | None = Field(None, description="At least 10 characters; none: no web login")


class RoleIn(BaseModel):
    role: str


class PasswordIn(BaseModel):
    password: str


class TokenIn(BaseModel):
    label: str = Field(description="What the token is for")
    days: int | None = Field(90, description="Days until it expires (1-366)")


def _token(t: TokenInfo) -> dict[str, Any]:
    return {
        "id": t.id,
        "label": t.label,
        "created_at": t.created_at,
        "expires_at": t.expires_at,
        "revoked_at": t.revoked_at,
    }


def _account(a: Account) -> dict[str, Any]:
    return a.to_json()


@router.get("", summary="Every account with its roles, agency and clearance (admins)")
def list_accounts(request: Request, who: Who) -> list[dict[str, Any]]:
    return [_account(a) for a in acts.list_accounts(web_state(request).office, who.principal)]


@router.post("", status_code=201, summary="Add an account (admins)")
def add_account(request: Request, who: Who, body: AccountIn) -> dict[str, Any]:
    given = acts.NewAccount(
        body.username, tuple(body.roles), body.agency, body.clearance, body.display_name, body.password
    )
    return _account(acts.add_account(web_state(request).office, who.principal, given))


@router.get("/{username}", summary="One account (one's own, or any for an admin)")
def show_account(request: Request, who: Who, username: str) -> dict[str, Any]:
    return _account(acts.show_account(web_state(request).office, who.principal, username))


@router.post("/{username}/disable", summary="Disable an account: refused everywhere, its sessions end (admins)")
def disable(request: Request, who: Who, username: str) -> dict[str, Any]:
    state = web_state(request)
    done = acts.set_active(state.office, who.principal, username, False)
    state.sessions.close_all(username)
    return _account(done)


@router.post("/{username}/enable", summary="Enable a disabled account (admins)")
def enable(request: Request, who: Who, username: str) -> dict[str, Any]:
    return _account(acts.set_active(web_state(request).office, who.principal, username, True))


@router.post("/{username}/roles", summary="Grant a role (admins)")
def grant(request: Request, who: Who, username: str, body: RoleIn) -> dict[str, Any]:
    return _account(acts.grant_role(web_state(request).office, who.principal, username, body.role))


@router.delete("/{username}/roles/{role}", summary="Revoke a role (admins)")
def revoke(request: Request, who: Who, username: str, role: str) -> dict[str, Any]:
    return _account(acts.revoke_role(web_state(request).office, who.principal, username, role))


@router.put("/{username}/password", status_code=204, summary="Set a password (one's own, or any for an admin)")
def set_password(request: Request, who: Who, username: str, body: PasswordIn) -> Response:
    acts.set_password(web_state(request).office, who.principal, username, body.password)
    return Response(status_code=204)


@router.get("/{username}/tokens", summary="An account's API tokens (never the tokens themselves)")
def list_tokens(request: Request, who: Who, username: str) -> list[dict[str, Any]]:
    return [_token(t) for t in acts.list_tokens(web_state(request).office, who.principal, username)]


@router.post("/{username}/tokens", status_code=201, summary="Issue an API token: the answer is the only time it shows")
def issue_token(request: Request, who: Who, username: str, body: TokenIn, response: Response) -> dict[str, Any]:
    secret, info = acts.issue_token(web_state(request).office, who.principal, username, body.label, body.days)
    response.headers["Cache-Control"] = "no-store"
    return {**_token(info), "token": secret}


@router.delete("/{username}/tokens/{token_id}", summary="Revoke an API token by its id")
def revoke_token(request: Request, who: Who, username: str, token_id: str) -> dict[str, Any]:
    return _token(acts.revoke_token(web_state(request).office, who.principal, username, token_id))
