"""Documents' bytes between the instances: carried beside the signed envelope, checked by the hash it signs.

The envelope names each document by name and SHA-256 (`documents`), and the signature covers that list; the bytes
travel beside it on the wire as `files: {sha256: base64}` (in an HTTP batch and in an offline package alike), so the
envelope, its digest and the evidence stay small. On arrival each document's bytes must hash to what the signed list
says and pass the checks of a user's upload (services.documents: type by content, size); they are then stored in
the same content-addressed file store a user upload goes to, before the message is applied, and the stored message
keeps the envelope without them. A document whose bytes are missing, altered or of a refused type is a refusal
with a signed negative receipt, and nothing of the message is applied.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

from straitlink.domain.errors import DocumentRejected, InvalidValue
from straitlink.exchange.envelope import Envelope, Refused, Sealed
from straitlink.services.documents import CheckedFile, FileStore, Upload

FILES = "files"


def attach(wire: dict[str, Any], documents: list[dict[str, str]], files: FileStore) -> dict[str, Any]:
    """The wire form with the bytes of each document the envelope names, read (and hash-checked) from the store.

    A document missing or damaged here travels without its bytes: the receiver refuses the message with
    `document_missing`, which the evidence shows, rather than this side holding back the whole outbox.
    """
    if not documents:
        return wire
    carried = {}
    for d in documents:
        try:
            carried[d["sha256"]] = base64.b64encode(files.read(d["sha256"])).decode("ascii")
        except DocumentRejected:
            continue
    return {**wire, FILES: carried}


def take(sealed: Sealed, files: FileStore) -> Sealed:
    """Check the bytes of each document the verified envelope names and store them; the message without them.

    Raise Refused (`document_missing`, `document_mismatch`, `document_rejected`) naming the first document that
    fails; bytes already stored here under that hash (an earlier message's) need not travel again.
    """
    env = sealed.envelope
    carried = sealed.wire.get(FILES) or {}
    if not isinstance(carried, dict):
        raise _refuse(env, "document_mismatch", "the files beside the envelope are not {sha256: base64}")
    checked = []
    for doc in env.documents:
        digest, name = str(doc.get("sha256")), str(doc.get("name") or doc.get("sha256"))
        data = carried.get(digest)
        if data is None:
            if files.path(digest).exists():
                continue
            raise _refuse(env, "document_missing", f"document {name!r} ({digest}) came without its bytes")
        try:
            content = base64.b64decode(data, validate=True) if isinstance(data, str) else None
        except (binascii.Error, ValueError):
            content = None
        if content is None or hashlib.sha256(content).hexdigest() != digest:
            raise _refuse(env, "document_mismatch", f"document {name!r}: its bytes do not hash to {digest}")
        try:
            checked.append(files.check(Upload(name, content)))
        except (DocumentRejected, InvalidValue) as exc:
            raise _refuse(env, "document_rejected", exc.message) from None
    for f in checked:
        files.put(f)
    bare = {k: v for k, v in sealed.wire.items() if k != FILES}
    return Sealed(env, bare, sealed.digest)


def stored_files(env: Envelope, files: FileStore) -> list[CheckedFile]:
    """The documents a message names, read back from the file store (`take` put them there), checked again."""
    out = []
    for doc in env.documents:
        digest = str(doc.get("sha256"))
        out.append(files.check(Upload(str(doc.get("name") or digest), files.read(digest))))
    return out


def _refuse(env: Envelope, reason: str, detail: str) -> Refused:
    return Refused(reason, detail, message_id=env.id, sender=env.sender)
