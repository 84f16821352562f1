"""`straitlink ingest` end to end on the embedded SQLite: proposals as JSON, --accept, re-ingest, bad files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import init_with_accounts
from typer.testing import CliRunner

from straitlink.cli.main import app

runner = CliRunner()
DATA = Path(__file__).resolve().parent.parent / "data" / "ingest"
SEED = DATA / "moj-2013-cross-strait-drugs.txt"


def run(data_dir: Path, *args: str) -> tuple[int, str, str]:
    env = {"STRAITLINK_USER": "analyst-1"}
    if args == ("init",):
        return init_with_accounts(data_dir, env)
    result = runner.invoke(app, ["--data-dir", str(data_dir), *args], env=env)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    code, _, err = run(tmp_path / "data", "init")
    assert code == 0, err
    return tmp_path / "data"


def test_proposals_as_json_with_spans_into_the_original(data_dir: Path) -> None:
    code, out, err = run(data_dir, "ingest", str(SEED), "--json")
    assert code == 0, err
    data = json.loads(out)
    text = SEED.read_text(encoding="utf-8")
    assert data["document"]["title"] == "兩岸司法互助─檢警強打兩岸毒品犯罪，成效顯著─"
    assert data["document"]["year"] == 2013 and data["document"]["language"] == "zh-Hant"
    seizures = [p for p in data["proposals"] if p["kind"] == "seizure"]
    assert len(seizures) == 7
    heroin = next(p for p in seizures if p["fields"]["drug"] == "heroin")
    assert heroin["fields"]["quantities"] == [
        {"value": "600", "unit": "block", "basis": "unstated", "qualifier": "exact"},
        {"value": "229", "unit": "kg", "basis": "gross", "qualifier": "exact"},
    ]
    assert heroin["fields"]["date"] == {"iso": "2013-11-17", "precision": "day", "roc": "102年11月17日"}
    for p in data["proposals"]:
        span = p["span"]
        assert text[span["start"] : span["end"]] == span["text"]
        assert set(p) >= {"kind", "fields", "span", "confidence", "unresolved"}


def test_accept_stores_and_a_second_ingest_proposes_nothing(data_dir: Path) -> None:
    code, out, err = run(data_dir, "ingest", str(SEED), "--accept", "--json")
    assert code == 0, err
    assert json.loads(out)["accepted"]["stored"]["seizure"] == 7
    code, out, _ = run(data_dir, "list", "seizures", "--json")
    listed = json.loads(out)
    assert len(listed) == 7
    assert all(s["provenance"]["kind"] == "document" for s in listed)
    code, out, _ = run(data_dir, "ingest", str(SEED), "--json")
    again = json.loads(out)
    assert code == 0 and again["proposals"] == [] and again["known"] > 0


def test_several_files_and_the_document_date(data_dir: Path, tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text("本月8日，海巡署在金門外海查獲甲基安非他命86公斤，逮捕現行犯3人。", encoding="utf-8")
    code, out, err = run(data_dir, "ingest", str(SEED), str(note), "--date", "102-10-09", "--json")
    assert code == 0, err
    documents = json.loads(out)["documents"]
    assert [d["document"]["name"] for d in documents] == [SEED.name, "note.txt"]
    (seizure,) = [p for p in documents[1]["proposals"] if p["kind"] == "seizure"]
    assert seizure["fields"]["date"]["iso"] == "2013-10-08"


def test_human_output_is_a_table(data_dir: Path) -> None:
    code, out, _ = run(data_dir, "ingest", str(DATA / "cn-news-2013-dongshan.txt"))
    assert code == 0 and "seizure" in out and "ketamine" in out


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "is empty"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00", "binary"),
        ("scan.pdf", b"%PDF-1.4\n%%EOF", "PDF"),
    ],
)
def test_a_bad_file_is_one_clear_error_and_nothing_is_stored(
    data_dir: Path, tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    bad = tmp_path / name
    bad.write_bytes(content)
    db = data_dir / "straitlink.db"
    before = db.read_bytes()
    code, out, err = run(data_dir, "ingest", str(SEED), str(bad), "--accept")
    assert code == 2
    assert "file" in err and name in err and reason in err
    assert "Traceback" not in err + out
    assert db.read_bytes() == before


def test_a_damaged_pdf_gives_one_line_in_a_real_process_too(data_dir: Path, tmp_path: Path) -> None:
    """Outside pytest (whose log capture hides them) the PDF parser's own warnings reached stderr beside our line."""
    bad = tmp_path / "damaged.pdf"
    bad.write_bytes(bytes(range(256)) * 12)
    command = [str(Path(sys.executable).with_name("straitlink")), "--data-dir", str(data_dir), "ingest", str(bad)]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "STRAITLINK_USER": "analyst-1"})
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "damaged.pdf" in done.stderr and "PDF" in done.stderr, done.stderr


def test_a_bad_date_names_the_field(data_dir: Path) -> None:
    code, _, err = run(data_dir, "ingest", str(SEED), "--date", "102年13月")
    assert code == 2 and "date" in err and "102年13月" in err


def test_a_japanese_text_gets_a_warning_naming_its_language_and_no_proposal(data_dir: Path) -> None:
    document = DATA / "ja-taiwantoday-2014-agreement.txt"
    code, out, err = run(data_dir, "ingest", str(document), "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["proposals"] == []
    assert data["document"]["language"] == "ja"
    assert any("Japanese" in w for w in data["document"]["warnings"])
    code, out, err = run(data_dir, "ingest", str(document))
    assert code == 0, err
    assert "warning" in out and "Japanese" in out


def test_an_english_release_gives_figures_and_a_repatriation(data_dir: Path) -> None:
    code, out, err = run(data_dir, "ingest", str(DATA / "en-taiwantoday-2014-repatriation.txt"), "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["document"]["language"] == "en"
    kinds = {p["kind"]: p["fields"] for p in data["proposals"]}
    assert kinds["repatriation"]["count"] == 1 and kinds["repatriation"]["to_party"] == "TW"
    assert kinds["repatriation"]["date"]["iso"] == "2014-03-13"
    assert kinds["figure"]["metric"] == "repatriations.persons" and kinds["figure"]["value"] == "327"


def test_a_later_report_links_to_the_stored_seizure_and_a_conflicting_figure_is_flagged(
    data_dir: Path, tmp_path: Path
) -> None:
    first = tmp_path / "first.txt"
    first.write_text("海巡署於3月5日在高雄港查獲海洛因20公斤，逮捕嫌犯2人。\n", encoding="utf-8")
    code, out, err = run(data_dir, "ingest", str(first), "--date", "2015-03-06", "--accept", "--json")
    assert code == 0, err
    assert json.loads(out)["accepted"]["stored"]["seizure"] == 1
    retold = tmp_path / "retold.txt"  # another outlet, the other script: the stored seizure, not a new one
    retold.write_text("台湾海巡部门3月5日在高雄港查获海洛因20千克。\n", encoding="utf-8")
    other = tmp_path / "other.txt"  # the same seizure told with another weight, and an equal one another day
    other.write_text(
        "海巡署於3月5日在高雄港查獲海洛因21公斤。\n海巡署於3月19日在高雄港查獲海洛因20公斤。\n", encoding="utf-8"
    )
    code, out, err = run(data_dir, "ingest", str(retold), str(other), "--date", "2015-03-20", "--accept", "--json")
    assert code == 0, err
    data = json.loads(out)
    retold_doc, other_doc = data["documents"]
    assert not [p for p in retold_doc["proposals"] if p["kind"] == "seizure"] and retold_doc["known"] >= 1
    seizures = {p["fields"]["quantities"][0]["value"]: p for p in other_doc["proposals"] if p["kind"] == "seizure"}
    assert seizures["21"]["status"] == "conflict"
    assert any(u.startswith("quantities:") for u in seizures["21"]["unresolved"])
    assert seizures["20"]["status"] == "new" and seizures["20"]["fields"]["date"]["iso"] == "2015-03-19"
    code, out, _ = run(data_dir, "list", "seizures", "--json")
    assert sorted(s["quantities"][0]["value"] for s in json.loads(out)) == ["20", "20"]  # no 21 kg record
