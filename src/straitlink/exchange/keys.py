"""This instance's exchange identity: an Ed25519 key pair in the data directory, the private half readable by its owner.

Rotation keeps every earlier key pair beside the current one (`retired/`), so that messages and receipts signed
before the rotation stay verifiable in an evidence chain.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from straitlink.domain.errors import Conflict, InvalidValue, MissingField

KEY_FILE = "identity.key"
PUBLIC_FILE = "identity.pub"
RETIRED_DIR = "retired"


def key_dir(data_dir: Path) -> Path:
    """Where the exchange keeps its keys."""
    return data_dir / "exchange"


def key_id(public: Ed25519PublicKey) -> str:
    """A short, stable name for a public key: the first 16 hex digits of the SHA-256 of its raw bytes."""
    return hashlib.sha256(raw_public(public)).hexdigest()[:16]


def raw_public(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_text(public: Ed25519PublicKey) -> str:
    """The public key as one line of base64 (what `peer add --key` reads, or its PEM form)."""
    return base64.b64encode(raw_public(public)).decode("ascii")


def public_pem(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def parse_public(text: str | bytes, field: str = "key", shown: str = "(key)") -> Ed25519PublicKey:
    """A public key from its PEM form or its one line of base64 raw bytes; a refusal names it as `shown` (the
    file it was read from, say), never by its content."""
    data = text.encode("ascii", "replace") if isinstance(text, str) else text
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            key = serialization.load_pem_public_key(data)
            if not isinstance(key, Ed25519PublicKey):
                raise InvalidValue(field, shown, "not an Ed25519 public key")
            return key
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(data.strip(), validate=True))
    except (ValueError, TypeError) as exc:
        raise InvalidValue(field, shown, f"not an Ed25519 public key in PEM or base64 ({exc})") from None


@dataclass(frozen=True)
class Identity:
    """This instance's signing key, its id and the public halves of the keys it signed with before."""

    party: str
    private: Ed25519PrivateKey
    retired: tuple[Ed25519PublicKey, ...] = ()

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    @cached_property
    def key_id(self) -> str:
        """Named in every message and receipt signed: derived once (a public key, its bytes and their hash)."""
        return key_id(self.public)

    def sign(self, data: bytes) -> str:
        """The base64 Ed25519 signature of `data`."""
        return base64.b64encode(self.private.sign(data)).decode("ascii")

    def own_keys(self) -> dict[str, Ed25519PublicKey]:
        """Every public key this instance has signed with, by key id (to verify its own evidence)."""
        keys = {key_id(k): k for k in self.retired}
        keys[self.key_id] = self.public
        return keys


def verify_signature(public: Ed25519PublicKey, signature: str, data: bytes) -> bool:
    """True when `signature` (base64) is `public`'s signature of `data`."""
    try:
        public.verify(base64.b64decode(signature, validate=True), data)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def _write_private(path: Path, key: Ed25519PrivateKey) -> None:
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    # Created with mode 0600 from the start: no moment where another user could read it.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)


def keygen(data_dir: Path, *, rotate: bool = False) -> Ed25519PublicKey:
    """Create this instance's key pair; with `rotate`, retire the current one (kept for verifying) first."""
    directory = key_dir(data_dir)
    directory.mkdir(parents=True, exist_ok=True)
    current = directory / KEY_FILE
    if current.exists():
        if not rotate:
            raise Conflict(f"an exchange key already exists at {current} (--rotate replaces it)", field="key")
        old = _load_private(current)
        retired = directory / RETIRED_DIR
        retired.mkdir(exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        current.rename(retired / f"{stamp}-{key_id(old.public_key())}.key")
    key = Ed25519PrivateKey.generate()
    _write_private(current, key)
    (directory / PUBLIC_FILE).write_bytes(public_pem(key.public_key()))
    return key.public_key()


def _load_private(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise InvalidValue("key", str(path), f"not a readable unencrypted PEM private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidValue("key", str(path), "not an Ed25519 private key")
    return key


def load_identity(data_dir: Path, party: str) -> Identity:
    """This instance's identity; MissingField when `straitlink exchange keygen` has not been run."""
    directory = key_dir(data_dir)
    current = directory / KEY_FILE
    if not current.exists():
        raise MissingField("exchange key", f"is not set up in {directory} (run `straitlink exchange keygen`)")
    retired = sorted((directory / RETIRED_DIR).glob("*.key")) if (directory / RETIRED_DIR).is_dir() else []
    return Identity(
        party=party,
        private=_load_private(current),
        retired=tuple(_load_private(p).public_key() for p in retired),
    )
