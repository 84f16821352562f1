"""The JSON shape of every record (docs/json.md): one generic encoder and decoder driven by the dataclasses.

Decimals are strings, dates ISO, partial dates `{"iso", "precision", "roc"}`, quantities
`{"value", "unit", "basis", "qualifier"}`, catalogue references lowercase ASCII ids.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

from straitlink.domain.cases import AgencyParticipation, AgencyRole, Vessel
from straitlink.domain.dates import PartialDate
from straitlink.domain.errors import InvalidValue, MissingField, StraitLinkError
from straitlink.domain.figures import Citation
from straitlink.domain.marking import Marking
from straitlink.domain.meetings import FollowUp
from straitlink.domain.provenance import Provenance
from straitlink.domain.quantity import Quantity, canonical
from straitlink.domain.records import Record


def encode_value(value: Any) -> Any:
    """One field's value in its JSON form."""
    if value is None or isinstance(value, bool | int | str):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return canonical(value)
    if isinstance(value, PartialDate | Quantity | Provenance | Marking | Citation):
        return value.to_json()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, AgencyParticipation):
        return {"agency": value.agency, "role": value.role.value}
    if isinstance(value, Vessel):
        return {"name": value.name, "flag_state": value.flag_state, "kind": value.kind}
    if isinstance(value, FollowUp):
        return {f.name: encode_value(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [encode_value(v) for v in value]
    raise TypeError(f"no JSON form for {type(value).__name__}")


def encode(record: Record) -> dict[str, Any]:
    """A record as a JSON object: id first, its own fields in declaration order, then version, provenance, marking."""
    return {name: encode_value(getattr(record, name)) for name in _json_order(type(record))}


_JSON_ORDER: dict[type, tuple[str, ...]] = {}
_TRAILING = ("version", "provenance", "marking")


def _json_order(cls: type) -> tuple[str, ...]:
    names = _JSON_ORDER.get(cls)
    if names is None:
        own = tuple(f.name for f in dataclasses.fields(cls) if f.name not in _TRAILING)
        names = _JSON_ORDER[cls] = (*own, *_TRAILING)
    return names


def encode_changes(before: Record, after: Record) -> dict[str, list[Any]]:
    """`{field: [before, after]}` in JSON form for each field whose JSON value differs: the same as diffing the two
    records' `encode`, but encoding only the fields that changed."""
    out: dict[str, list[Any]] = {}
    old_fields, new_fields = vars(before), vars(after)
    for name in _field_names(type(after)):
        old, new = old_fields[name], new_fields[name]
        if old is new or (old == new and type(old) is type(new)):
            continue
        old_json, new_json = encode_value(old), encode_value(new)
        if old_json != new_json:
            out[name] = [old_json, new_json]
    return out


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    """A record class's field names in sorted order, as a diff lists them."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(sorted(f.name for f in dataclasses.fields(cls)))
    return names


_HINTS: dict[type, dict[str, Any]] = {}


def field_hints(cls: type) -> dict[str, Any]:
    """The resolved type of each field of a record class (cached: resolving is slow)."""
    if cls not in _HINTS:
        hints = typing.get_type_hints(cls)
        # Only the instance's fields: a class-level constant (Record.HAPPENED, a ClassVar) is no field to write.
        names = {f.name for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else set(hints)
        _HINTS[cls] = {name: hint for name, hint in hints.items() if name in names}
    return _HINTS[cls]


def _decode(field: str, hint: Any, raw: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        if raw is None:
            return None
        (inner,) = [a for a in typing.get_args(hint) if a is not type(None)]
        return _decode(field, inner, raw)
    if origin is list:
        if not isinstance(raw, list):
            raise InvalidValue(field, raw, "expected a list")
        (inner,) = typing.get_args(hint)
        return [_decode(f"{field}[{i}]", inner, v) for i, v in enumerate(raw)]
    if raw is None:
        raise MissingField(field)
    if hint is PartialDate:
        return PartialDate.from_json(raw)
    if hint is Quantity:
        return Quantity.from_json(raw)
    if hint is Provenance:
        return Provenance.from_json(raw)
    if hint is Citation:
        return Citation.from_json(raw, field=field)
    if hint is Marking:
        return Marking.from_json(raw, field=field)
    if hint is AgencyParticipation:
        if not isinstance(raw, dict) or not isinstance(raw.get("agency"), str):
            raise InvalidValue(field, raw, 'expected {"agency": …, "role": …}')
        return AgencyParticipation(raw["agency"], _decode(f"{field}.role", AgencyRole, raw.get("role")))
    if hint is Vessel:
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            raise InvalidValue(field, raw, 'expected {"name": …, "flag_state": …, "kind": …}')
        flag, kind = (_decode(f"{field}.{k}", str | None, raw.get(k)) for k in ("flag_state", "kind"))
        return Vessel(raw["name"], flag, kind)
    if hint is FollowUp:
        if not isinstance(raw, dict):
            raise InvalidValue(field, raw, 'expected {"action": …, "agency": …, "due": …, "status": …}')
        return decode(FollowUp, raw, prefix=f"{field}.")
    if hint is Decimal:
        try:
            return Decimal(str(raw))
        except InvalidOperation:
            raise InvalidValue(field, raw, "not a decimal number") from None
    if hint is date:
        try:
            return date.fromisoformat(str(raw))
        except ValueError:
            raise InvalidValue(field, raw, "not an ISO date (YYYY-MM-DD)") from None
    if isinstance(hint, type) and issubclass(hint, Enum):
        try:
            return hint(raw)
        except ValueError:
            allowed = "|".join(str(m.value) for m in hint)
            raise InvalidValue(field, raw, f"one of {allowed}") from None
    if hint is bool and not isinstance(raw, bool):
        raise InvalidValue(field, raw, "expected true or false")
    if hint is int and (not isinstance(raw, int) or isinstance(raw, bool)):
        raise InvalidValue(field, raw, "expected a whole number")
    if hint is str and not isinstance(raw, str):
        raise InvalidValue(field, raw, "expected text")
    return raw


def decode(cls: type[Any], data: dict[str, Any], *, prefix: str = "") -> Any:
    """A record of `cls` from its JSON object; unknown keys are ignored, bad values named by field."""
    if not isinstance(data, dict):
        raise InvalidValue(prefix or cls.__name__, data, "expected a JSON object")
    kwargs: dict[str, Any] = {}
    for name, required, convert in _plan(cls):
        if name not in data:
            if required:
                raise MissingField(f"{prefix}{name}")
            continue
        raw = data[name]
        field = f"{prefix}{name}" if prefix else name
        try:
            kwargs[name] = convert(field, raw)
        except StraitLinkError:
            raise
        except (KeyError, TypeError, AttributeError) as exc:
            raise InvalidValue(field, raw, f"malformed ({exc})") from None
    return cls(**kwargs)


# How to decode one field's JSON value: (the field's name as errors give it, the value) → the value.
Convert = Callable[[str, Any], Any]
_PLANS: dict[type, tuple[tuple[str, bool, Convert], ...]] = {}
_CONVERTS: dict[Any, Convert] = {}


def _plan(cls: type) -> tuple[tuple[str, bool, Convert], ...]:
    """Per field of a record class, once: its name, whether it is required, and its converter.

    Decoding walked the dataclass's fields and dispatched on each field's type hint for every record (about 40 µs
    for a plain one, the exchange's inbox decoding thousands a second); the dispatch is the same for every record
    of a class, so it is done once and kept.
    """
    plan = _PLANS.get(cls)
    if plan is None:
        hints = field_hints(cls)
        plan = _PLANS[cls] = tuple(
            (
                f.name,
                f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING,
                _converter(hints[f.name]),
            )
            for f in dataclasses.fields(cls)
        )
    return plan


def _converter(hint: Any) -> Convert:
    """What `_decode` does for values of this hint, with the dispatch on the hint already made."""
    convert = _CONVERTS.get(hint)
    if convert is None:
        convert = _CONVERTS[hint] = _make_converter(hint)
    return convert


def _make_converter(hint: Any) -> Convert:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(inner) != 1:
            return lambda field, raw: _decode(field, hint, raw)  # as `_decode` has it (it refuses the hint)
        then = _converter(inner[0])
        return lambda field, raw: None if raw is None else then(field, raw)
    if origin is list:
        return lambda field, raw: _decode(field, hint, raw)
    if isinstance(hint, type) and issubclass(hint, Enum):
        enum: Any = hint

        def member(field: str, raw: Any) -> Any:
            if raw is None:
                raise MissingField(field)
            try:
                return enum(raw)
            except ValueError:
                allowed = "|".join(str(m.value) for m in enum)
                raise InvalidValue(field, raw, f"one of {allowed}") from None

        return member
    if hint is str:

        def text(field: str, raw: Any) -> Any:
            if type(raw) is str:
                return raw
            if raw is None:
                raise MissingField(field)
            return _decode(field, hint, raw)  # a subclass of str passes; anything else is refused there

        return text
    if hint is Marking:

        def marking(field: str, raw: Any) -> Any:
            if raw is None:
                raise MissingField(field)
            return Marking.from_json(raw, field=field)

        return marking
    if hint is Provenance:

        def provenance(field: str, raw: Any) -> Any:
            if raw is None:
                raise MissingField(field)
            return Provenance.from_json(raw)

        return provenance
    return lambda field, raw: _decode(field, hint, raw)
