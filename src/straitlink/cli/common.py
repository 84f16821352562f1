"""What every command shares: settings, the engine, the acting user, errors as one line and exit 2, output."""

from __future__ import annotations

import functools
import gc
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from sqlalchemy import Engine

from straitlink.catalog import Catalog
from straitlink.catalog.naming import display_name, parse_lang
from straitlink.config import Settings
from straitlink.domain.access import Permission, Principal
from straitlink.domain.dates import PartialDate
from straitlink.domain.errors import InvalidValue, StraitLinkError
from straitlink.services.access import principal_for, require
from straitlink.services.accounts import count_accounts
from straitlink.services.agencies import catalog_for
from straitlink.services.ids import resolve_id
from straitlink.services.requests import Desk
from straitlink.services.session import connect

F = TypeVar("F", bound=Callable[..., Any])
# What is printed quotes what users typed and stored: never read as markup ("[/red]") or emoji codes (":x:").
err = Console(stderr=True, soft_wrap=True, markup=False, emoji=False)
out = Console(markup=False, emoji=False, highlight=False)


@dataclass
class State:
    data_dir: Path | None = None
    database_url: str | None = None
    user: str | None = None
    lang: str | None = None
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        return Settings.load(data_dir=self.data_dir, database_url=self.database_url)

    def engine(self, *, create: bool = False) -> Engine:
        """The database's engine; only `init`, which may create the database, passes `create`."""
        if self._engine is None:
            settings = self.settings
            settings.check_data_dir(create=create)
            self._engine = connect(settings.database_url, create=create)
        return self._engine

    @property
    def language(self) -> str:
        """The language tables name catalogue entries in: --lang, else STRAITLINK_LANG, else zh-TW."""
        return parse_lang(self.lang, field="--lang") if self.lang is not None else self.settings.lang

    def desk(self) -> Desk:
        """What the request use cases need of this instance, on this command's engine."""
        return Desk.from_settings(self.settings, self.engine())

    def close(self) -> None:
        """Release the database when the command ends (SQLite checkpoints its write-ahead log here)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    if not isinstance(obj, State):
        obj = State()
        ctx.find_root().obj = obj
    return obj


def full_id(ctx: typer.Context, kind: str, text: str, *, field: str = "id") -> str:
    """The full id of a `kind` record given by its id or a unique prefix of 8 or more characters (as lists show)."""
    return resolve_id(state(ctx).engine(), kind, text, field=field)


def catalog(ctx: typer.Context) -> Catalog:
    """The shipped catalogue with the agencies added here (`straitlink agency add`), for resolving names."""
    return catalog_for(state(ctx).engine())


@dataclass(frozen=True)
class Reader:
    """How tables speak to their reader: catalogue entries by name, dates as the language writes them (JSON
    output keeps ids and ISO dates, for programs)."""

    catalog: Catalog
    lang: str

    def name(self, target: str, entry_id: str | None) -> str:
        """An agency, drug, place or request type by its id (an unknown id as it is)."""
        return display_name(self.catalog, target, entry_id, self.lang)

    def date(self, value: PartialDate | date | None) -> str:
        """102年11月17日 for zh-TW, 2013年11月17日 for zh-CN, 17 November 2013 for en."""
        if value is None:
            return ""
        d = value if isinstance(value, PartialDate) else PartialDate(value.year, value.month, value.day)
        return {"zh-TW": d.format_roc, "zh-CN": d.format_zh_cn, "en": d.format_en}[self.lang]()


def reader(ctx: typer.Context) -> Reader:
    """The reader of this command's tables: the catalogue with this instance's agencies, in --lang's language."""
    return Reader(catalog(ctx), state(ctx).language)


def principal(ctx: typer.Context, user: str | None = None) -> Principal:
    """The acting account: the command's --user, the global --user, or STRAITLINK_USER; refused unless active."""
    st = state(ctx)
    name = user or st.user or os.environ.get("STRAITLINK_USER") or None
    return principal_for(st.engine(), name)


def allow(ctx: typer.Context, permission: Permission, what: str) -> Principal:
    """The acting account, refused unless its roles grant `permission` (for commands that are not one use case)."""
    acting = principal(ctx)
    require(state(ctx).engine(), acting, permission, what)
    return acting


def setup_principal(ctx: typer.Context, user: str | None = None) -> Principal:
    """Who runs a set-up command (demo, import): the installer while no account exists, else an account."""
    st = state(ctx)
    if count_accounts(st.engine()) == 0:
        return Principal.system(st.settings.party)
    return principal(ctx, user)


def handles_errors(fn: F) -> F:
    """Report the domain's errors as one line (or a JSON object with --json) and exit 2, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except StraitLinkError as exc:
            if kwargs.get("as_json"):
                print(json.dumps(exc.to_json(), ensure_ascii=False))
            # The message quotes what the user typed: escaped, so a value like "[/red]" is shown, not interpreted.
            err.print(f"[red]error:[/red] {escape(exc.message)}", markup=True, highlight=False)
            raise typer.Exit(exc.exit_code) from None

    return wrapper  # type: ignore[return-value]


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    """A progress callback drawing a bar on a terminal; None (quiet) in --json mode or when piped."""
    if not enabled or not err.is_terminal:
        yield None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err) as bar:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update


def read_json_object(file: Path | None) -> dict[str, Any]:
    """The JSON object a `--file` holds (nothing given: an empty one); refused naming the file otherwise."""
    if file is None:
        return {}
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidValue("file", str(file), f"not a readable JSON object ({exc})") from None
    if not isinstance(data, dict):
        raise InvalidValue("file", str(file), "expected a JSON object")
    return data


# Options many commands share, declared once.
User = Annotated[str | None, typer.Option("--user", help="Acting user (default: STRAITLINK_USER or login)")]
AsJson = Annotated[bool, typer.Option("--json", help="JSON output")]
JsonFile = Annotated[Path | None, typer.Option("--file", "-f", help="A JSON object with the fields")]
TableJson = Annotated[bool, typer.Option("--json", help="JSON instead of a table")]
RecordKind = Annotated[str, typer.Argument(help="Record kind (singular or plural)")]
RecordId = Annotated[str, typer.Argument(help="The record's id (or its first 8 characters)")]
NoSynthetic = Annotated[bool, typer.Option("--no-synthetic", help="Leave out synthetic records")]


def freeze_loaded() -> None:
    """For a long-running command (`serve`, `exchange run`), once it is set up: keep what is loaded by now (modules,
    routes, mappers, the catalogue) out of the collector's sight for the rest of the process.

    A full collection, which the garbage of every batch of work triggers, otherwise walks all of it again: the
    exchange's served inbox spent about a tenth of its CPU per message there (docs/exchange.md, Performance).
    """
    gc.collect()  # what is garbage already is not kept for ever
    gc.freeze()
