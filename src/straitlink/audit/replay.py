"""Which stored record differs from what its audit entries say it became, and in which field.

The digest (straitlink.audit.state) proves the stored records whole or not, but cannot say which one differs. When
it does not match, and for a log written before entries carried it, the records' expected state is rebuilt by
replaying every entry's diff in order (a `create` sets each field it lists, an `update` or `transition` sets the
fields it changes, a field set to null is gone, a `delete` removes the record), and compared with each stored
record in its JSON form (docs/json.md; a reply and a document attached to it as their `create` entries show them).
The first record that differs, in kind order then by id, is named with its first differing field.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from straitlink.audit.state import shipped_agency_ids
from straitlink.codec import encode
from straitlink.domain.errors import InvalidValue
from straitlink.store.mapping import ALL
from straitlink.store.tables import AgencyRow
from straitlink.store.tables_workflow import AuditEntryRow, RequestDocumentRow, RequestReplyRow, StoredFileRow

E = AuditEntryRow
KIND_ORDER = [m.kind for m in ALL] + ["reply", "agency"]
Key = tuple[str, str]
# What a reply's and an attached document's `create` entries show of their rows (straitlink.services.request_writes).
_REPLY_SHOWN = ("request_id", "transition_id", "kind", "from_party", "text", "sent_on", "actor")
_AGENCY_SHOWN = ("id", "party", "kind", "parent", "name_zh_hant", "name_zh_hans", "name_en")
_DOCUMENT_SHOWN = ("request_id", "reply_id", "sha256", "filename", "from_party", "purpose")


@dataclass(frozen=True)
class Difference:
    """The first stored record that is not what its audit entries say it became."""

    kind: str
    record_id: str
    field: str | None
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.record_id, "field": self.field}


@dataclass(frozen=True)
class Unreadable:
    """A stored record the application refuses to read (a control character, a value out of range): one it could
    not have written, so edited behind its back."""

    field: str
    message: str


Found = dict[str, Any] | Unreadable


def _read(mapper: Any, row: Any) -> Found:
    try:
        return _shown(encode(mapper.from_row(row)))
    except InvalidValue as exc:
        return Unreadable(exc.field or "", exc.message)


def bodies(conn: Connection, last: int) -> Iterator[str]:
    """The bodies of entries 1…`last` in order."""
    result = conn.execute(select(E.body).where(E.seq <= last).order_by(E.seq).execution_options(yield_per=5000))
    for (text,) in result:
        yield text


def replayed(bodies: Iterator[str]) -> dict[Key, dict[str, Any] | None]:
    """Each record's fields as its entries leave them (None: deleted)."""
    states: dict[Key, dict[str, Any] | None] = {}
    for text in bodies:
        entry = json.loads(text)
        action = entry["action"]
        if action == "read" or entry["kind"] not in KIND_ORDER:
            continue
        key = (entry["kind"], entry["record"])
        if action == "delete":
            states[key] = None
            continue
        fields = states.get(key) or {}
        for name, (_, after) in entry["diff"].items():
            if after is None:
                fields.pop(name, None)
            else:
                fields[name] = after
        states[key] = fields
    return states


def _shown(values: dict[str, Any]) -> dict[str, Any]:
    """A record's JSON form without its unset fields, as a `create` entry lists them."""
    plain = json.loads(json.dumps(values, default=str, ensure_ascii=False))
    return {k: v for k, v in plain.items() if v is not None}


def stored(session: Session) -> dict[Key, Found]:
    """Every stored record, reply, attached document and added agency in the form its entries describe it."""
    out: dict[Key, Found] = {}
    for mapper in ALL:
        for row in session.scalars(select(mapper.row)):
            out[(mapper.kind, row.id)] = _read(mapper, row)
    for reply in session.execute(select(RequestReplyRow.__table__)).mappings():
        out[("reply", reply["id"])] = _shown({k: reply[k] for k in _REPLY_SHOWN})
    documents = select(RequestDocumentRow.__table__, StoredFileRow.size, StoredFileRow.media_type).outerjoin(
        StoredFileRow, StoredFileRow.sha256 == RequestDocumentRow.sha256
    )
    for doc in session.execute(documents).mappings():
        values = {k: doc[k] for k in (*_DOCUMENT_SHOWN, "size", "media_type")}
        out[("document", doc["id"])] = _shown(values)
    # An added agency as its entries show it (services/agencies.py `agency_json`); shipped ones have no entries.
    for agency in session.scalars(select(AgencyRow).where(AgencyRow.id.not_in(shipped_agency_ids()))):
        values = {c: getattr(agency, c) for c in _AGENCY_SHOWN}
        out[("agency", agency.id)] = _shown({**values, "short_names": list(agency.short_names or ()), "shipped": False})
    return out


def order(key: Key) -> tuple[int, str]:
    """Kind order, then id: the order records are compared in."""
    kind, record_id = key
    return (KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER), record_id)


def _shown_value(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "…"


def first_difference(expected: dict[Key, dict[str, Any] | None], found: dict[Key, Found]) -> Difference | None:
    """The first record whose stored form is not what the replayed entries say; None when all agree."""
    for key in sorted(set(expected) | set(found), key=order):
        kind, record_id = key
        want, have = expected.get(key), found.get(key)
        if want == have:
            continue
        if isinstance(have, Unreadable):
            reason = f"{kind} {record_id} field {have.field} cannot be read as stored: {have.message} (altered)"
            return Difference(kind, record_id, have.field, reason)
        if have is None:
            reason = f"{kind} {record_id} is in the audit trail but not stored (deleted)"
            return Difference(kind, record_id, None, reason)
        if want is None:
            reason = f"{kind} {record_id} is stored but no audit entry accounts for it (inserted)"
            return Difference(kind, record_id, None, reason)
        for name in sorted(set(want) | set(have)):
            if want.get(name) != have.get(name):
                reason = (
                    f"{kind} {record_id} field {name} is {_shown_value(have.get(name))} but its audit entries "
                    f"say {_shown_value(want.get(name))} (altered)"
                )
                return Difference(kind, record_id, name, reason)
    return None


def difference(session: Session, last: int) -> Difference | None:
    """The first stored record that differs from what entries 1…`last` say (all of them must be stored)."""
    return first_difference(replayed(bodies(session.connection(), last)), stored(session))
