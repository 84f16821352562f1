"""The account page: who I am, and my API tokens (create one, shown once; revoke one)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from straitlink.domain.errors import InvalidValue
from straitlink.web.render import page
from straitlink.web.security import Caller, caller, web_state

router = APIRouter()
Who = Annotated[Caller, Depends(caller)]
MAX_TOKEN_DAYS = 366


def _account(request: Request, who: Who, new_token: str | None = None, status: int = 200) -> Response:
    tokens = web_state(request).tokens.list(who.principal.username)
    return page(request, "account.html", who, who.lang, {"tokens": tokens, "new_token": new_token}, status)


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, who: Who) -> Response:
    return _account(request, who)


@router.post("/account/tokens", response_class=HTMLResponse)
def create_token(
    request: Request, who: Who, label: Annotated[str, Form()], days: Annotated[int, Form()] = 90
) -> Response:
    """A new API token, shown on this page once and never again."""
    if not label.strip():
        raise InvalidValue("label", label, "name what the token is for")
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise InvalidValue("days", days, f"between 1 and {MAX_TOKEN_DAYS}")
    token = web_state(request).tokens.issue(who.principal.username, label.strip(), days=days)
    response = _account(request, who, token)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, who: Who, token_id: str) -> Response:
    web_state(request).tokens.revoke(who.principal.username, token_id)
    return RedirectResponse("/account", status_code=303)
