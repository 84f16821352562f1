"""Audit entries and their canonical form: the bytes each entry's hash covers, chained to the entry before it.

An entry's body is one line of JSON, UTF-8, without spaces, non-ASCII characters as they are, its keys in this
order: seq, at, actor, action, kind, record, diff, context, state; the keys of every object inside `diff` and
`context` sorted. `state` is the digest of the stored records as the entry's transaction leaves them
(straitlink.audit.state), 64 hexadecimal digits; entries written before it existed have none. Its hash is
sha256(hash of the previous entry ‖ body); the first entry's previous hash is 32 zero bytes. The stored body is
the whole entry: nothing about it is kept anywhere else where it could disagree.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from straitlink.domain.errors import MissingField

GENESIS = bytes(32)


class AuditAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    TRANSITION = "transition"
    DELETE = "delete"
    READ = "read"
    SEAL = "seal"  # a batch of access-log rows folded into the chain (straitlink.audit.seal)
    REBASE = "rebase"  # the records taken in as they stand: the digest holds from here on (straitlink.audit.rebase)


@dataclass(frozen=True)
class Change:
    """What one audit entry says: who did what to which record, and how its fields changed."""

    actor: str
    action: AuditAction
    kind: str
    record_id: str
    diff: Mapping[str, list[Any]] = field(default_factory=dict)
    context: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("actor", "kind", "record_id"):
            if not str(getattr(self, name)).strip():
                raise MissingField(name, "an audit entry names who acted on which record")


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, list[Any]]:
    """`{field: [before, after]}` for every field whose JSON value differs (a create has no before)."""
    old, new = before or {}, after or {}
    return {k: [old.get(k), new.get(k)] for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)}


# One encoder for every call: json.dumps with options builds a new one each time, which is most of its cost here.
_ENCODE = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


def canonical(value: Any) -> str:
    """Compact JSON with sorted keys and characters unescaped: the same value always gives the same text."""
    return _ENCODE(value)


def timestamp(moment: datetime | None = None) -> str:
    """UTC time with microseconds in one fixed-width form, e.g. 2025-01-27T08:00:00.000000Z."""
    # isoformat, not strftime: the same text, at a tenth of the cost on a path every audited change takes.
    return (moment or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def body(seq: int, at: str, change: Change, state: str | None = None) -> str:
    """The entry's canonical JSON; `state` is the stored records' digest in hexadecimal."""
    # The keys are fixed, so only the values go through json.dumps (this runs once per audited change).
    tail = f',"state":"{state}"}}' if state is not None else "}"
    return (
        f'{{"seq":{int(seq)},"at":{canonical(at)},"actor":{canonical(change.actor)},'
        f'"action":{canonical(change.action.value)},"kind":{canonical(change.kind)},'
        f'"record":{canonical(change.record_id)},"diff":{canonical(dict(change.diff))},'
        f'"context":{canonical(dict(change.context))}{tail}'
    )


def state_of(text: str | bytes) -> str | None:
    """The `state` an entry's body carries, if any (a canonical body ends with it)."""
    raw = text.decode("utf-8") if isinstance(text, bytes) else text
    # Without a state, a body ends with its context's closing brace and its own: "}}".
    if raw.endswith('"}') and raw[-76:-66] == ',"state":"':
        return raw[-66:-2]
    return None


def link(prev: bytes, text: bytes) -> bytes:
    """The entry's hash: sha256 over the previous entry's hash and this entry's body."""
    return hashlib.sha256(prev + text).digest()
