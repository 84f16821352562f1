"""The signed envelope: one message between the two instances, in RFC 8785 canonical JSON, signed with Ed25519.

On the wire a message is `{"envelope": {...}, "signature": "<base64>"}`; the signature covers the canonical bytes of
the envelope, and the message's digest (what receipts name) is the SHA-256 of those same bytes. Whoever opens a
message checks, in this order, that it is well formed, signed, signed by a key it knows for the sender, unaltered,
addressed to it, and of a schema version it understands; each failure is a `Refused` with a reason code that the
inbox answers with a signed negative receipt.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from straitlink.exchange.keys import Identity, verify_signature

SCHEMA_VERSION = 1
ENVELOPE_FIELDS = (
    "id",
    "sender",
    "receiver",
    "key",
    "type",
    "schema",
    "time",
    "record",
    "after",
    "payload",
    "documents",
)

KeyLookup = Callable[[str, str], Ed25519PublicKey | None]  # (party, key id) -> the key, if known and valid now


class Refused(Exception):
    """A message that is not accepted: `reason` is a stable code, `detail` says what was wrong."""

    def __init__(self, reason: str, detail: str, *, message_id: str | None = None, sender: str | None = None) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.message_id = message_id
        self.sender = sender


def canonical(value: Any) -> bytes:
    """RFC 8785 (JCS) bytes of a JSON value: the one form that is signed and hashed.

    Every message is canonicalised four times (sealed, verified, its receipt signed and verified), and `rfc8785`
    is pure Python (about half a millisecond for an envelope). For a value made only of objects, arrays, strings,
    booleans, null and integers in JSON's safe range, with no key outside the Basic Multilingual Plane, the C
    `json` encoder with sorted keys and no whitespace writes the very same bytes (same escapes; code-point order is
    UTF-16 order within the BMP); anything else (a float, say) goes through `rfc8785` itself.
    """
    if _plain(value):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), check_circular=False)
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:
            pass  # a lone surrogate: rfc8785 refuses it with its own error
    return rfc8785.dumps(value)


_SAFE_INT = 2**53 - 1


def _plain(value: Any) -> bool:
    """True when the fast encoder writes `value` exactly as RFC 8785 does (see `canonical`)."""
    stack = [value]
    while stack:
        v = stack.pop()
        t = type(v)
        if t is str or t is bool or v is None:
            continue
        if t is int:
            if -_SAFE_INT <= v <= _SAFE_INT:
                continue
            return False
        if t is dict:
            for k in v:
                if type(k) is not str or (not k.isascii() and max(k) > "\uffff"):
                    return False
            stack.extend(v.values())
        elif t is list:
            stack.extend(v)
        else:
            return False  # floats, tuples, subclasses of str or int: rfc8785's own rules
    return True


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class Envelope:
    """What one message says: who to whom, about which record, after which message of that record, and what."""

    sender: str
    receiver: str
    key: str
    type: str
    record: dict[str, str]  # {"kind": ..., "id": ...}: the record the message is about, in the sender's ids
    payload: dict[str, Any]
    after: str | None = None  # the previous message about the same record (causal predecessor), if any
    documents: list[dict[str, str]] = field(default_factory=list)  # [{"name": ..., "sha256": ...}]
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    schema: int = SCHEMA_VERSION
    time: str = field(default_factory=now_iso)

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in ENVELOPE_FIELDS}

    @property
    def record_key(self) -> str:
        return f"{self.record['kind']}:{self.record['id']}"


@dataclass(frozen=True)
class Sealed:
    """A signed message: its envelope, its wire form and its digest."""

    envelope: Envelope
    wire: dict[str, Any]
    digest: str


def seal(envelope: Envelope, identity: Identity) -> Sealed:
    """Sign an envelope with this instance's key."""
    body = envelope.to_json()
    data = canonical(body)
    return Sealed(envelope, {"envelope": body, "signature": identity.sign(data)}, sha256_hex(data))


def digest_of(wire: Any) -> str:
    """The digest a receipt names: of the canonical envelope when there is one, else of the whole message."""
    body = wire.get("envelope") if isinstance(wire, dict) else None
    try:
        return sha256_hex(canonical(body if body is not None else wire))
    except (TypeError, ValueError, rfc8785.CanonicalizationError):
        return sha256_hex(repr(wire).encode())


def claimed(wire: Any) -> tuple[str | None, str | None]:
    """The message id and sender a message claims, before anything is verified (for naming it in a refusal)."""
    body = wire.get("envelope") if isinstance(wire, dict) else None
    if not isinstance(body, dict):
        return None, None
    mid, sender = body.get("id"), body.get("sender")
    return (mid if isinstance(mid, str) else None), (sender if isinstance(sender, str) else None)


def open_message(wire: Any, *, me: str, keys: KeyLookup) -> Sealed:
    """Verify a message addressed to this instance; raise Refused with the first reason it cannot be accepted."""
    mid, sender = claimed(wire)

    def refuse(reason: str, detail: str) -> Refused:
        return Refused(reason, detail, message_id=mid, sender=sender)

    if not isinstance(wire, dict) or not isinstance(wire.get("envelope"), dict):
        raise refuse("malformed", "a message is an object with an envelope and a signature")
    body: dict[str, Any] = wire["envelope"]
    signature = wire.get("signature")
    if not isinstance(signature, str) or not signature:
        raise refuse("unsigned", "the message carries no signature")
    key_name = body.get("key")
    if not isinstance(sender, str) or not isinstance(key_name, str):
        raise refuse("malformed", "the envelope names no sender or key")
    public = keys(sender, key_name)
    if public is None:
        raise refuse("unknown_key", f"key {key_name!r} is not a current key of peer {sender!r}")
    try:
        data = canonical(body)
    except (TypeError, ValueError, rfc8785.CanonicalizationError) as exc:
        raise refuse("malformed", f"the envelope is not canonicalisable JSON ({exc})") from None
    if not verify_signature(public, signature, data):
        raise refuse("bad_signature", "the signature does not match the envelope (altered in transit?)")
    if body.get("receiver") != me:
        raise refuse("wrong_receiver", f"addressed to {body.get('receiver')!r}, this instance is {me!r}")
    schema = body.get("schema")
    if not isinstance(schema, int) or schema > SCHEMA_VERSION:
        raise refuse("future_schema", f"schema version {schema!r}; this instance understands up to {SCHEMA_VERSION}")
    return Sealed(_envelope(body, refuse), wire, sha256_hex(data))


def _envelope(body: dict[str, Any], refuse: Callable[[str, str], Refused]) -> Envelope:
    missing = [name for name in ENVELOPE_FIELDS if name not in body]
    if missing:
        raise refuse("malformed", f"the envelope lacks {', '.join(missing)}")
    record = body["record"]
    if not (isinstance(record, dict) and isinstance(record.get("kind"), str) and isinstance(record.get("id"), str)):
        raise refuse("malformed", "the envelope's record is not {kind, id}")
    if not isinstance(body["payload"], dict) or not isinstance(body["documents"], list):
        raise refuse("malformed", "the payload is not an object or the documents not a list")
    if not isinstance(body["id"], str) or not isinstance(body["type"], str):
        raise refuse("malformed", "the message id and type are strings")
    return Envelope(**{name: body[name] for name in ENVELOPE_FIELDS})
