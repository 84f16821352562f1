"""/api/v1/ingest: upload a document, list its proposals, edit, accept or reject each (docs/api.md).

The same use cases as the review page (straitlink.ingest.review), so a proposal accepted here is the record
`straitlink ingest --accept` stores, with its span of the document as provenance.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from pydantic import BaseModel, Field

from straitlink.domain.dates import PartialDate
from straitlink.web import acting
from straitlink.web.api import ERRORS, ErrorBody
from straitlink.web.security import Caller, caller, web_state

router = APIRouter(prefix="/api/v1/ingest", tags=["ingest"], responses=ERRORS)
Who = Annotated[Caller, Depends(caller)]
Version = Annotated[
    int | None, Query(description="The proposal's version the decision is based on; 409 if it changed since")
]
STATUSES = "new|conflict|accepted|known|rejected"


class ProposalOut(BaseModel):
    """One proposal: the record it would store, its span of the document's original text, and its decision."""

    id: str = Field(description="The id the record gets when accepted")
    kind: str = Field(description="seizure, case, operation, arrest, repatriation, intel, outcome, meeting, figure")
    status: str = Field(description=STATUSES)
    fields: dict[str, Any] = Field(description="The record's JSON shape (docs/json.md, docs/ingest.md)")
    span: dict[str, Any] = Field(description="{start, end, text}: offsets into the original text")
    confidence: float
    unresolved: list[str]
    note: str | None = Field(None, description="Why accepting it last failed, if it did")
    decided_by: str | None = None
    decided_at: str | None = None
    version: int


class ReviewOut(BaseModel):
    """A document under review: what the reader made of it, and its proposals in the order the text tells them."""

    document: dict[str, Any] = Field(description="id, name, title, media_type, sha256, chars, language, …")
    uploaded_by: str
    uploaded_at: str
    counts: dict[str, int] = Field(description="Proposals per status")
    proposals: list[ProposalOut]


class ReviewLine(BaseModel):
    document: str
    name: str
    title: str
    uploaded_by: str
    uploaded_at: str
    counts: dict[str, int]


class DecisionOut(BaseModel):
    """What accepting stored: the proposals decided (with those the accepted one refers to) and the counts."""

    decided: list[ProposalOut]
    stored: dict[str, int] = Field(description="Records stored, per kind")
    skipped: list[str] = Field(description="Proposals that could not be stored, each with the reason")


class EditIn(BaseModel):
    """Fields to change, each as its JSON shape or as text the CLI reads (`102年11月17日`, `229 kg gross`)."""

    fields: dict[str, Any]


UPLOAD_ERRORS: dict[int | str, dict[str, Any]] = {
    415: {"model": ErrorBody, "description": "Larger than the upload limit, or a type the readers do not read"},
}


@router.post(
    "",
    status_code=201,
    summary="Upload a document: it is stored with its sha256 and its proposals wait for review",
    responses={200: {"model": ReviewOut, "description": "The same document was uploaded before"}, **UPLOAD_ERRORS},
)
def upload(
    request: Request,
    response: Response,
    who: Who,
    file: Annotated[UploadFile, File(description=".txt, .md, .html, .docx or .pdf")],
    date: Annotated[str | None, Form(description="The document's date when its text does not give it")] = None,
) -> ReviewOut:
    day = PartialDate.parse(date, field="date") if date else None
    view, created = acting.upload_document(
        web_state(request).office, who.principal, file.filename or "", file.file, day
    )
    response.status_code = 201 if created else 200
    return ReviewOut.model_validate(view.to_json())


@router.get("", summary="Documents under review, the latest first, with their proposals counted per status")
def reviews(request: Request, who: Who) -> list[ReviewLine]:
    found = acting.ingest_reviews(web_state(request).office, who.principal)
    return [ReviewLine.model_validate(r.to_json()) for r in found]


@router.get("/{document_id}", summary="A document under review and its proposals")
def review(request: Request, who: Who, document_id: str) -> ReviewOut:
    view = acting.ingest_review(web_state(request).office, who.principal, document_id)
    return ReviewOut.model_validate(view.to_json())


@router.get("/{document_id}/text", summary="The document's original text, which the spans index")
def text(request: Request, who: Who, document_id: str) -> dict[str, Any]:
    view = acting.ingest_review(web_state(request).office, who.principal, document_id)
    return {"document": view.document["id"], "text": view.text}


@router.get("/{document_id}/proposals", summary="The proposals of a document, optionally of one status")
def proposals(
    request: Request,
    who: Who,
    document_id: str,
    status: Annotated[str | None, Query(description=STATUSES)] = None,
) -> list[ProposalOut]:
    view = acting.ingest_review(web_state(request).office, who.principal, document_id)
    return [ProposalOut.model_validate(p.to_json()) for p in view.proposals if status in (None, p.status)]


@router.patch("/{document_id}/proposals/{proposal_id}", summary="Change fields of a proposal waiting for review")
def edit(
    request: Request, who: Who, document_id: str, proposal_id: str, body: EditIn, version: Version = None
) -> ProposalOut:
    office = web_state(request).office
    done = acting.edit_proposal(office, who.principal, document_id, proposal_id, body.fields, version)
    return ProposalOut.model_validate(done.to_json())


@router.post(
    "/{document_id}/proposals/{proposal_id}/accept",
    summary="Store a proposal as its record (with the pending proposals it refers to)",
)
def accept(request: Request, who: Who, document_id: str, proposal_id: str, version: Version = None) -> DecisionOut:
    office = web_state(request).office
    done = acting.accept_proposal(office, who.principal, document_id, proposal_id, version)
    return DecisionOut.model_validate(done.to_json())


@router.post("/{document_id}/proposals/{proposal_id}/reject", summary="Reject a proposal: nothing is stored")
def reject(request: Request, who: Who, document_id: str, proposal_id: str, version: Version = None) -> ProposalOut:
    office = web_state(request).office
    done = acting.reject_proposal(office, who.principal, document_id, proposal_id, version)
    return ProposalOut.model_validate(done.to_json())


@router.post("/{document_id}/accept", summary="Store every proposal waiting for review (not those in conflict)")
def accept_all(request: Request, who: Who, document_id: str) -> DecisionOut:
    done = acting.accept_all_proposals(web_state(request).office, who.principal, document_id)
    return DecisionOut.model_validate(done.to_json())
