"""The command line under generated input: never a traceback, and a refusal leaves the database as it was."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import FIELDS, ok_json, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from straitlink.codec import field_hints
from straitlink.services.kinds import KINDS
from straitlink.store.db import make_engine
from straitlink.store.tables import Base

# Text a user could type or paste, with what has broken CLIs before: markup, separators, control characters.
SPECIAL = ["[/red]", "[bold]", "\x1b", "\x00", "\n", "\t", "\u202e", "K他命", "海洛因", "高雄地檢署", "公斤", "kg"]
WORDS = ["餘", "約", "102年", "5月底", "directing:", "boss:", "TW", "CN", "yes", "0", "-1", "1e400", "桃園機場", "萬"]
ALPHABET = st.sampled_from([*"09 .,;:=-+~/()[]", *SPECIAL, *WORDS, "毛重"])
texts = st.lists(ALPHABET, max_size=8).map("".join)
FIELD_NAMES = sorted({name for k in KINDS for name in field_hints(k.mapper.record)} | {"quantity", "agency", "bogus"})
pairs = st.tuples(st.sampled_from(FIELD_NAMES), texts).map(lambda p: f"{p[0]}={p[1]}") | texts
KIND_NAMES = st.sampled_from([k.name for k in KINDS] + [k.plural for k in KINDS] + ["nonsense"])
LIST_OPTIONS = st.lists(
    st.tuples(
        st.sampled_from(["--from", "--to", "--party", "--agency", "--drug", "--provenance", "--limit"]),
        texts | st.sampled_from(["0", "-1", "5", "102-01-01", "2013-12-31", "TW"]),
    ),
    max_size=4,
)


# The access log records reads and refusals by design (who tried what); everything else must stay as it was.
LOGS = {"access_log"}


def snapshot(engine: Engine) -> str:
    """A digest of every row of every table but the access log, in key order: equal digests, equal databases."""
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in LOGS:
                continue
            for row in conn.execute(select(table).order_by(*table.primary_key.columns)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    directory = tmp_path_factory.mktemp("generated") / "data"
    assert run(directory, "init")[0] == 0
    ok_json(directory, "add", "case", "title=聯手破獲", "kind=drugs", "joint=yes", "agencies=directing:高雄地檢署")
    ok_json(directory, "add", "seizure", "drug=K他命", "quantity=600 塊;229 公斤 毛重", "date=102年11月17日")
    ok_json(directory, "request", "file", *FIELDS)
    yield directory


def check(data_dir: Path, args: list[str]) -> None:
    """Run one command; a refusal is exit 2, one line, no traceback, and changes nothing stored."""
    engine = make_engine(f"sqlite:///{data_dir / 'straitlink.db'}")
    try:
        before = snapshot(engine)
        code, out, err = run(data_dir, *args)
        assert "Traceback" not in out + err, (args, err)
        assert code in (0, 2), (args, code, err)
        if code != 0:
            assert snapshot(engine) == before, args
            # Every refusal, the domain's and the parser's alike, is one line (cli/usage.py).
            assert err.startswith("error:") and err.strip().count("\n") == 0, (args, err)
            assert "\x1b" not in err and "\x00" not in err
    finally:
        engine.dispose()


GENERATED = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@GENERATED
@given(kind=KIND_NAMES, fields=st.lists(pairs, max_size=5), source=st.none() | texts)
def test_add_with_generated_fields(data_dir: Path, kind: str, fields: list[str], source: str | None) -> None:
    check(data_dir, ["add", kind, *fields, *(["--source", source] if source is not None else [])])


@GENERATED
@given(kind=KIND_NAMES, options=LIST_OPTIONS, record_id=texts)
def test_list_and_show_with_generated_options(
    data_dir: Path, kind: str, options: list[tuple[str, str]], record_id: str
) -> None:
    check(data_dir, ["list", kind, *(x for pair in options for x in pair)])
    check(data_dir, ["show", kind, record_id or "x"])


@GENERATED
@given(
    fields=st.lists(pairs, max_size=4),
    request_id=texts,
    target=texts | st.sampled_from(["sent", "received", "completed", "refused"]),
    text=texts,
    within=st.sampled_from(["0", "-3", "14", "x"]),
)
def test_request_commands_with_generated_input(
    data_dir: Path, fields: list[str], request_id: str, target: str, text: str, within: str
) -> None:
    check(data_dir, ["request", "file", *FIELDS[:3], *fields])
    check(data_dir, ["request", "transition", request_id or "x", target, "--text", text])
    check(data_dir, ["request", "reply", request_id or "x", "--text", text])
    check(data_dir, ["request", "list", "--status", target, "--limit", within])
    check(data_dir, ["request", "due", "--within", within, "--agency", text or "x"])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**20), 10**20) | texts,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from([*FIELD_NAMES, "value", "unit"]), inner, max_size=3)
    ),
    max_leaves=8,
)


@GENERATED
@given(kind=KIND_NAMES, data=st.dictionaries(st.sampled_from(FIELD_NAMES), json_values, max_size=6))
def test_add_with_a_generated_json_file(data_dir: Path, kind: str, data: dict[str, object]) -> None:
    file = data_dir.parent / "generated.json"
    file.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    check(data_dir, ["add", kind, "--file", str(file)])


@GENERATED
@given(
    fields=st.lists(pairs | st.sampled_from(["party=CN", "party=TW", "name_zh_hant=某市局"]), max_size=5), name=texts
)
def test_agency_commands_with_generated_input(data_dir: Path, fields: list[str], name: str) -> None:
    check(data_dir, ["agency", "add", *fields])
    check(data_dir, ["agency", "show", name or "x"])
    check(data_dir, ["agency", "edit", name or "x", *fields])
