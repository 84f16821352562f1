"""A meeting's follow-ups in the browser and the JSON API: shown under their decisions with their status, added
and edited by form with the meeting's version (409 on a stale one), counted on the meeting list, in three
languages."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from web_helpers import WebApp

MEETING = {
    "kind": "working_talks",
    "title": "兩岸毒品查緝工作會談",
    "date": {"iso": "2024-03-05"},
    "decisions": ["加強情資交換", "協緝通緝犯"],
}


@pytest.fixture
def web(engine: Engine, tmp_path: Path) -> WebApp:
    app = WebApp(engine, tmp_path / "data")
    app.accounts.add("liaison")
    app.accounts.add("viewer", roles=("viewer",), clearance="unclassified")
    return app


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _meeting(client: TestClient) -> dict[str, Any]:
    made = client.post("/api/v1/meetings", json=MEETING)
    assert made.status_code == 201, made.text
    return dict(made.json())


def test_the_api_adds_changes_and_lists_follow_ups(web: WebApp) -> None:
    client = web.login("liaison")
    m = _meeting(client)
    added = client.post(
        f"/api/v1/meetings/{m['id'][:8]}/follow-ups?version=1",
        json={"action": "交換查緝情資", "agency": "cib", "decision": 1, "due": "2024-04-30"},
    )
    assert added.status_code == 201, added.text
    assert added.json()["number"] == 1 and added.json()["meeting_version"] == 2
    stale = client.patch(f"/api/v1/meetings/{m['id']}/follow-ups/1?version=1", json={"status": "in_progress"})
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    bad = client.patch(f"/api/v1/meetings/{m['id']}/follow-ups/1?version=2", json={"status": "finished"})
    assert bad.status_code == 422 and bad.json()["field"] == "follow_ups[0].status"
    moved = client.patch(
        f"/api/v1/meetings/{m['id']}/follow-ups/1?version=2", json={"status": "done", "status_on": "2024-05-02"}
    )
    assert moved.status_code == 200 and moved.json()["status"] == "done"
    assert client.get(f"/api/v1/meetings/{m['id']}/follow-ups/9").status_code in (404, 405)
    missing = client.patch(f"/api/v1/meetings/{m['id']}/follow-ups/9?version=3", json={"status": "done"})
    assert missing.status_code == 404
    listed = client.get(f"/api/v1/meetings/{m['id']}/follow-ups").json()
    assert [(i["number"], i["status"], i["status_on"]) for i in listed] == [(1, "done", "2024-05-02")]
    assert client.get("/api/v1/follow-ups?open=true").json() == []
    assert [i["meeting"] for i in client.get("/api/v1/follow-ups?agency=刑事警察局").json()] == [m["id"]]
    assert client.get(f"/api/v1/meetings/{m['id']}").json()["follow_ups"][0]["action"] == "交換查緝情資"


def test_the_meeting_page_shows_each_decision_with_its_follow_up(web: WebApp) -> None:
    client = web.login("liaison")
    m = _meeting(client)
    client.post(
        f"/api/v1/meetings/{m['id']}/follow-ups?version=1",
        json={"action": "交換查緝情資", "agency": "cib", "decision": 1, "due": "2024-04-30"},
    )
    client.post(f"/api/v1/meetings/{m['id']}/follow-ups?version=2", json={"action": "規劃互訪", "agency": "mps"})
    page = client.get(f"/meetings/{m['id']}")
    shown = text_of(page.text)
    assert page.status_code == 200
    assert "加強情資交換 # 議定事項" in shown  # the item under its decision
    assert "交換查緝情資 內政部警政署刑事警察局" in shown and "未結" in shown and "逾期" in shown
    assert "其他待辦事項" in shown and "規劃互訪" in shown
    assert f'href="/meetings/{m["id"]}/follow-ups/1/edit"' in page.text
    assert f'href="/meetings/{m["id"]}/follow-ups/new"' in page.text
    english = web.login("liaison", lang="en")
    shown_en = text_of(english.get(f"/meetings/{m['id']}").text)
    assert "What was agreed" in shown_en and "Open" in shown_en and "Overdue" in shown_en
    listing = text_of(client.get("/meetings").text)
    assert "待辦追蹤事項" in listing and "2 1 項逾期" in listing
    viewer = web.login("viewer")
    assert "/follow-ups/new" not in viewer.get(f"/meetings/{m['id']}").text
    assert viewer.get(f"/meetings/{m['id']}/follow-ups/new").status_code == 403


def test_the_form_adds_and_edits_with_the_version_and_names_bad_fields(web: WebApp) -> None:
    client = web.login("liaison")
    m = _meeting(client)
    form = client.get(f"/meetings/{m['id']}/follow-ups/new")
    assert form.status_code == 200 and "議定事項" in form.text and 'name="version" value="1"' in form.text
    data = {"action": "協緝通緝犯", "agency": "公安部", "decision": "2", "due": "113年6月30日", "status": "open"}
    done = client.post(f"/meetings/{m['id']}/follow-ups/new", data={**data, "version": "1"})
    assert done.status_code == 303 and done.headers["location"] == f"/meetings/{m['id']}"
    bad = client.post(f"/meetings/{m['id']}/follow-ups/new", data={**data, "due": "明年", "version": "2"})
    assert bad.status_code == 422 and 'value="明年"' in bad.text
    alert = re.search(r'role="alert">([^<]*)<', bad.text)
    assert alert is not None and alert.group(1).startswith("期限：")  # the field's label, not its name
    edit = client.get(f"/meetings/{m['id']}/follow-ups/1/edit")
    assert 'value="中華人民共和國公安部"' in edit.text and 'value="113年6月30日"' in edit.text
    assert 'name="version" value="2"' in edit.text
    changed = {**data, "status": "in_progress", "note": "已函請協助", "version": "2"}
    assert client.post(f"/meetings/{m['id']}/follow-ups/1/edit", data=changed).status_code == 303
    stale = client.post(f"/meetings/{m['id']}/follow-ups/1/edit", data={**changed, "status": "done"})
    assert stale.status_code == 409 and "已函請協助" in stale.text
    (item,) = client.get(f"/api/v1/meetings/{m['id']}/follow-ups").json()
    assert (item["status"], item["note"], item["agency"], item["due"]) == (
        "in_progress",
        "已函請協助",
        "mps",
        "2024-06-30",
    )
    assert item["status_on"] is not None and item["meeting_version"] == 3
