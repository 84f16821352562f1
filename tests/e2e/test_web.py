"""The web app lists the loaded records by kind, as HTML and as JSON."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from straitlink.domain.access import Principal
from straitlink.domain.parties import Party
from straitlink.services import records as svc
from straitlink.services.kinds import kind_named
from straitlink.web.app import create_app


def test_index_and_listing(engine: Engine) -> None:
    svc.add_record(
        engine,
        kind_named("seizure"),
        {"drug": "ketamine", "quantities": [{"value": "500", "unit": "kg"}], "place": "quanzhou"},
        principal=Principal.system(Party.TW, "tester"),
    )
    client = TestClient(create_app(engine))
    index = client.get("/")
    assert index.status_code == 200
    assert 'href="/records/seizures"' in index.text
    counts = {c["kind"]: c["count"] for c in client.get("/api/v1/counts").json()}
    assert counts["seizures"] == 1 and counts["cases"] == 0
    page = client.get("/records/seizures")
    assert page.status_code == 200 and "ketamine" in page.text and "500 kg" in page.text
    rows = client.get("/api/v1/seizures").json()
    assert rows[0]["quantities"][0]["value"] == "500"
    assert client.get("/api/v1/unicorns").status_code == 404
