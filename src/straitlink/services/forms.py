"""Turning `field=value` text (from the command line or a web form) into a record's JSON shape.

Dates may be ROC or ISO (`102年11月17日`, `98-06-25`), quantities `229 kg gross` or `3000+ kg`, agencies, drugs
and places by any name in either script (高雄地檢署, K他命, 桃園機場); the catalogue resolves them to ids.
"""

from __future__ import annotations

import typing
from datetime import date
from enum import Enum
from typing import Any

from straitlink.catalog import Catalog
from straitlink.codec import field_hints
from straitlink.domain.cases import AgencyParticipation, Vessel
from straitlink.domain.dates import PartialDate, Precision
from straitlink.domain.errors import InvalidValue
from straitlink.domain.provenance import Provenance
from straitlink.domain.quantity import Quantity
from straitlink.services.kinds import Kind

_TRUE = {"true", "yes", "y", "1", "是"}
_FALSE = {"false", "no", "n", "0", "否"}
_ALIASES = {
    "quantity": "quantities",
    "agency": "agencies",
    "place_of": "places",
    "participant": "participants",
}


def _resolver(catalog: Catalog, target: str) -> Any:
    return {
        "agency": catalog.find_agency,
        "drug": catalog.find_drug,
        "place": catalog.find_place,
        "request_type": catalog.find_request_type,
    }.get(target)


def _one(field: str, hint: Any, text: str, resolve: Any) -> Any:
    text = text.strip()
    if hint is PartialDate:
        return PartialDate.parse(text, field=field).to_json()
    if hint is date:
        d = PartialDate.parse(text, field=field)
        if d.precision is not Precision.DAY:
            raise InvalidValue(field, text, "a day is needed here")
        return d.iso
    if hint is Quantity:
        return Quantity.parse(text, field=field).to_json()
    if hint is AgencyParticipation:
        role, sep, name = text.partition(":")
        if not sep:
            raise InvalidValue(field, text, "write role:agency, e.g. directing:高雄地檢署")
        agency = resolve(name, field=field).id if resolve else name
        return {"agency": agency, "role": role.strip()}
    if hint is Vessel:
        name, _, rest = text.partition("/")
        flag, _, vkind = rest.partition("/")
        return {"name": name, "flag_state": flag or None, "kind": vkind or None}
    if hint is bool:
        low = text.lower()
        if low in _TRUE | _FALSE:
            return low in _TRUE
        raise InvalidValue(field, text, "yes or no")
    if hint is int:
        try:
            return int(text)
        except ValueError:
            raise InvalidValue(field, text, "a whole number") from None
    if isinstance(hint, type) and issubclass(hint, Enum):
        return text
    if resolve is not None:
        found = resolve(text, field=field)
        return found.id if not isinstance(found.id, Enum) else found.id.value
    return text


def _unwrap(hint: Any) -> tuple[Any, bool]:
    """The element type, and whether the field holds a list."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if typing.get_origin(hint) is list:
        return args[0], True
    if len(args) == 1:
        return _unwrap(args[0])
    return hint, False


def parse_fields(kind: Kind, pairs: list[str], catalog: Catalog) -> dict[str, Any]:
    """`["drug=K他命", "quantity=229 kg gross", "date=102年11月17日"]` → the record's JSON fields."""
    hints = field_hints(kind.mapper.record)
    targets = {path.split("[")[0].split(".")[0]: target for path, target in kind.references}
    out: dict[str, Any] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        name = _ALIASES.get(name.strip(), name.strip())
        if not sep or not name:
            raise InvalidValue("field", pair, "write field=value")
        if name not in hints or name in ("id", "version", "provenance"):
            allowed = ", ".join(n for n in hints if n not in ("id", "version", "provenance"))
            raise InvalidValue("field", name, f"{kind.name} has the fields {allowed}")
        element, many = _unwrap(hints[name])
        resolve = _resolver(catalog, targets[name]) if name in targets else None
        if many:
            # Quantities are separated by ';' because a quantity itself may contain a comma-free space.
            parts = text.split(";") if element is Quantity else text.split(",")
            out.setdefault(name, []).extend(_one(name, element, p, resolve) for p in parts if p.strip())
        else:
            out[name] = _one(name, element, text, resolve)
    return out


def provenance_from_option(text: str | None, *, actor: str) -> dict[str, Any]:
    """`--source DOC_ID:START-END` records a document span; otherwise the acting user is the source."""
    if not text:
        return Provenance.by_user(actor).to_json()
    doc, _, span = text.partition(":")
    if not span:
        return Provenance.from_document(doc).to_json()
    start, _, end = span.partition("-")
    try:
        return Provenance.from_document(doc, (int(start), int(end))).to_json()
    except ValueError:
        raise InvalidValue("source", text, "write DOCUMENT or DOCUMENT:START-END") from None
