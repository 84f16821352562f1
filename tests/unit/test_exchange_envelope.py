"""The envelope and receipts: signed in canonical form, and every kind of bad message refused with its reason."""

from __future__ import annotations

import copy
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from straitlink.domain.errors import Conflict, MissingField
from straitlink.exchange import keys
from straitlink.exchange.envelope import SCHEMA_VERSION, Envelope, Refused, canonical, open_message, seal
from straitlink.exchange.keys import Identity
from straitlink.exchange.receipts import open_receipt, sign_receipt

TW = Identity("TW", Ed25519PrivateKey.generate())
CN = Identity("CN", Ed25519PrivateKey.generate())
KNOWN = {("TW", TW.key_id): TW.public, ("CN", CN.key_id): CN.public}


def lookup(party: str, key_id: str) -> Ed25519PublicKey | None:
    return KNOWN.get((party, key_id))


def message(**overrides: object) -> dict:
    env = Envelope(
        sender="TW",
        receiver="CN",
        key=TW.key_id,
        type="record.created",
        record={"kind": "intel", "id": "r1"},
        payload={"summary": "貨櫃藏毒", "quantity": 3000.5},
        documents=[{"name": "a.pdf", "sha256": "00" * 32}],
    )
    wire = seal(env, TW).wire
    body = wire["envelope"]
    body.update(overrides)
    return wire


def test_a_sealed_message_opens_with_its_digest_and_fields() -> None:
    sealed = seal(Envelope("TW", "CN", TW.key_id, "record.created", {"kind": "intel", "id": "r1"}, {"a": 1}), TW)
    opened = open_message(copy.deepcopy(sealed.wire), me="CN", keys=lookup)
    assert opened.digest == sealed.digest
    assert opened.envelope == sealed.envelope


def test_canonical_form_ignores_key_order_and_number_spelling() -> None:
    assert canonical({"b": 1.0, "a": "甲"}) == canonical({"a": "甲", "b": 1}) == '{"a":"甲","b":1}'.encode()


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (lambda w: w["envelope"]["payload"].update(quantity=30000), "bad_signature"),
        (lambda w: w["envelope"].update(after="someone-else"), "bad_signature"),
        (lambda w: w.pop("signature"), "unsigned"),
        (lambda w: w.update(signature=""), "unsigned"),
        (lambda w: w["envelope"].update(key="0" * 16), "unknown_key"),
        (lambda w: w["envelope"].update(sender="XX"), "unknown_key"),
        (lambda w: w.update(envelope="text"), "malformed"),
    ],
)
def test_a_message_altered_in_transit_or_unsigned_is_refused(tamper, reason: str) -> None:
    wire = message()
    tamper(wire)
    with pytest.raises(Refused) as caught:
        open_message(wire, me="CN", keys=lookup)
    assert caught.value.reason == reason


def test_a_future_schema_or_another_receiver_is_refused_even_when_signed() -> None:
    for field, value, reason in (("schema", SCHEMA_VERSION + 1, "future_schema"), ("receiver", "TW", "wrong_receiver")):
        env = Envelope("TW", "CN", TW.key_id, "record.created", {"kind": "intel", "id": "r1"}, {})
        body = env.to_json() | {field: value}
        wire = {"envelope": body, "signature": TW.sign(canonical(body))}
        with pytest.raises(Refused) as caught:
            open_message(wire, me="CN", keys=lookup)
        assert caught.value.reason == reason
        assert caught.value.message_id == env.id


def test_a_receipt_verifies_and_an_altered_one_does_not() -> None:
    wire = sign_receipt(CN, message="m1", digest="ab" * 32, status="applied")
    assert open_receipt(copy.deepcopy(wire), keys=lookup).status == "applied"
    wire["receipt"]["status"] = "rejected"
    with pytest.raises(Refused) as caught:
        open_receipt(wire, keys=lookup)
    assert caught.value.reason == "bad_signature"


def test_keygen_writes_a_private_key_only_its_owner_reads_and_rotates_on_request(tmp_path: Path) -> None:
    with pytest.raises(MissingField):
        keys.load_identity(tmp_path, "TW")
    first = keys.keygen(tmp_path)
    path = keys.key_dir(tmp_path) / keys.KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(Conflict):
        keys.keygen(tmp_path)
    second = keys.keygen(tmp_path, rotate=True)
    identity = keys.load_identity(tmp_path, "TW")
    assert identity.key_id == keys.key_id(second) != keys.key_id(first)
    assert set(identity.own_keys()) == {keys.key_id(first), keys.key_id(second)}
    assert keys.key_id(keys.parse_public(keys.public_text(second))) == identity.key_id
    assert keys.key_id(keys.parse_public(keys.public_pem(second))) == identity.key_id
