"""Usage errors of every command (unknown options and commands, missing arguments and values, numbers that are not
numbers): one line naming the option and the value, exit 2, nothing written, generated over the whole command tree."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import typer.main
from cli_helpers import run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cli_generated_input import snapshot
from typer.testing import CliRunner

from straitlink.cli.main import app
from straitlink.store.db import make_engine


def _commands(cmd: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    subs = getattr(cmd, "commands", None)
    if subs:
        for name, sub in subs.items():
            yield from _commands(sub, (*path, name))
    else:
        yield path, cmd


COMMANDS = dict(_commands(typer.main.get_command(app)))
GROUPS = sorted({path[:-1] for path in COMMANDS if len(path) > 1})


def _options(cmd: Any) -> list[Any]:
    return [p for p in cmd.params if p.param_type_name == "option" and p.name != "help"]


def _numeric(param: Any) -> bool:
    return param.type_descriptor.annotation in (int, float)


NUMERIC = sorted((path, max(p.opts, key=len)) for path, cmd in COMMANDS.items() for p in _options(cmd) if _numeric(p))
VALUED = sorted(
    (path, max(p.opts, key=len))
    for path, cmd in COMMANDS.items()
    for p in _options(cmd)
    if not getattr(p, "is_flag", False)
)
REQUIRED_ARGS = sorted(
    (path, next(p.name for p in cmd.params if p.param_type_name == "argument" and p.required))
    for path, cmd in COMMANDS.items()
    if any(p.param_type_name == "argument" and p.required for p in cmd.params)
)
words = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz-"), min_size=1, max_size=12).filter(
    lambda w: w[0] != "-" and w[-1] != "-"
)
# Values that are not numbers, including what users type for them: words, Chinese numerals, units, markup.
not_numbers = st.sampled_from(["abc", "十", "三十", "1.5.2", "5天", "1e", "[red]", "x1", "１０ｘ", "", "nan?"]) | words


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("usage") / "data"
    assert run(directory, "init")[0] == 0
    return directory


GENERATED = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def refused(data_dir: Path, args: list[str], *named: str) -> str:
    """Run a usage error: exit 2, one line on stderr naming each of `named`, nothing on stdout, nothing stored."""
    engine = make_engine(f"sqlite:///{data_dir / 'straitlink.db'}")
    try:
        before = snapshot(engine)
        code, out, err = run(data_dir, *args)
        assert code == 2, (args, code, out, err)
        assert err.endswith("\n") and err.count("\n") == 1 and err.startswith("error: "), (args, err)
        assert out == "" and "Traceback" not in err
        for name in named:
            assert name in err, (args, name, err)
        assert snapshot(engine) == before, args
        return err
    finally:
        engine.dispose()


@GENERATED
@given(command=st.sampled_from(sorted(COMMANDS)), option=words)
def test_an_unknown_option_is_named(data_dir: Path, command: tuple[str, ...], option: str) -> None:
    known = {o for p in COMMANDS[command].params for o in p.opts}
    if f"--{option}" in known:
        return
    refused(data_dir, [*command, f"--{option}"], f"--{option}")


@GENERATED
@given(choice=st.sampled_from(NUMERIC), value=not_numbers, joined=st.booleans())
def test_a_number_option_given_something_else_names_the_option_and_the_value(
    data_dir: Path, choice: tuple[tuple[str, ...], str], value: str, joined: bool
) -> None:
    command, option = choice
    args = [*command, f"{option}={value}"] if joined else [*command, option, value]
    refused(data_dir, args, option, repr(value))


@GENERATED
@given(choice=st.sampled_from(VALUED))
def test_an_option_without_its_value_is_named(data_dir: Path, choice: tuple[tuple[str, ...], str]) -> None:
    command, option = choice
    refused(data_dir, [*command, option], option)


@pytest.mark.parametrize(("command", "argument"), REQUIRED_ARGS, ids=[" ".join(c) for c, _ in REQUIRED_ARGS])
def test_a_missing_argument_is_named(data_dir: Path, command: tuple[str, ...], argument: str) -> None:
    refused(data_dir, list(command), "Missing", argument)


@GENERATED
@given(group=st.sampled_from([(), *GROUPS]), name=words)
def test_an_unknown_command_is_named(data_dir: Path, group: tuple[str, ...], name: str) -> None:
    if (*group, name) in COMMANDS or (*group, name) in GROUPS:
        return
    refused(data_dir, [*group, name], repr(name))


def test_control_characters_in_a_bad_value_are_shown_escaped(data_dir: Path) -> None:
    line = refused(data_dir, ["list", "seizures", "--limit", "\x1b[31m9"], "--limit")
    assert "\x1b" not in line and "\\x1b" in line


def test_json_mode_also_reports_the_option_as_json(data_dir: Path) -> None:
    code, out, err = run(data_dir, "list", "seizures", "--json", "--limit", "many")
    assert code == 2 and err.count("\n") == 1
    assert json.loads(out) == {"error": "usage", "message": err.strip().removeprefix("error: "), "field": "--limit"}


# Each bound a number option declares (min=, max=), stepped over by one.
RANGED = sorted(
    (path, max(p.opts, key=len), bound)
    for path, cmd in COMMANDS.items()
    for p in _options(cmd)
    if _numeric(p)
    for bound in ((p.min - 1) if p.min is not None else None, (p.max + 1) if p.max is not None else None)
    if bound is not None
)


@pytest.mark.parametrize(("command", "option", "value"), RANGED)
def test_a_number_outside_its_range_names_the_option_and_the_value(
    data_dir: Path, command: tuple[str, ...], option: str, value: int
) -> None:
    refused(data_dir, [*command, option, str(value)], option, str(value))


@pytest.mark.parametrize(("command", "option"), NUMERIC)
def test_a_number_option_is_finite(data_dir: Path, command: tuple[str, ...], option: str) -> None:
    """nan once reached `timedelta(days=nan)` as a traceback: every number option has bounds, and nan and the
    infinities are outside them."""
    for value in ("nan", "inf", "-inf"):
        refused(data_dir, [*command, option, value], option, repr(value))


def test_serve_refuses_a_port_in_use_and_a_host_not_of_this_machine(data_dir: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        refused(data_dir, ["serve", "--port", str(port)], "port", str(port), "in use")
    refused(data_dir, ["serve", "--host", "no-such-host.invalid"], "host", "no-such-host.invalid")


def test_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"straitlink {version('straitlink')}\n"
