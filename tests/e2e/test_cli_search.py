"""`straitlink search`: records added through the CLI are found at once, in either script and either side's terms,
as JSON or a table; bad options name the field and exit 2; an account sees only what it may."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import run, runner

from straitlink.cli.main import app

CASE = {
    "title": "笙宏號運毒案",
    "kind": "drugs",
    "joint": True,
    "agencies": [{"agency": "高雄地檢署", "role": "directing"}],
    "summary": "高雄港查獲甲基安非他命",
    "marking": {"classification": "confidential", "handling": "H1", "releasable": False, "publishable": False},
}
SEIZURE = {
    "drug": "K他命",
    "quantities": [{"value": "231", "unit": "kg"}],
    "place": "桃園機場",
    "description": "行李夾藏",
    "marking": {"classification": "unclassified", "handling": "H0", "releasable": False, "publishable": False},
}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("search") / "data"
    assert run(directory, "init")[0] == 0
    for kind, data in (("case", CASE), ("seizure", SEIZURE)):
        path = directory.parent / f"{kind}.json"
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        code, _, err = run(directory, "add", kind, "--file", str(path))
        assert code == 0, err
    return directory


def _json(data_dir: Path, *args: str, user: str = "officer-a") -> dict[str, object]:
    result = runner.invoke(app, ["--data-dir", str(data_dir), "--user", user, "search", *args, "--json"])
    assert result.exit_code == 0, result.stderr
    found: dict[str, object] = json.loads(result.stdout)
    return found


def _labels(found: dict[str, object]) -> list[str]:
    return [item["label"] for item in found["items"]]  # type: ignore[attr-defined,index]


def test_both_scripts_and_both_sides_terms(data_dir: Path) -> None:
    assert _labels(_json(data_dir, "笙宏号")) == ["笙宏號運毒案"]
    assert _labels(_json(data_dir, "冰毒")) == ["笙宏號運毒案"]
    assert _labels(_json(data_dir, "氯胺酮")) == [_labels(_json(data_dir, "K他命"))[0]]
    assert _json(data_dir, "桃园机场", "--kind", "seizures")["total"] == 1
    assert _json(data_dir, "桃园机场", "--kind", "cases")["total"] == 0


def test_an_account_finds_only_what_it_may_see(data_dir: Path) -> None:
    add = ["--data-dir", str(data_dir), "--user", "admin", "user", "add", "reader", "--role", "viewer"]
    assert runner.invoke(app, [*add, "--agency", "moj", "--clearance", "unclassified"]).exit_code == 0
    assert _json(data_dir, "笙宏號", user="reader")["total"] == 0
    assert _json(data_dir, "K他命", user="reader")["total"] == 1


def test_the_table_and_the_refusals(data_dir: Path) -> None:
    code, out, _ = run(data_dir, "search", "高雄")
    assert code == 0 and "1 found" in out and "笙宏號運毒案" in out
    code, _, err = run(data_dir, "search", "案", "--kind", "boats")
    assert code == 2 and "kind" in err and "boats" in err
    code, _, err = run(data_dir, "search", "案", "--limit", "0")
    assert code == 2 and "limit" in err
    code, _, err = run(data_dir, "search", "案" * 201)
    assert code == 2 and "'query'" in err and "'案案案" in err and "longer than 200 characters" in err, err
    for blank in ("", "  ", "\u3000"):
        code, out, err = run(data_dir, "search", blank)
        assert code == 2 and out == "" and "'query'" in err and "is empty" in err, (blank, err)
    code, out, _ = run(data_dir, "search", '"NEAR(案 *) ^')
    assert code == 0
