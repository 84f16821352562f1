"""Search over HTTP: `GET /api/v1/search` (documented, paged, errors in the one shape) and the `/search` page, on
the seed's records, as accounts that may see more or less of them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from web_helpers import WebApp, load_seed


@pytest.fixture
def web(engine: Engine, tmp_path: Path) -> WebApp:
    load_seed(engine)
    app = WebApp(engine, tmp_path / "data")
    app.accounts.add("liaison")
    app.accounts.add("viewer", roles=("viewer",), clearance="unclassified")
    return app


def _search(client: Any, query: str, **params: Any) -> dict[str, Any]:
    response = client.get("/api/v1/search", params={"q": query, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_simplified_query_finds_the_seeds_traditional_records(web: WebApp) -> None:
    client = web.login("liaison")
    body = _search(client, "笙宏号")
    assert body["total"] >= 1
    hit = body["items"][0]
    assert "笙宏號" in hit["label"] + hit["snippet"]
    assert any(hit["snippet"][s:e] == "笙宏號" for s, e in hit["highlights"])
    for item in body["items"] + _search(client, "海洛因", limit=100)["items"]:
        assert client.get(item["url"]).status_code == 200, item  # every kind's link opens


def test_pages_with_a_next_link_until_every_hit_was_seen_once(web: WebApp) -> None:
    client = web.login("liaison")
    total = _search(client, "海洛因")["total"]
    assert total >= 3
    seen: list[str] = []
    url: str | None = "/api/v1/search?q=%E6%B5%B7%E6%B4%9B%E5%9B%A0&limit=2"
    while url:
        page = client.get(url).json()
        seen += [i["id"] for i in page["items"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == total


def test_a_viewer_never_finds_or_counts_classified_records(web: WebApp) -> None:
    liaison = _search(web.login("liaison"), "海洛因")
    viewer = _search(web.login("viewer"), "海洛因")
    assert viewer["total"] < liaison["total"]
    assert all(i["classification"] == "unclassified" for i in viewer["items"])


def test_errors_come_in_the_one_shape(web: WebApp) -> None:
    client = web.login("liaison")
    for params, field in (
        ({"q": "案" * 201}, "q"),
        ({"q": "案", "limit": 0}, "limit"),
        ({"q": "案", "kind": "x"}, "kind"),
    ):
        response = client.get("/api/v1/search", params=params)
        assert response.status_code == 422, response.text
        assert response.json()["field"] == field
    assert web.anonymous().get("/api/v1/search", params={"q": "案"}).status_code == 401


def test_the_search_is_documented(web: WebApp) -> None:
    spec = web.anonymous().get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/search"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"q", "kind", "limit", "cursor"}
    assert "422" in operation["responses"]


def test_the_page_marks_what_matched_in_each_language(web: WebApp) -> None:
    client = web.login("liaison")
    page = client.get("/search", params={"q": "笙宏号"})
    assert page.status_code == 200
    assert "<mark>笙宏號</mark>" in page.text
    assert 'href="/search"' in page.text  # the box is in the menu of every page
    empty = client.get("/search")
    assert empty.status_code == 200 and "<mark>" not in empty.text
