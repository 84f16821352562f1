"""Access control end to end: the demo's accounts through STRAITLINK_USER, each seeing what its role reaches."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from straitlink.catalog import load_catalog
from straitlink.cli.main import app

runner = CliRunner()


def run(data_dir: Path, user: str, *args: str) -> tuple[int, Any, str]:
    result = runner.invoke(app, ["--data-dir", str(data_dir), *args], env={"STRAITLINK_USER": user})
    try:
        shown = json.loads(result.stdout) if result.stdout.strip() else None
    except json.JSONDecodeError:
        shown = result.stdout
    return result.exit_code, shown, result.stderr


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("access") / "data"
    for command in (["init"], ["demo", "--json"]):  # only init creates a database
        result = runner.invoke(app, ["--data-dir", str(folder), *command])
        assert result.exit_code == 0, result.stderr
    return folder


def _units(agency: str) -> set[str]:
    catalog = load_catalog()
    out = {agency}
    while True:
        more = {a.id for a in catalog.agencies if a.parent in out} - out
        if not more:
            return out
        out |= more


@pytest.mark.parametrize(
    ("user", "agency"), [("demo-investigator", "cib"), ("demo-prosecutor", "kaohsiung-district-prosecutors")]
)
def test_agency_scoped_accounts_list_only_their_agencys_cases(data_dir: Path, user: str, agency: str) -> None:
    code, cases, err = run(data_dir, user, "list", "cases", "--json")
    assert code == 0, err
    units = _units(agency)
    assert cases and all(units & {a["agency"] for a in c["agencies"]} for c in cases)
    mine = {c["id"] for c in cases}
    for kind in ("seizures", "persons"):
        code, listed, err = run(data_dir, user, "list", kind, "--json")
        assert code == 0, err
        assert all(r["case"] in mine for r in listed), kind
    code, everything, _ = run(data_dir, "demo-liaison", "list", "cases", "--json")
    hidden = next(c for c in everything if not units & {a["agency"] for a in c["agencies"]})
    code, _, err = run(data_dir, user, "show", "case", hidden["id"])
    assert code == 2 and "not found" in err and len(err.strip().splitlines()) == 1
    code, log, _ = run(data_dir, "demo-admin", "audit", "access", "--account", user, "--json")
    assert any(e["record_id"] == hidden["id"] and e["outcome"] == "not_found" for e in log)


def test_the_viewer_sees_only_unclassified_records_and_never_writes(data_dir: Path) -> None:
    code, cases, _ = run(data_dir, "demo-viewer", "list", "cases", "--json")
    assert code == 0 and cases and all(c["marking"]["classification"] == "unclassified" for c in cases)
    code, _, err = run(data_dir, "demo-viewer", "add", "meeting", "kind=working_talks", "title=會談")
    assert code == 2 and "meetings.write" in err


def test_the_peer_and_the_admin_read_no_case(data_dir: Path) -> None:
    for user in ("demo-peer", "demo-admin"):
        code, _, err = run(data_dir, user, "list", "cases")
        assert code == 2 and "cases.read" in err
