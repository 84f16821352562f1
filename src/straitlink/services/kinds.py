"""The record kinds users can add, list and show, and what each one's fields refer to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from straitlink.store import mapping
from straitlink.store.mapper import Mapper


@dataclass(frozen=True)
class Kind:
    name: str  # singular, as in `straitlink add seizure`
    plural: str  # as in `straitlink list seizures`
    mapper: Mapper[Any, Any]
    # field path -> what it refers to: a catalogue table (agency, drug, place, request_type) or a record kind.
    references: tuple[tuple[str, str], ...]


KINDS: tuple[Kind, ...] = (
    Kind("document", "documents", mapping.DOCUMENTS, ()),
    Kind(
        "case",
        "cases",
        mapping.CASES,
        (("agencies[].agency", "agency"), ("places[]", "place")),
    ),
    Kind(
        "operation",
        "operations",
        mapping.OPERATIONS,
        (("case", "case"), ("agencies[].agency", "agency"), ("places[]", "place")),
    ),
    Kind("person", "persons", mapping.PERSONS, (("case", "case"),)),
    Kind(
        "seizure",
        "seizures",
        mapping.SEIZURES,
        (("drug", "drug"), ("place", "place"), ("case", "case"), ("operation", "operation")),
    ),
    Kind("intel", "intel", mapping.INTEL, (("provider_agency", "agency"),)),
    Kind(
        "outcome",
        "outcomes",
        mapping.OUTCOMES,
        (("intel", "intel"), ("case", "case"), ("seizures[]", "seizure"), ("persons[]", "person")),
    ),
    Kind("figure", "figures", mapping.FIGURES, (("source", "document"),)),
    Kind(
        "request",
        "requests",
        mapping.REQUESTS,
        (
            ("type", "request_type"),
            ("requesting_agency", "agency"),
            ("executing_agency", "agency"),
            ("case", "case"),
        ),
    ),
    # After requests: a kind's references point only to kinds before it (export and import rely on this), and a
    # meeting's follow-ups name the requests that carried them out.
    Kind(
        "meeting",
        "meetings",
        mapping.MEETINGS,
        (
            ("host", "agency"),
            ("participants[]", "agency"),
            ("places[]", "place"),
            ("follow_ups[].agency", "agency"),
            ("follow_ups[].request", "request"),
            ("follow_ups[].case", "case"),
            ("follow_ups[].intel", "intel"),
        ),
    ),
)

CATALOG_TABLES = ("agency", "drug", "place", "request_type")


def kind_named(name: str) -> Kind:
    """The kind for a singular or plural name (`seizure`, `seizures`)."""
    from straitlink.domain.errors import InvalidValue

    for k in KINDS:
        if name in (k.name, k.plural):
            return k
    allowed = ", ".join(k.plural for k in KINDS)
    raise InvalidValue("kind", name, f"one of {allowed}")


def referenced_values(data: dict[str, Any], path: str) -> list[tuple[str, Any]]:
    """The (field, value) pairs a reference path picks out of a record's JSON."""
    head, _, rest = path.partition(".")
    if head.endswith("[]"):
        name = head[:-2]
        items = data.get(name) or []
        out: list[tuple[str, Any]] = []
        for i, item in enumerate(items):
            if rest:
                if isinstance(item, dict) and item.get(rest) is not None:
                    out.append((f"{name}[{i}].{rest}", item[rest]))
            elif item is not None:
                out.append((f"{name}[{i}]", item))
        return out
    value = data.get(head)
    return [(head, value)] if value is not None else []
