"""The pages: the seed's records on the dashboard, requests filed and moved through forms, three languages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from web_helpers import WebApp, load_seed

from straitlink.services.records import today_utc8
from straitlink.web.i18n import LANGS

FORM = {
    "type": "evidence_collection",
    "subject": "調查取證：笙宏號船員通聯紀錄",
    "requesting_agency": "kaohsiung-district-prosecutors",
    "purpose": "偵查走私毒品案",
    "matters": "調取通聯紀錄",
    "case_summary": "巴拿馬籍貨輪走私K他命",
    "execution_needs": "船員名冊",
    "urgency": "normal",
}


@pytest.fixture
def web(engine: Engine, tmp_path: Path) -> WebApp:
    load_seed(engine)
    app = WebApp(engine, tmp_path / "data")
    app.accounts.add("liaison")
    return app


def switch(client: TestClient, lang: str) -> None:
    assert client.post("/lang", data={"lang": lang, "next": "/"}).status_code == 303


def test_dashboard_shows_the_seed_in_each_language(web: WebApp) -> None:
    client = web.login("liaison")
    page = client.get("/")
    assert page.status_code == 200
    assert "笙宏號" in page.text and "600 塊" in page.text and "102年11月17日" in page.text and "海洛因" in page.text
    assert 'lang="zh-Hant-TW"' in page.text
    switch(client, "zh-CN")
    page = client.get("/")
    assert "2013年11月17日" in page.text and "缴获" in page.text and 'lang="zh-Hans-CN"' in page.text
    switch(client, "en")
    page = client.get("/")
    assert "600 blocks; 229 kg (gross weight)" in page.text and "17 Nov 2013" in page.text and "Heroin" in page.text


def test_no_page_shows_a_field_name_or_a_catalogue_id(web: WebApp) -> None:
    client = web.login("liaison")
    for lang in LANGS:
        switch(client, lang)
        for path in ("/", "/records/cases", "/records/seizures", "/records/meetings", "/statistics?by=drug"):
            page = client.get(path)
            assert page.status_code == 200, path
            text = re.sub(r"<[^>]+>", " ", page.text)
            for raw in ("kaohsiung-district-prosecutors", "ketamine", "requesting_agency", "caught_in_act", "drugs "):
                assert raw not in text, (lang, path, raw)


def test_a_case_page_shows_its_agencies_and_seizures(web: WebApp) -> None:
    client = web.login("liaison")
    cases = client.get("/api/v1/cases").json()["items"]
    vessel_case = next(c for c in cases if "笙宏號" in c["title"])
    page = client.get(f"/cases/{vessel_case['id'][:8]}")
    assert page.status_code == 200 and "臺灣高雄地方法院檢察署" in page.text and "500 公斤" in page.text


def test_file_a_request_move_it_and_find_it_in_the_outbox_and_on_the_dashboard(web: WebApp) -> None:
    client = web.login("liaison")
    refused = client.post("/requests/new", data={**FORM, "purpose": ""})
    assert refused.status_code == 422 and "請求目的" in refused.text and FORM["subject"] in refused.text
    filed = client.post("/requests/new", data=FORM)
    assert filed.status_code == 303
    page_url = filed.headers["location"]
    page = client.get(page_url)
    assert "已提出" in page.text and "送出" in page.text
    proof = {"document": ("請求書.txt", "請求書全文".encode(), "text/plain")}
    sent = client.post(f"{page_url}/step", data={"target": "sent", "version": "1"}, files=proof)
    assert sent.status_code == 303 and "error" not in sent.headers["location"]
    page = client.get(page_url)
    assert "已送出" in page.text and "處理歷程" in page.text and "（協議未規定）" in page.text
    link = re.search(r'href="(/documents/[^"]+)">請求書.txt</a>', page.text)
    assert link is not None
    download = client.get(link.group(1))
    assert download.content == "請求書全文".encode() and "attachment" in download.headers["content-disposition"]
    api = client.get("/api/v1/request-documents/" + link.group(1).rsplit("/", 1)[1])
    assert api.content == download.content
    stale = client.post(f"{page_url}/step", data={"target": "withdrawn", "version": "1", "text": "x"})
    assert "error=" in stale.headers["location"]
    assert "version" in client.get(stale.headers["location"]).text
    assert FORM["subject"] in client.get("/requests?box=outbox").text
    assert FORM["subject"] in client.get("/").text


def test_a_missing_page_or_record_answers_in_the_readers_language(web: WebApp) -> None:
    """With the navigation and the language of whoever is logged in: an error page is not a dead end."""
    client = web.login("liaison")
    pages = (("zh-CN", "无法完成此操作", "退出登录"), ("en", "Something could not be done", "Log out"))
    for lang, title, log_out in pages:
        switch(client, lang)
        for path in ("/cases/00000000-0000", "/no/such/page"):
            missing = client.get(path)
            assert missing.status_code == 404 and title in missing.text and log_out in missing.text, missing.text
            assert 'href="/requests?box=inbox"' in missing.text
    stranger = web.anonymous()
    missing = stranger.get("/no/such/page", headers={"Accept-Language": "zh-TW"})
    assert missing.status_code == 404 and "無法完成這項操作" in missing.text and "/logout" not in missing.text


def test_statistics_drill_into_a_figure_and_download_a_bulletin(web: WebApp) -> None:
    web.accounts.add("analyst", roles=("analyst",))
    client = web.login("analyst")
    page = client.get("/statistics", params={"start": "102年1月1日", "end": "102-12-31"})
    assert page.status_code == 200 and "期間：102年1月1日至102年12月31日" in page.text
    link = re.search(r'href="(/statistics/explain\?[^"]*seizures.by_drug.heroin.count[^"]*)"', page.text)
    assert link is not None
    drill = client.get(link.group(1).replace("&amp;", "&"))
    assert drill.status_code == 200 and "海洛因查獲" in drill.text and "600 塊海洛因" in drill.text
    figures = client.get("/api/v1/statistics", params={"from": "102-01-01", "to": "102-12-31"}).json()
    assert figures["seizures"]["count"] == 7
    explained = client.get("/api/v1/statistics/explain", params={"figure": "seizures.by_drug.heroin.count"}).json()
    assert explained["counts"] == {"seizure": 1}
    bulletin = re.search(r'href="(/api/v1/bulletins\?[^"]*lang=zh-CN[^"]*format=md)"', page.text)
    assert bulletin is not None
    download = client.get(bulletin.group(1).replace("&amp;", "&"))
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    assert "两岸共同打击犯罪及司法互助成效通报" in download.text and "兩岸" not in download.text
    wrong = client.get("/api/v1/bulletins", params={"format": "odt"})
    assert wrong.status_code == 422 and wrong.json()["field"] == "format"
    assert client.get("/api/v1/reconciliation").status_code == 200


@pytest.mark.parametrize(
    ("path", "label", "value"),
    [
        ("/requests?status=bogus", "狀態", "bogus"),
        ("/requests?box=outbox&status=OPEN", "狀態", "OPEN"),
        ("/statistics?by=nothing", "分類依據", "nothing"),
        ("/statistics?start=2013-01-01&by=Drug", "分類依據", "Drug"),
    ],
)
def test_a_filter_value_a_page_does_not_know_is_named_not_ignored(
    web: WebApp, path: str, label: str, value: str
) -> None:
    """A hand-edited address once showed every request, or the statistics without a breakdown, as if asked for.
    The refusal names the field by its label in the reader's language, and the value."""
    page = web.login("liaison").get(path)
    assert page.status_code == 422, path
    assert f'<p class="error" role="alert">{label}：&#39;{value}&#39;' in page.text, page.text[-600:]


def test_a_report_on_a_period_that_has_not_begun_is_refused(web: WebApp) -> None:
    """Statistics or a bulletin for 2099 once came out, all zeros, as if that period had been counted."""
    web.accounts.add("analyst", roles=("analyst",))
    client = web.login("analyst")
    later = f"{today_utc8().year + 1}-01"
    for path, params in (
        ("/api/v1/statistics", {"from": later}),
        ("/api/v1/bulletins", {"from": later, "format": "md"}),
        ("/api/v1/statistics/explain", {"from": "2099-01-01", "to": "2099-12-31", "figure": "requests.total"}),
    ):
        refused = client.get(path, params=params)
        assert refused.status_code == 422, (path, refused.text)
        assert refused.json()["field"] == "from" and "after today" in refused.json()["message"], refused.text
    page = client.get("/statistics", params={"start": later})
    assert page.status_code == 422 and later in page.text
    assert "期間起日" in page.text  # the field by its label in the reader's language, not "from"
    assert client.get("/api/v1/statistics", params={"from": today_utc8().isoformat()}).status_code == 200


def test_the_forms_own_empty_choices_still_mean_any(web: WebApp) -> None:
    client = web.login("liaison")
    assert client.get("/statistics?by=").status_code == 200
    assert client.get("/requests?status=any").status_code == 200
    assert client.get("/requests?status=").status_code == 200
