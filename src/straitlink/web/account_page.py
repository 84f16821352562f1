"""The account page: who I am, and my API tokens (create one, shown once; revoke one)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from straitlink.domain.errors import InvalidValue, NotAuthenticated
from straitlink.services import accounts
from straitlink.web import acting_accounts as acts
from straitlink.web.render import page
from straitlink.web.security import Caller, caller, client_address, web_state

router = APIRouter()
Who = Annotated[Caller, Depends(caller)]


def _account(
    request: Request, who: Who, new_token: str | None = None, *, changed: bool = False, status: int = 200
) -> Response:
    tokens = acts.list_tokens(web_state(request).office, who.principal, who.principal.username)
    context = {"tokens": tokens, "new_token": new_token, "password_changed": changed}
    return page(request, "account.html", who, who.lang, context, status)


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, who: Who) -> Response:
    return _account(request, who)


@router.post("/account/tokens", response_class=HTMLResponse)
def create_token(
    request: Request, who: Who, label: Annotated[str, Form()], days: Annotated[int, Form()] = 90
) -> Response:
    """A new API token, shown on this page once and never again (issued and audited by the token use case)."""
    token, _ = acts.issue_token(web_state(request).office, who.principal, who.principal.username, label, days)
    response = _account(request, who, token)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, who: Who, token_id: str) -> Response:
    acts.revoke_token(web_state(request).office, who.principal, who.principal.username, token_id)
    return RedirectResponse("/account", status_code=303)


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    who: Who,
    current: Annotated[str, Form()],
    new: Annotated[str, Form()],
    again: Annotated[str, Form()],
) -> Response:
    """Change one's own password: the current one first (throttled like a login), then the new one twice."""
    state = web_state(request)
    username = who.principal.username
    address = client_address(request)
    state.throttle.check(username, address)
    try:
        state.authenticate(username, current)
    except NotAuthenticated:
        state.throttle.failed(username, address)
        raise InvalidValue("current", "(hidden)", "is not this account's password") from None
    if new != again:
        raise InvalidValue("again", "(hidden)", "does not repeat the new password")
    accounts.set_password(state.office.engine, username, new, principal=who.principal)
    return _account(request, who, changed=True)
