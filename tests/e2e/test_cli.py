"""The command line end to end on the embedded SQLite: add, list, show, export, import and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import init_with_accounts
from typer.testing import CliRunner

from straitlink.cli.main import app

runner = CliRunner()


def run(data_dir: Path, *args: str) -> tuple[int, str, str]:
    env = {"STRAITLINK_USER": "officer-a"}
    if args == ("init",):
        return init_with_accounts(data_dir, env)
    result = runner.invoke(app, ["--data-dir", str(data_dir), *args], env=env)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    code, _, err = run(tmp_path / "data", "init")
    assert code == 0, err
    return tmp_path / "data"


def test_add_list_show_seizure(data_dir: Path) -> None:
    code, out, err = run(
        data_dir,
        "add",
        "seizure",
        "drug=K他命",
        "quantity=600 block;229 kg gross",
        "date=102年11月17日",
        "place=桃園機場",
        "--json",
    )
    assert code == 0, err
    added = json.loads(out)
    assert added["drug"] == "ketamine"
    assert added["quantities"][1] == {"value": "229", "unit": "kg", "basis": "gross", "qualifier": "exact"}
    assert added["date"]["roc"] == "102年11月17日"
    assert added["provenance"] == {"kind": "user", "user": "officer-a"}
    code, out, _ = run(data_dir, "list", "seizures", "--drug", "氯胺酮", "--from", "102-01-01", "--json")
    assert code == 0 and [s["id"] for s in json.loads(out)] == [added["id"]]
    code, out, _ = run(data_dir, "list", "seizures", "--provenance", "synthetic", "--json")
    assert json.loads(out) == []
    code, out, _ = run(data_dir, "show", "seizure", added["id"])
    assert code == 0 and "臺灣桃園國際機場" in out  # the place by its name in the reader's language, not its id


@pytest.mark.parametrize(
    ("args", "field", "value"),
    [
        (["add", "seizure", "drug=heroin", "quantity=1 kg", "date=102年13月"], "date", "102年13月"),
        (["add", "seizure", "drug=heroin", "quantity=1 kg", "date=2013-02-30"], "date", "2013-02-30"),
        (["add", "seizure", "drug=heroin", "quantity=1 kg", "date=102年2月30日"], "date", "102年2月30日"),
        (["add", "seizure", "drug=heroin", "quantity=-5 kg"], "quantit", "-5 kg"),
        (["add", "seizure", "drug=heroin", "quantity=lots kg"], "quantit", "lots kg"),
        (["add", "seizure", "drug=unobtainium", "quantity=1 kg"], "drug", "unobtainium"),
        (["add", "seizure", "drug=heroin", "quantity=1 kg", "place=Atlantis"], "place", "Atlantis"),
        (
            ["add", "case", "title=t", "kind=drugs", "joint=yes", "agencies=directing:無此署"],
            "agencies",
            "無此署",
        ),
        (
            ["add", "request", "subject=s", "type=telepathy", "requesting_party=TW", "filed_on=2013-01-01"],
            "type",
            "telepathy",
        ),
        (["add", "seizure", "quantity=1 kg"], "drug", ""),
    ],
)
def test_bad_input_names_field_and_value_and_writes_nothing(
    data_dir: Path, args: list[str], field: str, value: str
) -> None:
    db = data_dir / "straitlink.db"
    before = db.read_bytes()
    code, _, err = run(data_dir, *args)
    assert code == 2
    assert field in err and value in err
    assert "Traceback" not in err
    assert db.read_bytes() == before


def test_unreachable_postgresql_is_one_clear_message(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--database-url", "postgresql://postgres@127.0.0.1:1/none", "init"])
    assert result.exit_code == 2
    assert "database_url" in result.stderr and "does not answer" in result.stderr


def test_export_import_round_trip_and_refusals(data_dir: Path, tmp_path: Path) -> None:
    run(data_dir, "add", "seizure", "drug=heroin", "quantity=3000+ kg")
    export = tmp_path / "export.json"
    assert run(data_dir, "export", "-o", str(export))[0] == 0
    other = tmp_path / "other"
    assert run(other, "init", "--json")[0] == 0  # only init creates a database (here with no account yet)
    code, _, err = run(other, "import", str(export))
    assert code == 0, err
    again = tmp_path / "again.json"
    run(other, "export", "-o", str(again))
    assert again.read_bytes() == export.read_bytes()
    code, _, err = run(other, "import", str(export))
    assert code == 2 and "not empty" in err
    broken = tmp_path / "broken.json"
    broken.write_text(export.read_text(encoding="utf-8")[:100], encoding="utf-8")
    fresh = tmp_path / "fresh"
    assert run(fresh, "init", "--json")[0] == 0
    code, _, err = run(fresh, "import", str(broken))
    assert code == 2 and "file" in err
