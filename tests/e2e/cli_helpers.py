"""Running the CLI in-process as one user of one side, shared by the end-to-end tests of the request workflow."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from straitlink.cli.main import app

runner = CliRunner()
# A request complete as Art. 13¶2 requires, as an officer types it.
FIELDS = [
    "type=送達文書",
    "subject=送達民事判決",
    "requesting_agency=法務部",
    "purpose=民事訴訟",
    "matters=送達判決書",
    "case_summary=請求送達",
    "execution_needs=受送達人地址",
    "filed_on=2025-01-20",
]


def run(data_dir: Path, *args: str, party: str = "TW") -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `straitlink --data-dir DATA_DIR ARGS` as officer-a of `party`."""
    env = {"STRAITLINK_USER": "officer-a", "STRAITLINK_PARTY": party}
    result = runner.invoke(app, ["--data-dir", str(data_dir), *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def ok_json(data_dir: Path, *args: str, party: str = "TW") -> Any:
    """The JSON a successful `ARGS --json` prints."""
    code, out, err = run(data_dir, *args, "--json", party=party)
    assert code == 0, err
    return json.loads(out)
