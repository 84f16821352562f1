"""`straitlink meeting follow-up add|edit|list`: a meeting's action items through the command line, audited, on
SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_cli_refusals import Cli


@pytest.fixture
def cli(tmp_path: Path, db_url: str) -> Iterator[Cli]:
    cli = Cli(tmp_path / "data", None if db_url.startswith("sqlite") else db_url)
    assert cli("init")[0] == 0
    yield cli


def _meeting(cli: Cli) -> dict[str, Any]:
    made = cli.ok(
        "add", "meeting", "kind=working_talks", "title=兩岸毒品查緝工作會談", "date=113年3月5日",
        "decisions=加強情資交換", "participants=刑事警察局,公安部",
    )  # fmt: skip
    assert isinstance(made, dict)
    return made


def test_an_action_item_is_added_moved_along_listed_and_audited(cli: Cli) -> None:
    meeting = _meeting(cli)
    prefix = meeting["id"][:8]
    added = cli.ok(
        "meeting", "follow-up", "add", prefix, "action=交換查緝情資", "agency=刑事局", "decision=1", "due=113年4月30日"
    )
    assert added["number"] == 1 and added["agency"] == "cib" and added["due"] == "2024-04-30"  # type: ignore[index]
    assert added["status"] == "open" and added["meeting"] == meeting["id"]  # type: ignore[index]
    case = cli.ok("add", "case", "title=桃園機場K他命案", "kind=drugs", "joint=yes")
    moved = cli.ok(
        "meeting", "follow-up", "edit", prefix, "1", "status=done", "status_on=113年5月20日",
        f"case={case['id'][:8]}", "note=已交換",  # type: ignore[index]
    )  # fmt: skip
    assert moved["status"] == "done" and moved["status_on"] == "2024-05-20"  # type: ignore[index]
    assert moved["case"] == case["id"]  # type: ignore[index]
    shown = cli.ok("show", "meeting", prefix)
    assert shown["follow_ups"][0]["note"] == "已交換" and shown["version"] == 3  # type: ignore[index]
    listed = cli.ok("meeting", "follow-up", "list", "--agency", "刑事警察局")
    assert [(i["meeting"], i["number"], i["status"]) for i in listed] == [(meeting["id"], 1, "done")]  # type: ignore[index,union-attr]
    assert cli.ok("meeting", "follow-up", "list", "--open") == []
    log = cli.ok("audit", "log", "--record", meeting["id"])
    assert [e["action"] for e in log] == ["create", "update", "update"]  # type: ignore[index,union-attr]
    assert cli("audit", "verify")[0] == 0
    code, out, _ = cli("meeting", "follow-up", "list")
    assert code == 0 and "交換查緝情資" in out and prefix in out


def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(cli: Cli) -> None:
    prefix = _meeting(cli)["id"][:8]
    cli.refused("meeting", "follow-up", "add", prefix, "action=a", "agency=不存在的機關", field="agency")
    cli.refused("meeting", "follow-up", "add", prefix, "agency=刑事局", field="action")
    cli.refused("meeting", "follow-up", "add", prefix, "action=a", "agency=刑事局", "decision=2", field="decision")
    cli.refused("meeting", "follow-up", "add", prefix, "action=a", "agency=刑事局", "status=finished", field="status")
    cli.refused("meeting", "follow-up", "add", prefix, "action=a", "agency=刑事局", "due=113年2月", field="due")
    cli.refused("meeting", "follow-up", "add", prefix, "action=a", "colour=red", field="field", value="colour")
    cli.refused("meeting", "follow-up", "edit", prefix, "1", "status=done", field="follow-up", value="#1")
    cli.ok("meeting", "follow-up", "add", prefix, "action=a", "agency=刑事局")
    cli.refused("meeting", "follow-up", "edit", prefix, "1", "status=in_progress", "--version", "1", field="version")
    cli.refused("meeting", "follow-up", "edit", prefix, "1", "status=dropped", field="note")
