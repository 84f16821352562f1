"""Who is calling: a session cookie (browsers, with a CSRF token on every unsafe request) or a bearer token.

Cookies are HttpOnly and SameSite=Lax (Secure when served over https). The CSRF token is per session and travels
in a hidden form field (`csrf_token`) or in the `X-CSRF-Token` header htmx sends on every request.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from straitlink.domain.errors import StraitLinkError
from straitlink.web.i18n import pick_lang
from straitlink.web.principal import NotAuthenticated, Principal
from straitlink.web.sessions import WebSession
from straitlink.web.state import WebState

SESSION_COOKIE = "sl_session"
LANG_COOKIE = "sl_lang"
LOGIN_CSRF_COOKIE = "sl_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfRejected(StraitLinkError):
    """An unsafe request from a browser session without the session's CSRF token."""

    code = "csrf_rejected"
    http_status = 403

    def __init__(self) -> None:
        super().__init__(f"{CSRF_FIELD}: missing or wrong; reload the page and try again", field=CSRF_FIELD)


@dataclass(frozen=True)
class Caller:
    """The principal acting on this request, how they came in, and the language they read."""

    principal: Principal
    lang: str
    csrf: str | None  # None for a bearer-token client
    session_token: str | None


def web_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def request_lang(request: Request) -> str:
    """The language of a request with no session: the cookie, then Accept-Language."""
    return pick_lang(request.cookies.get(LANG_COOKIE), accept=request.headers.get("accept-language"))


async def _form_token(request: Request) -> str | None:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


async def check_csrf(request: Request, expected: str) -> None:
    """Refuse an unsafe request whose header or form field does not carry `expected`."""
    given = request.headers.get(CSRF_HEADER) or await _form_token(request)
    if not given or not hmac.compare_digest(given, expected):
        raise CsrfRejected()


async def caller(request: Request) -> Caller:
    """The dependency every protected route takes: the caller, or NotAuthenticated."""
    state = web_state(request)
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        username = await run_in_threadpool(state.tokens.username_for, header[7:].strip())
        if username is None:
            raise NotAuthenticated("token", "is unknown, revoked or expired")
        principal = await run_in_threadpool(state.load_principal, username)
        return Caller(principal, request_lang(request), None, None)
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise NotAuthenticated(None, "is not logged in")
    # One trip to the thread pool for the session and its principal: each trip is a hand-over between threads that
    # costs as much as a small query on a busy machine.
    session, principal = await run_in_threadpool(_session_principal, state, token)
    if request.method not in SAFE_METHODS:
        await check_csrf(request, session.csrf)
    return Caller(principal, session.lang, session.csrf, token)


async def signed_in(request: Request) -> Caller | None:
    """The caller of a page by their session, or None (not logged in, session ended, account disabled): for the
    error page, which shows the navigation and speaks the language of whoever is logged in."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token or request.headers.get("authorization"):
        return None
    try:
        session, principal = await run_in_threadpool(_session_principal, web_state(request), token)
    except NotAuthenticated:
        return None
    return Caller(principal, session.lang, session.csrf, token)


def _session_principal(state: WebState, token: str) -> tuple[WebSession, Principal]:
    session = state.sessions.find(token)
    if session is None:
        raise NotAuthenticated(None, "is not logged in")
    try:
        # Loaded afresh on every request, never cached: disabling an account must end its sessions at once.
        return session, state.load_principal(session.username)
    except NotAuthenticated:
        # A disabled or removed account: its sessions end here, whichever request finds out first.
        state.sessions.close_all(session.username)
        raise


def set_cookie(response: Response, request: Request, name: str, value: str, *, max_age: int | None = None) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def login_csrf(request: Request) -> str:
    """The login form's CSRF token (double-submit: a cookie and the form field must agree)."""
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
