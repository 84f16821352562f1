"""Record ids as people copy them: the full id, or a unique prefix of at least 8 characters (as lists show them)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from straitlink.domain.errors import InvalidValue, NotFound
from straitlink.services.kinds import CATALOG_TABLES, KINDS, Kind, kind_named
from straitlink.store.tables_workflow import RequestDocumentRow, RequestReplyRow
from straitlink.store.uow import UnitOfWork

MIN_PREFIX = 8
_EXTRA_ROWS: dict[str, Any] = {"request_document": RequestDocumentRow, "reply": RequestReplyRow}


def _row(kind: str) -> Any:
    return _EXTRA_ROWS[kind] if kind in _EXTRA_ROWS else kind_named(kind).mapper.row


def resolve_id(engine: Engine, kind: str, text: str, *, field: str = "id") -> str:
    """The full id of the one `kind` record whose id is `text` or starts with it; NotFound or ambiguous otherwise."""
    with UnitOfWork(engine) as uow:
        return resolve_in(uow, kind, text, field=field)


def resolve_in(uow: UnitOfWork, kind: str, text: str, *, field: str = "id") -> str:
    """The full id of the one `kind` record whose id is `text` or starts with it; NotFound or ambiguous otherwise."""
    row = _row(kind)
    shown = kind.replace("_", " ")
    value = text.strip()
    if uow.session.get(row, value) is not None:
        return value
    if len(value) < MIN_PREFIX:
        raise NotFound(shown, text)
    # LIKE with the prefix's own wildcards escaped: an id prefix is matched literally.
    pattern = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    stmt = select(row.id).where(row.id.like(pattern, escape="\\")).order_by(row.id).limit(3)
    found = list(uow.session.scalars(stmt))
    if not found:
        raise NotFound(shown, text)
    if len(found) > 1:
        more = ", ".join(found[:2]) + (", …" if len(found) > 2 else "")
        raise InvalidValue(field, text, f"ambiguous: the id of more than one {shown} starts with it ({more})")
    return str(found[0])


def resolve_any(engine: Engine, text: str, kind: str | None = None) -> str:
    """The full id of the record of any kind (or of `kind`) that `text` names; `text` itself if none or several do."""
    kinds = [kind] if kind else [k.name for k in KINDS]
    found: set[str] = set()
    for name in kinds:
        try:
            found.add(resolve_id(engine, name, text))
        except (NotFound, InvalidValue):
            continue
    return found.pop() if len(found) == 1 else text


def resolve_references(engine: Engine, kind: Kind, data: dict[str, Any]) -> dict[str, Any]:
    """`data` with every reference to a record (case, seizures, …, the source document) given by prefix made whole."""
    with UnitOfWork(engine) as uow:
        return _references(uow, kind, data)


def _references(uow: UnitOfWork, kind: Kind, data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    for path, target in kind.references:
        if target in CATALOG_TABLES:
            continue
        head, _, rest = path.partition(".")
        name = head.removesuffix("[]")
        value = out.get(name)
        if head.endswith("[]") and isinstance(value, list):
            out[name] = [_resolved(uow, target, item, f"{name}[{i}]", rest) for i, item in enumerate(value)]
        elif not head.endswith("[]") and isinstance(value, str):
            out[name] = _whole(uow, target, value, name)
    provenance = out.get("provenance")
    if isinstance(provenance, dict) and provenance.get("kind") == "document" and provenance.get("document"):
        out["provenance"] = {**provenance, "document": _whole(uow, "document", str(provenance["document"]), "source")}
    return out


def _whole(uow: UnitOfWork, target: str, value: str, field: str) -> str:
    """The full id for a prefix; a value matching nothing stays, for the reference check to name."""
    try:
        return resolve_in(uow, target, value, field=field)
    except NotFound:
        return value


def _resolved(uow: UnitOfWork, target: str, item: Any, field: str, rest: str) -> Any:
    if rest and isinstance(item, dict) and isinstance(item.get(rest), str):
        return {**item, rest: _whole(uow, target, item[rest], f"{field}.{rest}")}
    if not rest and isinstance(item, str):
        return _whole(uow, target, item, field)
    return item
