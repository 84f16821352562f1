"""Adding and editing records from their pages: a case's operations, suspects, seizures (the CLI's quantities),
vessels and containers, linked intel and requests; meetings and intel hand-overs with their outcomes. Edits carry
the version they were read at: a stale one is refused with a clear message and nothing typed or stored is lost."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from web_helpers import WebApp, load_seed

from straitlink.demo.seed import build_seed

SEED = build_seed()
AIRPORT = next(c for c in SEED.cases if "桃園機場" in c.title)  # 600 塊海洛因(毛重 229 公斤)
SHIP = next(c for c in SEED.cases if "笙宏號" in c.title)


@pytest.fixture
def web(engine: Engine, tmp_path: Path) -> WebApp:
    load_seed(engine)
    app = WebApp(engine, tmp_path / "data")
    app.accounts.add("liaison")
    app.accounts.add("viewer", roles=("viewer",), clearance="unclassified")
    return app


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def related(client: TestClient, plural: str, case_id: str) -> list[dict[str, Any]]:
    items = client.get(f"/api/v1/{plural}?limit=200").json()["items"]
    return [r for r in items if r.get("case") == case_id]


def test_a_seizure_added_on_the_case_page_keeps_its_precise_quantities(web: WebApp) -> None:
    client = web.login("liaison")
    page = client.get(f"/cases/{AIRPORT.id}")
    assert f'href="/records/seizures/new?case={AIRPORT.id}"' in page.text
    form = client.get(f"/records/seizures/new?case={AIRPORT.id}")
    assert form.status_code == 200 and "數量" in form.text and "quantities" not in text_of(form.text)
    data = {
        "drug": "海洛因",
        "quantities": "3,000餘公斤；229 公斤 毛重",
        "date": "102年5月底",
        "place": "桃園機場",
        "case": AIRPORT.id,
        "containers": "TGHU1234567、TGHU7654321",
    }
    done = client.post("/records/seizures/new", data=data)
    assert done.status_code == 303 and done.headers["location"] == f"/cases/{AIRPORT.id}"
    made = [s for s in related(client, "seizures", AIRPORT.id) if s["containers"]]
    assert len(made) == 1
    assert made[0]["quantities"] == [
        {"value": "3000", "unit": "kg", "basis": "unstated", "qualifier": "at_least"},
        {"value": "229", "unit": "kg", "basis": "gross", "qualifier": "exact"},
    ]
    assert made[0]["date"]["iso"] == "2013-05" and made[0]["containers"] == ["TGHU1234567", "TGHU7654321"]
    case_page = text_of(client.get(f"/cases/{AIRPORT.id}").text)
    assert "≥3000 公斤；229 公斤（毛重）" in case_page and "102年5月底" in case_page


def test_bad_input_names_the_field_and_keeps_what_was_typed(web: WebApp) -> None:
    client = web.login("liaison")
    data = {"drug": "海洛因", "quantities": "很多公斤", "date": "102年11月17日", "case": AIRPORT.id}
    page = client.post("/records/seizures/new", data=data)
    assert page.status_code == 422 and "很多公斤" in page.text
    alert = re.search(r'role="alert">([^<]*)<', page.text)
    assert alert is not None and alert.group(1).startswith("數量：")  # the field's label, not its name
    assert 'value="102年11月17日"' in page.text


def test_an_operation_with_vessels_and_containers_and_a_suspect(web: WebApp) -> None:
    client = web.login("liaison")
    data = {
        "name": "第二次海上聯合查緝",
        "date": "102年12月1日",
        "agencies": "directing:高雄地檢署, leading:公安部",
        "places": "高雄、廈門",
        "personnel": "500餘名",
        "vessels": "金滿發/巴拿馬/貨輪, 無名漁船",
        "containers": "TGHU0000001",
        "conveyance": "sea_cargo",
        "case": SHIP.id,
    }
    assert client.post("/records/operations/new", data=data).status_code == 303
    op = next(o for o in related(client, "operations", SHIP.id) if o["name"] == "第二次海上聯合查緝")
    assert op["vessels"][0] == {"name": "金滿發", "flag_state": "巴拿馬", "kind": "貨輪"}
    assert op["vessels"][1]["name"] == "無名漁船" and op["personnel"]["qualifier"] == "at_least"
    assert [a["agency"] for a in op["agencies"]] == ["kaohsiung-district-prosecutors", "mps"]
    suspect = {"role": "suspect", "label": "林姓船長", "nationality": "TW", "caught_in_act": "yes", "case": SHIP.id}
    assert client.post("/records/persons/new", data=suspect).status_code == 303
    person = next(p for p in related(client, "persons", SHIP.id) if p["label"] == "林姓船長")
    assert person["caught_in_act"] is True
    page = text_of(client.get(f"/cases/{SHIP.id}").text)
    assert "金滿發" in page and "林姓船長" in page and "TGHU0000001" in page


def test_an_edit_form_reads_back_what_is_stored_and_a_stale_version_is_refused(web: WebApp) -> None:
    client = web.login("liaison")
    seizure = next(s for s in SEED.seizures if s.case == AIRPORT.id)
    form = client.get(f"/records/seizures/{seizure.id[:8]}/edit")
    assert form.status_code == 200
    assert "600 block；229 kg gross" in form.text and 'value="102年11月17日"' in form.text
    assert 'value="海洛因"' in form.text and 'name="version" value="1"' in form.text
    data = {
        "drug": "海洛因",
        "quantities": "600 塊；229 公斤 毛重",
        "date": "102年11月17日",
        "place": "桃園機場",
        "description": "停機坪查獲",
        "version": "1",
    }
    done = client.post(f"/records/seizures/{seizure.id}/edit", data=data)
    assert done.status_code == 303, done.text
    stored = client.get(f"/api/v1/seizures/{seizure.id}").json()
    assert stored["version"] == 2 and stored["description"] == "停機坪查獲"
    assert [q["unit"] for q in stored["quantities"]] == ["block", "kg"]
    stale = client.post(f"/records/seizures/{seizure.id}/edit", data={**data, "description": "舊版本的修改"})
    assert stale.status_code == 409
    assert "已有他人修改此筆紀錄" in stale.text and "第1版" in stale.text and "第2版" in stale.text
    assert "舊版本的修改" in stale.text  # what was typed is still there
    assert client.get(f"/api/v1/seizures/{seizure.id}").json()["description"] == "停機坪查獲"


def test_intel_linked_to_a_case_and_a_request_filed_from_it(web: WebApp) -> None:
    client = web.login("liaison")
    intel = next(i for i in SEED.intel if "漳州" in i.summary)
    form = client.get(f"/records/outcomes/new?case={AIRPORT.id}")
    assert intel.summary[:10] in form.text
    data = {"intel": intel.id, "note": "陸方情資促成", "case": AIRPORT.id}
    assert client.post("/records/outcomes/new", data=data).status_code == 303
    page = client.get(f"/cases/{AIRPORT.id}").text
    assert f'href="/intel/{intel.id}"' in page and "陸方情資促成" in page
    filing = client.get(f"/requests/new?case={AIRPORT.id[:8]}")
    assert f'name="case" value="{AIRPORT.id}"' in filing.text


def test_meetings_and_intel_pages(web: WebApp) -> None:
    client = web.login("liaison")
    listing = client.get("/meetings")
    assert listing.status_code == 200 and "兩岸司法互助協議聯繫協調會報" in listing.text
    meeting = next(m for m in SEED.meetings if m.decisions)
    page = client.get(f"/meetings/{meeting.id}")
    assert page.status_code == 200 and meeting.decisions[0] in page.text and "決議與後續辦理" in page.text
    data = {
        "kind": "working_talks",
        "title": "第二次工作會談",
        "date": "103年3月",
        "host": "法務部",
        "participants": "法務部, 公安部",
        "decisions": "交換情資\n每季檢討",
        "cross_strait": "yes",
    }
    done = client.post("/records/meetings/new", data=data)
    assert done.status_code == 303
    made = client.get(done.headers["location"])
    assert "第二次工作會談" in made.text and "103年3月" in made.text
    # Each decision is an item of the numbered list, its follow-ups under it.
    assert '<ol class="decisions"><li>交換情資' in made.text and "<li>每季檢討" in made.text
    intel = next(i for i in SEED.intel if "笙宏號" in i.summary)
    page = client.get(f"/intel/{intel.id}")
    assert page.status_code == 200 and SHIP.title in page.text
    assert f'href="/records/outcomes/new?intel={intel.id}"' in page.text
    assert client.get("/intel").status_code == 200 and intel.summary[:10] in client.get("/intel").text
    outcome = client.post(
        "/records/outcomes/new", data={"intel": intel.id, "case": SHIP.id, "note": "另案查獲", "intel_of": intel.id}
    )
    assert outcome.status_code == 303, re.findall(r"role=\"alert\">(.*?)</p>", outcome.text, re.S)
    assert outcome.headers["location"] == f"/intel/{intel.id}"
    assert "另案查獲" in client.get(f"/intel/{intel.id}").text


def test_a_reader_gets_no_form(web: WebApp) -> None:
    viewer = web.login("viewer")
    assert viewer.get(f"/records/seizures/new?case={AIRPORT.id}").status_code == 403
    assert viewer.post("/records/meetings/new", data={"kind": "seminar", "title": "x"}).status_code == 403
    assert "/records/meetings/new" not in viewer.get("/meetings").text
    assert viewer.get("/records/requests/new").status_code == 404  # requests are filed through their workflow


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_forms_in_the_other_languages(web: WebApp, lang: str) -> None:
    client = web.login("liaison", lang=lang)
    client.post("/lang", data={"lang": lang, "next": "/"})
    seizure = next(s for s in SEED.seizures if s.case == AIRPORT.id)
    form = client.get(f"/records/seizures/{seizure.id}/edit")
    case = text_of(client.get(f"/cases/{AIRPORT.id}").text)
    if lang == "zh-CN":
        assert "数量" in form.text and 'value="2013-11-17"' in form.text and "缴获" in form.text
        assert "600 块；229 千克（毛重）" in case and "（指挥）、" in case  # full-width marks, as in zh-TW
    else:
        assert "Quantities" in form.text and 'value="Heroin"' in form.text
        assert "600 blocks; 229 kg (gross weight)" in case and "(Directing), " in case


@pytest.mark.parametrize(("lang", "directing"), [("zh-TW", "指揮"), ("zh-CN", "指挥"), ("en", "directing")])
def test_a_cases_agencies_are_written_with_the_roles_the_page_shows(web: WebApp, lang: str, directing: str) -> None:
    """A Chinese form shows 指揮:高雄地檢署, not directing:…, and reads it back; full-width separators split."""
    client = web.login("liaison", lang=lang)
    client.post("/lang", data={"lang": lang, "next": "/"})
    form = client.get(f"/records/cases/{AIRPORT.id}/edit")
    assert f"{directing}:" in form.text and ("directing:" not in form.text) == (lang != "en"), form.text
    version = re.search(r'name="version" value="(\d+)"', form.text)
    assert version is not None
    typed = {
        "title": AIRPORT.title,
        "kind": "drugs",
        "joint": "yes",
        "agencies": f"{directing}：高雄地檢署，參與:海巡署、提供情資:公安部",
        "version": version.group(1),
    }
    done = client.post(f"/records/cases/{AIRPORT.id}/edit", data=typed)
    assert done.status_code == 303, text_of(done.text)[:400]
    stored = client.get(f"/api/v1/cases/{AIRPORT.id}").json()["agencies"]
    assert stored == [
        {"agency": "kaohsiung-district-prosecutors", "role": "directing"},
        {"agency": "coast-guard", "role": "participating"},
        {"agency": "mps", "role": "intel_provider"},
    ]


def test_an_outcomes_choices_are_named_in_the_page_language(web: WebApp) -> None:
    """The seizures an outcome may name: the drug's name, the amounts and the date as the page writes them."""
    client = web.login("liaison", lang="zh-TW")
    client.post("/lang", data={"lang": "zh-TW", "next": "/"})
    form = text_of(client.get(f"/records/outcomes/new?case={AIRPORT.id}").text)
    assert "查獲" in form and "海洛因 600 塊；229 公斤（毛重） 102年11月17日" in form, form
    assert "heroin" not in form and " seizures " not in form
    assert "此類資料沒有表單" in client.get("/records/documents/new").text
