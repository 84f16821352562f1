"""Who may call what, at the HTTP level: role × endpoint, and a record's classification × the reader's clearance."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from web_helpers import WebApp

# role -> (agency, clearance)
ACCOUNTS = {
    "liaison_officer": ("moj", "secret"),
    "prosecutor": ("kaohsiung-district-prosecutors", "confidential"),
    "analyst": ("moj", "restricted"),
    "viewer": ("moj", "unclassified"),
    "admin": (None, "secret"),
}
REQUEST = {
    "type": "document_service",
    "subject": "送達",
    "requesting_agency": "kaohsiung-district-prosecutors",
    "purpose": "送達",
    "matters": "起訴書",
    "case_summary": "走私",
    "execution_needs": "地址",
}
CASE = {
    "title": "高雄地檢署偵辦案",
    "kind": "drugs",
    "joint": False,
    "agencies": [{"agency": "kaohsiung-district-prosecutors", "role": "directing"}],
}
NEW_ACCOUNT: dict[str, object] = {
    "username": "added-by-api",
    "roles": ["viewer"],
    "agency": "moj",
    "clearance": "unclassified",
}
NO_ADMIN = {"liaison_officer": 403, "prosecutor": 403, "analyst": 403, "viewer": 403}
# (method, path, body) -> the status each role gets
ENDPOINTS: list[tuple[str, str, Any, dict[str, int]]] = [
    ("GET", "/api/v1/me", None, dict.fromkeys(ACCOUNTS, 200)),
    (
        "GET",
        "/api/v1/cases",
        None,
        {"liaison_officer": 200, "prosecutor": 200, "analyst": 200, "viewer": 200, "admin": 403},
    ),
    (
        "POST",
        "/api/v1/cases",
        CASE,
        {"liaison_officer": 201, "prosecutor": 201, "analyst": 403, "viewer": 403, "admin": 403},
    ),
    (
        "POST",
        "/api/v1/requests",
        REQUEST,
        {"liaison_officer": 201, "prosecutor": 201, "analyst": 403, "viewer": 403, "admin": 403},
    ),
    (
        "GET",
        "/api/v1/requests/due",
        None,
        {"liaison_officer": 200, "prosecutor": 200, "analyst": 200, "viewer": 200, "admin": 403},
    ),
    (
        "GET",
        "/api/v1/statistics?from=2013&to=2013",
        None,
        {"liaison_officer": 200, "prosecutor": 403, "analyst": 200, "viewer": 200, "admin": 403},
    ),
    (
        "GET",
        "/api/v1/bulletins?from=2013&to=2013&format=md",
        None,
        {"liaison_officer": 403, "prosecutor": 403, "analyst": 200, "viewer": 403, "admin": 403},
    ),
    (
        "GET",
        "/api/v1/ingest",
        None,
        {"liaison_officer": 200, "prosecutor": 403, "analyst": 200, "viewer": 403, "admin": 403},
    ),
    ("GET", "/api/v1/accounts", None, {**NO_ADMIN, "admin": 200}),
    ("POST", "/api/v1/accounts", NEW_ACCOUNT, {**NO_ADMIN, "admin": 201}),
    ("GET", "/api/v1/accounts/viewer", None, {**NO_ADMIN, "viewer": 200, "admin": 200}),
    ("POST", "/api/v1/accounts/viewer/roles", {"role": "viewer"}, {**NO_ADMIN, "admin": 200}),
    ("DELETE", "/api/v1/accounts/analyst/roles/admin", None, {**NO_ADMIN, "admin": 200}),
    ("POST", "/api/v1/accounts/viewer/enable", None, {**NO_ADMIN, "admin": 200}),
    ("GET", "/api/v1/accounts/analyst/tokens", None, {**NO_ADMIN, "analyst": 200, "admin": 200}),
    (
        "POST",
        "/api/v1/accounts/prosecutor/tokens",
        {"label": "access test", "days": 1},
        {**NO_ADMIN, "prosecutor": 201, "admin": 201},
    ),
    ("GET", "/admin/accounts", None, {**NO_ADMIN, "admin": 200}),
    ("GET", "/admin/accounts/viewer", None, {**NO_ADMIN, "admin": 200}),
    ("POST", "/admin/accounts/viewer/roles", {"role": "viewer"}, {**NO_ADMIN, "admin": 303}),
    (
        "GET",
        "/meetings",
        None,
        {"liaison_officer": 200, "prosecutor": 200, "analyst": 200, "viewer": 200, "admin": 403},
    ),
    ("GET", "/intel", None, {"liaison_officer": 200, "prosecutor": 200, "analyst": 200, "viewer": 200, "admin": 403}),
    (
        "GET",
        "/records/meetings/new",
        None,
        {"liaison_officer": 200, "prosecutor": 403, "analyst": 200, "viewer": 403, "admin": 403},
    ),
    (
        "POST",
        "/records/meetings/new",
        {"kind": "seminar", "title": "存取測試研討會"},
        {"liaison_officer": 303, "prosecutor": 403, "analyst": 303, "viewer": 403, "admin": 403},
    ),
    (
        "GET",
        "/records/operations/new",
        None,
        {"liaison_officer": 200, "prosecutor": 200, "analyst": 403, "viewer": 403, "admin": 403},
    ),
]


@pytest.fixture(scope="module")
def clients(module_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, TestClient]:
    from straitlink.services.setup import init_database
    from straitlink.store.db import make_engine

    engine: Engine = make_engine(module_db_url)
    init_database(engine)
    web = WebApp(engine, Path(tmp_path_factory.mktemp("access")) / "data")
    for role, (agency, clearance) in ACCOUNTS.items():
        web.accounts.add(role, roles=(role,), agency=agency, clearance=clearance)
    return {role: web.login(role) for role in ACCOUNTS}


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"), ENDPOINTS, ids=[f"{m} {p}" for m, p, _, _ in ENDPOINTS]
)
def test_role_by_endpoint(
    clients: dict[str, TestClient], method: str, path: str, body: object, expected: dict[str, int]
) -> None:
    page = not path.startswith("/api/")  # pages take forms, the API JSON
    got = {role: _call(clients[role], method, path, body, page).status_code for role in ACCOUNTS}
    assert got == expected
    for role, status in got.items():
        if status >= 400 and not page:
            assert set(clients[role].request(method, path, json=body).json()) >= {"code", "message", "field", "value"}


def _call(client: TestClient, method: str, path: str, body: object, page: bool) -> Any:
    if page and body is not None:
        return client.request(method, path, data=body)  # type: ignore[arg-type]
    return client.request(method, path, json=body)


@pytest.mark.parametrize(
    ("classification", "readers"),
    [
        ("unclassified", {"liaison_officer", "prosecutor", "analyst", "viewer"}),
        ("restricted", {"liaison_officer", "prosecutor", "analyst"}),
        ("confidential", {"liaison_officer", "prosecutor"}),
        ("secret", {"liaison_officer"}),
    ],
)
def test_a_records_classification_against_each_readers_clearance(
    clients: dict[str, TestClient], classification: str, readers: set[str]
) -> None:
    marking = {"classification": classification, "handling": "H0", "releasable": False, "publishable": False}
    made = clients["liaison_officer"].post(
        "/api/v1/cases", json={**CASE, "title": f"{classification} 案", "marking": marking}
    )
    assert made.status_code == 201, made.text
    case_id = made.json()["id"]
    for role in ACCOUNTS:
        shown = clients[role].get(f"/api/v1/cases/{case_id}")
        listed = {c["id"] for c in clients[role].get("/api/v1/cases?limit=200").json().get("items", [])}
        page = clients[role].get(f"/cases/{case_id}")
        if role in readers:
            assert shown.status_code == 200 and case_id in listed and page.status_code == 200, role
        else:
            # Out of reach reads as not there at all: no hint that the record exists.
            assert shown.status_code in (403, 404) and case_id not in listed and page.status_code in (403, 404), role


def test_each_role_lands_on_a_dashboard_with_only_what_it_may_read(clients: dict[str, TestClient]) -> None:
    for role, client in clients.items():
        page = client.get("/")
        assert page.status_code == 200, role
        assert ('href="/statistics"' in page.text) == (role in {"liaison_officer", "analyst", "viewer"}), role
        assert ('href="/requests/new"' in page.text) == (role in {"liaison_officer", "prosecutor"}), role


def test_an_administrator_is_told_why_the_dashboard_is_empty(clients: dict[str, TestClient]) -> None:
    page = clients["admin"].get("/")
    assert "straitlink user" in page.text and "<table>" not in page.text
