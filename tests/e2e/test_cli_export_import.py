"""`straitlink export` / `import` carry the request workflow, its documents and the audit chain, byte for byte."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from cli_helpers import ACCOUNT_ENTRIES, FIELDS, init_with_accounts, ok_json, run


def completed_request(data_dir: Path, tmp_path: Path) -> str:
    assert run(data_dir, "init")[0] == 0
    rid = str(ok_json(data_dir, "request", "file", *FIELDS)["id"])
    ok_json(data_dir, "request", "transition", rid, "sent", "--on", "2025-01-21")
    ok_json(data_dir, "request", "transition", rid, "received", "--on", "2025-01-24", party="CN")
    ok_json(data_dir, "request", "assign", rid, "spc", "--on", "2025-01-27", party="CN")
    ok_json(data_dir, "request", "transition", rid, "in_execution", "--on", "2025-02-06", party="CN")
    proof = tmp_path / "送達證書.pdf"
    proof.write_bytes(b"%PDF-1.7\n% proof of service\n")
    ok_json(
        data_dir, "request", "transition", rid, "completed", "--on", "2025-03-03", "--result", "已送達",
        "--document", str(proof), party="CN",
    )  # fmt: skip
    return rid


def test_a_request_its_document_and_audit_chain_round_trip(tmp_path: Path) -> None:
    source, copy = tmp_path / "source", tmp_path / "copy"
    rid = completed_request(source, tmp_path)
    ok_json(source, "request", "history", rid)  # a read, audited like any other entry
    export = tmp_path / "export.json"
    ok_json(source, "export", "-o", str(export))
    ok_json(copy, "init")
    imported = ok_json(copy, "import", str(export))
    assert imported["request_transition"] == 6 and imported["request_document"] == 1
    again = tmp_path / "again.json"
    ok_json(copy, "export", "-o", str(again))
    assert again.read_bytes() == export.read_bytes()
    init_with_accounts(copy)  # an export carries records, not accounts
    assert ok_json(copy, "audit", "verify")["ok"] is True
    assert ok_json(copy, "audit", "log", "--record", rid) == ok_json(source, "audit", "log", "--record", rid)
    assert ok_json(copy, "request", "history", rid) == ok_json(source, "request", "history", rid)
    (doc,) = [d for r in ok_json(copy, "request", "show", rid)["replies"] for d in r["documents"]]
    ok_json(copy, "request", "document", doc["id"], "-o", str(tmp_path / "proof.pdf"))
    assert (tmp_path / "proof.pdf").read_bytes().startswith(b"%PDF-1.7")


def test_a_file_whose_content_does_not_match_its_hash_is_refused(tmp_path: Path) -> None:
    source, copy = tmp_path / "source", tmp_path / "copy"
    completed_request(source, tmp_path)
    export = tmp_path / "export.json"
    ok_json(source, "export", "-o", str(export))
    data = json.loads(export.read_text(encoding="utf-8"))
    files = data["workflow"]["stored_file"]
    files["rows"][0][files["columns"].index("content")] = base64.b64encode(b"%PDF-1.7\n% forged\n").decode()
    export.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    ok_json(copy, "init")
    code, out, err = run(copy, "import", str(export), "--json")
    assert code == 2
    assert json.loads(out)["field"] == "workflow.stored_file.rows[0].content"
    assert "sha256" in err and "Traceback" not in err
    init_with_accounts(copy)
    code, out, _ = run(copy, "request", "list", "--json")
    assert code == 0 and json.loads(out) == []
    assert ok_json(copy, "audit", "verify")["checked"] == ACCOUNT_ENTRIES
