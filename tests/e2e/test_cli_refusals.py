"""Bad input of each kind the adoption review found, tried many ways: one line naming the field, exit 2, nothing
written, no traceback; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from cli_helpers import TEST_ACCOUNTS
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from test_cli_generated_input import snapshot
from typer.testing import CliRunner

from straitlink.cli.main import app
from straitlink.exchange.keys import public_text
from straitlink.services.records import today_utc8
from straitlink.store.db import make_engine

runner = CliRunner()
ENV = {"STRAITLINK_USER": "officer-a", "STRAITLINK_PARTY": "TW"}
REQUEST = [
    "type=送達文書",
    "subject=送達民事判決",
    "purpose=民事訴訟",
    "matters=送達判決書",
    "case_summary=請求送達",
    "execution_needs=受送達人地址",
    "filed_on=2025-01-20",
]


class Cli:
    """The CLI on one database (SQLite in the data directory, or a PostgreSQL URL)."""

    def __init__(self, data_dir: Path, url: str | None) -> None:
        self.data_dir, self.url = data_dir, url

    def __call__(self, *args: str, data_dir: Path | None = None) -> tuple[int, str, str]:
        base = ["--data-dir", str(data_dir or self.data_dir)] + (["--database-url", self.url] if self.url else [])
        if args == ("init",):
            return self._init(base)
        result = runner.invoke(app, [*base, *args], env=ENV)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        return result.exit_code, result.stdout, result.stderr

    def _init(self, base: list[str]) -> tuple[int, str, str]:
        """`init --admin admin`, then the test accounts (officer-a acts in every test), as cli_helpers does."""
        result = runner.invoke(app, [*base, "init", "--admin", "admin"], env=ENV)
        for name, roles, agency, clearance in TEST_ACCOUNTS:
            add = ["--user", "admin", "user", "add", name, "--agency", agency, "--clearance", clearance]
            add += [part for role in roles for part in ("--role", role)]
            added = runner.invoke(app, [*base, *add], env=ENV)
            assert added.exit_code == 0 or "already exists" in added.stderr, added.stderr
        return result.exit_code, result.stdout, result.stderr

    def ok(self, *args: str) -> object:
        code, out, err = self(*args, "--json")
        assert code == 0, err
        return json.loads(out)

    def refused(self, *args: str, field: str, value: str | None = None) -> str:
        """Run a command that must be refused; return its one line."""
        engine = make_engine(self.url or f"sqlite:///{self.data_dir / 'straitlink.db'}")
        try:
            before = snapshot(engine)
            code, _, err = self(*args)
            assert code == 2, (args, err)
            assert err.startswith("error: ") and err.strip().count("\n") == 0, err
            assert field in err, (field, err)
            if value is not None:
                assert value in err, (value, err)
            assert snapshot(engine) == before, args
        finally:
            engine.dispose()
        return err


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory, module_db_url: str) -> Iterator[Cli]:
    """One database per engine for the module: a refusal leaves it as it was, so the tests can share it."""
    sqlite = module_db_url.startswith("sqlite")
    cli = Cli(tmp_path_factory.mktemp("refusals") / "data", None if sqlite else module_db_url)
    assert cli("init")[0] == 0
    yield cli


@pytest.mark.parametrize("role", ["boss", "Director", "老大", "", "directing directing", "[/red]"])
def test_an_agency_role_that_does_not_exist(cli: Cli, tmp_path: Path, role: str) -> None:
    cli.refused("add", "case", "title=t", "kind=drugs", "joint=yes", f"agencies={role}:高雄地檢署", field="agencies")
    file = tmp_path / "case.json"
    agencies = [{"agency": "高雄地檢署", "role": role}]
    file.write_text(json.dumps({"title": "t", "kind": "drugs", "joint": True, "agencies": agencies}), encoding="utf-8")
    cli.refused("add", "case", "--file", str(file), field="agencies[0].role")


@pytest.mark.parametrize(
    "quantity",
    [
        "0 kg",
        "0.0 公斤",
        "100000000000000 kg",
        "1000001 kg",
        "1001 t",
        "0 塊",
        "2000000000 顆",
        "3 person",
        "5 名",
        "2 件",
    ],
)
def test_implausible_or_wrong_seizure_quantities(cli: Cli, quantity: str) -> None:
    cli.refused("add", "seizure", "drug=heroin", f"quantity={quantity}", field="quantit")


@pytest.mark.parametrize("personnel", ["0 person", "2000000 person", "5 kg"])
def test_implausible_personnel(cli: Cli, personnel: str) -> None:
    case = cli.ok("add", "case", "title=t", "kind=drugs", "joint=yes")
    cli.refused("add", "operation", f"case={case['id']}", "name=n", f"personnel={personnel}", field="personnel")  # type: ignore[index]


@pytest.mark.parametrize(
    ("args", "first"),
    [
        (["add", "seizure", "drug=K他命", "drug=海洛因", "quantity=1 kg"], "'K他命'"),
        (["add", "seizure", "drug=heroin", "quantity=1 kg", "date=102年1月1日", "date=2013-01-02"], "'102年1月1日'"),
        (["add", "case", "title=a", "title=b", "kind=drugs", "joint=yes"], "'a'"),
        (["add", "case", "title=a", "kind=drugs", "joint=yes", "joint=no"], "'yes'"),
        (["add", "case", "title=a", "kind=drugs", "handling=H1", "handling=H2"], "'H1'"),
    ],
)
def test_a_field_given_twice(cli: Cli, args: list[str], first: str) -> None:
    """Both values are named as typed (the first one was once shown as the parsed JSON it became)."""
    err = cli.refused(*args, field="given twice")
    assert f"(first {first})" in err and "{" not in err, err


@pytest.mark.parametrize("key", ["data", "quantites", "HAPPENED", "Drug"])
def test_a_key_in_the_file_the_kind_does_not_have(cli: Cli, tmp_path: Path, key: str) -> None:
    """It was ignored: a misspelt "data" stored the seizure without its date."""
    file = tmp_path / "s.json"
    file.write_text(json.dumps({"drug": "海洛因", "quantities": ["1 kg"], key: "2013-01-01"}), encoding="utf-8")
    cli.refused("add", "seizure", "--file", str(file), field="field", value=key)


def test_a_field_given_in_the_file_and_as_a_pair(cli: Cli, tmp_path: Path) -> None:
    file = tmp_path / "s.json"
    file.write_text(json.dumps({"drug": "海洛因", "quantities": ["1 kg"]}), encoding="utf-8")
    cli.refused("add", "seizure", "--file", str(file), "drug=K他命", field="drug")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "a\x1b[31mred"),
        ("title", "two\nlines"),
        ("title", "null\x00byte"),
        ("title", "bidi\u202eoverride"),
        ("summary", "bell\x07"),
        ("title", "x" * 40_000),
        ("summary", "x" * 5_000_000),
    ],
)
def test_control_characters_and_oversized_text(cli: Cli, field: str, value: str) -> None:
    err = cli.refused(
        "add",
        "case",
        "title=t" if field != "title" else "kind=drugs",
        f"{field}={value}",
        *(["kind=drugs"] if field != "title" else []),
        "joint=yes",
        field=field,
    )
    assert len(err) < 500 and "\x1b" not in err and "\x00" not in err


def test_a_long_summary_with_new_lines_is_kept(cli: Cli) -> None:
    summary = "第一行\n\t第二行" * 100
    added = cli.ok("add", "case", "title=t", "kind=drugs", "joint=yes", f"summary={summary}")
    assert added["summary"] == summary  # type: ignore[index]


@pytest.mark.parametrize("limit", ["0", "-1", "-100"])
def test_list_limits_below_one(cli: Cli, limit: str) -> None:
    cli.refused("list", "seizures", "--limit", limit, field="limit", value=limit)


@pytest.mark.parametrize(
    ("start", "end"), [("2014-01-01", "2013-01-01"), ("103年", "102年"), ("102年5月底", "102-05-01")]
)
def test_from_after_to(cli: Cli, start: str, end: str) -> None:
    for kind in ("seizures", "cases", "persons", "requests"):
        err = cli.refused("list", kind, "--from", start, "--to", end, field="from", value=start)
        # Worded as `stats` and the web say it: the end named as a date, not as a Python repr or an option.
        assert "after to (" in err and "--to" not in err, err


def test_list_persons_by_period_filters_by_their_case(cli: Cli) -> None:
    old = cli.ok("add", "case", "title=old", "kind=drugs", "joint=yes", "opened_on=2010-03-01")
    new = cli.ok("add", "case", "title=new", "kind=drugs", "joint=yes", "opened_on=2020-03-01")
    before = cli.ok("add", "person", f"case={old['id']}")  # type: ignore[index]
    person = cli.ok("add", "person", f"case={new['id']}")  # type: ignore[index]
    found = {p["id"] for p in cli.ok("list", "persons", "--from", "2019-01-01")}  # type: ignore[index,union-attr]
    assert person["id"] in found and before["id"] not in found  # type: ignore[index]


def _after_today() -> list[str]:
    """Dates after today (UTC+8, as both sides keep it), in the forms people write them."""
    today = today_utc8()
    tomorrow, next_year = today + timedelta(days=1), today.year + 1
    return [tomorrow.isoformat(), f"{next_year}-01", str(next_year), f"{next_year - 1911}年1月", "2099-12-31"]


@pytest.mark.parametrize(
    ("kind", "pairs", "field"),
    [
        ("seizure", ["drug=heroin", "quantity=1 kg"], "date"),
        ("case", ["title=t", "kind=drugs", "joint=yes"], "opened_on"),
        ("intel", ["provider_party=TW", "recipient_party=CN", "summary=s"], "date"),
        ("document", ["title=t"], "published_on"),
    ],
)
def test_what_happened_cannot_be_dated_after_today(cli: Cli, kind: str, pairs: list[str], field: str) -> None:
    for when in _after_today():
        cli.refused("add", kind, *pairs, f"{field}={when}", field=field)
    # Today is not after today, nor is a month that holds it (a document's date is always to the day).
    today = today_utc8().isoformat()
    added = cli.ok("add", kind, *pairs, f"{field}={today if kind == 'document' else today[:7]}")
    for when in _after_today():
        cli.refused("correct", kind, str(added["id"]), f"{field}={when}", "--reason", "r", field=field)  # type: ignore[index]


@pytest.mark.parametrize("filed_on", ["2001-01-01", "98年6月24日", "2009-06", "90/1/1"])
def test_a_request_filed_before_the_agreement_took_effect(cli: Cli, filed_on: str) -> None:
    request = [pair for pair in REQUEST if not pair.startswith("filed_on=")]
    cli.refused("request", "file", *request, "requesting_agency=法務部", f"filed_on={filed_on}", field="filed_on")


def test_a_request_filed_after_today(cli: Cli) -> None:
    request = [pair for pair in REQUEST if not pair.startswith("filed_on=")]
    for when in _after_today():
        cli.refused("request", "file", *request, "requesting_agency=法務部", f"filed_on={when}", field="filed_on")


def test_a_report_on_a_period_that_has_not_begun(cli: Cli, tmp_path: Path) -> None:
    for later in _after_today():
        cli.refused("stats", "--from", later, field="from", value=later)
        cli.refused(
            "bulletin", "--from", later, "--lang", "en", "--format", "md", "-o", str(tmp_path / "b.md"), field="from"
        )
    assert not (tmp_path / "b.md").exists()


@pytest.mark.parametrize("source", ["nodoc", "nodoc:1-5", "00000000-0000-0000-0000-000000000000"])
def test_a_source_document_that_does_not_exist(cli: Cli, source: str) -> None:
    cli.refused("add", "seizure", "drug=heroin", "quantity=1 kg", "--source", source, field="source")


@pytest.mark.parametrize("agency", ["公安部", "最高人民檢察院", "國台辦"])
def test_a_requesting_agency_of_the_other_side(cli: Cli, agency: str) -> None:
    cli.refused("request", "file", *REQUEST, f"requesting_agency={agency}", field="requesting_agency")


@pytest.mark.parametrize(
    "close", [["refused", "--ground", "public_order", "--reason", "r"], ["withdrawn", "--reason", "r"]]
)
def test_no_reply_to_a_closed_request(cli: Cli, close: list[str]) -> None:
    rid = str(cli.ok("request", "file", *REQUEST, "requesting_agency=法務部")["id"])  # type: ignore[index]
    cli.ok("request", "transition", rid, "sent", "--on", "2025-01-21")
    party = ["--party", "CN"] if close[0] == "refused" else []
    if close[0] == "refused":
        cli.ok("request", "transition", rid, "received", "--on", "2025-01-22", "--party", "CN")
    cli.ok("request", "transition", rid, *close, "--on", "2025-01-23", *party)
    for kind in ("progress",):
        cli.refused("request", "reply", rid, "--text", "進度", "--kind", kind, "--on", "2025-01-24", field="status")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_commands_refuse_a_data_dir_that_does_not_exist_and_create_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    (tmp_path / "x.json").write_text("{}", encoding="utf-8")
    for args in (
        ["list", "seizures"],
        ["add", "seizure", "drug=heroin", "quantity=1 kg"],
        ["serve", "--port", str(_free_port())],  # a port nothing listens on: the data directory is what is refused
        ["demo"],
        ["request", "list"],
        ["request", "due"],
        ["audit", "verify"],
        ["stats"],
        ["import", str(tmp_path / "x.json")],
    ):
        result = runner.invoke(app, ["--data-dir", str(missing), *args], env=ENV)
        assert result.exit_code == 2 and "data_dir" in result.stderr and str(missing) in result.stderr, result.stderr
        assert result.stderr.strip().count("\n") == 0
        assert not missing.exists()


def test_a_data_dir_that_is_a_file(tmp_path: Path) -> None:
    file = tmp_path / "afile"
    file.write_text("not a directory", encoding="utf-8")
    for args in (["init"], ["list", "seizures"], ["demo"]):
        result = runner.invoke(app, ["--data-dir", str(file), *args], env=ENV)
        assert result.exit_code == 2 and "data_dir" in result.stderr and "is a file" in result.stderr
    assert file.read_text(encoding="utf-8") == "not a directory"


@pytest.mark.parametrize(
    "command", [["init"], ["list", "seizures"], ["add", "seizure", "drug=heroin", "quantity=1 kg"]]
)
def test_a_sqlite_url_in_a_directory_that_does_not_exist(tmp_path: Path, command: list[str]) -> None:
    url = f"sqlite:///{tmp_path / 'afile' / 'x.db'}"
    (tmp_path / "afile").write_text("", encoding="utf-8")
    nowhere = f"sqlite:///{tmp_path / 'no' / 'where' / 'x.db'}"
    for u in (url, nowhere) if command != ["init"] else (url,):
        result = runner.invoke(app, ["--database-url", u, *command], env=ENV)
        assert result.exit_code == 2 and "database_url" in result.stderr, result.stderr
        assert result.stderr.strip().count("\n") == 0
    assert not (tmp_path / "no").exists()


def test_an_empty_database_file_is_not_a_database(tmp_path: Path) -> None:
    (tmp_path / "empty.db").write_bytes(b"")
    result = runner.invoke(app, ["--database-url", f"sqlite:///{tmp_path / 'empty.db'}", "list", "cases"], env=ENV)
    assert result.exit_code == 2 and "straitlink init" in result.stderr


def test_a_read_only_database_refuses_writes_in_one_line(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "data", None)
    assert cli("init")[0] == 0
    cli.ok("add", "seizure", "drug=heroin", "quantity=1 kg")
    read_only = Cli(tmp_path / "data", f"sqlite:///file:{tmp_path / 'data' / 'straitlink.db'}?mode=ro&uri=true")
    writes = (
        ["add", "seizure", "drug=heroin", "quantity=2 kg"],
        ["request", "file", *REQUEST, "requesting_agency=法務部"],
    )
    for args in (*writes, ["list", "seizures"], ["agency", "add", "party=CN", "name_zh_hant=某局"]):
        code, _, err = read_only(*args)
        # A read succeeds, or is refused because its access could not be logged; a write is always refused.
        assert (code == 0 and args not in writes) or (code == 2 and "cannot be written" in err), (args, err)
        assert err.strip().count("\n") == 0, err
    assert len(cli.ok("list", "seizures")) == 1  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        (["releasable=yes", "handling=h2"], {"releasable": True, "handling": "H2"}),
        (["classification=Confidential", "publishable=否"], {"classification": "confidential", "publishable": False}),
        (
            ['marking={"classification": "restricted", "handling": "H1", "releasable": true, "publishable": false}'],
            {"classification": "restricted", "handling": "H1", "releasable": True},
        ),
    ],
)
def test_markings_given_as_pairs_are_stored(cli: Cli, pairs: list[str], expected: dict[str, object]) -> None:
    stored = cli.ok("add", "case", "title=marked", "kind=drugs", "joint=yes", *pairs)
    marking = stored["marking"]  # type: ignore[index]
    assert {key: marking[key] for key in expected} == expected


@pytest.mark.parametrize(
    ("pair", "field"),
    [
        ("releasable=maybe", "releasable"),
        ("handling=H9", "handling"),
        ("classification=topsecret", "classification"),
        ("marking=not json", "marking"),
        ("marking=[1, 2]", "marking"),
    ],
)
def test_bad_markings_given_as_pairs(cli: Cli, pair: str, field: str) -> None:
    cli.refused("add", "case", "title=t", "kind=drugs", "joint=yes", pair, field=field, value=pair.partition("=")[2])


def test_a_marking_given_twice(cli: Cli) -> None:
    cli.refused("add", "case", "title=t", "kind=drugs", "joint=yes", "handling=H1", "handling=H2", field="given twice")


@pytest.mark.parametrize("command", [["sync"], ["export", "-o", "{tmp}/out.pkg"], ["evidence", "00000000-0000"]])
def test_exchange_before_the_peer_is_added_says_how_to_add_it(cli: Cli, tmp_path: Path, command: list[str]) -> None:
    cli("exchange", "keygen")  # 0 the first time, 2 (a key exists) after: either way the key is there
    args = [part.format(tmp=tmp_path) for part in command]
    err = cli.refused("exchange", *args, field="exchange peer", value="'CN'")
    assert "straitlink exchange peer add --party CN" in err, err
    assert not (tmp_path / "out.pkg").exists()


def test_a_peer_must_act_as_an_account_holding_the_peer_role(cli: Cli, tmp_path: Path) -> None:
    """A peer once acted as 'nobody': every message from it would have been refused, long after the set-up."""
    key = tmp_path / "cn.pub"
    key.write_text(public_text(Ed25519PrivateKey.generate().public_key()) + "\n", encoding="utf-8")
    add = ["exchange", "peer", "add", "--party", "CN", "--url", "http://127.0.0.1:9", "--key", str(key)]
    cli.refused(*add, field="account", value="peer-CN")  # the default account was never added
    cli.refused(*add, "--account", "nobody", field="account", value="nobody")
    err = cli.refused(*add, "--account", "officer-a", field="account", value="officer-a")
    assert "peer role" in err, err


@pytest.mark.parametrize("content", ["garbage", "", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"])
def test_a_peer_key_file_that_is_no_key_is_named_by_its_path(cli: Cli, tmp_path: Path, content: str) -> None:
    key = tmp_path / "cn.pub"
    key.write_text(content, encoding="utf-8")
    args = ["exchange", "peer", "add", "--party", "CN", "--url", "http://127.0.0.1:9", "--key", str(key)]
    cli.refused(*args, field="key", value=str(key))


@pytest.mark.parametrize("url", ["http://", "ftp://127.0.0.1", "127.0.0.1:8000", "http://host:port", "http://a b"])
def test_a_peer_address_the_sender_could_not_post_to_is_refused(cli: Cli, tmp_path: Path, url: str) -> None:
    key = tmp_path / "cn.pub"
    key.write_text(public_text(Ed25519PrivateKey.generate().public_key()) + "\n", encoding="utf-8")
    cli.refused("exchange", "peer", "add", "--party", "CN", "--url", url, "--key", str(key), field="url", value=url)
