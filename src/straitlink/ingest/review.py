"""Reviewing an ingested document: upload it, see its proposals, edit, accept or reject each (the web's use cases).

The CLI proposes and accepts in one run; a review spans many requests and several reviewers, so the proposals
wait in `ingest_proposal` (store/tables_ingest.py) with what was decided about each. Uploading stores the document
as the CLI's `--accept` does (a SourceDocument with its sha256 and text, audited); accepting stores a proposal
with `ingest.accept.store_accepted`, the CLI's own code, so a record accepted here is the record `--accept` stores:
its provenance is the proposal's span of the document. Every use case requires the `ingest` permission.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Engine, func, select

from straitlink.catalog import load_catalog
from straitlink.codec import decode, field_hints
from straitlink.domain.access import Permission, Principal
from straitlink.domain.dates import PartialDate
from straitlink.domain.errors import Conflict, DocumentRejected, InvalidValue, NotFound
from straitlink.domain.marking import PUBLISHED
from straitlink.domain.parties import Party
from straitlink.domain.provenance import Provenance
from straitlink.ingest.accept import Accepted, propose, store_accepted
from straitlink.ingest.extract import extract
from straitlink.ingest.proposals import RECORD_KINDS, DocumentInfo, Proposal, Result
from straitlink.ingest.readers import MEDIA_TYPES, open_document
from straitlink.services.access import require, use_case
from straitlink.services.forms import parse_json_fields
from straitlink.services.ids import MIN_PREFIX, resolve_in
from straitlink.services.kinds import kind_named
from straitlink.store import tables as t
from straitlink.store.tables_ingest import IngestProposalRow, IngestReviewRow
from straitlink.store.uow import UnitOfWork

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # a bulletin or report is a few hundred KB; 20 MB leaves room for a PDF's images
PENDING = ("new", "conflict")
_COPY = 1 << 16
# Fields of a proposal that are not its record's (docs/ingest.md, "Kinds and their fields"), and how each is read.
_COUNTS = ("suspects", "count")
_BOOLS = ("caught_in_act",)
_PARTIES = ("to_party", "from_party")
_NAMES = ("persons",)


@dataclass(frozen=True)
class ProposalView:
    """One proposal as reviewers see it: what it proposes, where the document tells it, what was decided."""

    id: str
    kind: str
    status: str
    fields: dict[str, Any]
    span: dict[str, Any]
    confidence: float
    unresolved: list[str]
    note: str | None
    decided_by: str | None
    decided_at: str | None
    version: int

    def to_json(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass(frozen=True)
class ReviewView:
    """A document under review: its reading (DocumentInfo's JSON), its original text and its proposals."""

    document: dict[str, Any]
    uploaded_by: str
    uploaded_at: str
    text: str
    proposals: list[ProposalView]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for p in self.proposals:
            out[p.status] = out.get(p.status, 0) + 1
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "uploaded_by": self.uploaded_by,
            "uploaded_at": self.uploaded_at,
            "counts": self.counts(),
            "proposals": [p.to_json() for p in self.proposals],
        }


@dataclass(frozen=True)
class ReviewSummary:
    """One line of the list of documents under review."""

    document: str
    name: str
    title: str
    uploaded_by: str
    uploaded_at: str
    counts: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass(frozen=True)
class Decision:
    """What accepting stored: the proposals decided (the one asked for and those it refers to), and the counts."""

    decided: list[ProposalView]
    stored: dict[str, int]
    skipped: list[str]

    def to_json(self) -> dict[str, Any]:
        return {"decided": [p.to_json() for p in self.decided], "stored": self.stored, "skipped": self.skipped}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _view(row: IngestProposalRow) -> ProposalView:
    data = row.data
    return ProposalView(
        id=row.id,
        kind=row.kind,
        status=row.status,
        fields=dict(data["fields"]),
        span=dict(data["span"]),
        confidence=float(data.get("confidence", 0.5)),
        unresolved=list(data.get("unresolved", [])),
        note=row.note,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        version=row.version,
    )


def _info(data: dict[str, Any]) -> DocumentInfo:
    """The DocumentInfo a review kept (its JSON), for accepting against the store as the CLI's run does."""
    published = data.get("published_on")
    return DocumentInfo(
        id=data["id"],
        name=data["name"],
        media_type=data["media_type"],
        sha256=data["sha256"],
        chars=data["chars"],
        title=data.get("title") or "",
        language=data.get("language"),
        party=Party(data["party"]) if data.get("party") else None,
        published_on=PartialDate.from_json(published) if published else None,
        year=data.get("year"),
        warnings=list(data.get("warnings", [])),
    )


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


def _review_row(uow: UnitOfWork, given: str) -> IngestReviewRow:
    document = resolve_in(uow, "document", given, field="document")
    row = uow.session.get(IngestReviewRow, document)
    if row is None:
        raise NotFound("ingest review", given)
    return row


def _rows(uow: UnitOfWork, document: str) -> list[IngestProposalRow]:
    stmt = select(IngestProposalRow).where(IngestProposalRow.document == document).order_by(IngestProposalRow.seq)
    return list(uow.session.scalars(stmt))


def _proposal_row(rows: list[IngestProposalRow], given: str) -> IngestProposalRow:
    """The proposal whose id is `given` or starts with it (at least 8 characters, as lists show ids)."""
    value = given.strip()
    found = [r for r in rows if r.id == value] or (
        [r for r in rows if r.id.startswith(value)] if len(value) >= MIN_PREFIX else []
    )
    if not found:
        raise NotFound("proposal", given)
    if len(found) > 1:
        raise InvalidValue("proposal", given, "ambiguous: the id of more than one proposal starts with it")
    return found[0]


def _load(uow: UnitOfWork, row: IngestReviewRow) -> ReviewView:
    text = uow.session.scalar(select(t.SourceDocumentRow.text).where(t.SourceDocumentRow.id == row.document))
    return ReviewView(
        document=dict(row.info),
        uploaded_by=row.uploaded_by,
        uploaded_at=row.uploaded_at,
        text=text or "",
        proposals=[_view(r) for r in _rows(uow, row.document)],
    )


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
            return _load(uow, existing), False
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
            uploaded_at=_now(),
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
        view = _load(uow, row)
        uow.commit()
    return view, True


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
        return _load(uow, _review_row(uow, document))


def _pending(row: IngestProposalRow) -> None:
    if row.status not in PENDING:
        who = f" by {row.decided_by}" if row.decided_by else ""
        raise Conflict(f"proposal: {row.id} was {row.status}{who}; reload the review", field="proposal")


def _check_version(row: IngestProposalRow, expected: int | None) -> None:
    if expected is not None and expected != row.version:
        raise Conflict(
            f"version: the proposal is at version {row.version}, not {expected}; reload the review", field="version"
        )


def _whole_number(name: str, raw: Any) -> int | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise InvalidValue(name, raw, "a whole number")
    try:
        value = int(raw)
    except ValueError:
        raise InvalidValue(name, raw, "a whole number") from None
    if value < 0:
        raise InvalidValue(name, raw, "a whole number of 0 or more")
    return value


def _extra(name: str, raw: Any) -> Any:
    """A proposal field that is not its record's: counts, yes/no, a side, names as written."""
    if name in _COUNTS:
        return _whole_number(name, raw)
    if name in _BOOLS:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("true", "yes", "y", "1", "是"):
            return True
        if text in ("false", "no", "n", "0", "否", ""):
            return False
        raise InvalidValue(name, raw, "yes or no")
    if name in _PARTIES:
        text = str(raw or "").strip().upper()
        if text and text not in ("TW", "CN"):
            raise InvalidValue(name, raw, "TW or CN")
        return text or None
    if name in _NAMES:
        if isinstance(raw, list):
            return [str(n).strip() for n in raw if str(n).strip()]
        return [n.strip() for n in str(raw or "").replace("、", ",").split(",") if n.strip()]
    return raw


def parse_changes(kind: str, fields: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """The proposal's fields with `changes` applied, each value read as `straitlink add` reads it.

    A value is either its JSON shape or text as on the command line (`102年11月17日`, `229 kg gross`, `K他命`,
    `directing:高雄地檢署`); an empty text clears the field. A record kind's result is then decoded as accepting
    would decode it, so a value accepting would refuse is refused here, naming the field and the value.
    """
    catalog = load_catalog()
    record_kind = kind_named(kind if kind in RECORD_KINDS and kind not in ("arrest", "repatriation") else "seizure")
    hints = field_hints(record_kind.mapper.record)
    out = dict(fields)
    for name, raw in changes.items():
        if name not in fields:
            raise InvalidValue("field", name, f"a {kind} proposal has the fields {', '.join(fields)}")
        if isinstance(raw, str) and not raw.strip() and name not in _BOOLS:
            out[name] = [] if isinstance(fields[name], list) else None
        elif name in hints and name not in _COUNTS + _BOOLS + _PARTIES + _NAMES:
            out[name] = parse_json_fields(record_kind, {name: raw}, catalog)[name]
        else:
            out[name] = _extra(name, raw)
    if kind not in ("arrest", "repatriation"):
        data = {**out, "id": "proposal", "provenance": Provenance.by_user("review").to_json()}
        decode(record_kind.mapper.record, {**data, "marking": PUBLISHED.to_json(), "source": "document"})
    return out


@use_case("ingest.edit")
def edit_proposal(
    engine: Engine,
    document: str,
    proposal: str,
    changes: dict[str, Any],
    *,
    principal: Principal,
    expected_version: int | None = None,
) -> ProposalView:
    """Change fields of a proposal still waiting for a decision; what is left unresolved about them is resolved."""
    require(engine, principal, Permission.INGEST, "review ingested documents")
    if not isinstance(changes, dict) or not changes:
        raise InvalidValue("fields", changes, 'give the fields to change, e.g. {"date": "102年11月17日"}')
    with UnitOfWork(engine) as uow:
        review = _review_row(uow, document)
        row = _proposal_row(_rows(uow, review.document), proposal)
        _pending(row)
        _check_version(row, expected_version)
        fields = parse_changes(row.kind, row.data["fields"], changes)
        unresolved = [u for u in row.data.get("unresolved", []) if u.split(":", 1)[0] not in changes]
        row.data = {**row.data, "fields": fields, "unresolved": unresolved}
        uow.flush()
        view = _view(row)
        uow.commit()
    return view


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
    info = _info(review.info)
    text = uow.session.scalar(select(t.SourceDocumentRow.text).where(t.SourceDocumentRow.id == review.document))
    proposals = []
    for row in chosen:
        p = Proposal.from_json(row.data, document=review.document)
        p.status = "new"  # accepting decides again: a conflict edited to agree with the store is now known
        proposals.append(p)
    report = store_accepted(uow, [(info, text or "", proposals)], actor=actor)
    now = _now()
    for row, p in zip(chosen, proposals, strict=True):
        if p.id in report.errors:
            row.note = report.errors[p.id].message
            continue
        if p.status == "conflict":
            row.status = "conflict"
            row.data = {**row.data, "unresolved": list(p.unresolved)}
            continue
        row.status = "accepted" if p.status == "new" else "known"
        row.note, row.decided_by, row.decided_at = None, actor, now
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
        review = _review_row(uow, document)
        rows = _rows(uow, review.document)
        row = _proposal_row(rows, proposal)
        _pending(row)
        _check_version(row, expected_version)
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
        decided = [_view(r) for r in chosen if r.status in ("accepted", "known")]
        uow.commit()
    return Decision(decided, report.stored, report.skipped)


@use_case("ingest.accept_all")
def accept_all(engine: Engine, document: str, *, principal: Principal) -> Decision:
    """Store every proposal waiting for a decision (not those in conflict with the store), in one transaction.

    A proposal that cannot be stored stays pending with the reason as its note; the others are stored.
    """
    require(engine, principal, Permission.INGEST, "accept ingested proposals")
    with UnitOfWork(engine) as uow:
        review = _review_row(uow, document)
        chosen = [r for r in _rows(uow, review.document) if r.status == "new"]
        report = _accept_rows(uow, review, chosen, principal.username) if chosen else Accepted()
        uow.flush()
        decided = [_view(r) for r in chosen if r.status in ("accepted", "known")]
        uow.commit()
    return Decision(decided, report.stored, report.skipped)


@use_case("ingest.reject")
def reject_proposal(
    engine: Engine, document: str, proposal: str, *, principal: Principal, expected_version: int | None = None
) -> ProposalView:
    """Reject a proposal: nothing is stored, and the review keeps it rejected (reloading does not bring it back)."""
    require(engine, principal, Permission.INGEST, "review ingested documents")
    with UnitOfWork(engine) as uow:
        review = _review_row(uow, document)
        row = _proposal_row(_rows(uow, review.document), proposal)
        _pending(row)
        _check_version(row, expected_version)
        row.status, row.note, row.decided_by, row.decided_at = "rejected", None, principal.username, _now()
        uow.flush()
        view = _view(row)
        uow.commit()
    return view
