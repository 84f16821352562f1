"""`straitlink add|list|show KIND`: every record kind through the same three commands."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from straitlink.cli.common import (
    JsonFile,
    NoSynthetic,
    Reader,
    RecordKind,
    TableJson,
    User,
    catalog,
    full_id,
    handles_errors,
    out,
    principal,
    print_json,
    read_json_object,
    reader,
    state,
)
from straitlink.domain.dates import PartialDate
from straitlink.domain.errors import InvalidValue
from straitlink.domain.provenance import ProvenanceKind
from straitlink.domain.records import Record
from straitlink.services import records as svc
from straitlink.services.forms import form_data, provenance_from_option
from straitlink.services.ids import resolve_references
from straitlink.services.kinds import KINDS, Kind, kind_named
from straitlink.services.present import for_reader_of, present
from straitlink.services.records import ListFilter
from straitlink.services.requests import file_request

KIND_HELP = "Record kind: " + ", ".join(k.plural for k in KINDS)
FIELDS_HELP = (
    "field=value pairs, each field once. Names in either script (K他命, 高雄地檢署), ROC or ISO dates "
    "(102年11月17日). List fields take several values: agencies=directing:高雄地檢署,leading:公安部 (ROLE:AGENCY, "
    "roles directing|leading|participating|intel_provider, separated by ','); quantities=600 塊;229 公斤 毛重 "
    "(separated by ';'; 約, 餘, 左右, 萬 and 毛重/淨重 are understood); vessels=金滿發/巴拿馬/貨輪 (NAME/FLAG/KIND, "
    "separated by ','); places=桃園機場,高雄港. Record references (case=…) take an id or its first 8 characters."
)
COLUMNS: dict[str, tuple[str, ...]] = {
    "document": ("id", "title", "publisher", "published_on"),
    "case": ("date", "title", "kind", "joint", "places"),
    "operation": ("date", "name", "places", "personnel"),
    "person": ("case", "role", "caught_in_act", "label"),
    "seizure": ("date", "drug", "quantities", "place", "suspects"),
    "intel": ("date", "provider_party", "provider_agency", "summary"),
    "outcome": ("intel", "case", "seizures", "persons"),
    "meeting": ("date", "kind", "sequence", "title", "places"),
    "figure": ("period_end", "metric", "value", "qualifier", "unit", "label"),
    "request": ("filed_on", "requesting_party", "type", "status", "subject"),
}


def _cell(value: Any, reader: Reader) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        if "roc" in value:
            return reader.date(PartialDate.from_json({k: v for k, v in value.items() if k in ("iso", "part")}))
        if "agency" in value and "role" in value:
            return f"{value['role']}:{value['agency']}"
        if "name" in value and "flag_state" in value:
            return "/".join(str(value[k]) for k in ("name", "flag_state", "kind") if value.get(k))
        if "unit" in value:
            extra = "" if value.get("basis") in (None, "unstated") else f" {value['basis']}"
            qual = {"at_least": "≥", "approx": "≈"}.get(value.get("qualifier", ""), "")
            return f"{qual}{value['value']} {value['unit']}{extra}"
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return ", ".join(_cell(v, reader) for v in value)
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def named(kind: Kind, row: dict[str, Any], reader: Reader) -> dict[str, Any]:
    """The row with its catalogue ids (agencies, drugs, places, request types) replaced by their names."""
    targets = {path.split("[")[0].split(".")[0]: target for path, target in kind.references}
    out = dict(row)
    for field, target in targets.items():
        value = row.get(field)
        if target not in ("agency", "drug", "place", "request_type") or value is None:
            continue
        if isinstance(value, list):
            out[field] = [_named_one(v, target, reader) for v in value]
        else:
            out[field] = _named_one(value, target, reader)
    return out


def _named_one(value: Any, target: str, reader: Reader) -> Any:
    if isinstance(value, dict) and "agency" in value:
        return {**value, "agency": reader.name(target, value["agency"])}
    return reader.name(target, value) if isinstance(value, str) else value


def render_table(kind: Kind, rows: list[dict[str, Any]], reader: Reader) -> Table:
    """The rows as a table of the kind's usual columns, catalogue entries by name and dates as the reader writes
    them."""
    columns = COLUMNS[kind.name]
    table = Table("id", *columns, title=f"{kind.plural} ({len(rows)})")
    for row in rows:
        shown = named(kind, row, reader)
        table.add_row(row["id"][:8], *(_cell(shown.get(c), reader) for c in columns))
    return table


def _date_option(value: str | None, name: str, *, end: bool) -> Any:
    if value is None:
        return None
    d = PartialDate.parse(value, field=name)
    return d.latest() if end else d.earliest()


def register(app: typer.Typer) -> None:
    @app.command("add")
    @handles_errors
    def add(
        ctx: typer.Context,
        kind: RecordKind,
        fields: Annotated[list[str] | None, typer.Argument(help=FIELDS_HELP)] = None,
        file: JsonFile = None,
        source: Annotated[str | None, typer.Option(help="DOCUMENT[:START-END] the record comes from")] = None,
        user: User = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the stored record as JSON")] = False,
    ) -> None:
        """Add one record of KIND from field=value pairs or a JSON file (its values in JSON shape or as pairs)."""
        k = kind_named(kind)
        acting = principal(ctx, user)
        who = acting.username
        data = read_json_object(file)
        data = form_data(k, data, fields or [], catalog(ctx))
        if "provenance" not in data:
            data["provenance"] = provenance_from_option(source, actor=who)
        engine = state(ctx).engine()
        data = resolve_references(engine, k, data)
        if k.name == "request":
            record: Record = file_request(state(ctx).desk(), data, principal=acting)
        else:
            record = svc.add_record(engine, k, data, principal=acting)
        shown = present(engine, k, [record])[0]
        if as_json:
            print_json(shown)
        else:
            out.print(f"added {k.name} {record.id}")

    @app.command("list")
    @handles_errors
    def list_(
        ctx: typer.Context,
        kind: Annotated[str, typer.Argument(help=KIND_HELP)],
        start: Annotated[str | None, typer.Option("--from", help="Period start (ISO or ROC, e.g. 98-06-25)")] = None,
        end: Annotated[str | None, typer.Option("--to", help="Period end (ISO or ROC)")] = None,
        party: Annotated[str | None, typer.Option(help="TW or CN")] = None,
        agency: Annotated[str | None, typer.Option(help="Agency id or name (高雄地檢署)")] = None,
        drug: Annotated[str | None, typer.Option(help="Drug id or name (K他命)")] = None,
        provenance: Annotated[list[str] | None, typer.Option(help="user|document|peer|synthetic (repeatable)")] = None,
        no_synthetic: NoSynthetic = False,
        limit: Annotated[int | None, typer.Option(help="At most this many records")] = None,
        user: User = None,
        as_json: TableJson = False,
    ) -> None:
        """List records of KIND, filtered by period, party, agency, drug and provenance."""
        k = kind_named(kind)
        names = catalog(ctx)
        kinds = set()
        for p in provenance or []:
            try:
                kinds.add(ProvenanceKind(p).value)
            except ValueError:
                raise InvalidValue("provenance", p, "one of user|document|peer|synthetic") from None
        if party is not None and party.upper() not in ("TW", "CN"):
            raise InvalidValue("party", party, "TW or CN")
        first, last = _date_option(start, "from", end=False), _date_option(end, "to", end=True)
        if first is not None and last is not None and first > last:
            raise InvalidValue("from", start, f"after to ({last.isoformat()})")
        flt = ListFilter(
            start=first,
            end=last,
            party=party.upper() if party else None,
            agency=names.find_agency(agency).id if agency else None,
            drug=names.find_drug(drug).id if drug else None,
            provenance=frozenset(kinds),
            exclude_provenance=frozenset({"synthetic"}) if no_synthetic else frozenset(),
            limit=limit,
        )
        engine = state(ctx).engine()
        rows = present(engine, k, svc.list_records(engine, k, flt, principal=principal(ctx, user)))
        if as_json:
            print_json(rows)
        else:
            out.print(render_table(k, rows, reader(ctx)))

    @app.command("show")
    @handles_errors
    def show(
        ctx: typer.Context,
        kind: Annotated[str, typer.Argument(help=KIND_HELP)],
        record_id: Annotated[str, typer.Argument(help="The record's id")],
        user: User = None,
        as_json: TableJson = False,
    ) -> None:
        """Show one record with every field and its provenance."""
        k = kind_named(kind)
        record_id = full_id(ctx, k.name, record_id)
        engine = state(ctx).engine()
        shown = present(engine, k, [svc.get_record(engine, k, record_id, principal=principal(ctx, user))])[0]
        # Text from the other side in this side's script and terms; the stored text is under `as_received`.
        shown = for_reader_of(shown, reader=state(ctx).settings.party, catalog=catalog(ctx))
        if as_json:
            print_json(shown)
            return
        table = Table("field", "value", title=f"{k.name} {record_id}")
        shown_to = reader(ctx)
        for name, value in named(k, shown, shown_to).items():
            table.add_row(
                name, _cell(value, shown_to) if name != "provenance" else json.dumps(value, ensure_ascii=False)
            )
        out.print(table)
        if k.name == "case":
            # What the case holds, each list as this principal may see it.
            for name in ("operation", "seizure", "person", "intel"):
                related = kind_named(name)
                found = svc.list_records(engine, related, ListFilter(case=record_id), principal=principal(ctx, user))
                out.print(
                    render_table(related, present(engine, related, found), shown_to)
                    if found
                    else f"{related.plural}: none"
                )
