"""Signed receipts: the evidence a receiver gives for each message (applied, waiting, parked, or refused and why).

A receipt names the message by id and by the digest of its canonical envelope, so that it proves which bytes were
received; it is signed by the receiver, and both sides store it beside the message.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from straitlink.exchange.envelope import KeyLookup, Refused, canonical, now_iso
from straitlink.exchange.keys import Identity, verify_signature

# applied: the effect is stored; waiting: accepted, its causal predecessor has not arrived yet;
# parked: accepted but cannot be applied (the reason says why, a liaison officer looks at it);
# rejected: not accepted at all (bad signature, unknown key, ...), nothing changed.
# overdue: negative evidence the sender records itself when no final receipt came within the configured time.
STATUSES = ("applied", "waiting", "parked", "rejected", "overdue")
RECEIPT_FIELDS = ("id", "message", "digest", "issuer", "key", "status", "reason", "time")


@dataclass(frozen=True)
class Receipt:
    """One receipt: what `issuer` did with message `message` (whose canonical envelope hashes to `digest`)."""

    message: str | None
    digest: str
    issuer: str
    key: str
    status: str
    reason: str | None
    id: str
    time: str

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in RECEIPT_FIELDS}


def sign_receipt(
    identity: Identity, *, message: str | None, digest: str, status: str, reason: str | None = None
) -> dict[str, Any]:
    """A signed receipt in wire form: `{"receipt": {...}, "signature": ...}`."""
    if status not in STATUSES:
        raise ValueError(f"receipt status {status!r}")
    body = Receipt(message, digest, identity.party, identity.key_id, status, reason, str(uuid.uuid4()), now_iso())
    data = body.to_json()
    return {"receipt": data, "signature": identity.sign(canonical(data))}


def open_receipt(wire: Any, *, keys: KeyLookup) -> Receipt:
    """Verify a receipt's signature against its issuer's keys; Refused when it does not verify."""
    if not isinstance(wire, dict) or not isinstance(wire.get("receipt"), dict):
        raise Refused("malformed", "a receipt is an object with a receipt and a signature")
    body = wire["receipt"]
    if set(body) != set(RECEIPT_FIELDS):
        raise Refused("malformed", "the receipt's fields are not " + ", ".join(RECEIPT_FIELDS))
    signature = wire.get("signature")
    if not isinstance(signature, str):
        raise Refused("unsigned", "the receipt carries no signature")
    public = keys(str(body["issuer"]), str(body["key"]))
    if public is None:
        raise Refused("unknown_key", f"key {body['key']!r} is not a key of {body['issuer']!r}")
    if not verify_signature(public, signature, canonical(body)):
        raise Refused("bad_signature", "the receipt's signature does not match it")
    if body["status"] not in STATUSES:
        raise Refused("malformed", f"receipt status {body['status']!r}")
    return Receipt(**body)
