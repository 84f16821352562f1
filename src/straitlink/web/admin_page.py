"""The admin's pages for accounts and roles: list, add, disable/enable, grant/revoke roles, reset a password.

Every action goes through the account use cases (permission-checked, audited); a refusal or bad input comes back
to the page as one message naming the field and the value, and nothing typed is lost on the add form.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from straitlink.catalog import load_catalog
from straitlink.domain.access import AccountRole, Permission
from straitlink.domain.errors import Forbidden, InvalidValue, NotFound, StraitLinkError
from straitlink.domain.marking import Classification
from straitlink.web import acting_accounts as acts
from straitlink.web.render import page
from straitlink.web.security import Caller, caller, web_state

router = APIRouter(prefix="/admin")
Who = Annotated[Caller, Depends(caller)]
# The peer account is the other side's instance, set up with the exchange keys from the command line.
PEOPLE_ROLES = [r.value for r in AccountRole if r is not AccountRole.PEER]


def _choices(who: Who) -> dict[str, Any]:
    party = who.principal.party
    return {
        "roles": PEOPLE_ROLES,
        "clearances": [c.value for c in Classification],
        "agencies": [a.id for a in load_catalog().agencies if a.party is party],
    }


def _back(username: str, *, notice: str | None = None, error: str | None = None) -> Response:
    query = urlencode({k: v for k, v in (("notice", notice), ("error", error)) if v})
    return RedirectResponse(f"/admin/accounts/{quote(username)}" + (f"?{query}" if query else ""), status_code=303)


@router.get("/accounts", response_class=HTMLResponse)
def accounts_page(request: Request, who: Who) -> Response:
    found = acts.list_accounts(web_state(request).office, who.principal)
    context = {"accounts": found, "values": {}, "error": None, **_choices(who)}
    return page(request, "admin_accounts.html", who, who.lang, context)


@router.post("/accounts", response_class=HTMLResponse)
async def add_account(request: Request, who: Who) -> Response:
    form = await request.form()
    values = {f: str(form.get(f) or "").strip() for f in ("username", "display_name", "agency", "clearance")}
    roles = tuple(str(r) for r in form.getlist("roles"))
    password, again = str(form.get("password") or ""), str(form.get("again") or "")
    office = web_state(request).office
    try:
        if password != again:
            raise InvalidValue("again", "(hidden)", "does not repeat the password")
        given = acts.NewAccount(
            values["username"],
            roles,
            values["agency"] or None,
            values["clearance"] or "restricted",
            values["display_name"] or None,
            password or None,
        )
        acts.add_account(office, who.principal, given)
    except (Forbidden, NotFound):
        raise
    except StraitLinkError as exc:
        # Only an admin gets here (the list refuses anyone else first), so the list is theirs to see again.
        context = {
            "accounts": acts.list_accounts(office, who.principal),
            "values": {**values, "roles": roles},
            "error": exc,
            **_choices(who),
        }
        return page(request, "admin_accounts.html", who, who.lang, context, exc.http_status)
    return _back(values["username"], notice="added")


@router.get("/accounts/{username}", response_class=HTMLResponse)
def account_page(
    request: Request, who: Who, username: str, notice: str | None = None, error: str | None = None
) -> Response:
    office = web_state(request).office
    if not who.principal.may(Permission.ACCOUNTS_MANAGE):
        acts.list_accounts(office, who.principal)  # refused, and the refusal logged, by the use case
    account = acts.show_account(office, who.principal, username)
    context = {
        "account": account,
        "tokens": acts.list_tokens(office, who.principal, username),
        "notice": notice,
        "error": error,
        **_choices(who),
    }
    return page(request, "admin_account.html", who, who.lang, context)


def _act(username: str, done: str, action: Any) -> Response:
    try:
        action()
    except (Forbidden, NotFound):
        raise
    except StraitLinkError as exc:
        return _back(username, error=exc.message)
    return _back(username, notice=done)


@router.post("/accounts/{username}/active")
def set_active(request: Request, who: Who, username: str, active: Annotated[bool, Form()]) -> Response:
    state = web_state(request)

    def run() -> None:
        acts.set_active(state.office, who.principal, username, active)
        if not active:
            state.sessions.close_all(username)

    return _act(username, "enabled" if active else "disabled", run)


@router.post("/accounts/{username}/roles")
def grant_role(request: Request, who: Who, username: str, role: Annotated[str, Form()]) -> Response:
    office = web_state(request).office
    return _act(username, "granted", lambda: acts.grant_role(office, who.principal, username, role))


@router.post("/accounts/{username}/roles/{role}/revoke")
def revoke_role(request: Request, who: Who, username: str, role: str) -> Response:
    office = web_state(request).office
    return _act(username, "revoked", lambda: acts.revoke_role(office, who.principal, username, role))


@router.post("/accounts/{username}/password")
def reset_password(
    request: Request, who: Who, username: str, new: Annotated[str, Form()], again: Annotated[str, Form()]
) -> Response:
    office = web_state(request).office

    def run() -> None:
        if new != again:
            raise InvalidValue("again", "(hidden)", "does not repeat the new password")
        acts.set_password(office, who.principal, username, new)

    return _act(username, "password", run)


@router.post("/accounts/{username}/tokens/{token_id}/revoke")
def revoke_token(request: Request, who: Who, username: str, token_id: str) -> Response:
    office = web_state(request).office
    return _act(username, "token_revoked", lambda: acts.revoke_token(office, who.principal, username, token_id))
