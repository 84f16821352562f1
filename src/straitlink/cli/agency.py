"""`straitlink agency add|list|show|edit`: agencies beyond the shipped catalogue, audited like records."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from straitlink.catalog import load_catalog
from straitlink.cli.common import (
    AsJson,
    JsonFile,
    User,
    handles_errors,
    out,
    principal,
    print_json,
    read_json_object,
    state,
)
from straitlink.domain.errors import InvalidValue
from straitlink.domain.parties import Agency
from straitlink.services import agencies as svc

app = typer.Typer(help="Agencies of both sides: the shipped catalogue and those added here.", no_args_is_help=True)

FIELDS_HELP = (
    "field=value pairs: party=TW|CN, name_zh_hant=…, name_zh_hans=… (one script is enough, the other is "
    "converted), name_en=…, kind=police|court|public_security|…, parent=AGENCY (id or name), "
    "short_names=A,B, id=lowercase-words (default: from name_en)"
)


def _pairs(pairs: list[str], file: Path | None) -> dict[str, Any]:
    data = read_json_object(file)
    given: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise InvalidValue("field", pair, "write field=value")
        if name in given or name in data:
            raise InvalidValue(name, value, "given twice; give each field once")
        given[name] = value.strip()
    return {**data, **given}


def _shipped() -> set[str]:
    return {a.id for a in load_catalog().agencies}


def _row(table: Table, a: Agency, shipped: set[str]) -> None:
    table.add_row(
        a.id,
        a.party.value,
        a.kind.value,
        a.name_zh_hant,
        a.name_zh_hans,
        a.name_en,
        a.parent or "",
        "shipped" if a.id in shipped else "added",
    )


def _table(title: str) -> Table:
    return Table("id", "party", "kind", "正體", "简体", "English", "parent", "source", title=title)


@app.command("add")
@handles_errors
def add(
    ctx: typer.Context,
    fields: Annotated[list[str] | None, typer.Argument(help=FIELDS_HELP)] = None,
    file: JsonFile = None,
    user: User = None,
    as_json: AsJson = False,
) -> None:
    """Add an agency the catalogue does not ship (a city bureau, a local court), e.g. party=CN 廈門市公安局."""
    data = _pairs(fields or [], file)
    agency = svc.add_agency(state(ctx).engine(), data, principal=principal(ctx, user))
    if as_json:
        print_json(svc.agency_json(agency, shipped=False))
    else:
        out.print(f"added agency {agency.id} ({agency.name_zh_hant})")


@app.command("list")
@handles_errors
def list_(
    ctx: typer.Context,
    party: Annotated[str | None, typer.Option(help="TW or CN")] = None,
    added: Annotated[bool, typer.Option("--added", help="Only those added here")] = False,
    as_json: AsJson = False,
) -> None:
    """List agencies, shipped and added, by id."""
    if party is not None and party.strip().upper() not in ("TW", "CN"):
        raise InvalidValue("party", party, "TW or CN")
    shipped = _shipped()
    found = [
        a
        for a in svc.list_agencies(state(ctx).engine())
        if (party is None or a.party.value == party.strip().upper()) and not (added and a.id in shipped)
    ]
    if as_json:
        print_json([svc.agency_json(a, shipped=a.id in shipped) for a in found])
        return
    table = _table(f"agencies ({len(found)})")
    for a in found:
        _row(table, a, shipped)
    out.print(table)


@app.command("show")
@handles_errors
def show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The agency's id or any of its names, in either script")],
    as_json: AsJson = False,
) -> None:
    """Show one agency, found by id or name, with its parent and the agencies under it."""
    catalog = svc.catalog_for(state(ctx).engine())
    agency = catalog.find_agency(name, field="agency")
    children = catalog.children(agency.id)
    shipped = _shipped()
    if as_json:
        print_json({**svc.agency_json(agency, shipped=agency.id in shipped), "children": [c.id for c in children]})
        return
    table = _table(f"agency {agency.id}")
    _row(table, agency, shipped)
    out.print(table)
    if agency.short_names:
        out.print("short names: " + ", ".join(agency.short_names))
    if children:
        under = _table("under it")
        for c in children:
            _row(under, c, shipped)
        out.print(under)


@app.command("edit")
@handles_errors
def edit(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The agency's id or name")],
    fields: Annotated[
        list[str] | None, typer.Argument(help="field=value pairs (kind, parent, names, short_names)")
    ] = None,
    user: User = None,
    as_json: AsJson = False,
) -> None:
    """Change an added agency's names, kind or parent (audited); shipped ones change in the catalogue."""
    data = _pairs(fields or [], None)
    if not data:
        raise InvalidValue("fields", "", "give at least one field=value to change")
    agency = svc.edit_agency(state(ctx).engine(), name, data, principal=principal(ctx, user))
    if as_json:
        print_json(svc.agency_json(agency, shipped=False))
    else:
        out.print(f"edited agency {agency.id}")
