"""The ingestion review pages: upload a document, see each proposal at its span of the text, edit, accept, reject.

Accepting, rejecting and editing answer an htmx request with the proposal's card and the document's text (swapped
out of band, so the marks take the new status); without htmx the form posts and the page comes back. Every
proposal is reachable from the keyboard: its number in the text links to its card, and its card to the text.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from straitlink.domain.dates import PartialDate
from straitlink.domain.errors import StraitLinkError
from straitlink.domain.quantity import Quantity
from straitlink.ingest.review import MAX_UPLOAD_BYTES, ProposalView, ReviewView
from straitlink.services.kinds import kind_named
from straitlink.web import acting, labels
from straitlink.web.i18n import N_, catalogue_name
from straitlink.web.render import page
from straitlink.web.security import Caller, caller, web_state

router = APIRouter()
Who = Annotated[Caller, Depends(caller)]

KINDS = {
    "seizure": N_("Seizure"),
    "case": N_("Case"),
    "operation": N_("Operation"),
    "arrest": N_("Arrest"),
    "repatriation": N_("Repatriation"),
    "intel": N_("Intel hand-over"),
    "outcome": N_("Outcome"),
    "meeting": N_("Meeting"),
    "figure": N_("Published figure"),
}
STATUSES = {
    "new": N_("Waiting for review"),
    "conflict": N_("Conflicts with a stored record"),
    "accepted": N_("Accepted"),
    "known": N_("Already stored"),
    "rejected": N_("Rejected"),
}
FIELDS = {
    "suspects": N_("Suspects"),
    "count": N_("Number of persons"),
    "to_party": N_("Handed to"),
    "from_party": N_("Handed over by"),
    "metric": N_("Figure"),
    "label": N_("Label"),
    "label_en": N_("Label in English"),
    "unit": N_("Unit"),
    "qualifier": N_("Qualifier"),
    "period_start": N_("Period start"),
    "period_end": N_("Period end"),
    "seizures": N_("Seizures"),
}
# References to other proposals or records: shown, not edited (accepting stores what they refer to first).
READ_ONLY = frozenset({"case", "operation", "intel", "seizures", "source"})
_CATALOGUE_FIELDS = {
    "drug": "drug",
    "place": "place",
    "places": "place",
    "host": "agency",
    "provider_agency": "agency",
    "participants": "agency",
}
# Where an accepted record is shown (a case has its own page; the others are listed by kind).
_RECORD_PAGES = {"arrest": "persons", "repatriation": "persons"}


def field_label(name: str) -> str:
    return FIELDS.get(name) or labels.label(labels.FIELDS, name)


def _name(kind: str, value: str, lang: str) -> str:
    # English catalogue names are not among the names the parser resolves: in English the id stands.
    return value if lang == "en" else catalogue_name(kind, value, lang)


def editable(p: ProposalView, name: str) -> bool:
    value = p.fields[name]
    if name in READ_ONLY or (p.kind == "outcome" and name == "persons"):
        return False
    return not isinstance(value, dict) or "iso" in value or name == "personnel"


def field_text(name: str, value: Any, lang: str) -> str:
    """A field's value as text the field parser reads back (`straitlink add` syntax), for the edit form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict) and "iso" in value:
        return PartialDate.from_json({k: v for k, v in value.items() if k in ("iso", "part")}).format_roc()
    if name == "quantities":
        return "; ".join(Quantity.from_json(q).format_en() for q in value)
    if name == "personnel" and isinstance(value, dict):
        return Quantity.from_json(value).format_en()
    if name == "agencies":
        return ", ".join(f"{a['role']}:{_name('agency', a['agency'], lang)}" for a in value)
    if name == "vessels":
        return ", ".join("/".join(v.get(k) or "" for k in ("name", "flag_state", "kind")).rstrip("/") for v in value)
    if name in _CATALOGUE_FIELDS:
        kind = _CATALOGUE_FIELDS[name]
        return ", ".join(_name(kind, v, lang) for v in value) if isinstance(value, list) else _name(kind, value, lang)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class Segment:
    """A run of the text covered by the same proposals; `starts` are those whose span begins here."""

    text: str
    statuses: tuple[str, ...]
    starts: tuple[tuple[int, str], ...]


def segments(text: str, proposals: list[ProposalView]) -> list[Segment]:
    """The text cut at every span's ends, each run knowing which proposals cover it (spans may overlap)."""
    numbered = proposals_numbered(proposals)
    spans = [(n, p, min(max(p.span["start"], 0), len(text)), min(p.span["end"], len(text))) for n, p in numbered]
    cuts = sorted({0, len(text)} | {s for _, _, s, _ in spans} | {e for _, _, _, e in spans})
    out = []
    for a, b in itertools.pairwise(cuts):
        covering = [(n, p) for n, p, s, e in spans if s <= a and b <= e and s < e]
        starts = tuple((n, p.id) for n, p, s, _ in spans if s == a)
        out.append(Segment(text[a:b], tuple(sorted({p.status for _, p in covering})), starts))
    return out


def proposals_numbered(proposals: list[ProposalView]) -> list[tuple[int, ProposalView]]:
    return [(n, p) for n, p in enumerate(proposals, start=1)]


def record_link(p: ProposalView) -> str:
    """Where the record an accepted proposal became is shown."""
    if p.kind == "case":
        return f"/cases/{p.id}"
    if p.kind in _RECORD_PAGES:
        return f"/cases/{p.fields.get('case')}" if p.fields.get("case") else f"/records/{_RECORD_PAGES[p.kind]}"
    return f"/records/{kind_named(p.kind).plural}"


def _context(who: Caller, view: ReviewView) -> dict[str, Any]:
    return {
        "review": view,
        "doc": view.document,
        "numbered": proposals_numbered(view.proposals),
        "segments": segments(view.text, view.proposals),
        "counts": view.counts(),
        "kind_labels": KINDS,
        "status_labels": STATUSES,
        "field_label": field_label,
        "field_text": lambda name, value: field_text(name, value, who.lang),
        "editable": editable,
        "record_link": record_link,
        "errors": {},
        "typed": {},
    }


@router.get("/ingest", response_class=HTMLResponse)
def reviews(request: Request, who: Who) -> Response:
    return _list_page(request, who, None, 200)


def _list_page(request: Request, who: Caller, error: StraitLinkError | None, status: int) -> Response:
    found = acting.ingest_reviews(web_state(request).office, who.principal)
    context = {
        "rows": found,
        "error": error,
        "limit_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
        "status_labels": STATUSES,
    }
    return page(request, "ingest_list.html", who, who.lang, context, status)


@router.post("/ingest", response_class=HTMLResponse)
def upload(
    request: Request,
    who: Who,
    file: Annotated[UploadFile, File()],
    date: Annotated[str, Form()] = "",
) -> Response:
    office = web_state(request).office
    try:
        day = PartialDate.parse(date, field="date") if date.strip() else None
        view, _created = acting.upload_document(office, who.principal, file.filename or "", file.file, day)
    except StraitLinkError as exc:
        if exc.http_status in (401, 403):
            raise
        return _list_page(request, who, exc, exc.http_status)
    return RedirectResponse(f"/ingest/{view.document['id']}", status_code=303)


@router.get("/ingest/{document_id}", response_class=HTMLResponse)
def review(request: Request, who: Who, document_id: str, stored: int | None = None, skipped: int = 0) -> Response:
    view = acting.ingest_review(web_state(request).office, who.principal, document_id)
    context = _context(who, view) | {"stored_now": stored, "skipped_now": skipped}
    return page(request, "ingest_review.html", who, who.lang, context)


def _after(
    request: Request,
    who: Caller,
    document_id: str,
    proposal_id: str,
    error: StraitLinkError | None = None,
    typed: dict[str, str] | None = None,
    decided: frozenset[str] = frozenset(),
) -> Response:
    """The card (and the text, out of band) for htmx; the whole page at the card otherwise."""
    view = acting.ingest_review(web_state(request).office, who.principal, document_id)
    context = _context(who, view)
    target = next((p for p in view.proposals if p.id == proposal_id or p.id.startswith(proposal_id)), None)
    if error is not None and target is not None:
        context["errors"] = {target.id: error}
        context["typed"] = {target.id: typed or {}}
    if request.headers.get("hx-request") and target is not None:
        number = next(n for n, p in context["numbered"] if p.id == target.id)
        # The proposals decided with it (what it refers to) are swapped out of band, as the text is.
        also = [(n, p) for n, p in context["numbered"] if p.id in decided and p.id != target.id]
        context |= {"p": target, "n": number, "oob": True, "also": also}
        # htmx swaps 200 answers only: a refusal is shown in the card, with what was typed kept.
        return page(request, "_ingest_card.html", who, who.lang, context)
    if error is not None:
        return page(request, "ingest_review.html", who, who.lang, context, error.http_status)
    anchor = f"#p-{target.id}" if target is not None else ""
    return RedirectResponse(f"/ingest/{view.document['id']}{anchor}", status_code=303)


def _decide(request: Request, who: Caller, document_id: str, proposal_id: str, accept: bool, version: str) -> Response:
    office = web_state(request).office
    expected = int(version) if version.isdigit() else None
    decided: frozenset[str] = frozenset()
    try:
        if accept:
            done = acting.accept_proposal(office, who.principal, document_id, proposal_id, expected)
            decided = frozenset(p.id for p in done.decided)
        else:
            acting.reject_proposal(office, who.principal, document_id, proposal_id, expected)
    except StraitLinkError as exc:
        if exc.http_status in (401, 403, 404):
            raise
        return _after(request, who, document_id, proposal_id, exc)
    return _after(request, who, document_id, proposal_id, decided=decided)


@router.post("/ingest/{document_id}/proposals/{proposal_id}/accept", response_class=HTMLResponse)
def accept(
    request: Request, who: Who, document_id: str, proposal_id: str, version: Annotated[str, Form()] = ""
) -> Response:
    return _decide(request, who, document_id, proposal_id, True, version)


@router.post("/ingest/{document_id}/proposals/{proposal_id}/reject", response_class=HTMLResponse)
def reject(
    request: Request, who: Who, document_id: str, proposal_id: str, version: Annotated[str, Form()] = ""
) -> Response:
    return _decide(request, who, document_id, proposal_id, False, version)


@router.post("/ingest/{document_id}/proposals/{proposal_id}/edit", response_class=HTMLResponse)
async def edit(request: Request, who: Who, document_id: str, proposal_id: str) -> Response:
    form = await request.form()
    typed = {str(k)[2:]: str(v) for k, v in form.multi_items() if str(k).startswith("f:") and isinstance(v, str)}
    version = str(form.get("version") or "")
    return await _edit(request, who, document_id, proposal_id, typed, version)


async def _edit(
    request: Request, who: Caller, document_id: str, proposal_id: str, typed: dict[str, str], version: str
) -> Response:
    office = web_state(request).office
    view = await run_in_threadpool(acting.ingest_review, office, who.principal, document_id)
    target = next((p for p in view.proposals if p.id == proposal_id), None)
    # Only what the reviewer changed is parsed: a field left as shown keeps its exact value.
    changes = {
        name: text
        for name, text in typed.items()
        if target is not None
        and name in target.fields
        and editable(target, name)
        and text.strip() != field_text(name, target.fields[name], who.lang)
    }
    expected = int(version) if version.isdigit() else None
    if changes:
        try:
            await run_in_threadpool(
                acting.edit_proposal, office, who.principal, document_id, proposal_id, changes, expected
            )
        except StraitLinkError as exc:
            if exc.http_status in (401, 403, 404):
                raise
            return await run_in_threadpool(_after, request, who, document_id, proposal_id, exc, typed)
    return await run_in_threadpool(_after, request, who, document_id, proposal_id)


@router.post("/ingest/{document_id}/accept", response_class=HTMLResponse)
def accept_all(request: Request, who: Who, document_id: str) -> Response:
    done = acting.accept_all_proposals(web_state(request).office, who.principal, document_id)
    stored = sum(done.stored.values())
    return RedirectResponse(f"/ingest/{document_id}?stored={stored}&skipped={len(done.skipped)}", status_code=303)


@router.get("/documents/{document_id}/text", response_class=HTMLResponse)
def document_text(
    request: Request, who: Who, document_id: str, start: int | None = None, end: int | None = None
) -> Response:
    """A stored document's text with one span marked: where a record's provenance points."""
    office = web_state(request).office
    record = acting.record_json(acting.get_record(office, who.principal, kind_named("document"), document_id))
    text = record.get("text") or ""
    span = None
    if start is not None and end is not None and 0 <= start <= end <= len(text):
        span = (start, end)
    context = {"document": record, "text": text, "span": span}
    return page(request, "document_text.html", who, who.lang, context)
