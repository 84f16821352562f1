"""Logging in and out: server-side sessions, cookie flags, CSRF on every unsafe request, throttling, API tokens."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from web_helpers import CSRF, PASSWORD, WebApp

from straitlink.store.tables_web import ApiTokenRow, WebSessionRow
from straitlink.web.sessions import TokenStore
from straitlink.web.throttle import LoginThrottle


@pytest.fixture
def web(engine: Engine, tmp_path: Path) -> WebApp:
    app = WebApp(engine, tmp_path / "data", throttle=LoginThrottle("3 per 15 minutes", "6 per 15 minutes"))
    app.accounts.add("liaison")
    app.accounts.add("analyst", roles=("analyst",))
    return app


def login_form(client: TestClient) -> str:
    found = CSRF.search(client.get("/login").text)
    assert found is not None
    return found.group(1)


def test_pages_and_the_api_ask_who_is_calling(web: WebApp) -> None:
    client = web.anonymous()
    page = client.get("/requests?box=inbox")
    assert page.status_code == 303 and page.headers["location"] == "/login?next=/requests%3Fbox%3Dinbox"
    api = client.get("/api/v1/cases")
    assert api.status_code == 401 and api.json()["code"] == "not_authenticated"


def test_login_sets_an_httponly_samesite_session_cookie_and_stores_only_its_hash(web: WebApp, engine: Engine) -> None:
    client = web.anonymous()
    done = client.post("/login", data={"username": "liaison", "password": PASSWORD, "csrf_token": login_form(client)})
    assert done.status_code == 303 and done.headers["location"] == "/"
    cookie = next(h for h in done.headers.get_list("set-cookie") if h.startswith("sl_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    with engine.connect() as conn:
        stored = conn.execute(select(WebSessionRow.id, WebSessionRow.username)).all()
    assert [row.username for row in stored] == ["liaison"] and stored[0].id != token and token not in stored[0].id
    assert client.get("/").status_code == 200


def test_login_needs_the_forms_csrf_token(web: WebApp) -> None:
    client = web.anonymous()
    login_form(client)
    refused = client.post("/login", data={"username": "liaison", "password": PASSWORD, "csrf_token": "forged"})
    assert refused.status_code == 403 and "sl_session" not in refused.cookies


def test_wrong_password_is_refused_and_throttled_per_account(web: WebApp) -> None:
    client = web.anonymous()
    for _ in range(3):
        wrong = client.post(
            "/login", data={"username": "liaison", "password": "nope", "csrf_token": login_form(client)}
        )
        assert wrong.status_code == 401
    # The fourth try is refused before the password is even looked at, right or wrong.
    blocked = client.post(
        "/login", data={"username": "liaison", "password": PASSWORD, "csrf_token": login_form(client)}
    )
    assert blocked.status_code == 429 and "sl_session" not in blocked.cookies
    other = client.post("/login", data={"username": "analyst", "password": PASSWORD, "csrf_token": login_form(client)})
    assert other.status_code == 303


def test_login_is_throttled_per_address_across_accounts(web: WebApp) -> None:
    client = web.anonymous()
    for i in range(6):
        client.post("/login", data={"username": f"guess{i}", "password": "x", "csrf_token": login_form(client)})
    blocked = client.post(
        "/login", data={"username": "analyst", "password": PASSWORD, "csrf_token": login_form(client)}
    )
    assert blocked.status_code == 429


def test_unsafe_requests_need_the_sessions_csrf_token(web: WebApp) -> None:
    client = web.login("liaison")
    token = client.headers.pop("X-CSRF-Token")
    refused = client.post("/api/v1/seizures", json={})
    assert refused.status_code == 403 and refused.json() == {
        "code": "csrf_rejected",
        "message": "csrf_token: missing or wrong; reload the page and try again",
        "field": "csrf_token",
        "value": None,
    }
    assert client.post("/logout").status_code == 403
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303


def test_logout_ends_the_session_on_the_server(web: WebApp) -> None:
    client = web.login("liaison")
    session = client.cookies["sl_session"]
    assert client.post("/logout").status_code == 303
    replay = web.anonymous()
    replay.cookies.set("sl_session", session)
    assert replay.get("/api/v1/me").status_code == 401


def test_disabling_an_account_ends_its_sessions(web: WebApp, engine: Engine) -> None:
    client = web.login("liaison")
    assert client.get("/api/v1/me").status_code == 200
    web.accounts.disable("liaison")
    assert client.get("/api/v1/me").status_code == 401
    with engine.connect() as conn:
        assert conn.execute(select(WebSessionRow.id)).all() == []


def test_next_never_leaves_the_site(web: WebApp) -> None:
    client = web.anonymous()
    data = {"username": "liaison", "password": PASSWORD, "csrf_token": login_form(client), "next": "//evil.example/x"}
    assert client.post("/login", data=data).headers["location"] == "/"


def test_api_tokens_act_without_cookies_or_csrf_and_can_be_revoked(web: WebApp, engine: Engine) -> None:
    tokens = TokenStore(engine)
    token = tokens.issue("analyst", "nightly export", days=30)
    client = web.anonymous()
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=bearer).json()["username"] == "analyst"
    created = client.post("/api/v1/documents", headers=bearer, json={"title": "公報", "publisher": "法務部"})
    assert created.status_code == 201, created.text
    with engine.connect() as conn:
        assert token_hash_stored(conn, token)
    info = tokens.list("analyst")[0]
    assert tokens.revoke("analyst", info.id)
    assert client.get("/api/v1/me", headers=bearer).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer sl_made-up"}).status_code == 401


def token_hash_stored(conn: object, token: str) -> bool:
    rows = conn.execute(select(ApiTokenRow.id)).scalars().all()  # type: ignore[attr-defined]
    return len(rows) == 1 and rows[0] != token and len(rows[0]) == 64


def test_a_token_made_on_the_account_page_is_shown_once_and_revoked_there(web: WebApp) -> None:
    client = web.login("analyst")
    made = client.post("/account/tokens", data={"label": "nightly export", "days": "30"})
    assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
    found = re.search(r'<code id="new-token">(sl_[^<]+)</code>', made.text)
    assert found is not None
    bearer = {"Authorization": f"Bearer {found.group(1)}"}
    assert web.anonymous().get("/api/v1/me", headers=bearer).status_code == 200
    page = client.get("/account")
    assert found.group(1) not in page.text and "nightly export" in page.text
    revoke = re.search(r'action="(/account/tokens/[0-9a-f]+/revoke)"', page.text)
    assert revoke is not None
    assert client.post(revoke.group(1)).status_code == 303
    assert web.anonymous().get("/api/v1/me", headers=bearer).status_code == 401
    assert client.post("/account/tokens", data={"label": "x", "days": "9999"}).status_code == 422


def test_changing_ones_password_needs_the_current_one(web: WebApp) -> None:
    client = web.login("analyst")
    wrong = client.post(
        "/account/password", data={"current": "nope", "new": "a new secret 123", "again": "a new secret 123"}
    )
    assert wrong.status_code == 422 and "current" in wrong.text
    mismatch = client.post("/account/password", data={"current": PASSWORD, "new": "a new secret 123", "again": "other"})
    assert mismatch.status_code == 422
    done = client.post(
        "/account/password", data={"current": PASSWORD, "new": "a new secret 123", "again": "a new secret 123"}
    )
    assert done.status_code == 200 and 'role="status"' in done.text
    fresh = web.anonymous()
    form = CSRF.search(fresh.get("/login").text)
    assert form is not None
    data = {"username": "analyst", "password": "a new secret 123", "csrf_token": form.group(1)}
    assert fresh.post("/login", data=data).status_code == 303
