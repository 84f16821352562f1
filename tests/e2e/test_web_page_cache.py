"""The page cache (straitlink.web.page_cache): a list or statistics page is served again only while nothing it was
computed from has changed, for the very session that asked, on its day; a disabled account is refused at once."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from web_helpers import WebApp

from straitlink.domain.access import AccountRole, Principal
from straitlink.domain.marking import Classification
from straitlink.domain.parties import Party
from straitlink.domain.requests import RequestStatus
from straitlink.domain.workflow import Acting, Role
from straitlink.services.requests import StepInput, transition_request
from straitlink.web.acting import Office
from straitlink.web.page_cache import PageStore

FORM = {
    "type": "evidence_collection",
    "subject": "調查取證：快取測試",
    "requesting_agency": "kaohsiung-district-prosecutors",
    "purpose": "偵查走私毒品案",
    "matters": "調取通聯紀錄",
    "case_summary": "巴拿馬籍貨輪走私K他命",
    "execution_needs": "船員名冊",
    "urgency": "normal",
}
OUTBOX = "/requests?box=outbox&status=any"


@pytest.fixture
def web(engine: Engine, tmp_path: Path) -> WebApp:
    app = WebApp(engine, tmp_path / "data")
    app.accounts.add("liaison")
    app.accounts.add("other")
    return app


def store(web: WebApp) -> PageStore:
    found: PageStore = web.app.state.page_store
    return found


def rows(page: str) -> str:
    found = re.search(r'<div id="request-rows">.*?</div>\s*</div>', page, re.S)
    assert found is not None, page[:300]
    return found.group(0)


def test_a_second_read_is_a_hit_and_a_write_shows_at_once(web: WebApp, engine: Engine) -> None:
    client = web.login("liaison")
    first = client.get(OUTBOX)
    hits = store(web).hits
    assert client.get(OUTBOX).text == first.text and store(web).hits == hits + 1
    filed = client.post("/requests/new", data=FORM)
    assert filed.status_code == 303
    listed = client.get(OUTBOX).text
    assert FORM["subject"] in listed and "已提出" in listed
    assert client.get(OUTBOX).text == listed  # cached again, under the new version
    proof = {"document": ("請求書.txt", "請求書全文".encode(), "text/plain")}
    sent = client.post(f"{filed.headers['location']}/step", data={"target": "sent", "version": "1"}, files=proof)
    assert sent.status_code == 303 and "error" not in sent.headers["location"]
    assert "已送出" in rows(client.get(OUTBOX).text)
    # A write that no use case made (raw SQL, another process): the triggers move the version all the same.
    with engine.begin() as conn:
        conn.execute(text("UPDATE assistance_request SET subject = 'renamed by hand'"))
    assert "renamed by hand" in client.get(OUTBOX).text


def test_statistics_follow_the_records(web: WebApp) -> None:
    client = web.login("liaison")
    before = client.get("/statistics").text
    assert client.get("/statistics").text == before
    assert client.post("/requests/new", data=FORM).status_code == 303
    assert client.get("/statistics").text != before


def test_a_disabled_account_or_a_closed_session_is_refused_on_the_next_request(web: WebApp) -> None:
    client = web.login("liaison")
    other = web.login("other")
    for _ in range(2):
        assert client.get(OUTBOX).status_code == 200 and other.get(OUTBOX).status_code == 200
    web.accounts.disable("liaison")
    refused = client.get(OUTBOX)
    assert refused.status_code == 303 and refused.headers["location"].startswith("/login")
    assert other.post("/logout").status_code == 303
    assert other.get(OUTBOX).status_code == 303


def test_a_role_revoked_takes_effect_on_the_next_request(web: WebApp, engine: Engine) -> None:
    client = web.login("liaison")
    assert 'href="/requests/new"' in client.get(OUTBOX).text and 'href="/requests/new"' in client.get(OUTBOX).text
    with engine.begin() as conn:  # an analyst reads requests but files none
        conn.execute(text("UPDATE account_role SET role = 'analyst' WHERE username = 'liaison'"))
    assert 'href="/requests/new"' not in client.get(OUTBOX).text


def test_no_session_or_language_gets_another_ones_page(web: WebApp) -> None:
    liaison, other = web.login("liaison"), web.login("other")
    mine = liaison.get(OUTBOX).text
    theirs = other.get(OUTBOX).text
    assert ">liaison ·" in mine and ">other ·" in theirs and ">liaison ·" not in theirs
    assert liaison.headers["X-CSRF-Token"] in mine and liaison.headers["X-CSRF-Token"] not in theirs
    # A second session of the same account has its own CSRF token, so its own page.
    again = web.login("liaison")
    assert again.headers["X-CSRF-Token"] in again.get(OUTBOX).text
    assert liaison.post("/lang", data={"lang": "en", "next": "/"}).status_code == 303
    english = liaison.get(OUTBOX).text
    assert "Outbox" in english and 'lang="en"' in english and english != mine


def test_the_deadline_columns_change_with_the_date(web: WebApp) -> None:
    day = [date(2026, 3, 2)]
    office = web.app.state.web.office
    web.app.state.web.office = Office(office.engine, dataclasses.replace(office.desk, today=lambda: day[0]))
    client = web.login("liaison")
    filed = client.post("/requests/new", data={**FORM, "type": "document_service"})  # it has a reply deadline
    proof = {"document": ("請求書.txt", "請求書全文".encode(), "text/plain")}
    client.post(f"{filed.headers['location']}/step", data={"target": "sent", "version": "1"}, files=proof)
    # Received on the other side (as its instance would record it): from then on the reply's deadline runs.
    rid = filed.headers["location"].rsplit("/", 1)[1]
    desk = web.app.state.web.office.desk
    roles = frozenset({AccountRole.LIAISON_OFFICER})
    cn = Principal("cn-desk", Party.CN, roles, Classification.SECRET, None, frozenset())
    transition_request(
        desk, rid, RequestStatus.RECEIVED, StepInput(), principal=cn, acting=Acting(Party.CN, Role.CONTACT_POINT)
    )
    running = rows(client.get(OUTBOX).text)
    assert running.count("tag running") == 1 and client.get(OUTBOX).text.count("tag running") == 1
    day[0] += timedelta(days=400)
    late = rows(client.get(OUTBOX).text)
    assert late != running and "tag overdue" in late and "tag running" not in late


def test_the_cache_holds_no_more_than_its_bound(web: WebApp) -> None:
    client = web.login("liaison")
    bound = store(web)
    bound.entries = 3
    for n in range(6):
        assert client.get(f"{OUTBOX}&n={n}").status_code == 200
    assert len(bound) == 3 and bound.size == sum(len(p.body) for p in bound._pages.values())
