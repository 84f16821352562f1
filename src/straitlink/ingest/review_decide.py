"""Deciding about proposals under review: accept one (with those it refers to), accept all, or reject one.

Accepting stores a proposal with `ingest.accept.store_accepted`, the CLI's own code, so a record accepted here is
the record `straitlink ingest --accept` stores: its provenance is the proposal's span of the document.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine, select

from straitlink.domain.access import Permission, Principal
from straitlink.domain.errors import Conflict
from straitlink.ingest.accept import Accepted, store_accepted
from straitlink.ingest.proposals import Proposal
from straitlink.ingest.review_rows import (
    Decision,
    ProposalView,
    check_version,
    document_info,
    now,
    pending,
    proposal_row,
    proposal_rows,
    proposal_view,
    review_row,
)
from straitlink.services.access import require, use_case
from straitlink.store import tables as t
from straitlink.store.tables_ingest import IngestProposalRow, IngestReviewRow
from straitlink.store.uow import UnitOfWork


def _referenced(row: IngestProposalRow, by_id: dict[str, IngestProposalRow]) -> Iterable[str]:
    for value in row.data["fields"].values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item in by_id and item != row.id:
                yield item


def _with_references(target: IngestProposalRow, rows: list[IngestProposalRow]) -> list[IngestProposalRow]:
    """The proposal and the pending proposals it refers to (a seizure's case, an outcome's intel), in store order."""
    by_id = {r.id: r for r in rows}
    wanted, todo = {target.id}, [target]
    while todo:
        for ref in _referenced(todo.pop(), by_id):
            if ref not in wanted and by_id[ref].status == "new":
                wanted.add(ref)
                todo.append(by_id[ref])
    return [r for r in rows if r.id in wanted]


def _accept_rows(uow: UnitOfWork, review: IngestReviewRow, chosen: list[IngestProposalRow], actor: str) -> Accepted:
    """Store the chosen proposals with the CLI's accepting code; mark each accepted, known, or leave it pending."""
    info = document_info(review.info)
    text = uow.session.scalar(select(t.SourceDocumentRow.text).where(t.SourceDocumentRow.id == review.document))
    proposals = []
    for row in chosen:
        p = Proposal.from_json(row.data, document=review.document)
        p.status = "new"  # accepting decides again: a conflict edited to agree with the store is now known
        proposals.append(p)
    report = store_accepted(uow, [(info, text or "", proposals)], actor=actor)
    decided_at = now()
    for row, p in zip(chosen, proposals, strict=True):
        if p.id in report.errors:
            row.note = report.errors[p.id].message
            continue
        if p.status == "conflict":
            row.status = "conflict"
            row.data = {**row.data, "unresolved": list(p.unresolved)}
            continue
        row.status = "accepted" if p.status == "new" else "known"
        row.note, row.decided_by, row.decided_at = None, actor, decided_at
    return report


@use_case("ingest.accept")
def accept_proposal(
    engine: Engine, document: str, proposal: str, *, principal: Principal, expected_version: int | None = None
) -> Decision:
    """Store one proposal as its record, with the pending proposals it refers to; all or nothing.

    A proposal that cannot be stored (a reference to a rejected proposal, a figure without a period end) is
    refused with the reason, naming the field, and nothing is stored. A seizure that a stored one tells with
    other figures (status conflict) is refused until it is edited to agree or rejected.
    """
    require(engine, principal, Permission.INGEST, "accept ingested proposals")
    with UnitOfWork(engine) as uow:
        review = review_row(uow, document)
        rows = proposal_rows(uow, review.document)
        row = proposal_row(rows, proposal)
        pending(row)
        check_version(row, expected_version)
        chosen = _with_references(row, rows)
        report = _accept_rows(uow, review, chosen, principal.username)
        if row.id in report.errors:
            raise report.errors[row.id]
        if row.status == "conflict":
            raise Conflict(
                "; ".join(u for u in row.data["unresolved"] if u.startswith("quantities:")) or "quantities: conflict",
                field="quantities",
            )
        uow.flush()
        decided = [proposal_view(r) for r in chosen if r.status in ("accepted", "known")]
        uow.commit()
    return Decision(decided, report.stored, report.skipped)


@use_case("ingest.accept_all")
def accept_all(engine: Engine, document: str, *, principal: Principal) -> Decision:
    """Store every proposal waiting for a decision (not those in conflict with the store), in one transaction.

    A proposal that cannot be stored stays pending with the reason as its note; the others are stored.
    """
    require(engine, principal, Permission.INGEST, "accept ingested proposals")
    with UnitOfWork(engine) as uow:
        review = review_row(uow, document)
        chosen = [r for r in proposal_rows(uow, review.document) if r.status == "new"]
        report = _accept_rows(uow, review, chosen, principal.username) if chosen else Accepted()
        uow.flush()
        decided = [proposal_view(r) for r in chosen if r.status in ("accepted", "known")]
        uow.commit()
    return Decision(decided, report.stored, report.skipped)


@use_case("ingest.reject")
def reject_proposal(
    engine: Engine, document: str, proposal: str, *, principal: Principal, expected_version: int | None = None
) -> ProposalView:
    """Reject a proposal: nothing is stored, and the review keeps it rejected (reloading does not bring it back)."""
    require(engine, principal, Permission.INGEST, "review ingested documents")
    with UnitOfWork(engine) as uow:
        review = review_row(uow, document)
        row = proposal_row(proposal_rows(uow, review.document), proposal)
        pending(row)
        check_version(row, expected_version)
        row.status, row.note, row.decided_by, row.decided_at = "rejected", None, principal.username, now()
        uow.flush()
        view = proposal_view(row)
        uow.commit()
    return view
