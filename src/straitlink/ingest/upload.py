"""Uploading a document for review: read it as `straitlink ingest` reads a file, store it and its proposals.

Uploading stores the document as the CLI's `--accept` does (a SourceDocument with its sha256 and text, audited);
the proposals then wait in `ingest_proposal` for the review's decisions (ingest/review_decide.py).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import IO

from sqlalchemy import Engine, select

from straitlink.domain.access import Permission, Principal
from straitlink.domain.dates import PartialDate
from straitlink.domain.errors import DocumentRejected, InvalidValue
from straitlink.ingest.accept import propose, store_accepted
from straitlink.ingest.extract import extract
from straitlink.ingest.proposals import RECORD_KINDS, Result
from straitlink.ingest.readers import MEDIA_TYPES, open_document
from straitlink.ingest.review_rows import ReviewView, now, review_view
from straitlink.services.access import require, use_case
from straitlink.store import tables as t
from straitlink.store.tables_ingest import IngestProposalRow, IngestReviewRow
from straitlink.store.uow import UnitOfWork

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # a bulletin or report is a few hundred KB; 20 MB leaves room for a PDF's images
_COPY = 1 << 16


def _copy_limited(stream: IO[bytes], target: Path, name: str) -> None:
    """Copy the upload to a file, refusing it as soon as it passes the size limit (nothing is kept)."""
    size = 0
    with target.open("wb") as out:
        while block := stream.read(_COPY):
            size += len(block)
            if size > MAX_UPLOAD_BYTES:
                limit = MAX_UPLOAD_BYTES // (1024 * 1024)
                raise DocumentRejected(f"file: {name!r} is larger than the {limit} MB limit", field="file", value=name)
            out.write(block)


def _read(name: str, stream: IO[bytes], date: PartialDate | None) -> tuple[Result, str]:
    """The document's reading (as `straitlink ingest` reads a file) and its original text."""
    shown = Path(name).name or "document"
    suffix = Path(shown).suffix.lower()
    if suffix not in MEDIA_TYPES:
        kinds = ", ".join(sorted(set(MEDIA_TYPES)))
        raise DocumentRejected(
            f"file: {shown!r} is of an unsupported type {suffix or '(none)'!r}; expected {kinds}",
            field="file",
            value=shown,
        )
    with tempfile.TemporaryDirectory(prefix="straitlink-ingest-") as directory:
        path = Path(directory) / f"upload{suffix}"
        _copy_limited(stream, path, shown)
        try:
            opened = open_document(path)
        except InvalidValue as exc:
            # The reader names its temporary file; people know the document by the name they uploaded.
            raise InvalidValue("file", shown, exc.message.split(": ", 1)[-1].replace(str(path), shown)) from None
        opened.info.name = shown
        proposals = list(extract(opened.info, opened.chunks(), date=date))
        return Result(opened.info, proposals), opened.text()


@use_case("ingest.upload")
def upload(
    engine: Engine, name: str, stream: IO[bytes], *, date: PartialDate | None = None, principal: Principal
) -> tuple[ReviewView, bool]:
    """Read an uploaded document, store it and its proposals for review; the same bytes again give their review.

    Returns the review and whether it is new. Proposals already stored (by the CLI or another review) are left
    out, as `straitlink ingest` leaves them out; only proposals of records are kept (mentions store nothing).
    """
    require(engine, principal, Permission.INGEST, "ingest documents")
    result, text = _read(name, stream, date)
    info = result.document
    with UnitOfWork(engine) as uow:
        stored = uow.session.scalar(select(t.SourceDocumentRow.id).where(t.SourceDocumentRow.sha256 == info.sha256))
        existing = uow.session.get(IngestReviewRow, stored) if stored else None
        if existing is not None:
            return review_view(uow, existing), False
        propose(uow, [result], actor=principal.username)
        # Stores the document (once per sha256, audited) as accepting would, and names the id it is stored under;
        # it cites the stored records it tells of again (the known proposals), as `straitlink ingest --accept` does.
        report = store_accepted(uow, [(info, text, result.known_proposals)], actor=principal.username)
        info.id = report.documents[0]
        row = IngestReviewRow(
            document=info.id,
            name=info.name[:255],
            info={**info.to_json(), "known": result.known},
            uploaded_by=principal.username,
            uploaded_at=now(),
        )
        uow.session.add(row)
        uow.flush()
        for seq, p in enumerate(p for p in result.proposals if p.kind in RECORD_KINDS):
            p.document = info.id
            data = p.to_json()
            del data["sources"]  # the other documents of a CLI run; a review has one document
            uow.session.add(
                IngestProposalRow(
                    document=info.id,
                    id=p.id,
                    seq=seq,
                    kind=p.kind,
                    status=p.status,
                    data=data,
                    span_start=p.span.start,
                    span_end=p.span.end,
                )
            )
        uow.flush()
        view = review_view(uow, row)
        uow.commit()
    return view, True
