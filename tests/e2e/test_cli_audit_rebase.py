"""`straitlink audit rebase`: an admin takes the stored records in as they stand, audited; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from test_cli_agency import XIAMEN
from test_cli_refusals import Cli

from straitlink.store.db import make_engine


@pytest.fixture
def cli(tmp_path: Path, db_url: str) -> Iterator[Cli]:
    cli = Cli(tmp_path / "data", None if db_url.startswith("sqlite") else db_url)
    assert cli("init")[0] == 0
    yield cli


def test_rebase_takes_an_edited_record_in_with_an_entry_naming_it(cli: Cli) -> None:
    added = cli.ok("agency", "add", *XIAMEN)
    engine = make_engine(cli.url or f"sqlite:///{cli.data_dir / 'straitlink.db'}")
    try:
        with engine.begin() as conn:  # behind the application's back
            conn.execute(text("UPDATE agency SET name_en = 'Edited' WHERE id = :id"), {"id": added["id"]})  # type: ignore[index]
    finally:
        engine.dispose()
    code, out, _ = cli("--user", "admin", "audit", "verify", "--json")
    assert code == 1 and json.loads(out)["first_bad_record"]["id"] == added["id"]  # type: ignore[index]
    cli.refused("--user", "analyst-1", "audit", "rebase", "--reason", "checked", field="data.transfer")  # an auditor
    cli.refused("--user", "admin", "audit", "rebase", "--reason", " ", field="reason")
    code, out, err = cli("--user", "admin", "audit", "rebase", "--reason", "name corrected by the DBA", "--json")
    assert code == 0, err
    done = json.loads(out)
    assert done["records"] == 1
    assert cli("--user", "admin", "audit", "verify")[0] == 0
    entries = cli.ok("--user", "admin", "audit", "log", "--record", added["id"])  # type: ignore[index]
    update = [e for e in entries if e["action"] == "update"][-1]  # type: ignore[union-attr]
    assert update["actor"] == "admin" and update["diff"]["name_en"] == ["Xiamen Municipal PSB", "Edited"]
    assert update["context"] == {"rebase": "name corrected by the DBA"}
