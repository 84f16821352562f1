"""Turning `field=value` text (from the command line or a web form) into a record's JSON shape.

Dates may be ROC or ISO (`102年11月17日`, `98-06-25`), quantities `229 kg gross` or `3000+ kg`, agencies, drugs
and places by any name in either script (高雄地檢署, K他命, 桃園機場); the catalogue resolves them to ids.
"""

from __future__ import annotations

import json
import re
import typing
from datetime import date
from enum import Enum, StrEnum
from typing import Any

from straitlink.catalog import Catalog
from straitlink.codec import field_hints
from straitlink.domain.cases import AgencyParticipation, AgencyRole, Vessel
from straitlink.domain.dates import PartialDate, Precision
from straitlink.domain.errors import InvalidValue
from straitlink.domain.marking import Classification, HandlingCode
from straitlink.domain.provenance import Provenance
from straitlink.domain.quantity import Quantity
from straitlink.services.kinds import Kind
from straitlink.services.records import MARKING_SHORTCUTS

_ROLES = "|".join(r.value for r in AgencyRole)
# A role by its value or by the word the pages show for it, in either script (指揮:高雄地檢署 on a Chinese form).
_ROLE_WORDS = {r.value: r.value for r in AgencyRole} | {
    "指揮": "directing",
    "指挥": "directing",
    "主導": "leading",
    "主导": "leading",
    "主辦": "leading",
    "主办": "leading",
    "參與": "participating",
    "参与": "participating",
    "提供情資": "intel_provider",
    "提供情报": "intel_provider",
}
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
        role, sep, name = text.replace("：", ":").partition(":")
        if not sep:
            raise InvalidValue(field, text, f"write role:agency, e.g. directing:高雄地檢署 ({_ROLES})")
        value = _ROLE_WORDS.get(role.strip().lower())
        if value is None:
            raise InvalidValue(field, text, f"unknown role {role.strip()!r}; the roles are {_ROLES}")
        agency = resolve(name.strip(), field=field).id if resolve else name.strip()
        return {"agency": agency, "role": value}
    if hint is Vessel:
        name, _, rest = text.partition("/")
        flag, _, vkind = rest.partition("/")
        if not name.strip():
            raise InvalidValue(field, text, "write NAME[/FLAG STATE[/KIND]], e.g. 金滿發/巴拿馬/貨輪")
        return {"name": name.strip(), "flag_state": flag.strip() or None, "kind": vkind.strip() or None}
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
    if resolve is not None:
        found = resolve(text, field=field)
        return found.id if not isinstance(found.id, Enum) else found.id.value
    if isinstance(hint, type) and issubclass(hint, Enum):
        return text
    return text


def parse_value(field: str, hint: Any, text: str, resolve: Any = None) -> Any:
    """One typed value of type `hint` in its JSON shape, read as `field=value` reads it (`resolve` finds a
    catalogue entry by any of its names)."""
    return _one(field, hint, text, resolve)


def unwrap_hint(hint: Any) -> tuple[Any, bool]:
    """The element type, and whether the field holds a list."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if typing.get_origin(hint) is list:
        return args[0], True
    if len(args) == 1:
        return unwrap_hint(args[0])
    return hint, False


def parse_fields(kind: Kind, pairs: list[str], catalog: Catalog) -> dict[str, Any]:
    """`["drug=K他命", "quantity=229 kg gross", "date=102年11月17日"]` → the record's JSON fields."""
    hints = field_hints(kind.mapper.record)
    targets = {path.split("[")[0].split(".")[0]: target for path, target in kind.references}
    out: dict[str, Any] = {}
    given: dict[str, str] = {}  # each field's text as typed, to name the first when one comes twice
    for pair in pairs:
        name, sep, text = pair.partition("=")
        name = _ALIASES.get(name.strip(), name.strip())
        if not sep or not name:
            raise InvalidValue("field", pair, "write field=value")
        if name in MARKING_SHORTCUTS or name == "marking":
            if name in out:
                raise given_twice(name, text, given[name])
            out[name], given[name] = _marking_value(name, text.strip()), text
            continue
        _check_field(kind, hints, name)
        element, many = unwrap_hint(hints[name])
        resolve = _resolver(catalog, targets[name]) if name in targets else None
        if many:
            # Quantities are separated by ';' because a quantity itself may contain a comma-free space.
            # Full-width separators typed in Chinese split a list of quantities, agencies, places or ships as the web
            # form reads them (；、，); free text (a decision) keeps its own punctuation: only "," splits it.
            parts = re.split("[;；]" if element is Quantity else "," if element is str else "[,，、]", text)
            out.setdefault(name, []).extend(_one(name, element, p, resolve) for p in parts if p.strip())
        elif name in out:
            # Keeping the last silently would store what the officer did not mean half the time.
            raise given_twice(name, text, given[name])
        else:
            out[name], given[name] = _one(name, element, text, resolve), text
    return out


def given_twice(name: str, text: str, first: str) -> InvalidValue:
    """A field given twice, naming the first value as it was typed (not as it was read)."""
    return InvalidValue(name, text, f"given twice (first {first.strip()!r}); give each field once")


def _marking_value(name: str, text: str) -> Any:
    """A marking given on its own (`releasable=yes`, `handling=H2`) or whole as `marking=` JSON."""
    if name == "marking":
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            value = None
        if not isinstance(value, dict):
            raise InvalidValue(name, text, "a JSON object with classification, handling, releasable, publishable")
        return value
    if name in ("releasable", "publishable"):
        return _one(name, bool, text, None)
    choices: dict[str, type[StrEnum]] = {"classification": Classification, "handling": HandlingCode}
    if name in choices:
        allowed = [member.value for member in choices[name]]
        found = next((a for a in allowed if a.lower() == text.lower()), None)
        if found is None:
            raise InvalidValue(name, text, f"one of {', '.join(allowed)}")
        return found
    return text


def _check_field(kind: Kind, hints: dict[str, Any], name: str) -> None:
    if name not in hints or name in ("id", "version", "provenance"):
        allowed = ", ".join(n for n in hints if n not in ("id", "version", "provenance"))
        raise InvalidValue("field", name, f"{kind.name} has the fields {allowed}")


def _from_json(name: str, hint: Any, raw: Any, resolve: Any) -> Any:
    """One JSON value: text is read as on the command line (names in either script, ROC dates, "229 kg")."""
    if not isinstance(raw, str) or (hint is str and resolve is None):
        if hint is AgencyParticipation and isinstance(raw, dict) and isinstance(raw.get("agency"), str) and resolve:
            return {**raw, "agency": resolve(raw["agency"].strip(), field=f"{name}.agency").id}
        return raw
    return _one(name, hint, raw, resolve)


def parse_json_fields(kind: Kind, data: dict[str, Any], catalog: Catalog) -> dict[str, Any]:
    """A `--file` JSON object's fields, each value either in its JSON shape or as `field=value` text."""
    hints = field_hints(kind.mapper.record)
    targets = {path.split("[")[0].split(".")[0]: target for path, target in kind.references}
    out: dict[str, Any] = {}
    for given, raw in data.items():
        name = _ALIASES.get(given, given)
        if name in ("id", "version", "provenance", "marking") or name in MARKING_SHORTCUTS:
            out[name] = raw  # kept as given: the record's identity, and its marking as a whole or in part
            continue
        # A key the kind does not have is refused, not ignored: "data" for "date" would lose the date silently.
        _check_field(kind, hints, name)
        if name in out:
            raise InvalidValue(name, raw, f"given twice (as {given!r} and as another name of it); give it once")
        element, many = unwrap_hint(hints[name])
        resolve = _resolver(catalog, targets[name]) if name in targets else None
        if many and isinstance(raw, list):
            out[name] = [_from_json(f"{name}[{i}]", element, item, resolve) for i, item in enumerate(raw)]
        elif many and isinstance(raw, str):
            out.update(parse_fields(kind, [f"{name}={raw}"], catalog))
        else:
            out[name] = _from_json(name, element, raw, resolve)
    return out


def form_data(kind: Kind, file_data: dict[str, Any], pairs: list[str], catalog: Catalog) -> dict[str, Any]:
    """A record's JSON from a `--file` object and `field=value` pairs; a field given in both is refused."""
    from_file = parse_json_fields(kind, file_data, catalog)
    from_pairs = parse_fields(kind, pairs, catalog)
    both = sorted(set(from_file) & set(from_pairs))
    if both:
        raise InvalidValue(both[0], from_pairs[both[0]], "given twice (in --file and as field=value); give it once")
    return {**from_file, **from_pairs}


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
