"""Accounts through the CLI: the first admin, user add/list/show/disable/enable/passwd/grant/revoke, and every
command acting as the account STRAITLINK_USER names (an unknown or disabled one refused with exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from straitlink.cli.main import app

runner = CliRunner()
SEIZURE = ("add", "seizure", "drug=K他命", "quantity=231 kg", "date=102年12月20日")


def run(data_dir: Path, *args: str, user: str | None = "admin", stdin: str | None = None) -> tuple[int, str, str]:
    env = {"STRAITLINK_USER": user} if user else {"STRAITLINK_USER": ""}
    result = runner.invoke(app, ["--data-dir", str(data_dir), *args], env=env, input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    code, out, err = run(folder, "init", "--admin", "admin", "--password-stdin", stdin="correct horse battery\n")
    assert code == 0, err
    assert "added the first admin account admin" in out
    return folder


def test_init_adds_the_first_admin_once(data_dir: Path) -> None:
    code, out, _ = run(data_dir, "init", "--admin", "other", "--json")
    assert code == 0 and json.loads(out)["admin"] is None
    code, out, err = run(data_dir, "init", "--admin", "other")  # said, not skipped in silence
    assert code == 0 and "other not added: an admin account exists already" in err, err
    code, out, _ = run(data_dir, "user", "list", "--json")
    assert [a["username"] for a in json.loads(out)] == ["admin"]


def test_accounts_are_managed_and_the_cli_acts_as_one(data_dir: Path) -> None:
    add = ("user", "add", "chen", "--role", "investigator", "--agency", "刑事警察局", "--clearance", "confidential")
    code, out, err = run(
        data_dir, *add, "--display-name", "陳偵查員", "--password-stdin", "--json", stdin="s3cret-pass-word\n"
    )
    assert code == 0, err
    shown = json.loads(out)
    assert (shown["agency"], shown["roles"], shown["party"]) == ("cib", ["investigator"], "TW")
    assert "s3cret" not in out + err
    code, _, err = run(data_dir, *SEIZURE, user="chen")
    assert code == 2 and "agency scope" in err  # nobody adds what they could not then see: a seizure of no case
    code, _, err = run(data_dir, "user", "list", user="chen")
    assert code == 2 and "chen" in err and "accounts.manage" in err and len(err.strip().splitlines()) == 1
    assert run(data_dir, "user", "grant", "chen", "prosecutor")[0] == 0
    code, out, _ = run(data_dir, "user", "show", "chen", "--json", user="chen")  # one's own account
    assert code == 0 and json.loads(out)["roles"] == ["investigator", "prosecutor"]
    assert run(data_dir, "user", "revoke", "chen", "prosecutor")[0] == 0
    assert run(data_dir, "user", "disable", "chen")[0] == 0
    code, _, err = run(data_dir, "list", "seizures", user="chen")
    assert code == 2 and err.strip().endswith("'chen' is disabled") and "Traceback" not in err
    assert run(data_dir, "user", "enable", "chen")[0] == 0
    assert run(data_dir, "list", "seizures", user="chen")[0] == 0
    code, _, err = run(data_dir, "user", "passwd", "chen", "--password-stdin", stdin="tiny-pw\n")
    assert code == 2 and "password" in err and "tiny-pw" not in err


@pytest.mark.parametrize("user", ["nobody", None])
def test_an_unknown_or_missing_account_is_refused_naming_it(data_dir: Path, user: str | None) -> None:
    code, out, err = run(data_dir, *SEIZURE, user=user)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert ("'nobody'" in err) if user else ("STRAITLINK_USER" in err)
    code, out, _ = run(data_dir, "audit", "verify", "--json")
    assert json.loads(out)["checked"] == 1  # the admin's own entry: nothing was written


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("user", "add", "x", "--role", "boss", "--agency", "moj"), "role"),
        (("user", "add", "x y", "--role", "viewer", "--agency", "moj"), "username"),
        (("user", "add", "x", "--role", "viewer"), "agency"),
        (("user", "add", "x", "--role", "viewer", "--agency", "公安部"), "agency"),
        (("user", "add", "x", "--role", "viewer", "--agency", "moj", "--clearance", "top"), "clearance"),
        (("user", "add", "admin", "--role", "viewer", "--agency", "moj"), "username"),
        (("user", "grant", "ghost", "viewer"), "id"),
    ],
)
def test_bad_account_input_is_one_line_naming_the_field(data_dir: Path, args: tuple[str, ...], field: str) -> None:
    code, out, err = run(data_dir, *args, "--json")
    assert code == 2 and "Traceback" not in err
    assert json.loads(out)["field"] == field
    code, out, _ = run(data_dir, "user", "list", "--json")
    assert [a["username"] for a in json.loads(out)] == ["admin"]


def test_the_demo_adds_one_account_per_role_and_prints_the_password_once(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    env = {"STRAITLINK_DEMO_PASSWORD": "demo-password-1"}
    assert runner.invoke(app, ["--data-dir", str(folder), "init"], env=env).exit_code == 0  # only init creates one
    result = runner.invoke(app, ["--data-dir", str(folder), "demo", "--json"], env=env)
    assert result.exit_code == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["password"] == "demo-password-1"
    assert {a.split("-", 1)[1] for a in shown["accounts"]} == {
        "admin", "liaison", "prosecutor", "investigator", "analyst", "viewer", "peer",
    }  # fmt: skip
    again = runner.invoke(app, ["--data-dir", str(folder), "demo", "--json"], env={"STRAITLINK_USER": "demo-admin"})
    assert again.exit_code == 0 and json.loads(again.stdout)["accounts"] == []
    assert json.loads(again.stdout)["password"] is None
    listed = runner.invoke(
        app, ["--data-dir", str(folder), "list", "seizures", "--json"], env={"STRAITLINK_USER": "demo-investigator"}
    )
    seized = json.loads(listed.stdout)
    assert seized and all(s["case"] for s in seized)  # only seizures of cases 刑事警察局 or its units work
