"""Usage errors (an unknown option, a missing argument, an option's value of the wrong type) as one line, exit 2.

Click reports them as a usage block and Typer as a framed panel over several lines; StraitLink reports every bad
input as one line naming the field and the value (`error: …`), so a script or an officer reads usage errors the
same way as the domain's refusals. Only Click's own exceptions (`typer.TyperException`, their base since Typer
vendors Click) are turned into that line: anything else propagates unchanged.
"""

from __future__ import annotations

import json
from typing import Any

import typer
from typer.core import TyperGroup

from straitlink.cli.common import err

USAGE_EXIT = 2


def _printable(text: str) -> str:
    """The message on one line, control characters a user typed shown escaped rather than sent to the terminal."""
    flat = " ".join(text.split())
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in flat)


def _field(exc: typer.TyperException) -> str | None:
    """The option or argument the error is about, as the user would type it."""
    option = getattr(exc, "option_name", None)  # an unknown option
    if isinstance(option, str):
        return option
    param = getattr(exc, "param", None)
    opts = getattr(param, "opts", None)
    if getattr(param, "param_type_name", None) == "option" and opts:
        return str(max(opts, key=len))
    name = getattr(param, "human_readable_name", None)
    return str(name) if name else None


def _given(exc: typer.TyperException, args: list[str]) -> str | None:
    """The value typed for the option the error is about, when its message does not quote it already."""
    param = getattr(exc, "param", None)
    if getattr(param, "param_type_name", None) != "option":
        return None
    opts = getattr(param, "opts", ())
    given = None
    for i, token in enumerate(args):  # the last occurrence is the one Click kept
        for opt in opts:
            if token == opt and i + 1 < len(args):
                given = args[i + 1]
            elif token.startswith(f"{opt}="):
                given = token[len(opt) + 1 :]
    return given


def one_line(exc: typer.TyperException, args: list[str] | None = None) -> str:
    """`error: MESSAGE (see `COMMAND --help`)`: Click's message, which names the option, with the value given."""
    message = _printable(exc.format_message())
    given = _given(exc, args or [])
    if given is not None and repr(given) not in message:
        message = f"{message.rstrip('.')}: {_printable(repr(given))} given"
    path = getattr(getattr(exc, "ctx", None), "command_path", None)
    hint = f" (see `{_printable(path)} --help`)" if isinstance(path, str) else ""
    return f"error: {message}{hint}"


class OneLineUsageGroup(TyperGroup):
    """The root command: a Click exception from parsing or running any sub-command becomes one line and exit 2."""

    _args: list[str] = []  # noqa: RUF012 (set per invocation, read when reporting)

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        # --json anywhere on the line asks for the refusal as JSON too, as the domain's refusals give it.
        self._args = list(args)
        try:
            return super().make_context(info_name, args, parent, **extra)
        except typer.TyperException as exc:
            self._refuse(exc)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except typer.TyperException as exc:
            self._refuse(exc)

    def _refuse(self, exc: typer.TyperException) -> Any:
        if type(exc).__name__ == "NoArgsIsHelpError":  # a bare group: its help, as Typer shows it (as Typer tells it)
            raise exc
        line = one_line(exc, self._args)
        if "--json" in self._args:
            report = {"error": "usage", "message": line.removeprefix("error: "), "field": _field(exc)}
            print(json.dumps(report, ensure_ascii=False))
        err.print(line, highlight=False)
        # Every Click exception here is the input's fault (a bad option, a path that cannot be opened): exit 2.
        raise typer.Exit(USAGE_EXIT)
