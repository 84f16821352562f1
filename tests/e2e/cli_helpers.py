"""Running the CLI in-process as one user of one side, shared by the end-to-end tests of the request workflow."""

from __future__ import annotations

import json
import shutil
import tempfile
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


# The accounts `init` makes for the tests: (name, roles, agency, clearance). officer-a holds the roles of a
# liaison office's whole desk, so that one account walks through export, audit and statistics too.
TEST_ACCOUNTS = (
    ("officer-a", ("liaison_officer", "admin", "analyst"), "moj", "secret"),
    ("analyst-1", ("analyst",), "moj", "secret"),
)

# The audit entries `init_with_accounts` writes before a test's own: the admin, then each test account.
ACCOUNT_ENTRIES = 1 + len(TEST_ACCOUNTS)


# One initialised data directory per environment, copied for each test instead of initialised again (each `init`
# with its accounts costs about a second: migrations, catalogue, password hashing); with what `init` printed.
_INITIALISED: dict[tuple[tuple[str, str], ...], tuple[Path, tuple[int, str, str]]] = {}


def init_with_accounts(data_dir: Path, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """`straitlink init --admin admin`, then the test accounts, each acting as the admin.

    A directory that does not exist yet gets a copy of one initialised the same way earlier in this run.
    """
    key = tuple(sorted((env or {}).items()))
    if data_dir.exists() or any("DATABASE" in name or "DATA_DIR" in name for name, _ in key):
        return _init_with_accounts(data_dir, env)
    if key not in _INITIALISED:
        template = Path(tempfile.mkdtemp(prefix="straitlink-init-")) / "data"
        result = _init_with_accounts(template, env)
        if result[0] != 0:
            return _init_with_accounts(data_dir, env)
        _INITIALISED[key] = (template, result)
    template, result = _INITIALISED[key]
    shutil.copytree(template, data_dir)
    return result


def _init_with_accounts(data_dir: Path, env: dict[str, str] | None) -> tuple[int, str, str]:
    base = ["--data-dir", str(data_dir)]
    result = runner.invoke(app, [*base, "init", "--admin", "admin"], env=env)
    if result.exit_code != 0:
        return result.exit_code, result.stdout, result.stderr
    for name, roles, agency, clearance in TEST_ACCOUNTS:
        add = ["--user", "admin", "user", "add", name, "--agency", agency, "--clearance", clearance]
        add += [part for role in roles for part in ("--role", role)]
        added = runner.invoke(app, [*base, *add], env=env)
        assert added.exit_code == 0 or "already exists" in added.stderr, added.stderr
    return result.exit_code, result.stdout, result.stderr


STEPS = {"transition", "assign", "confirm", "reply"}


def run(data_dir: Path, *args: str, party: str = "TW") -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `straitlink --data-dir DATA_DIR ARGS` as officer-a, TW's contact point, who
    records the steps the other side (`party`) reported."""
    env = {"STRAITLINK_USER": "officer-a", "STRAITLINK_PARTY": "TW"}
    if party != "TW" and args[:1] == ("request",) and args[1] in STEPS and "--party" not in args:
        args = (*args, "--party", party)
    if args == ("init",):
        return init_with_accounts(data_dir, env)
    result = runner.invoke(app, ["--data-dir", str(data_dir), *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def ok_json(data_dir: Path, *args: str, party: str = "TW") -> Any:
    """The JSON a successful `ARGS --json` prints."""
    code, out, err = run(data_dir, *args, "--json", party=party)
    assert code == 0, err
    return json.loads(out)
