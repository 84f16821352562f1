"""`straitlink demo` then `list seizures --no-synthetic --json`: exactly the bulletin's seven seizures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from straitlink.cli.main import app

runner = CliRunner()
ADMIN = {"STRAITLINK_USER": "demo-admin"}
LIAISON = {"STRAITLINK_USER": "demo-liaison"}
# As the bulletin states them: drug, quantities (value, unit, basis, qualifier), ISO date and precision.
EXPECTED = sorted(
    [
        ("ketamine", [("500", "kg", "unstated", "exact")], "2013-09-27"),
        ("heroin", [("600", "block", "unstated", "exact"), ("229", "kg", "gross", "exact")], "2013-11-17"),
        ("ketamine", [("231", "kg", "unstated", "exact")], "2013-12-20"),
        ("ketamine", [("123", "kg", "unstated", "exact")], "2013-05"),
        ("ephedrine", [("20", "kg", "unstated", "exact")], "2013-05"),
        ("ketamine", [("241", "kg", "unstated", "exact")], "2013-08-07"),
        ("ketamine", [("260", "kg", "unstated", "exact")], "2013-09-13"),
    ]
)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("demo") / "data"
    assert runner.invoke(app, ["--data-dir", str(directory), "init"], env=ADMIN).exit_code == 0
    result = runner.invoke(app, ["--data-dir", str(directory), "demo", "--json"], env=ADMIN)
    assert result.exit_code == 0, result.stderr
    return directory


def test_seed_seizures_exactly(data_dir: Path) -> None:
    result = runner.invoke(
        app, ["--data-dir", str(data_dir), "list", "seizures", "--no-synthetic", "--json"], env=LIAISON
    )
    assert result.exit_code == 0
    seizures = json.loads(result.stdout)
    got = sorted(
        (
            s["drug"],
            [(q["value"], q["unit"], q["basis"], q["qualifier"]) for q in s["quantities"]],
            s["date"]["iso"],
        )
        for s in seizures
    )
    assert got == EXPECTED
    quanzhou = [s for s in seizures if s["date"]["iso"] == "2013-05"]
    assert {s["date"]["part"] for s in quanzhou} == {"end"}
    assert {s["date"]["roc"] for s in quanzhou} == {"102年5月底"}
    assert all(s["provenance"]["kind"] == "document" for s in seizures)


def test_demo_twice_adds_nothing(data_dir: Path) -> None:
    result = runner.invoke(app, ["--data-dir", str(data_dir), "demo", "--json"], env=ADMIN)
    assert result.exit_code == 0
    assert not any(json.loads(result.stdout)["added"].values())


def test_the_demo_audit_chain_verifies_and_a_request_shows_its_history(data_dir: Path) -> None:
    result = runner.invoke(app, ["--data-dir", str(data_dir), "audit", "verify", "--json"], env=ADMIN)
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["ok"] is True
    listing = ["request", "list", "--status", "completed", "--limit", "1", "--json"]
    listed = runner.invoke(app, ["--data-dir", str(data_dir), *listing], env=LIAISON)
    request = json.loads(listed.stdout)[0]
    shown = runner.invoke(
        app, ["--data-dir", str(data_dir), "request", "history", request["id"], "--json"], env=LIAISON
    )
    history = json.loads(shown.stdout)
    assert [s["action"] for s in history][:3] == ["file", "send", "receive"]
    assert history[-1]["action"] == "complete" and history[-1]["on"] == request["closed_on"]
