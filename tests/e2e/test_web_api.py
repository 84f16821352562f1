"""The JSON API under /api/v1: paging, filters, ids and prefixes, creating, the request workflow, one error shape."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from web_helpers import WebApp

ERROR_KEYS = {"code", "message", "field", "value"}
REQUEST = {
    "type": "document_service",
    "subject": "送達起訴書予笙宏號船員",
    "requesting_agency": "kaohsiung-district-prosecutors",
    "purpose": "送達",
    "matters": "起訴書一份",
    "case_summary": "走私K他命",
    "execution_needs": "受送達人地址",
}


@pytest.fixture
def web(engine: Engine, tmp_path: Path) -> WebApp:
    app = WebApp(engine, tmp_path / "data")
    app.accounts.add("liaison")
    return app


@pytest.fixture
def client(web: WebApp) -> TestClient:
    return web.login("liaison")


def assert_error(response: Any, status: int, code: str, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) >= ERROR_KEYS and body["code"] == code, body
    if field is not None:
        assert body["field"] == field, body
    return body


def seizure(kg: str, drug: str = "ketamine", date: str = "2013-09-27") -> dict[str, Any]:
    return {"drug": drug, "quantities": [{"value": kg, "unit": "kg"}], "date": {"iso": date}, "place": "quanzhou"}


def test_list_pages_with_a_cursor_until_every_record_was_seen_once(client: TestClient) -> None:
    added = {client.post("/api/v1/seizures", json=seizure(str(100 + i))).json()["id"] for i in range(5)}
    seen: list[str] = []
    url: str | None = "/api/v1/seizures?limit=2"
    pages = 0
    while url:
        page = client.get(url)
        assert page.status_code == 200, page.text
        seen += [item["id"] for item in page.json()["items"]]
        url = page.json()["next"]
        pages += 1
    assert pages == 3 and sorted(seen) == sorted(added)


def test_filters_take_names_in_either_script_and_roc_dates(client: TestClient) -> None:
    client.post("/api/v1/seizures", json=seizure("500", "ketamine", "2013-09-27"))
    client.post("/api/v1/seizures", json=seizure("20", "ephedrine", "2013-05-31"))
    by_name = client.get("/api/v1/seizures", params={"drug": "K他命"}).json()["items"]
    assert [s["drug"] for s in by_name] == ["ketamine"]
    by_roc = client.get("/api/v1/seizures", params={"from": "102年6月1日", "to": "102-12-31"}).json()["items"]
    assert [s["quantities"][0]["value"] for s in by_roc] == ["500"]
    assert_error(client.get("/api/v1/seizures", params={"drug": "unicorn dust"}), 422, "unknown_reference", "drug")
    assert_error(client.get("/api/v1/seizures", params={"from": "2013-13-45"}), 422, "invalid_value", "from")


def test_bad_paging_parameters_name_the_field(client: TestClient) -> None:
    assert_error(client.get("/api/v1/cases?limit=0"), 422, "invalid_value", "limit")
    assert_error(client.get("/api/v1/cases?limit=201"), 422, "invalid_value", "limit")
    assert_error(client.get("/api/v1/cases?cursor=not-ours"), 422, "invalid_value", "cursor")


def test_show_by_id_and_by_a_unique_prefix_of_eight(client: TestClient) -> None:
    record = client.post("/api/v1/seizures", json=seizure("231")).json()
    assert client.get(f"/api/v1/seizures/{record['id']}").json()["quantities"][0]["value"] == "231"
    assert client.get(f"/api/v1/seizures/{record['id'][:8]}").json()["id"] == record["id"]
    assert_error(client.get(f"/api/v1/seizures/{record['id'][:7]}"), 404, "not_found", "id")
    assert_error(client.get("/api/v1/seizures/00000000-0000-0000-0000-000000000000"), 404, "not_found", "id")
    assert_error(client.get("/api/v1/unicorns"), 404, "not_found")


def test_create_refuses_bad_values_and_unknown_references_naming_the_field(client: TestClient) -> None:
    bad = client.post("/api/v1/seizures", json={**seizure("1"), "quantities": [{"value": "-5", "unit": "kg"}]})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_value"
    assert_error(client.post("/api/v1/seizures", json={**seizure("1"), "drug": "moonrock"}), 422, "unknown_reference")
    assert client.get("/api/v1/seizures").json()["items"] == []


def test_create_and_update_read_values_as_the_cli_does(client: TestClient) -> None:
    """Names in either script, ROC dates and quantities as written, as `straitlink add --file` takes them."""
    made = client.post(
        "/api/v1/seizures",
        json={"drug": "海洛因", "quantity": ["229 公斤 毛重", "600 塊"], "date": "102年11月17日", "place": "桃園機場"},
    )
    assert made.status_code == 201, made.text
    record = made.json()
    assert (record["drug"], record["date"]["iso"], record["place"]) == ("heroin", "2013-11-17", "taoyuan-airport")
    assert [(q["value"], q["unit"], q["basis"]) for q in record["quantities"]] == [
        ("229", "kg", "gross"),
        ("600", "block", "unstated"),
    ]
    changed = client.patch(f"/api/v1/seizures/{record['id']}?version=1", json={"drug": "K他命"})
    assert changed.status_code == 200 and changed.json()["drug"] == "ketamine", changed.text


@pytest.mark.parametrize("key", ["data", "quantites", "HAPPENED", "Drug"])
def test_a_key_the_kind_does_not_have_is_refused_not_ignored(client: TestClient, key: str) -> None:
    """A misspelt key ("data" for "date") was dropped silently, and the record stored without it."""
    body = assert_error(client.post("/api/v1/seizures", json={**seizure("1"), key: "2013-09-27"}), 422, "invalid_value")
    assert body["field"] == "field" and body["value"] == key, body
    record = client.post("/api/v1/seizures", json=seizure("1")).json()
    refused = client.patch(f"/api/v1/seizures/{record['id']}?version=1", json={key: "x"})
    assert_error(refused, 422, "invalid_value", "field")
    assert [r["id"] for r in client.get("/api/v1/seizures").json()["items"]] == [record["id"]]


def test_a_body_that_is_not_json_names_the_body(client: TestClient) -> None:
    sent = client.post("/api/v1/seizures", content=b"{bad", headers={"content-type": "application/json"})
    body = assert_error(sent, 422, "invalid_value", "body")
    assert "not valid JSON" in body["message"], body
    for other in ([], "text", 3):  # JSON, but no object: still named the body
        body = assert_error(client.post("/api/v1/seizures", json=other), 422, "invalid_value", "body")
        assert body["message"].startswith("body: "), body


def test_a_request_is_filed_moved_and_its_history_shown(client: TestClient) -> None:
    incomplete = assert_error(
        client.post("/api/v1/requests", json={**REQUEST, "purpose": None}), 422, "incomplete_request"
    )
    assert incomplete["missing"] == ["purpose"]
    filed = client.post("/api/v1/requests", json=REQUEST)
    assert filed.status_code == 201 and filed.json()["status"] == "filed"
    rid = filed.json()["id"]
    sent = client.post(f"/api/v1/requests/{rid[:8]}/transitions", json={"target": "sent", "expected_version": 1})
    assert sent.status_code == 200, sent.text
    assert sent.json()["status"] == "sent"
    stale = client.post(
        f"/api/v1/requests/{rid}/transitions", json={"target": "withdrawn", "text": "x", "expected_version": 1}
    )
    assert_error(stale, 409, "conflict", "version")
    assert_error(
        client.post(f"/api/v1/requests/{rid}/transitions", json={"target": "completed"}), 409, "illegal_transition"
    )
    assert_error(
        client.post(f"/api/v1/requests/{rid}/transitions", json={"target": "flying"}), 422, "invalid_value", "target"
    )
    assert_error(client.post(f"/api/v1/requests/{rid}/transitions", json={}), 422, "invalid_value", "target")
    history = client.get(f"/api/v1/requests/{rid}/history").json()
    assert [s["action"] for s in history] == ["file", "send"]
    shown = client.get(f"/api/v1/requests/{rid}").json()
    assert shown["status"] == "sent" and [s["action"] for s in shown["history"]] == ["file", "send"]
    assert "received" in shown["next"]


def test_due_lists_running_deadlines(client: TestClient) -> None:
    rid = client.post("/api/v1/requests", json={**REQUEST, "urgency": "urgent", "form": "other"}).json()["id"]
    assert client.get("/api/v1/requests/due").json() == []
    client.post(f"/api/v1/requests/{rid}/transitions", json={"target": "sent"})
    due = client.get("/api/v1/requests/due", params={"mine": True}).json()
    assert [(d["request_id"], d["deadline"]["rule"]) for d in due] == [(rid, "urgent-written-confirmation")]


def test_me_names_the_calling_account(client: TestClient) -> None:
    assert client.get("/api/v1/me").json() == {
        "username": "liaison",
        "party": "TW",
        "roles": ["liaison_officer"],
        "agency": "moj",
    }


def test_openapi_document_and_docs_served_from_the_package(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/{kind}", "/api/v1/{kind}/{record_id}", "/api/v1/requests/{request_id}/transitions"} <= set(
        spec["paths"]
    )
    assert "ErrorBody" in spec["components"]["schemas"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and "https://" not in docs.text and "http://" not in docs.text
    for asset in (
        "/static/swagger-ui/swagger-ui-bundle.js",
        "/static/swagger-ui/swagger-ui.css",
        "/static/htmx.min.js",
    ):
        assert client.get(asset).status_code == 200, asset


def test_update_with_the_version_read_and_409_on_a_stale_one(client: TestClient) -> None:
    record = client.post("/api/v1/seizures", json=seizure("260")).json()
    changed = client.patch(f"/api/v1/seizures/{record['id'][:8]}?version=1", json={"description": "漳州市查獲"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["description"] == "漳州市查獲" and changed.json()["version"] == 2
    assert_error(client.patch(f"/api/v1/seizures/{record['id']}?version=1", json={"description": "x"}), 409, "conflict")
    assert_error(
        client.patch(f"/api/v1/seizures/{record['id']}?version=2", json={"id": "x"}), 422, "invalid_value", "id"
    )
    assert client.get(f"/api/v1/seizures/{record['id']}").json()["description"] == "漳州市查獲"


def test_a_query_parameter_the_address_does_not_take_is_named_not_ignored(client: TestClient) -> None:
    """`?status=open` on the request list once listed closed requests too, as if filtered."""
    schema = client.get("/api/v1/openapi.json").json()
    paths = [p for p, ops in schema["paths"].items() if "get" in ops and p.startswith("/api/v1/") and "{" not in p]
    assert len(paths) >= 5, paths
    for path in [*paths, "/api/v1/cases", "/api/v1/requests"]:
        refused = client.get(path, params={"colour": "紅"})
        assert_error(refused, 422, "invalid_value", "colour")
        assert refused.json()["value"] == "紅", path
    assert_error(client.get("/api/v1/requests", params={"status": "open"}), 422, "invalid_value", "status")
    assert client.get("/api/v1/seizures", params={"from": "2013-01-01", "no_synthetic": "true"}).status_code == 200
