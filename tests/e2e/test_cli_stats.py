"""`straitlink stats` and `straitlink reconcile` end to end on the demo data (loaded once for this module)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from straitlink.cli.main import app

runner = CliRunner()


def run(data_dir: Path, *args: str, user: str = "demo-analyst") -> tuple[int, str, str]:
    result = runner.invoke(app, ["--data-dir", str(data_dir), *args], env={"STRAITLINK_USER": user})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli") / "data"
    for command in (["init"], ["demo", "--json"]):
        code, _, err = run(folder, *command)
        assert code == 0, err
    return folder


@pytest.mark.parametrize(("start", "end"), [("98-06-25", "102-11-30"), ("民國98年6月25日", "102年11月30日")])
def test_stats_json_gives_the_seed_headlines(data_dir: Path, start: str, end: str) -> None:
    code, out, err = run(data_dir, "stats", "--from", start, "--to", end, "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["period"] == {"start": "2009-06-25", "end": "2013-11-30"}
    assert doc["requests"]["total"] == 45_426
    assert sum(doc["requests"]["by_direction"].values()) == 45_426
    assert sum(doc["requests"]["by_type"].values()) == 45_426
    assert doc["cases"]["joint_drug"] == 39
    assert doc["suspects"]["total"] == 234
    weight = doc["seizures"]["total_weight_kg"]
    assert float(weight["value"]) >= 3000 and weight["qualifier"] in ("exact", "at_least")
    heroin = doc["seizures"]["by_drug"]["heroin"]
    assert set(heroin["gross"]) >= {"value", "unit", "qualifier"} and heroin["gross"]["unit"] == "kg"
    assert heroin["counts"]["block"]["value"] == "600"  # 600 塊, kept apart from weights


def test_stats_table_with_a_breakdown_and_no_synthetic(data_dir: Path) -> None:
    code, out, err = run(data_dir, "stats", "--from", "102-01-01", "--to", "102-12-31", "--by", "drug")
    assert code == 0, err
    assert "Seizures by drug" in out and "ketamine" in out
    code, out, _ = run(data_dir, "stats", "--from", "98-06-25", "--to", "102-11-30", "--no-synthetic", "--json")
    doc = json.loads(out)
    # The seed bulletin states no request; its six joint drug cases are all in 2013, before or after the cut-off.
    assert doc["requests"]["total"] == 0 and doc["cases"]["joint_drug"] <= 6


def test_explain_lists_records_with_provenance(data_dir: Path) -> None:
    args = ("stats", "--from", "98-06-25", "--to", "102-11-30", "--explain", "suspects.total", "--json")
    code, out, err = run(data_dir, *args)
    assert code == 0, err
    doc = json.loads(out)
    # demo-analyst is cleared up to restricted: the synthetic suspects (confidential) are counted, not listed.
    assert doc["figure"]["value"] == "234" and doc["counts"] == {"person": 234}
    assert doc["hidden"] == 234 - len(doc["records"]) > 0
    assert {r["provenance"]["kind"] for r in doc["records"]} == {"document"}
    code, out, err = run(data_dir, *args, user="demo-liaison")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["hidden"] == 0
    kinds = {r["provenance"]["kind"] for r in doc["records"]}
    assert kinds == {"document", "synthetic"}
    quoted = [r for r in doc["records"] if r["provenance"]["kind"] == "document"]
    assert all(r["source"]["id"] == "moj-2013-cross-strait-drugs" and r["provenance"]["quote"] for r in quoted)
    code, out, _ = run(data_dir, "stats", "--explain", "seizures.by_drug.heroin.gross", "--from", "102-11-17",
                       "--to", "102-11-17")  # fmt: skip
    assert code == 0 and "seizures.by_drug.heroin.gross = 229 kg (exact), from 1 seizure" in out


def test_export_csv_and_xlsx(data_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "figures.csv"
    code, _, err = run(data_dir, "stats", "--from", "98-06-25", "--to", "102-11-30", "--format", "csv", "-o",
                       str(target))  # fmt: skip
    assert code == 0, err
    rows = {r["key"]: r for r in csv.DictReader(target.open(encoding="utf-8"))}
    assert rows["requests.total"]["value"] == "45426"
    assert rows["seizures.total_weight_kg"]["unit"] == "kg"
    book = tmp_path / "stats.xlsx"
    code, _, err = run(data_dir, "stats", "--from", "102-01-01", "--to", "102-12-31", "--by", "month", "--format",
                       "xlsx", "-o", str(book))  # fmt: skip
    assert code == 0, err
    sheets = load_workbook(book).sheetnames
    assert {"figures", "requests_by_type", "seizures_by_drug", "breakdown"} <= set(sheets)
    code, _, err = run(data_dir, "stats", "--format", "csv", "--table", "breakdown", "-o", str(target))
    assert code == 2 and "table" in err and "breakdown" in err


def test_reconcile_table_and_json(data_dir: Path) -> None:
    code, out, err = run(data_dir, "reconcile", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["counts"]["match"] >= 4 and sum(doc["counts"].values()) == len(doc["figures"])
    assert all(f["verdict"] and f["reason"] for f in doc["figures"])
    assert doc["contradictions"], "the 68 vs 63 repatriations must be shown"
    code, out, _ = run(data_dir, "reconcile", "--from", "102-11-30", "--to", "102-11-30")
    assert code == 0 and "match" in out and "within_qualifier" in out


@pytest.mark.parametrize(
    ("args", "field", "value"),
    [
        (["stats", "--from", "102年13月"], "from", "102年13月"),
        (["stats", "--from", "102-12-31", "--to", "102-01-01"], "from", "102-12-31"),
        (["stats", "--by", "colour"], "by", "colour"),
        (["stats", "--explain", "requests.velocity"], "explain", "requests.velocity"),
        (["stats", "--format", "pdf", "-o", "x.pdf"], "format", "pdf"),
        (["stats", "--format", "xlsx"], "output", "--format xlsx"),
        (["bulletin", "--lang", "fr", "-o", "x.md"], "lang", "fr"),
        (["bulletin", "--format", "rtf", "-o", "x.rtf"], "format", "rtf"),
    ],
)
def test_bad_input_names_field_and_value(data_dir: Path, args: list[str], field: str, value: str) -> None:
    code, _, err = run(data_dir, *args)
    assert code == 2
    assert field in err and value in err
    assert "Traceback" not in err and "None" not in err
