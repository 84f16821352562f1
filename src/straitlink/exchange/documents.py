"""Documents' bytes between the instances: carried beside the signed envelope, checked by the hash it signs.

The envelope names each document by name and SHA-256 (`documents`), and the signature covers that list; the bytes
travel beside it on the wire as `files: {sha256: base64}` (in an HTTP batch and in an offline package alike), so the
envelope, its digest and the evidence stay small. On arrival each document's bytes must hash to what the signed list
says and pass the checks of a user's upload (services.documents: type by content, size); they are then stored in
the same content-addressed file store a user upload goes to, before the message is applied, and the stored message
keeps the envelope without them. A document whose bytes are altered or of a refused type is a refusal with a signed
negative receipt, and nothing of the message is applied. A document whose bytes did not come (the sender's store
lacked them) is no refusal: the message is taken, and parked when it is applied (`stored_files` raises
DocumentMissing), with the record's later messages waiting behind it; the sender sends it again once it has the
bytes (`resend_missing`), and the same message with them resumes it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

from sqlalchemy import Engine, select, update

from straitlink.domain.errors import DocumentMissing, DocumentRejected, InvalidValue
from straitlink.exchange.envelope import Envelope, Refused, Sealed, now_iso
from straitlink.services.documents import CheckedFile, FileStore, Upload
from straitlink.store.tables_exchange import MessageRow
from straitlink.store.uow import UnitOfWork

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

    Raise Refused (`document_mismatch`, `document_rejected`) naming the first document that fails; bytes already
    stored here under that hash (an earlier message's) need not travel again. A document without its bytes is left
    for `stored_files` to find missing when the message is applied.
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
            continue  # here already (an earlier message's), or missing: the message parks when applied
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
        digest, name = str(doc.get("sha256")), str(doc.get("name") or doc.get("sha256"))
        if not files.path(digest).exists():
            raise DocumentMissing(name, digest)
        out.append(files.check(Upload(name, files.read(digest))))
    return out


def missing(documents: list[dict[str, str]], files: FileStore) -> list[str]:
    """The hashes of the documents whose bytes are not in `files`."""
    return [str(d.get("sha256")) for d in documents if not files.path(str(d.get("sha256"))).exists()]


def resend_missing(engine: Engine, files: FileStore) -> int:
    """Queue again the outgoing messages the peer parked for a document this side now has, with its bytes.

    A document missing from this side's store when its message left travelled without its bytes; once it is back
    (restored, or uploaded again), the same message — same id, same signature — goes out again carrying it, and the
    peer resumes it and the record's messages waiting behind it.
    """
    with UnitOfWork(engine) as uow:
        rows = uow.connection.execute(
            select(MessageRow.id, MessageRow.wire).where(
                MessageRow.direction == "out",
                MessageRow.status == "parked",
                MessageRow.reason.like("document_missing%"),
            )
        ).all()
        again = 0
        for row in rows:
            wire = {k: v for k, v in row.wire.items() if k != FILES}
            documents = wire["envelope"].get("documents") or []
            if missing(documents, files):
                continue
            table = MessageRow.__table__
            uow.connection.execute(
                update(table)  # type: ignore[arg-type]
                .where(MessageRow.direction == "out", MessageRow.id == row.id, MessageRow.status == "parked")
                .values(
                    wire=attach(wire, documents, files),
                    status="queued",
                    reason=None,
                    next_attempt_at=now_iso(),
                    updated_at=now_iso(),
                )
            )
            again += 1
        uow.commit()
    return again


def _refuse(env: Envelope, reason: str, detail: str) -> Refused:
    return Refused(reason, detail, message_id=env.id, sender=env.sender)
