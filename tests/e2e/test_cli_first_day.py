"""What a liaison officer trips over on the first day: ids copied from lists, a request's whole story in `show`,
proof sent with a reply, and a due list of real work."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import FIELDS, ok_json, run

from straitlink.cli import common
from straitlink.services.ids import MIN_PREFIX


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    code, _, err = run(tmp_path / "data", "init")
    assert code == 0, err
    return tmp_path / "data"


def received(data_dir: Path, *extra: str) -> str:
    """A request TW sent and CN received, by its full id."""
    rid = str(ok_json(data_dir, "request", "file", *FIELDS, *extra)["id"])
    ok_json(data_dir, "request", "transition", rid, "sent", "--on", "2025-01-21")
    ok_json(data_dir, "request", "transition", rid[:8], "received", "--on", "2025-01-22", "--party", "CN")
    return rid


def test_every_id_taking_command_accepts_the_prefix_a_list_shows(data_dir: Path, tmp_path: Path) -> None:
    rid = received(data_dir)
    short = rid[:MIN_PREFIX]
    code, table, _ = run(data_dir, "request", "list")
    assert code == 0 and short in table
    ok_json(data_dir, "request", "assign", short, "最高人民法院", "--on", "2025-01-23", "--party", "CN")
    proof = tmp_path / "proof.txt"
    proof.write_text("送達證書\n", encoding="utf-8")
    ok_json(data_dir, "request", "reply", short, "--text", "已送達", "-d", str(proof), "--party", "CN")
    shown = ok_json(data_dir, "request", "show", short)
    assert shown["id"] == rid
    (doc,) = [d for r in shown["replies"] for d in r["documents"]]
    ok_json(data_dir, "request", "document", doc["id"][:MIN_PREFIX], "-o", str(tmp_path / "out.txt"))
    assert ok_json(data_dir, "request", "history", short)[-1]["action"] == "assign"
    case = ok_json(data_dir, "add", "case", "title=t", "kind=drugs", "joint=yes")
    person = ok_json(data_dir, "add", "person", f"case={case['id'][:MIN_PREFIX]}")
    assert person["case"] == case["id"]
    assert ok_json(data_dir, "show", "case", case["id"][:MIN_PREFIX])["id"] == case["id"]
    entries = ok_json(data_dir, "audit", "log", "--record", case["id"][:MIN_PREFIX])
    assert entries and {e["record"] for e in entries} == {case["id"]}


@pytest.mark.parametrize("length", [1, 4, MIN_PREFIX - 1])
def test_a_prefix_shorter_than_eight_is_not_found(data_dir: Path, length: int) -> None:
    case = ok_json(data_dir, "add", "case", "title=t", "kind=drugs", "joint=yes")
    code, _, err = run(data_dir, "show", "case", case["id"][:length])
    assert code == 2 and "not found" in err


@pytest.mark.parametrize("shared", ["aaaaaaaa", "aaaaaaaa-bbbb", "aaaaaaaa-bbbb-cccc-dddd"])
def test_an_ambiguous_prefix_is_refused_naming_it(data_dir: Path, tmp_path: Path, shared: str) -> None:
    for tail in ("1", "2"):
        file = tmp_path / f"case{tail}.json"
        case = {"id": f"{shared}-{tail}", "title": "t", "kind": "drugs", "joint": True}
        file.write_text(json.dumps(case), encoding="utf-8")
        ok_json(data_dir, "add", "case", "--file", str(file))
    code, _, err = run(data_dir, "show", "case", shared)
    assert code == 2 and "ambiguous" in err and repr(shared) in err and err.count("\n") == 1
    assert ok_json(data_dir, "show", "case", f"{shared}-1")["id"] == f"{shared}-1"  # a whole id is never ambiguous
    code, _, err = run(data_dir, "show", "case", "%%%%%%%%")
    assert code == 2 and "not found" in err  # a LIKE wildcard is matched literally


def test_show_prints_history_and_replies(data_dir: Path, tmp_path: Path) -> None:
    rid = received(data_dir)
    ok_json(data_dir, "request", "reply", rid, "--text", "辦理中", "--party", "CN")
    code, out, err = run(data_dir, "request", "show", rid[:MIN_PREFIX])
    assert code == 0, err
    assert "history" in out and "received" in out and "sent" in out
    assert "replies" in out and "辦理中" in out


def test_proof_sent_with_a_reply_counts_for_completion(data_dir: Path, tmp_path: Path) -> None:
    rid = received(data_dir)
    ok_json(data_dir, "request", "assign", rid, "最高人民法院", "--on", "2025-01-23", "--party", "CN")
    ok_json(data_dir, "request", "transition", rid, "in_execution", "--on", "2025-01-24", "--party", "CN")
    code, _, err = run(data_dir, "request", "transition", rid, "completed", "--result", "已送達", "--party", "CN")
    assert code == 2 and "proof" in err  # nothing attached yet
    proof = tmp_path / "proof.txt"
    proof.write_text("送達證書\n", encoding="utf-8")
    ok_json(data_dir, "request", "reply", rid, "--text", "送達證書", "-d", str(proof), "--party", "CN")
    done = ok_json(data_dir, "request", "transition", rid, "completed", "--result", "已送達", "--party", "CN")
    assert done["status"] == "completed"
    code, _, err = run(data_dir, "request", "reply", rid, "--text", "再報", "--party", "CN")
    assert code == 2 and "closed" in err


def test_proof_from_the_requesting_side_does_not_count(data_dir: Path, tmp_path: Path) -> None:
    rid = received(data_dir)
    ok_json(data_dir, "request", "assign", rid, "最高人民法院", "--on", "2025-01-23", "--party", "CN")
    ok_json(data_dir, "request", "transition", rid, "in_execution", "--on", "2025-01-24", "--party", "CN")
    paper = tmp_path / "paper.txt"
    paper.write_text("補充資料\n", encoding="utf-8")
    ok_json(data_dir, "request", "reply", rid, "--text", "補充", "-d", str(paper))  # from TW, the requesting side
    code, _, err = run(data_dir, "request", "transition", rid, "completed", "--result", "已送達", "--party", "CN")
    assert code == 2 and "proof" in err


def test_due_and_overdue_filters(data_dir: Path) -> None:
    rid = received(data_dir)
    due = ok_json(data_dir, "request", "due", "--overdue")
    assert {i["request_id"] for i in due} == {rid}
    assert ok_json(data_dir, "request", "due", "--overdue", "--party", "TW") == [] or all(
        i["party"] == "TW" for i in ok_json(data_dir, "request", "due", "--overdue", "--party", "TW")
    )
    assert all(i["party"] == "CN" for i in ok_json(data_dir, "request", "due", "--party", "CN"))
    assert ok_json(data_dir, "request", "due", "--agency", "最高人民檢察院") == []
    assert [r["id"] for r in ok_json(data_dir, "request", "list", "--overdue", "--party", "TW")] == [rid]
    assert ok_json(data_dir, "request", "list", "--overdue", "--party", "CN") == []
    for bad in (["request", "due", "--within", "-1"], ["request", "list", "--limit", "0"]):
        code, _, err = run(data_dir, *bad)
        assert code == 2 and err.count("\n") == 1


@pytest.mark.parametrize(
    ("lang", "drug", "place", "agency", "day"),
    [
        (None, "海洛因", "臺灣桃園國際機場", "臺灣高雄地方法院檢察署", "102年11月17日"),
        ("zh-CN", "海洛因", "台湾桃园国际机场", "台湾高雄地方法院检察署", "2013年11月17日"),
        ("en", "Heroin", "Taoyuan International Airport", "Kaohsiung District Prosecutors", "17 November 2013"),
    ],
)
def test_tables_name_catalogue_entries_and_dates_in_the_readers_language(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, lang: str | None, drug: str, place: str, agency: str, day: str
) -> None:
    monkeypatch.setattr(common.out, "_width", 200)  # a wide terminal: the test reads names, not Rich's ellipses
    case = ok_json(
        data_dir, "add", "case", "title=桃園機場案", "kind=drugs", "joint=yes", "agencies=directing:高雄地檢署"
    )
    add = ["add", "seizure", f"case={case['id'][:8]}", "drug=海洛因", "quantity=229 公斤 毛重"]
    ok_json(data_dir, *add, "date=102年11月17日", "place=桃園機場")
    chosen = ["--lang", lang] if lang else []
    code, table, err = run(data_dir, *chosen, "list", "seizures")
    assert code == 0, err
    assert drug in table and place in table and day in table
    code, shown, err = run(data_dir, *chosen, "show", "case", case["id"][:8])
    assert code == 0, err
    assert f"directing:{agency}" in shown
    # JSON is for programs: it keeps the catalogue's ids whatever the reader's language.
    (stored,) = ok_json(data_dir, *chosen, "list", "seizures")
    assert (stored["drug"], stored["place"]) == ("heroin", "taoyuan-airport")


def test_an_unknown_language_is_refused_in_one_line(data_dir: Path) -> None:
    code, _, err = run(data_dir, "--lang", "fr", "list", "cases")
    assert code == 2 and err.strip().count("\n") == 0 and "'fr'" in err and "zh-TW" in err
