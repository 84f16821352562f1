"""Signed checkpoints of the chain head (Ed25519), and archives of entries an operator moves out of the database.

A checkpoint says "entry N has hash H" and is signed by an operator's key kept outside the database, so a rewrite
of the whole chain (which `verify` alone cannot tell from the real one) no longer matches it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Connection

from straitlink.audit.entries import GENESIS, canonical, timestamp
from straitlink.audit.verify import Problem, Report, Row, stored_rows, walk
from straitlink.domain.errors import InvalidValue, StraitLinkError

FORMAT = "straitlink-audit-checkpoint"
ARCHIVE_FORMAT = "straitlink-audit-archive"


class CheckpointInvalid(StraitLinkError):
    """A checkpoint whose signature, key or contents do not hold."""

    code = "checkpoint_invalid"
    http_status = 422


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: bytes
    signed_at: str
    party: str

    def claims(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "seq": self.seq,
            "hash": self.hash.hex(),
            "signed_at": self.signed_at,
            "party": self.party,
        }


def generate_key() -> tuple[bytes, bytes]:
    """A new Ed25519 key pair as PEM: (private, public)."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, public


def _private_key(pem: bytes, field: str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise InvalidValue(field, "(key file)", f"not an unencrypted PEM private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidValue(field, type(key).__name__, "an Ed25519 key is needed")
    return key


def _public_key(pem: bytes, field: str) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError) as exc:
        raise InvalidValue(field, "(key file)", f"not a PEM public key ({exc})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise InvalidValue(field, type(key).__name__, "an Ed25519 key is needed")
    return key


def sign(seq: int, digest: bytes, private_pem: bytes, *, party: str) -> dict[str, Any]:
    """A checkpoint document for entry `seq` with hash `digest`."""
    cp = Checkpoint(seq, digest, timestamp(), party)
    key = _private_key(private_pem, "key")
    signature = key.sign(canonical(cp.claims()).encode("utf-8"))
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {**cp.claims(), "public_key": public.hex(), "signature": base64.b64encode(signature).decode("ascii")}


def check(document: Any, public_pem: bytes) -> Checkpoint:
    """The checkpoint a document states, once its signature is checked against the trusted public key."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise CheckpointInvalid(f"checkpoint: not a {FORMAT} document", field="checkpoint")
    try:
        cp = Checkpoint(int(document["seq"]), bytes.fromhex(document["hash"]), document["signed_at"], document["party"])
        signature = base64.b64decode(document["signature"], validate=True)
    except (KeyError, ValueError, TypeError) as exc:
        raise CheckpointInvalid(f"checkpoint: malformed ({exc})", field="checkpoint") from None
    try:
        _public_key(public_pem, "public_key").verify(signature, canonical(cp.claims()).encode("utf-8"))
    except InvalidSignature:
        raise CheckpointInvalid(
            "checkpoint: the signature does not match this public key (altered, or signed by another key)",
            field="signature",
        ) from None
    return cp


def read_json(path: Path, field: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidValue(field, str(path), f"not a readable JSON file ({exc})") from None


def export_archive(conn: Connection, through: int, fh: IO[str]) -> int:
    """Write entries 1..`through` as an archive (a header line, then one JSON line per entry); returns how many."""
    fh.write(json.dumps({"format": ARCHIVE_FORMAT, "version": 1}) + "\n")
    count = 0
    for chunk in stored_rows(conn, first=1, last=through):
        for seq, prev, digest, text in chunk:
            line = {
                "seq": seq,
                "prev_hash": bytes(prev).hex(),
                "hash": bytes(digest).hex(),
                "body": bytes(text).decode(),
            }
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
            count += 1
    return count


def verify_archive(path: Path, *, checkpoint: Checkpoint | None = None, after: Checkpoint | None = None) -> Report:
    """Walk an archive from the first entry, or from the entry after `after`; it must end exactly at `checkpoint`."""
    start_seq, start_hash = (after.seq + 1, after.hash) if after else (1, GENESIS)
    last, digest, count, problem = walk(archive_rows(path), start_seq=start_seq, start_hash=start_hash)
    if problem is None and checkpoint is not None and (last, digest) != (checkpoint.seq, checkpoint.hash):
        reason = f"the archive ends at entry {last}, the signed checkpoint is of entry {checkpoint.seq}"
        problem = Problem(min(last + 1, checkpoint.seq), reason)
    return Report(count, last, digest, None, problem)


def archive_rows(path: Path) -> Iterator[list[Row]]:
    """The entries of an archive file, as rows `walk` checks (the body is all an archive keeps)."""
    try:
        with path.open(encoding="utf-8") as fh:
            header = json.loads(fh.readline() or "null")
            if not isinstance(header, dict) or header.get("format") != ARCHIVE_FORMAT:
                raise InvalidValue("archive", str(path), f"not a {ARCHIVE_FORMAT} file")
            chunk: list[Row] = []
            for number, line in enumerate(fh, start=2):
                try:
                    e = json.loads(line)
                    text = e["body"].encode("utf-8")
                    chunk.append((int(e["seq"]), bytes.fromhex(e["prev_hash"]), bytes.fromhex(e["hash"]), text))
                except (KeyError, ValueError, TypeError, AttributeError):
                    raise InvalidValue("archive", f"{path}:{number}", "not an archived entry") from None
                if len(chunk) >= 10_000:
                    yield chunk
                    chunk = []
            yield chunk
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidValue("archive", str(path), f"cannot be read ({exc})") from None
