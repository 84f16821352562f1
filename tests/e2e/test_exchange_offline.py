"""The exchange over offline packages through the CLI: export, carry, import (twice, out of order), carry back."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from straitlink.cli.main import app
from straitlink.domain.access import Principal
from straitlink.domain.parties import Party
from straitlink.services import records
from straitlink.services.kinds import kind_named
from straitlink.store.db import make_engine
from straitlink.store.uow import UnitOfWork

runner = CliRunner()
PASSWORD = "offline exchange password"
RELEASED = {"releasable": True, "classification": "restricted", "handling": "H0"}


def env(party: str, root: Path) -> dict[str, str]:
    return {
        "STRAITLINK_PARTY": party,
        "STRAITLINK_DATA_DIR": str(root / party),
        "STRAITLINK_DATABASE_URL": f"sqlite:///{root / party.lower()}.db",
    }


def ok(e: dict[str, str], *args: str, stdin: str | None = None) -> str:
    result = runner.invoke(app, list(args), env=e, input=stdin)
    assert result.exit_code == 0, result.stdout + result.stderr
    return result.stdout


def two_sides(tmp_path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """TW and CN set up through the CLI, each knowing the other as its peer."""
    tw, cn = env("TW", tmp_path), env("CN", tmp_path)
    for e, other in ((tw, "CN"), (cn, "TW")):
        ok(e, "init", "--admin", "admin", "--password-stdin", stdin=PASSWORD + "\n")
        ok(e, "user", "add", f"peer-{other}", "--role", "peer", "--clearance", "secret", "--user", "admin",
           "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
        ok(e, "--user", "admin", "exchange", "keygen")
    for e, other in ((tw, cn), (cn, tw)):
        key = Path(other["STRAITLINK_DATA_DIR"]) / "exchange" / "identity.pub"
        ok(e, "--user", "admin", "exchange", "peer", "add", "--party", other["STRAITLINK_PARTY"], "--url", "http://127.0.0.1:9",
           "--key", str(key))  # fmt: skip
    return tw, cn


def test_packages_carried_by_hand_apply_once_and_settle_with_their_receipts(tmp_path: Path) -> None:
    tw, cn = two_sides(tmp_path)
    engine = make_engine(tw["STRAITLINK_DATABASE_URL"])
    officer = Principal.system(Party.TW, "officer")
    kind = kind_named("intel")
    data = {"provider_party": "TW", "recipient_party": "CN", "summary": "離線情資", "marking": RELEASED}
    rid = records.add_record(engine, kind, data, principal=officer).id
    first, second, back = tmp_path / "1.json", tmp_path / "2.json", tmp_path / "back.json"
    ok(tw, "exchange", "export", "-o", str(first))
    records.update_record(engine, kind, rid, {"summary": "離線情資（更正）"}, principal=officer)
    ok(tw, "exchange", "export", "-o", str(second))
    assert json.loads(ok(cn, "exchange", "import", str(second), "--json"))["messages"] == {"applied": 2}
    assert json.loads(ok(cn, "exchange", "import", str(first), "--json"))["messages"] == {"applied": 1}  # repeat
    ok(cn, "exchange", "import", str(second), "-o", str(back))
    cn_engine = make_engine(cn["STRAITLINK_DATABASE_URL"])
    with UnitOfWork(cn_engine) as uow:
        assert uow.repo(kind.mapper).get(rid).summary == "離線情資（更正）"
        assert uow.repo(kind.mapper).count() == 1
    ok(tw, "exchange", "import", str(back))
    ok(tw, "exchange", "import", str(back))
    status = json.loads(ok(tw, "exchange", "status", "--json"))
    assert status["peers"]["CN"]["out"] == {"applied": 2}
    for e in (tw, cn):
        assert json.loads(ok(e, "exchange", "evidence", rid))["verified"]
    # CN's officer reads TW's text in Simplified script and mainland phrases (離線 is 脱机 there); TW's text is kept.
    ok(cn, "user", "add", "liaison", "--role", "liaison_officer", "--agency", "mps", "--user", "admin",
       "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    shown = json.loads(ok(cn, "--user", "liaison", "show", "intel", rid, "--json"))
    assert (shown["summary"], shown["as_received"]) == ("脱机情报（更正）", {"summary": "離線情資（更正）"})
    assert "脱机情报（更正）" in ok(cn, "--user", "liaison", "show", "intel", rid)
    engine.dispose()
    cn_engine.dispose()


def test_keys_and_peers_are_the_admins_a_liaison_officer_is_refused(tmp_path: Path) -> None:
    tw = env("TW", tmp_path)
    ok(tw, "init", "--admin", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    ok(tw, "user", "add", "liaison", "--role", "liaison_officer", "--agency", "法務部", "--user", "admin",
       "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    other = tmp_path / "cn.pub"
    other.write_text("MCowBQYDK2VwAyEA" + "A" * 43 + "=\n")  # any key: the refusal comes before it is read
    keydir = Path(tw["STRAITLINK_DATA_DIR"]) / "exchange"
    for args in (
        ("exchange", "keygen"),
        ("exchange", "keygen", "--rotate"),
        ("exchange", "peer", "add", "--party", "CN", "--url", "http://127.0.0.1:9", "--key", str(other)),
    ):
        result = runner.invoke(app, ["--user", "liaison", *args], env=tw)
        assert result.exit_code == 2, result.stdout + result.stderr
        assert "exchange.manage" in result.stdout + result.stderr
    assert not keydir.exists() or not any(keydir.iterdir())  # nothing was written
    ok(tw, "--user", "admin", "exchange", "keygen")
    assert (keydir / "identity.pub").exists()


def test_a_correction_and_a_retraction_typed_at_the_cli_travel_in_packages_with_their_reasons(tmp_path: Path) -> None:
    tw, cn = two_sides(tmp_path)
    for e, agency in ((tw, "法務部"), (cn, "mps")):
        ok(e, "user", "add", "liaison", "--role", "liaison_officer", "--agency", agency, "--user", "admin",
           "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    marking = tmp_path / "marking.json"
    marking.write_text(json.dumps({"marking": RELEASED}))
    added = ok(cn, "--user", "liaison", "add", "seizure", "drug=氯胺酮", "quantity=229 千克 毛重", "date=2013-11-17",
               "--file", str(marking), "--json")  # fmt: skip
    sid = json.loads(added)["id"]
    packages = [tmp_path / f"{n}.json" for n in range(3)]
    ok(cn, "exchange", "export", "-o", str(packages[0]))
    ok(cn, "--user", "liaison", "correct", "seizure", sid[:8], "quantity=231 千克 毛重", "--reason", "复秤后更正")
    ok(cn, "exchange", "export", "-o", str(packages[1]))
    result = runner.invoke(app, ["--user", "liaison", "retract", "seizure", sid], env=cn)
    assert result.exit_code == 2 and "reason" in result.stdout + result.stderr  # a retraction says why
    ok(cn, "--user", "liaison", "retract", "seizure", sid, "--reason", "重复通报")
    ok(cn, "exchange", "export", "-o", str(packages[2]))
    for package in (packages[1], packages[0], packages[2], packages[1]):  # out of order, and one twice
        ok(tw, "exchange", "import", str(package))
    assert json.loads(ok(tw, "--user", "liaison", "list", "seizures", "--json")) == []
    history = json.loads(ok(tw, "--user", "admin", "audit", "log", "--record", sid, "--json"))
    assert [(e["action"], e["context"].get("reason")) for e in history] == [
        ("create", None),
        ("update", "复秤后更正"),
        ("delete", "重复通报"),
    ]
    assert "why: 重复通报" in ok(tw, "--user", "admin", "audit", "log", "--record", sid)


def test_status_says_which_peer_is_set_up_and_when_nothing_has_moved(tmp_path: Path) -> None:
    alone = env("TW", tmp_path / "alone")
    ok(alone, "init", "--admin", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    assert "no peer set up" in ok(alone, "--user", "admin", "exchange", "status")
    assert json.loads(ok(alone, "--user", "admin", "exchange", "status", "--json"))["registered"] == {}
    tw, _ = two_sides(tmp_path)
    text = ok(tw, "--user", "admin", "exchange", "status")
    assert "no peer set up" not in text and "CN: http://127.0.0.1:9" in text, text
    assert "CN: nothing sent or received yet" in text, text
    data = json.loads(ok(tw, "--user", "admin", "exchange", "status", "--json"))
    assert data["registered"] == {"CN": "http://127.0.0.1:9"} and data["peers"] == {"CN": {}}
