"""One presentation of records for every reader (CLI, web, exports): the JSON shape of docs/json.md plus the few
derived fields people read beside it (a seizure's suspects, a case's date)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from straitlink.catalog.loader import Catalog
from straitlink.catalog.script import for_reader
from straitlink.codec import encode
from straitlink.domain.parties import Party
from straitlink.domain.records import Record
from straitlink.services.kinds import Kind
from straitlink.services.records import suspects_by_case
from straitlink.store.uow import UnitOfWork


def present(engine: Engine, kind: Kind, records: list[Record]) -> list[dict[str, Any]]:
    """Records in their JSON shape; seizures also carry their case's suspect count, cases their date."""
    data = [encode(r) for r in records]
    if kind.name == "seizure":
        case_ids = [d["case"] for d in data if d["case"]]
        with UnitOfWork(engine) as uow:
            counts = suspects_by_case(uow, case_ids)
        for d in data:
            d["suspects"] = counts.get(d["case"], {"total": 0, "caught_in_act": 0})["total"] if d["case"] else None
    if kind.name == "case":
        for d in data:
            d["date"] = d.get("opened_on")
    return data


# What is never text to convert: who and where it came from, how it is marked.
_KEPT = frozenset({"id", "version", "provenance", "marking"})


def for_reader_of(data: dict[str, Any], *, reader: Party, catalog: Catalog) -> dict[str, Any]:
    """A record's JSON as a reader of `reader`'s side reads it: the text of a record that came from the other side
    (provenance `peer`) in the reader's script and terms (catalog.script), each converted field's stored text kept
    beside it under `as_received`. This side's own records are shown as stored."""
    provenance = data.get("provenance")
    if not (isinstance(provenance, dict) and provenance.get("kind") == "peer"):
        return data
    shown, received = dict(data), {}
    for name, value in data.items():
        if name in _KEPT:
            continue
        converted = _convert(value, reader, catalog)
        if converted != value:
            shown[name], received[name] = converted, value
    if received:
        shown["as_received"] = received
    return shown


def _convert(value: Any, reader: Party, catalog: Catalog) -> Any:
    if isinstance(value, str):
        return for_reader(value, reader, catalog)
    if isinstance(value, list):
        return [_convert(v, reader, catalog) for v in value]
    if isinstance(value, dict):
        return {k: _convert(v, reader, catalog) for k, v in value.items()}
    return value
