"""`straitlink user token`: a token printed once, usable as `Authorization: Bearer …` against the API, listed
without its secret, revoked and refused from then on; only an admin issues tokens for other accounts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from straitlink.cli.main import app
from straitlink.config import Settings
from straitlink.services.session import connect
from straitlink.web.app import create_app

runner = CliRunner()


def run(data_dir: Path, *args: str, user: str = "admin", stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--data-dir", str(data_dir), *args], env={"STRAITLINK_USER": user}, input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    code, _, err = run(folder, "init", "--admin", "admin", "--password-stdin", stdin="correct horse battery\n")
    assert code == 0, err
    add = ("user", "add", "bot", "--role", "analyst", "--agency", "法務部", "--clearance", "restricted")
    assert run(folder, *add)[0] == 0
    assert run(folder, "user", "add", "chen", "--role", "investigator", "--agency", "刑事警察局")[0] == 0
    return folder


@pytest.fixture
def api(data_dir: Path) -> TestClient:
    settings = Settings.load(data_dir=data_dir)
    return TestClient(create_app(connect(settings.database_url), settings=settings))


def test_a_cli_token_calls_the_api_until_it_is_revoked(data_dir: Path, api: TestClient) -> None:
    code, out, err = run(data_dir, "user", "token", "bot", "--expires", "7", "--label", "nightly export")
    assert code == 0, err
    token = out.strip()
    assert token.startswith("sl_") and len(out.strip().splitlines()) == 1 and "not shown again" in err
    bearer = {"Authorization": f"Bearer {token}"}
    me = api.get("/api/v1/me", headers=bearer)
    assert me.status_code == 200 and me.json()["username"] == "bot" and me.json()["roles"] == ["analyst"]
    assert api.get("/api/v1/statistics?from=2013&to=2013", headers=bearer).status_code == 200

    code, out, _ = run(data_dir, "user", "token", "bot", "--list", "--json")
    listed = json.loads(out)
    assert code == 0 and [t["label"] for t in listed] == ["nightly export"]
    assert token not in out and listed[0]["revoked_at"] is None and listed[0]["expires_at"] is not None

    code, out, err = run(data_dir, "user", "token", "bot", "--revoke", listed[0]["id"])
    assert code == 0, err
    refused = api.get("/api/v1/me", headers=bearer)
    assert refused.status_code == 401 and refused.json()["code"] == "not_authenticated"
    code, _, err = run(data_dir, "user", "token", "bot", "--revoke", listed[0]["id"])
    assert code == 2 and listed[0]["id"] in err  # already revoked: nothing live by that id


def test_tokens_of_others_are_an_admins_matter_and_audited(data_dir: Path) -> None:
    code, _, err = run(data_dir, "user", "token", "bot", user="chen")
    assert code == 2 and "accounts.manage" in err
    code, out, err = run(data_dir, "user", "token", "chen", "--json", user="chen")  # one's own: allowed
    assert code == 0, err
    issued = json.loads(out)
    for days in ("400", "0", "-1"):  # 0 is a number of days too, not "the default"
        code, _, err = run(data_dir, "user", "token", "chen", "--expires", days, user="chen")
        assert code == 2 and "'--expires'" in err and f"'{days}' given" in err, err
    code, out, _ = run(data_dir, "user", "token", "chen", "--list", "--json", user="chen")
    assert len(json.loads(out)) == 1, out  # only the token issued above: the refusals issued none
    code, out, _ = run(data_dir, "audit", "log", "--record", issued["id"], "--json")
    assert code == 0 and issued["token"] not in out and "api_token" in out and "chen" in out
    assert run(data_dir, "audit", "verify")[0] == 0
