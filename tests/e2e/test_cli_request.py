"""`straitlink request …` and `straitlink audit …` end to end on the embedded SQLite."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from cli_helpers import ACCOUNT_ENTRIES, FIELDS, ok_json, run


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    code, _, err = run(tmp_path / "data", "init")
    assert code == 0, err
    return tmp_path / "data"


def file_request(data_dir: Path, *extra: str) -> str:
    """File the complete request of FIELDS, with `extra` fields replacing those of the same name."""
    given = {pair.partition("=")[0] for pair in extra}
    kept = [pair for pair in FIELDS if pair.partition("=")[0] not in given]
    return str(ok_json(data_dir, "request", "file", *kept, *extra)["id"])


def test_an_incomplete_request_is_refused_listing_what_is_missing(data_dir: Path) -> None:
    code, out, err = run(
        data_dir, "request", "file", "type=調查取證", "subject=s", "requesting_agency=法務部", "--json"
    )
    assert code == 2
    assert json.loads(out)["missing"] == ["purpose", "matters", "case_summary", "execution_needs"]
    assert "Art. 13" in err
    assert ok_json(data_dir, "request", "list") == []


def test_a_request_through_the_cli_from_filing_to_completion(data_dir: Path, tmp_path: Path) -> None:
    proof = tmp_path / "送達證書.pdf"
    proof.write_bytes(b"%PDF-1.4 proof of service")
    rid = file_request(data_dir)
    assert ok_json(data_dir, "request", "transition", rid, "sent", "--on", "114-01-21")["sent_on"] == "2025-01-21"
    code, _, err = run(data_dir, "request", "transition", rid, "received", "--on", "2025-01-24")
    assert code == 2 and "CN/contact_point" in err  # receiving is the other side's step
    ok_json(data_dir, "request", "transition", rid, "received", "--on", "2025-01-24", "--party", "CN")
    ok_json(data_dir, "request", "assign", rid, "最高人民法院", "--on", "2025-02-05", "--party", "CN")
    ok_json(data_dir, "request", "transition", rid, "in_execution", "--on", "2025-02-06", "--party", "CN")
    code, out, _ = run(
        data_dir, "request", "transition", rid, "completed", "--party", "CN", "--result", "done", "--json"
    )
    assert code == 2 and json.loads(out)["field"] == "documents"  # Art. 7¶3: proof of service
    done = ok_json(
        data_dir, "request", "transition", rid, "completed", "--on", "2025-03-03", "--party", "CN",
        "--result", "已送達", "--document", str(proof),
    )  # fmt: skip
    assert (done["status"], done["closed_on"], done["version"]) == ("completed", "2025-03-03", 6)
    shown = ok_json(data_dir, "request", "show", rid)
    assert shown["deadlines"][0]["state"] == "met" and shown["deadlines"][0]["article"] == "Agreement Art. 7¶2"
    (doc,) = [d for r in shown["replies"] for d in r["documents"]]
    assert (doc["filename"], doc["from_party"], doc["purpose"], doc["from_other_side"]) == (
        "送達證書.pdf",
        "CN",
        "民事訴訟",
        True,
    )
    out_file = tmp_path / "copy.pdf"
    assert ok_json(data_dir, "request", "document", doc["id"], "-o", str(out_file))["purpose"] == "民事訴訟"
    assert out_file.read_bytes() == proof.read_bytes()
    steps = ok_json(data_dir, "request", "history", rid)
    assert [s["action"] for s in steps] == ["file", "send", "receive", "assign", "start", "complete"]
    log = ok_json(data_dir, "audit", "log", "--record", rid)
    assert [e["action"] for e in log][:6] == ["create"] + ["transition"] * 5
    assert ok_json(data_dir, "audit", "verify")["ok"] is True


def test_the_requested_side_sees_its_own_steps_by_default(data_dir: Path) -> None:
    rid = file_request(data_dir)
    ok_json(data_dir, "request", "transition", rid, "sent", "--on", "2025-01-21")
    # On the mainland's instance the same steps need no --party: CN is its own side.
    assert ok_json(data_dir, "request", "transition", rid, "received", "--on", "2025-01-24", party="CN")["status"] == (
        "received"
    )
    code, _, err = run(data_dir, "request", "transition", rid, "sent", party="CN")
    assert code == 2 and "cannot become 'sent'" in err


def test_lists_and_due_by_side_and_agency(data_dir: Path) -> None:
    late = file_request(data_dir)
    fresh = file_request(data_dir, "type=調查取證")
    for rid in (late, fresh):
        ok_json(data_dir, "request", "transition", rid, "sent", "--on", "2025-01-21")
    ok_json(data_dir, "request", "transition", late, "received", "--on", "2025-01-24", "--party", "CN")
    assert [r["id"] for r in ok_json(data_dir, "request", "list", "--overdue")] == [late]
    assert [r["id"] for r in ok_json(data_dir, "request", "list", "--type", "evidence_collection")] == [fresh]
    assert [r["id"] for r in ok_json(data_dir, "request", "list", "--status", "received")] == [late]
    assert ok_json(data_dir, "request", "list", "--direction", "cn_to_tw") == []
    due = ok_json(data_dir, "request", "due", "--overdue")
    assert [(d["party"], d["request_id"], d["deadline"]["due"]) for d in due] == [("CN", late, "2025-04-24")]
    assert ok_json(data_dir, "request", "due", "--side", "TW") == []
    code, out, _ = run(data_dir, "request", "due")
    assert code == 0 and "CN — (not assigned)" in out and "Art. 7¶2" in out


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["request", "transition", "{id}", "finished"], "status"),
        (["request", "transition", "{id}", "sent", "--on", "2025-02-30"], "on"),
        (["request", "transition", "{id}", "sent", "--on", "2999-01-01"], "on"),
        (["request", "transition", "{id}", "sent", "--expected-version", "7"], "version"),
        (["request", "transition", "{id}", "sent", "--role", "wizard"], "role"),
        (["request", "assign", "{id}", "no-such-agency"], "executing_agency"),
        (["request", "show", "nope"], "id"),
        (["request", "reply", "{id}", "--text", "x", "--kind", "gossip"], "kind"),
    ],
)
def test_bad_input_names_the_field_and_exits_2(data_dir: Path, args: list[str], field: str) -> None:
    rid = file_request(data_dir)
    code, out, _ = run(data_dir, *[a.replace("{id}", rid) for a in args], "--json")
    assert code == 2
    assert json.loads(out)["field"] == field
    assert ok_json(data_dir, "request", "show", rid)["version"] == 1


def test_audit_verify_names_the_first_tampered_entry(data_dir: Path) -> None:
    rid = file_request(data_dir)
    ok_json(data_dir, "request", "transition", rid, "sent", "--on", "2025-01-21")
    code, out, _ = run(data_dir, "audit", "verify")
    step = ACCOUNT_ENTRIES + 2
    assert code == 0 and f"{step} entries verified" in out
    with sqlite3.connect(data_dir / "straitlink.db") as db:
        db.execute("UPDATE audit_entry SET body = replace(body, 'officer-a', 'someone-else') WHERE seq = ?", (step,))
    code, out, err = run(data_dir, "audit", "verify", "--json")
    assert code == 1
    assert json.loads(out)["first_bad_entry"] == step
    code, _, err = run(data_dir, "audit", "verify")
    assert code == 1 and f"entry {step}" in err


def test_checkpoint_sign_and_verify(data_dir: Path, tmp_path: Path) -> None:
    file_request(data_dir)
    private, public, checkpoint = tmp_path / "audit.key", tmp_path / "audit.pub", tmp_path / "cp.json"
    assert run(data_dir, "audit", "keygen", "--private", str(private), "--public", str(public))[0] == 0
    assert private.stat().st_mode & 0o077 == 0
    assert run(data_dir, "audit", "checkpoint", "--key", str(private), "-o", str(checkpoint))[0] == 0
    assert json.loads(checkpoint.read_text())["seq"] == ACCOUNT_ENTRIES + 1
    file_request(data_dir)
    good = ok_json(data_dir, "audit", "verify", "--checkpoint", str(checkpoint), "--public-key", str(public))
    assert good["ok"] and good["last_seq"] == ACCOUNT_ENTRIES + 2
    assert run(data_dir, "audit", "keygen", "--private", str(tmp_path / "k2"), "--public", str(tmp_path / "p2"))[0] == 0
    code, _, err = run(
        data_dir, "audit", "verify", "--checkpoint", str(checkpoint), "--public-key", str(tmp_path / "p2")
    )
    assert code == 2 and "signature" in err


def test_archive_through_a_signed_checkpoint(data_dir: Path, tmp_path: Path) -> None:
    for _ in range(3):
        file_request(data_dir)
    key, pub = tmp_path / "k", tmp_path / "p"
    run(data_dir, "audit", "keygen", "--private", str(key), "--public", str(pub))
    b = ACCOUNT_ENTRIES
    checkpoint, archive = tmp_path / "cp-2.json", tmp_path / "audit-1-2.jsonl"
    assert run(data_dir, "audit", "checkpoint", "--key", str(key), "--seq", str(b + 2), "-o", str(checkpoint))[0] == 0
    assert run(data_dir, "audit", "export", "--through", str(b + 2), "-o", str(archive))[0] == 0
    checked = ok_json(
        data_dir,
        "audit",
        "verify",
        "--archive",
        str(archive),
        "--checkpoint",
        str(checkpoint),
        "--public-key",
        str(pub),
    )
    assert (checked["ok"], checked["last_seq"]) == (True, b + 2)
    with sqlite3.connect(data_dir / "straitlink.db") as db:
        db.execute("DELETE FROM audit_entry WHERE seq <= ?", (b + 2,))
    assert run(data_dir, "audit", "verify")[0] == 1  # entries 1–2 are gone …
    live = ok_json(data_dir, "audit", "verify", "--checkpoint", str(checkpoint), "--public-key", str(pub))
    assert (live["ok"], live["checked"], live["last_seq"]) == (True, 1, b + 3)  # … which the checkpoint accounts for
    trusted = ("--checkpoint", str(checkpoint), "--public-key", str(pub))
    code, out, _ = run(data_dir, "audit", "checkpoint", "--key", str(key), "--seq", str(b + 9), *trusted, "--json")
    assert code == 2 and json.loads(out)["field"] == "seq"
    later, second = tmp_path / "cp-3.json", tmp_path / "audit-3-3.jsonl"
    assert run(data_dir, "audit", "checkpoint", "--key", str(key), *trusted, "-o", str(later))[0] == 0
    assert json.loads(later.read_text())["seq"] == b + 3
    assert run(data_dir, "audit", "export", "--through", str(b + 3), "-o", str(second))[0] == 0
    args = ("--archive", str(second), "--after", str(checkpoint), "--checkpoint", str(later), "--public-key", str(pub))
    assert ok_json(data_dir, "audit", "verify", *args)["checked"] == 1
