"""The ingestion review over HTTP: upload, proposals, edit, accept, reject, who may; and the review page with htmx."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from web_helpers import WebApp

from straitlink.ingest import upload as ingest_upload

SEED = Path(__file__).resolve().parent.parent / "data" / "ingest" / "moj-2013-cross-strait-drugs.txt"
ERROR_KEYS = {"code", "message", "field", "value"}


@pytest.fixture
def web(engine: Engine, tmp_path: Path) -> WebApp:
    app = WebApp(engine, tmp_path / "data")
    app.accounts.add("liaison")
    app.accounts.add("second", roles=("analyst",), clearance="restricted")
    app.accounts.add("viewer", roles=("viewer",), clearance="unclassified")
    return app


@pytest.fixture
def client(web: WebApp) -> TestClient:
    return web.login("liaison")


def upload(client: TestClient, path: Path = SEED, name: str | None = None, **form: str) -> Any:
    with path.open("rb") as f:
        return client.post("/api/v1/ingest", files={"file": (name or path.name, f, "text/plain")}, data=form)


def error(response: Any, status: int, code: str, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) >= ERROR_KEYS and body["code"] == code, body
    if field is not None:
        assert body["field"] == field, body
    return body


def heroin(proposals: list[dict[str, Any]]) -> dict[str, Any]:
    return next(p for p in proposals if p["kind"] == "seizure" and p["fields"]["drug"] == "heroin")


def test_upload_stores_the_document_and_its_proposals_with_spans_into_its_text(client: TestClient) -> None:
    done = upload(client)
    assert done.status_code == 201, done.text
    body = done.json()
    doc = body["document"]
    assert doc["name"] == SEED.name and doc["title"] == "兩岸司法互助─檢警強打兩岸毒品犯罪，成效顯著─"
    text = client.get(f"/api/v1/ingest/{doc['id']}/text").json()["text"]
    assert text == SEED.read_text(encoding="utf-8")
    assert sum(1 for p in body["proposals"] if p["kind"] == "seizure") == 7
    for p in body["proposals"]:
        assert text[p["span"]["start"] : p["span"]["end"]] == p["span"]["text"]
        assert p["status"] == "new" and p["version"] == 1
    # Stored as the CLI stores it: a source document with its sha256, readable as a record.
    stored = client.get(f"/api/v1/documents/{doc['id']}").json()
    assert stored["sha256"] == doc["sha256"] and stored["text"] == text
    # The same bytes again: the same review, nothing doubled.
    again = upload(client, name="copy.txt")
    assert again.status_code == 200 and again.json()["document"]["id"] == doc["id"]
    assert len(again.json()["proposals"]) == len(body["proposals"])
    listed = client.get("/api/v1/ingest").json()
    assert [r["document"] for r in listed] == [doc["id"]]
    assert listed[0]["counts"] == {"new": len(body["proposals"])}


def test_proposals_list_by_status_and_by_id_prefix(client: TestClient) -> None:
    doc = upload(client).json()["document"]["id"]
    every = client.get(f"/api/v1/ingest/{doc[:8]}/proposals").json()
    target = heroin(every)
    client.post(f"/api/v1/ingest/{doc}/proposals/{target['id'][:8]}/reject")
    rejected = client.get(f"/api/v1/ingest/{doc}/proposals", params={"status": "rejected"}).json()
    assert [p["id"] for p in rejected] == [target["id"]]
    error(client.get("/api/v1/ingest/00000000-0000/proposals"), 404, "not_found")
    error(client.post(f"/api/v1/ingest/{doc}/proposals/nonesuch-proposal/accept"), 404, "not_found")


def test_edit_reads_values_as_the_cli_does_and_bad_input_names_the_field_and_changes_nothing(
    client: TestClient,
) -> None:
    doc = upload(client).json()["document"]["id"]
    target = heroin(client.get(f"/api/v1/ingest/{doc}/proposals").json())
    url = f"/api/v1/ingest/{doc}/proposals/{target['id']}"
    changed = client.patch(url, json={"fields": {"date": "102年11月18日", "quantities": "600 塊; 230 公斤 毛重"}})
    assert changed.status_code == 200, changed.text
    fields = changed.json()["fields"]
    assert fields["date"]["iso"] == "2013-11-18"
    assert fields["quantities"][1] == {"value": "230", "unit": "kg", "basis": "gross", "qualifier": "exact"}
    assert changed.json()["version"] == 2
    bad = error(client.patch(url, json={"fields": {"date": "102年13月1日"}}), 422, "invalid_value", "date")
    assert bad["value"] == "102年13月1日" and "date" in bad["message"]
    error(client.patch(url, json={"fields": {"drug": "moonrock"}}), 422, "unknown_reference", "drug")
    error(client.patch(url, json={"fields": {"colour": "blue"}}), 422, "invalid_value", "field")
    error(client.patch(url, json={"fields": {"suspects": "many"}}), 422, "invalid_value", "suspects")
    error(client.patch(url + "?version=1", json={"fields": {"date": "102年11月19日"}}), 409, "conflict", "version")
    after = next(p for p in client.get(f"/api/v1/ingest/{doc}/proposals").json() if p["id"] == target["id"])
    assert after["fields"] == fields and after["version"] == 2


def test_accept_stores_the_record_with_its_span_and_the_case_it_refers_to(client: TestClient) -> None:
    doc = upload(client).json()["document"]["id"]
    proposals = client.get(f"/api/v1/ingest/{doc}/proposals").json()
    target = heroin(proposals)
    done = client.post(f"/api/v1/ingest/{doc}/proposals/{target['id']}/accept?version=1")
    assert done.status_code == 200, done.text
    decided = {p["id"]: p for p in done.json()["decided"]}
    case = target["fields"]["case"]
    assert decided[target["id"]]["status"] == "accepted" and decided[case]["status"] == "accepted"
    assert done.json()["stored"]["seizure"] == 1 and done.json()["stored"]["case"] == 1
    record = client.get(f"/api/v1/seizures/{target['id']}").json()
    assert record["provenance"]["kind"] == "document" and record["provenance"]["document"] == doc
    assert record["provenance"]["span"] == [target["span"]["start"], target["span"]["end"]]
    assert record["quantities"] == target["fields"]["quantities"]
    assert client.get(f"/api/v1/cases/{case}").status_code == 200
    # Decided once: a second decision on it is refused, and nothing changes.
    error(client.post(f"/api/v1/ingest/{doc}/proposals/{target['id']}/accept"), 409, "conflict", "proposal")
    error(client.post(f"/api/v1/ingest/{doc}/proposals/{target['id']}/reject"), 409, "conflict", "proposal")


def test_rejected_proposals_stay_rejected_and_accept_all_stores_the_rest(web: WebApp, client: TestClient) -> None:
    doc = upload(client).json()["document"]["id"]
    proposals = client.get(f"/api/v1/ingest/{doc}/proposals").json()
    target = heroin(proposals)
    rejected = client.post(f"/api/v1/ingest/{doc}/proposals/{target['id']}/reject")
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert rejected.json()["decided_by"] == "liaison"
    # Another reviewer sees the same state; uploading the document again does not bring the proposal back.
    other = web.login("second")
    assert heroin(other.get(f"/api/v1/ingest/{doc}/proposals").json())["status"] == "rejected"
    assert heroin(upload(other).json()["proposals"])["status"] == "rejected"
    everything = other.post(f"/api/v1/ingest/{doc}/accept")
    assert everything.status_code == 200, everything.text
    assert everything.json()["stored"]["seizure"] == 6
    # What refers to the rejected seizure (its outcome) cannot be stored: it waits, with the reason as its note.
    waiting = [p for p in other.get(f"/api/v1/ingest/{doc}/proposals").json() if p["status"] == "new"]
    assert [(p["kind"], p["fields"]["seizures"]) for p in waiting] == [("outcome", [target["id"]])]
    assert waiting[0]["note"].startswith("seizures[0]: unknown seizure") and everything.json()["skipped"]
    assert client.get(f"/api/v1/seizures/{target['id']}").status_code == 404


def test_a_viewer_may_not_ingest_review_or_accept(web: WebApp, client: TestClient) -> None:
    doc = upload(client).json()["document"]["id"]
    target = heroin(client.get(f"/api/v1/ingest/{doc}/proposals").json())
    viewer = web.login("viewer")
    error(upload(viewer), 403, "forbidden")
    error(viewer.get("/api/v1/ingest"), 403, "forbidden")
    error(viewer.get(f"/api/v1/ingest/{doc}/proposals"), 403, "forbidden")
    error(viewer.post(f"/api/v1/ingest/{doc}/proposals/{target['id']}/accept"), 403, "forbidden")
    error(viewer.post(f"/api/v1/ingest/{doc}/proposals/{target['id']}/reject"), 403, "forbidden")
    assert heroin(client.get(f"/api/v1/ingest/{doc}/proposals").json())["status"] == "new"


def test_too_large_unsupported_or_unreadable_uploads_are_refused_naming_the_file(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest_upload, "MAX_UPLOAD_BYTES", 1000)
    big = error(upload(client), 415, "document_rejected", "file")
    assert SEED.name in big["message"] and "1000" not in big["message"] and "MB" in big["message"]
    monkeypatch.undo()
    program = tmp_path / "tool.exe"
    program.write_bytes(b"MZ\x90\x00")
    error(upload(client, program), 415, "document_rejected", "file")
    binary = tmp_path / "report.txt"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    body = error(upload(client, binary), 422, "invalid_value", "file")
    assert body["value"] == "report.txt" and "/tmp" not in body["message"]
    error(upload(client, date="102年13月"), 422, "invalid_value", "date")
    assert client.get("/api/v1/ingest").json() == []


HX_CARD = re.compile(r'<article class="proposal st-(\w+)" id="p-([0-9a-f-]+)"')


def test_the_review_page_marks_each_span_and_accepts_with_htmx(web: WebApp, client: TestClient) -> None:
    page = client.get("/ingest")
    assert page.status_code == 200 and 'name="file"' in page.text and 'href="/ingest"' in page.text
    with SEED.open("rb") as f:
        done = client.post("/ingest", files={"file": (SEED.name, f, "text/plain")}, data={"date": ""})
    assert done.status_code == 303, done.text
    doc = done.headers["location"].rsplit("/", 1)[1]
    page = client.get(f"/ingest/{doc}")
    assert page.status_code == 200
    proposals = client.get(f"/api/v1/ingest/{doc}/proposals").json()
    target = heroin(proposals)
    # Each proposal's span is marked, with a numbered link to its card, and its card links back to the text.
    assert f'id="span-{target["id"]}" href="#p-{target["id"]}"' in page.text
    assert f'href="#span-{target["id"]}"' in page.text
    assert page.text.count('<article class="proposal st-new"') == len(proposals)
    hx = {"HX-Request": "true"}
    bad = client.post(
        f"/ingest/{doc}/proposals/{target['id']}/edit", data={"f:date": "102年13月1日", "version": "1"}, headers=hx
    )
    assert bad.status_code == 200 and 'role="alert"' in bad.text and "102年13月1日" in bad.text
    accepted = client.post(f"/ingest/{doc}/proposals/{target['id']}/accept", data={"version": "1"}, headers=hx)
    assert accepted.status_code == 200
    assert HX_CARD.search(accepted.text) is not None and HX_CARD.search(accepted.text).groups() == (  # type: ignore[union-attr]
        "accepted",
        target["id"],
    )
    assert 'id="doc-text"' in accepted.text and 'hx-swap-oob="true"' in accepted.text
    rejected = client.post(f"/ingest/{doc}/proposals/{proposals[-1]['id']}/reject", data={})
    assert rejected.status_code == 303 and rejected.headers["location"].endswith(f"#p-{proposals[-1]['id']}")
    # The accepted record cites its span, and the link shows the text with that span marked.
    listing = client.get("/records/seizures")
    start, end = target["span"]["start"], target["span"]["end"]
    link = f"/documents/{doc}/text?start={start}&amp;end={end}#span"
    assert (
        link in listing.text
        and f"characters {start}–{end}" in web.login("liaison", lang="en").get("/records/seizures").text
    )
    shown = client.get(f"/documents/{doc}/text", params={"start": start, "end": end})
    assert f'id="span" tabindex="-1">{target["span"]["text"]}</mark>' in shown.text
    viewer = web.login("viewer")
    assert viewer.get(f"/ingest/{doc}").status_code == 403
    assert 'href="/ingest"' not in viewer.get("/").text


def test_a_seizure_the_store_tells_otherwise_waits_for_the_reviewer(client: TestClient) -> None:
    stored = {
        "drug": "heroin",
        "quantities": [{"value": "500", "unit": "block"}],
        "date": {"iso": "2013-11-17"},
        "place": "taoyuan-airport",
    }
    assert client.post("/api/v1/seizures", json=stored).status_code == 201
    doc = upload(client).json()["document"]["id"]
    target = heroin(client.get(f"/api/v1/ingest/{doc}/proposals").json())
    assert target["status"] == "conflict"
    assert any(u.startswith("quantities:") for u in target["unresolved"])
    url = f"/api/v1/ingest/{doc}/proposals/{target['id']}"
    error(client.post(url + "/accept"), 409, "conflict", "quantities")
    assert client.get(f"/api/v1/seizures/{target['id']}").status_code == 404
    # Accept-all leaves it to the reviewer; edited to agree with the store, it is the stored seizure: known.
    client.post(f"/api/v1/ingest/{doc}/accept")
    assert heroin(client.get(f"/api/v1/ingest/{doc}/proposals").json())["status"] == "conflict"
    assert client.patch(url, json={"fields": {"quantities": "500 塊"}}).status_code == 200
    done = client.post(url + "/accept")
    assert done.status_code == 200, done.text
    assert [p["status"] for p in done.json()["decided"] if p["id"] == target["id"]] == ["known"]
    assert len(client.get("/api/v1/seizures", params={"drug": "heroin"}).json()["items"]) == 1


def test_accept_all_from_the_page_reports_what_it_stored(client: TestClient) -> None:
    doc = upload(client).json()["document"]["id"]
    waiting = len(client.get(f"/api/v1/ingest/{doc}/proposals").json())
    done = client.post(f"/ingest/{doc}/accept", data={})
    assert done.status_code == 303 and "stored=" in done.headers["location"]
    page = client.get(done.headers["location"])
    assert page.status_code == 200 and "已存入" in page.text
    assert page.text.count('<article class="proposal st-accepted"') == waiting
    assert "/accept" not in page.text.split('<section class="proposals"')[0]  # nothing left to accept


RELEASE = "本部調查局依據大陸公安部提供之情資，於103年6月18日在高雄港查獲貨櫃夾藏愷他命300公斤，逮捕嫌犯3人。"


@pytest.mark.parametrize("suffix", [".docx", ".pdf", ".html"])
def test_word_pdf_and_html_documents_are_read_as_the_cli_reads_them(
    client: TestClient, tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"release{suffix}"
    if suffix == ".docx":
        import docx

        document = docx.Document()
        document.add_paragraph(RELEASE)
        document.save(str(path))
    elif suffix == ".pdf":
        import weasyprint

        weasyprint.HTML(string=f"<p style='font-family: Noto Sans CJK TC'>{RELEASE}</p>").write_pdf(str(path))
    else:
        path.write_text(f"<html><body><script>x()</script><p>{RELEASE}</p></body></html>", encoding="utf-8")
    done = upload(client, path)
    assert done.status_code == 201, done.text
    body = done.json()
    text = client.get(f"/api/v1/ingest/{body['document']['id']}/text").json()["text"]
    seizure = next(p for p in body["proposals"] if p["kind"] == "seizure")
    assert seizure["fields"]["drug"] == "ketamine" and seizure["fields"]["quantities"][0]["value"] == "300"
    assert text[seizure["span"]["start"] : seizure["span"]["end"]] == seizure["span"]["text"]
    assert body["document"]["name"] == path.name


def test_the_upload_page_says_why_a_document_is_refused(client: TestClient, tmp_path: Path) -> None:
    program = tmp_path / "tool.exe"
    program.write_bytes(b"MZ\x90\x00")
    with program.open("rb") as f:
        refused = client.post("/ingest", files={"file": (program.name, f, "application/octet-stream")})
    assert refused.status_code == 415
    assert 'role="alert"' in refused.text and "tool.exe" in refused.text and 'name="file"' in refused.text
