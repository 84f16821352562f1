"""Reviewing an ingested document: upload it, see its proposals, edit, accept or reject each (the web's use cases).

The CLI proposes and accepts in one run; a review spans many requests and several reviewers, so the proposals
wait in `ingest_proposal` (store/tables_ingest.py) with what was decided about each. Uploading stores the document
as the CLI's `--accept` does (a SourceDocument with its sha256 and text, audited); accepting stores a proposal
with `ingest.accept.store_accepted`, the CLI's own code, so a record accepted here is the record `--accept` stores:
its provenance is the proposal's span of the document. Every use case requires the `ingest` permission.

This module lists and shows reviews and is where the web finds every review use case; the others live in
ingest/upload.py (uploading), ingest/review_edit.py (editing a proposal) and ingest/review_decide.py (accepting
and rejecting), over the rows and views of ingest/review_rows.py.
"""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from straitlink.domain.access import Permission, Principal
from straitlink.ingest.review_decide import accept_all, accept_proposal, reject_proposal
from straitlink.ingest.review_edit import edit_proposal, parse_changes
from straitlink.ingest.review_rows import Decision, ProposalView, ReviewSummary, ReviewView, review_row, review_view
from straitlink.ingest.upload import MAX_UPLOAD_BYTES, upload
from straitlink.services.access import require, use_case
from straitlink.store.tables_ingest import IngestProposalRow, IngestReviewRow
from straitlink.store.uow import UnitOfWork

# The web reaches every review use case through this module (web/acting.py, web/ingest_page.py).
__all__ = [
    "MAX_UPLOAD_BYTES",
    "Decision",
    "ProposalView",
    "ReviewSummary",
    "ReviewView",
    "accept_all",
    "accept_proposal",
    "edit_proposal",
    "get_review",
    "list_reviews",
    "parse_changes",
    "reject_proposal",
    "upload",
]


@use_case("ingest.list")
def list_reviews(engine: Engine, *, principal: Principal, limit: int = 200) -> list[ReviewSummary]:
    """The documents under review, the latest upload first, with how many proposals are in each status."""
    require(engine, principal, Permission.INGEST, "review ingested documents")
    with UnitOfWork(engine) as uow:
        reviews = list(
            uow.session.scalars(select(IngestReviewRow).order_by(IngestReviewRow.uploaded_at.desc()).limit(limit))
        )
        counts: dict[str, dict[str, int]] = {}
        if reviews:
            stmt = (
                select(IngestProposalRow.document, IngestProposalRow.status, func.count())
                .where(IngestProposalRow.document.in_([r.document for r in reviews]))
                .group_by(IngestProposalRow.document, IngestProposalRow.status)
            )
            for document, status, n in uow.session.execute(stmt):
                counts.setdefault(document, {})[status] = n
        return [
            ReviewSummary(
                document=r.document,
                name=r.name,
                title=str(r.info.get("title") or r.name),
                uploaded_by=r.uploaded_by,
                uploaded_at=r.uploaded_at,
                counts=counts.get(r.document, {}),
            )
            for r in reviews
        ]


@use_case("ingest.show")
def get_review(engine: Engine, document: str, *, principal: Principal) -> ReviewView:
    """A document under review (by id or a unique prefix of 8 characters), with its text and proposals."""
    require(engine, principal, Permission.INGEST, "review ingested documents")
    with UnitOfWork(engine) as uow:
        return review_view(uow, review_row(uow, document))
