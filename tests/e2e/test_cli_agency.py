"""Agencies beyond the shipped catalogue: added with names in either script and a parent, found by any name,
edited, audited; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_cli_refusals import Cli

XIAMEN = [
    "party=CN",
    "name_zh_hans=厦门市公安局",
    "name_en=Xiamen Municipal PSB",
    "kind=public_security",
    "parent=公安部",
]


@pytest.fixture
def cli(tmp_path: Path, db_url: str) -> Iterator[Cli]:
    cli = Cli(tmp_path / "data", None if db_url.startswith("sqlite") else db_url)
    assert cli("init")[0] == 0
    yield cli


def test_an_added_agency_resolves_by_any_name_and_is_audited(cli: Cli, tmp_path: Path) -> None:
    added = cli.ok("agency", "add", *XIAMEN, "short_names=廈門市局")
    assert added == {
        "id": "xiamen-municipal-psb",
        "party": "CN",
        "kind": "public_security",
        "name_zh_hant": "廈門市公安局",  # converted from the Simplified name given
        "name_zh_hans": "厦门市公安局",
        "name_en": "Xiamen Municipal PSB",
        "parent": "mps",
        "short_names": ["廈門市局"],
        "shipped": False,
    }
    for name in ("廈門市公安局", "厦门市公安局", "廈門市局", "xiamen-municipal-psb"):
        assert cli.ok("agency", "show", name)["id"] == "xiamen-municipal-psb"  # type: ignore[index]
    assert "xiamen-municipal-psb" in cli.ok("agency", "show", "公安部")["children"]  # type: ignore[index]
    case = cli.ok("add", "case", "title=t", "kind=drugs", "joint=yes", "agencies=leading:廈門市局")
    assert case["agencies"] == [{"agency": "xiamen-municipal-psb", "role": "leading"}]  # type: ignore[index]
    file = tmp_path / "case.json"
    file.write_text(
        json.dumps(
            {"title": "t", "kind": "drugs", "joint": True, "agencies": [{"agency": "厦门市公安局", "role": "leading"}]}
        ),
        encoding="utf-8",
    )
    assert cli.ok("add", "case", "--file", str(file))["agencies"][0]["agency"] == "xiamen-municipal-psb"  # type: ignore[index]
    listed = cli.ok("list", "cases", "--agency", "廈門市公安局")
    assert len(listed) == 2 and case in listed  # type: ignore[arg-type,operator]
    edited = cli.ok("agency", "edit", "廈門市局", "name_en=Xiamen PSB", "kind=police")
    assert edited["name_en"] == "Xiamen PSB" and edited["kind"] == "police"  # type: ignore[index]
    log = cli.ok("audit", "log", "--record", "xiamen-municipal-psb")
    assert [e["action"] for e in log] == ["create", "update"]  # type: ignore[index,union-attr]
    assert cli.ok("audit", "verify")["ok"] is True  # type: ignore[index]
    assert [a["id"] for a in cli.ok("agency", "list", "--added")] == ["xiamen-municipal-psb"]  # type: ignore[index,union-attr]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        (["party=CN", "name_zh_hant=公安部"], "name_zh_hant"),  # a name another agency has
        (["party=XX", "name_zh_hant=某局"], "party"),
        (["party=CN"], "name_zh_hant"),
        (["party=CN", "name_zh_hant=某局", "parent=高雄地檢署"], "parent"),  # a parent of the other side
        (["party=CN", "name_zh_hant=某局", "parent=不存在"], "parent"),
        (["party=CN", "name_zh_hant=某局", "kind=boss"], "kind"),
        (["party=CN", "name_zh_hant=某局", "id=Not An Id"], "id"),
        (["party=CN", "name_zh_hant=某局", "id=mps"], "id"),
        (["party=CN", "name_zh_hant=某\x1b局"], "name_zh_hant"),
        (["party=CN", "name_zh_hant=某局", "colour=red"], "field"),
        (["party=CN", "name_zh_hant=某局", "party=TW"], "party"),
    ],
)
def test_bad_agencies_are_refused(cli: Cli, fields: list[str], field: str) -> None:
    cli.refused("agency", "add", *fields, field=field)


def test_an_agency_without_a_party_is_told_the_party_is_required(cli: Cli) -> None:
    err = cli.refused("agency", "add", "name_zh_hant=某局", field="party")
    assert "party: is required" in err and "None" not in err, err


def test_shipped_agencies_are_not_edited_here(cli: Cli) -> None:
    cli.refused("agency", "edit", "公安部", "name_en=x", field="agency")
    cli.ok("agency", "add", *XIAMEN)
    cli.refused("agency", "edit", "xiamen-municipal-psb", "name_zh_hant=公安部", field="name_zh_hant")
    cli.refused("agency", "edit", "xiamen-municipal-psb", "party=TW", field="field")


def test_show_case_lists_what_the_case_holds(cli: Cli) -> None:
    case = cli.ok("add", "case", "title=聯手破獲", "kind=drugs", "joint=yes", "agencies=directing:高雄地檢署")
    cid = str(case["id"])  # type: ignore[index]
    cli.ok("add", "seizure", "drug=K他命", "quantity=600 塊;229 公斤 毛重", f"case={cid[:8]}")
    cli.ok("add", "person", f"case={cid[:8]}", "label=嫌犯甲")
    cli.ok("add", "operation", f"case={cid}", "name=海上查緝", "personnel=500餘名")
    code, out, err = cli("show", "case", cid[:8])
    assert code == 0, err
    assert "directing:臺灣高雄地方法院檢察署" in out  # the agency by its name, as the reader writes it
    for expected in ("seizures (1)", "600 block", "persons (1)", "嫌犯甲", "operations (1)", "海上查緝", "intel: none"):
        assert expected in out, expected
    assert '{"agency"' not in out


def test_liaison_officers_add_agencies_and_admins_edit_them(cli: Cli) -> None:
    """The desk that files requests names the mainland bureau they come from; changing an agency stays an admin's."""
    for name, role, agency in (("liaison", "liaison_officer", "moj"), ("prosecutor", "prosecutor", "高雄地檢署")):
        code, _, err = cli("--user", "admin", "user", "add", name, "--role", role, "--agency", agency)
        assert code == 0, err
    added = cli.ok("--user", "liaison", "agency", "add", *XIAMEN)
    assert added["id"] == "xiamen-municipal-psb"  # type: ignore[index]
    line = cli.refused("--user", "liaison", "agency", "edit", "xiamen-municipal-psb", "name_en=x", field="user")
    assert "catalog.manage" in line
    line = cli.refused("--user", "prosecutor", "agency", "add", "party=CN", "name_zh_hant=泉州市公安局", field="user")
    assert "agencies.add" in line
    assert cli.ok("--user", "admin", "agency", "edit", "xiamen-municipal-psb", "name_en=Xiamen PSB")["name_en"] == (  # type: ignore[index]
        "Xiamen PSB"
    )
    assert [e["actor"] for e in cli.ok("audit", "log", "--record", "xiamen-municipal-psb")] == ["liaison", "admin"]  # type: ignore[index,union-attr]
    assert cli.ok("audit", "verify")["ok"] is True  # type: ignore[index]
