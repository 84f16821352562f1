"""Accounts in the browser and the API: the admin's page (list, add, disable/enable, grant/revoke, reset a
password), `/api/v1/accounts`, and tokens issued through the API; every change audited, everyone else refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from web_helpers import CSRF, PASSWORD, WebApp

from straitlink.audit import log as audit_log
from straitlink.audit.verify import verify_stored
from straitlink.store.uow import UnitOfWork


@pytest.fixture
def web(engine: Engine, tmp_path: Path) -> WebApp:
    app = WebApp(engine, tmp_path / "data")
    app.accounts.add("boss", roles=("admin",), agency=None)
    app.accounts.add("liaison")
    return app


def audited(engine: Engine, record: str) -> list[str]:
    with UnitOfWork(engine) as uow:
        return [e.action for e in audit_log.entries(uow, record_id=record)]


def test_an_admin_adds_an_account_on_the_page_and_it_logs_in(web: WebApp, engine: Engine) -> None:
    admin = web.login("boss")
    listing = admin.get("/admin/accounts")
    assert listing.status_code == 200 and "liaison" in listing.text and "法務部" in listing.text
    form = {
        "username": "chen",
        "display_name": "陳偵查員",
        "roles": ["investigator"],
        "agency": "cib",
        "clearance": "confidential",
        "password": PASSWORD,
        "again": PASSWORD,
    }
    done = admin.post("/admin/accounts", data=form)
    assert done.status_code == 303 and done.headers["location"] == "/admin/accounts/chen?notice=added"
    page = admin.get(done.headers["location"])
    assert "已新增帳號" in page.text and "刑事警察局" in page.text and "機密" in page.text
    assert "cib" not in page.text.replace('value="cib"', "")  # the agency's name, never its id
    assert web.login("chen").get("/api/v1/me").json()["roles"] == ["investigator"]
    assert audited(engine, "chen") == ["create"]


def test_bad_input_on_the_add_form_names_the_field_and_keeps_what_was_typed(web: WebApp) -> None:
    admin = web.login("boss")
    form = {"username": "chen", "display_name": "陳偵查員", "roles": ["investigator"], "password": "x", "again": "y"}
    page = admin.post("/admin/accounts", data=form)
    assert page.status_code == 422 and "再輸入一次密碼：" in page.text and 'value="陳偵查員"' in page.text
    page = admin.post("/admin/accounts", data={**form, "password": "", "again": ""})
    assert page.status_code == 422 and "機關：" in page.text  # a person acting on records belongs to an agency
    assert admin.get("/api/v1/accounts/chen").status_code == 404


def test_disable_ends_sessions_enable_roles_and_password_reset(web: WebApp, engine: Engine) -> None:
    admin, officer = web.login("boss"), web.login("liaison")
    assert officer.get("/").status_code == 200
    done = admin.post("/admin/accounts/liaison/active", data={"active": "false"})
    assert done.headers["location"] == "/admin/accounts/liaison?notice=disabled"
    assert "已停用" in admin.get(done.headers["location"]).text
    assert officer.get("/api/v1/me").status_code == 401
    assert admin.post("/admin/accounts/liaison/active", data={"active": "true"}).status_code == 303
    assert admin.post("/admin/accounts/liaison/roles", data={"role": "analyst"}).status_code == 303
    assert admin.get("/api/v1/accounts/liaison").json()["roles"] == ["analyst", "liaison_officer"]
    assert admin.post("/admin/accounts/liaison/roles/analyst/revoke").status_code == 303
    assert admin.get("/api/v1/accounts/liaison").json()["roles"] == ["liaison_officer"]
    new = "a brand new password"
    done = admin.post("/admin/accounts/liaison/password", data={"new": new, "again": new})
    assert done.headers["location"].endswith("notice=password")
    client = web.anonymous()
    token = CSRF.search(client.get("/login").text)
    assert token is not None
    login = client.post("/login", data={"username": "liaison", "password": new, "csrf_token": token.group(1)})
    assert login.status_code == 303
    # The admin's own account: refused with the reason on the page, nothing changed.
    done = admin.post("/admin/accounts/boss/roles/admin/revoke")
    assert "error=" in done.headers["location"]
    assert "cannot revoke their own admin role" in admin.get(done.headers["location"]).text
    assert audited(engine, "liaison") == ["create", "update", "update", "update", "update", "update"]
    assert verify_stored(engine).ok


def test_only_an_admin_reaches_the_pages(web: WebApp) -> None:
    officer = web.login("liaison")
    assert officer.get("/admin/accounts").status_code == 403
    assert officer.get("/admin/accounts/liaison").status_code == 403
    assert officer.post("/admin/accounts/boss/active", data={"active": "false"}).status_code == 403
    assert 'href="/admin/accounts"' not in officer.get("/").text
    assert 'href="/admin/accounts"' in web.login("boss").get("/").text


def test_the_accounts_api(web: WebApp, engine: Engine) -> None:
    admin = web.login("boss")
    body = {"username": "bot", "roles": ["analyst"], "agency": "法務部", "clearance": "restricted"}
    made = admin.post("/api/v1/accounts", json=body)
    assert made.status_code == 201 and made.json()["agency"] == "moj"
    assert admin.post("/api/v1/accounts", json=body).status_code == 409
    bad = admin.post("/api/v1/accounts", json={**body, "username": "b2", "roles": ["boss"]})
    assert bad.status_code == 422 and bad.json()["field"] == "role" and bad.json()["value"] == "boss"
    assert {a["username"] for a in admin.get("/api/v1/accounts").json()} == {"boss", "liaison", "bot"}
    assert admin.post("/api/v1/accounts/bot/roles", json={"role": "viewer"}).json()["roles"] == ["analyst", "viewer"]
    assert admin.delete("/api/v1/accounts/bot/roles/viewer").json()["roles"] == ["analyst"]
    assert admin.put("/api/v1/accounts/bot/password", json={"password": "short"}).status_code == 422
    assert admin.put("/api/v1/accounts/bot/password", json={"password": PASSWORD}).status_code == 204
    issued = admin.post("/api/v1/accounts/bot/tokens", json={"label": "export", "days": 30})
    assert issued.status_code == 201 and issued.headers["cache-control"] == "no-store"
    bearer = {"Authorization": f"Bearer {issued.json()['token']}"}
    bot = web.anonymous()
    assert bot.get("/api/v1/me", headers=bearer).json()["username"] == "bot"
    assert bot.get("/api/v1/accounts/bot/tokens", headers=bearer).json()[0]["label"] == "export"  # its own
    assert bot.get("/api/v1/accounts", headers=bearer).status_code == 403
    assert admin.post("/api/v1/accounts/bot/disable").json()["active"] is False
    assert bot.get("/api/v1/me", headers=bearer).status_code == 401
    assert admin.post("/api/v1/accounts/bot/enable").json()["active"] is True
    revoke = f"/admin/accounts/bot/tokens/{issued.json()['id']}/revoke"
    assert f'action="{revoke}"' in admin.get("/admin/accounts/bot").text  # the page's form revokes it too
    assert admin.delete(f"/api/v1/accounts/bot/tokens/{issued.json()['id']}").json()["revoked_at"]
    assert bot.get("/api/v1/me", headers=bearer).status_code == 401
    assert f'action="{revoke}"' not in admin.get("/admin/accounts/bot").text
    assert admin.delete(f"/api/v1/accounts/bot/tokens/{issued.json()['id']}").status_code == 404
    assert admin.get("/api/v1/accounts/nobody").status_code == 404
    assert "issue" not in str(audited(engine, issued.json()["id"]))
    assert audited(engine, issued.json()["id"]) == ["create", "update"]
