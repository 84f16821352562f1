"""Proposals → records: what is already stored is recognised, the rest is stored in one unit of work.

A proposal is already stored ("known") when a record with its id exists (an earlier ingest of the same event),
when a stored record states the same event (same drug, quantity and year; same meeting kind and number; same
figure, value and period end), or, for what a document mentions, when the document itself is stored. Whatever
hangs on a known seizure (its case, operation, outcome) is known with it. Accepting stores the documents
(SourceDocument, with sha256 and text) and every new proposal as its record, with the span it came from as
provenance: Provenance.from_document(document id, (start, end), quote). Every record stored gets its `create` audit
entry, as `straitlink add` gives it, after the chain head accepting locks before its first write.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import select

from straitlink.audit import log as audit_log
from straitlink.audit.entries import AuditAction, Change, diff
from straitlink.codec import decode, encode
from straitlink.domain.cases import Person, PersonRole
from straitlink.domain.dates import PartialDate
from straitlink.domain.errors import StraitLinkError
from straitlink.domain.figures import Citation, SourceDocument
from straitlink.domain.marking import PUBLISHED
from straitlink.domain.parties import Party
from straitlink.domain.provenance import Provenance
from straitlink.domain.records import Record, check_happened, stable_id
from straitlink.ingest.proposals import MENTION_KINDS, RECORD_KINDS, DocumentInfo, Proposal, Result
from straitlink.services.kinds import kind_named
from straitlink.services.records import check_references, today_utc8
from straitlink.store import mapping
from straitlink.store import tables as t
from straitlink.store.uow import UnitOfWork

_MAX_PERSONS = 1000  # per case: a count beyond this is a statistic, not a list of persons


@dataclass
class Accepted:
    """What accepting stored, what it recognised as stored already, and what it could not store and why."""

    documents: list[str] = field(default_factory=list)
    stored: dict[str, int] = field(default_factory=dict)
    known: int = 0
    cited: int = 0  # stored records the documents tell of again, cited as their sources
    skipped: list[str] = field(default_factory=list)
    # Why each skipped proposal could not be stored, by proposal id: a review screen names the field and value.
    errors: dict[str, StraitLinkError] = field(default_factory=dict, repr=False)

    def count(self, kind: str, n: int = 1) -> None:
        self.stored[kind] = self.stored.get(kind, 0) + n

    def to_json(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "stored": self.stored,
            "known": self.known,
            "cited": self.cited,
            "skipped": self.skipped,
        }


def _seizure_key(data: dict[str, Any], year: int | None) -> tuple[str, str, str, str, str]:
    """Drug, first quantity, year ("" when neither the seizure nor the document says which) and day (if given)."""
    first = data["quantities"][0]
    iso = (data.get("date") or {}).get("iso", "")
    when = iso[:4] or (str(year) if year else "")
    return (data["drug"], first["value"], first["unit"], when, iso if len(iso) == 10 else "")


def _agree(a: str, b: str) -> bool:
    return a == b or not a or not b


def mark_known(uow: UnitOfWork, document: DocumentInfo, proposals: list[Proposal]) -> int:
    """Set status "known" on proposals already stored; return how many."""
    stored_document = uow.session.scalar(
        select(t.SourceDocumentRow.id).where(t.SourceDocumentRow.sha256 == document.sha256)
    )
    known_cases: set[str] = set()
    for p in proposals:
        if p.kind in MENTION_KINDS:
            p.status = "known" if stored_document else p.status
            continue
        if p.kind in ("arrest", "repatriation"):
            case = str(p.fields.get("case"))
            # Stored as its case's persons: a later telling is a source of the case.
            stored = ("case", case) if uow.repo(mapping.CASES).exists(case) else None
        elif uow.repo(kind_named(p.kind).mapper).exists(p.id):
            stored = (p.kind, p.id)
        else:
            same = _same_content(uow, p, document.year)
            stored = (p.kind, same) if same is not None else None
        if stored is not None:
            p.status, p.stored_as = "known", stored
            if p.kind == "seizure" and p.fields.get("case"):
                known_cases.add(p.fields["case"])
        elif p.kind == "seizure" and (other := _conflicting(uow, p)) is not None:
            # The same seizure (drug, day, place) stored with another figure: the reviewer decides which is
            # right; accepting it as a second record would count the drugs twice.
            p.status = "conflict"
            p.unresolved.append(f"quantities: seizure {other} of the same drug, day and place states other figures")
    known_intel: set[str] = set()
    for p in proposals:
        if p.kind == "case" and p.id in known_cases:
            p.status = "known"
        elif p.kind in ("operation", "outcome") and p.fields.get("case") in known_cases:
            p.status = "known"
            if p.kind == "outcome":
                known_intel.add(p.fields["intel"])
    for p in proposals:
        if p.kind == "intel" and p.id in known_intel:
            p.status = "known"
    for p in proposals:
        # What hangs on a known seizure is cited only where it is stored under the same id (a case the same
        # pipeline stored); a stored seizure's case from another source is cited through the seizure.
        if p.status != "known" or p.stored_as is not None or p.kind in (*MENTION_KINDS, "arrest", "repatriation"):
            continue
        if uow.repo(kind_named(p.kind).mapper).exists(p.id):
            p.stored_as = (p.kind, p.id)
    return sum(1 for p in proposals if p.status == "known")


def _same_content(uow: UnitOfWork, p: Proposal, year: int | None) -> str | None:
    """The id of a stored record stating the same event, if one does."""
    f = p.fields
    if p.kind == "seizure" and f.get("quantities"):
        wanted = _seizure_key(f, year)
        rows = uow.session.scalars(select(t.SeizureRow).where(t.SeizureRow.drug == f["drug"]))
        for row in rows:
            stored = encode(mapping.SEIZURES.from_row(row))
            if stored["quantities"]:
                key = _seizure_key(stored, None)
                # Equal amounts seized on different days are different seizures.
                if key[:3] == wanted[:3] and _agree(key[3], wanted[3]) and _agree(key[4], wanted[4]):
                    return str(row.id)
        return None
    if p.kind == "meeting" and f.get("sequence") is not None:
        meeting = select(t.MeetingRow.id).where(t.MeetingRow.kind == f["kind"], t.MeetingRow.sequence == f["sequence"])
        return uow.session.scalar(meeting)
    if p.kind == "meeting" and f.get("date"):
        when = PartialDate.from_json(f["date"])
        meeting = select(t.MeetingRow.id).where(
            t.MeetingRow.kind == f["kind"],
            t.MeetingRow.date_earliest == when.earliest(),
            t.MeetingRow.date_latest == when.latest(),
        )
        return uow.session.scalar(meeting)
    if p.kind == "figure" and f.get("period_end"):
        figures = select(t.PublishedFigureRow).where(
            t.PublishedFigureRow.metric == f["metric"],
            t.PublishedFigureRow.period_end == date.fromisoformat(f["period_end"]),
        )
        for r in uow.session.scalars(figures):
            if encode(mapping.FIGURES.from_row(r))["value"] == f["value"]:
                return str(r.id)
    return None


def _conflicting(uow: UnitOfWork, p: Proposal) -> str | None:
    """The id of a stored seizure of the same drug on the same day at the same place, told with other figures."""
    f = p.fields
    day = (f.get("date") or {}).get("iso", "")
    if len(day) != 10 or not f.get("place") or not f.get("quantities"):
        return None
    for row in uow.session.scalars(select(t.SeizureRow).where(t.SeizureRow.drug == f["drug"])):
        stored = encode(mapping.SEIZURES.from_row(row))
        same = (stored.get("date") or {}).get("iso") == day and stored.get("place") == f["place"]
        if same and stored["quantities"] and stored["quantities"][0] != f["quantities"][0]:
            return str(row.id)
    return None


def _provenance(p: Proposal) -> dict[str, Any]:
    return Provenance.from_document(p.document, (p.span.start, p.span.end), p.span.text).to_json()


def _citations(found: list[Proposal]) -> list[Citation]:
    """The stored records a document tells of again, once each, with the span of its first telling."""
    cites: dict[tuple[str, str], Citation] = {}
    for p in found:
        if p.status == "known" and p.stored_as is not None and p.stored_as not in cites:
            kind = kind_named(p.stored_as[0]).mapper.kind
            cites[p.stored_as] = Citation(kind, p.stored_as[1], (p.span.start, p.span.end), p.span.text)
    return list(cites.values())


def _document(info: DocumentInfo, text: str, actor: str, cites: list[Citation], report: Accepted) -> SourceDocument:
    published = info.published_on
    if published is not None and published.earliest() > today_utc8():
        # A date read from the text that has not come yet is a misreading, not the day it was published: the
        # document is kept without one rather than refused (nobody can correct it in the review).
        report.skipped.append(f"document {info.id}: published_on {published.iso!r} is after today: not kept")
        published = None
    return SourceDocument(
        id=info.id,
        provenance=Provenance.by_user(actor),
        title=info.title or info.name,
        published_on=published.earliest() if published is not None and published.day is not None else None,
        language=info.language,
        sha256=info.sha256,
        text=text,
        marking=PUBLISHED,
        cites=cites,
    )


def accept(
    uow: UnitOfWork,
    documents: list[tuple[DocumentInfo, str, list[Proposal]]],
    *,
    actor: str,
) -> Accepted:
    """Store the documents and their new proposals as records, each audited, in one transaction (all or nothing)."""
    report = store_accepted(uow, documents, actor=actor)
    uow.commit()
    return report


def store_accepted(
    uow: UnitOfWork,
    documents: list[tuple[DocumentInfo, str, list[Proposal]]],
    *,
    actor: str,
) -> Accepted:
    """What `accept` does, inside the caller's transaction, which commits it (with the review's own writes)."""
    report = Accepted()
    head = audit_log.lock(uow)  # before the first write, as every audited change
    changes: list[Change] = []
    docs = uow.repo(mapping.DOCUMENTS)
    proposals: list[Proposal] = []
    for info, text, found in documents:
        stored = uow.session.scalar(select(t.SourceDocumentRow.id).where(t.SourceDocumentRow.sha256 == info.sha256))
        report.known += mark_known(uow, info, found)
        if stored is None:
            # A later report of events already stored adds no second record: the document cites the stored ones.
            document = _document(info, text, actor, _citations(found), report)
            docs.add(document)
            changes.append(_created(actor, mapping.DOCUMENTS.kind, document, info.id))
            report.cited += len(document.cites)
            uow.flush()
        elif stored != info.id:
            # The same bytes are stored under another id (the demo's bulletin): cite that one.
            for p in found:
                p.document = stored if p.document == info.id else p.document
                p.also = [replace(a, document=stored) if a.document == info.id else a for a in p.also]
        report.documents.append(stored or info.id)
        proposals.extend(p for p in found if p.status == "new" and p.kind not in MENTION_KINDS)
    persons_by_case: dict[str, list[str]] = {}
    for kind in RECORD_KINDS:
        for p in (p for p in proposals if p.kind == kind):
            counts, persons = dict(report.stored), dict(persons_by_case)
            # A savepoint per proposal: one that cannot be stored is reported and the others still go in.
            savepoint = uow.session.begin_nested()
            try:
                added = _store(uow, p, persons_by_case, report)
                uow.flush()
                savepoint.commit()
            except StraitLinkError as exc:
                savepoint.rollback()
                report.stored, persons_by_case = counts, persons
                report.skipped.append(f"{p.kind} {p.id}: {exc.message}")
                report.errors[p.id] = exc
                continue
            changes += [_created(actor, kind_name, record, p.document) for kind_name, record in added]
    if changes:
        audit_log.append(uow, head, changes)
    return report


def _created(actor: str, kind: str, record: Record, document: str) -> Change:
    """The `create` entry of one accepted record, naming the document it was accepted from."""
    what = diff(None, encode(record))
    return Change(actor, AuditAction.CREATE, kind_named(kind).mapper.kind, record.id, what, {"ingest": document})


def propose(
    uow: UnitOfWork,
    results: list[Result],
    *,
    actor: str,
) -> list[Result]:
    """Leave out of each result what is already stored (counted in `known`); the actor is named for audit."""
    for result in results:
        mark_known(uow, result.document, result.proposals)
        result.known_proposals = [p for p in result.proposals if p.status == "known"]
        result.known = len(result.known_proposals)
        result.proposals = [p for p in result.proposals if p.status in ("new", "conflict")]
    return results


def _store(
    uow: UnitOfWork, p: Proposal, persons_by_case: dict[str, list[str]], report: Accepted
) -> list[tuple[str, Record]]:
    """Store one proposal (and the persons it counts); returns each record stored with its kind."""
    if p.kind == "seizure":
        added = [("seizure", _add(uow, "seizure", p, p.fields))]
        suspects = p.fields.get("suspects")
        added += _persons(uow, p, p.fields.get("case"), suspects, PersonRole.SUSPECT, persons_by_case, report)
    elif p.kind == "arrest":
        return _persons(
            uow, p, p.fields.get("case"), p.fields.get("count"), PersonRole.SUSPECT, persons_by_case, report
        )
    elif p.kind == "repatriation":
        count = p.fields.get("count")
        return _persons(uow, p, p.fields.get("case"), count, PersonRole.FUGITIVE, persons_by_case, report)
    elif p.kind == "outcome":
        data = dict(p.fields)
        data["persons"] = persons_by_case.get(str(data.get("case")), [])
        added = [("outcome", _add(uow, "outcome", p, data))]
    elif p.kind == "figure":
        added = [("figure", _add(uow, "figure", p, {**p.fields, "source": p.document}))]
    else:
        added = [(p.kind, _add(uow, p.kind, p, p.fields))]
    report.count(p.kind)
    return added


def _add(uow: UnitOfWork, kind_name: str, p: Proposal, data: dict[str, Any]) -> Record:
    kind = kind_named(kind_name)
    # Ingested documents are published reports: what they tell is public.
    marking = PUBLISHED.to_json()
    record: Record = decode(kind.mapper.record, {**data, "id": p.id, "provenance": _provenance(p), "marking": marking})
    check_happened(record, today_utc8())  # a date misread into the future: skipped and reported, as by hand
    check_references(uow, kind, encode(record))
    uow.repo(kind.mapper).add(record)
    return record


def _persons(
    uow: UnitOfWork,
    p: Proposal,
    case: Any,
    count: Any,
    role: PersonRole,
    persons_by_case: dict[str, list[str]],
    report: Accepted,
) -> list[tuple[str, Record]]:
    """The suspects (or fugitives) a proposal counts, as persons of its case, once per case; returns those stored."""
    if not isinstance(case, str) or not isinstance(count, int) or count <= 0 or case in persons_by_case:
        return []
    if not uow.repo(mapping.CASES).exists(case):
        return []
    names = [str(n) for n in p.fields.get("persons") or []]
    party = p.fields.get("to_party")
    ids = []
    added: list[tuple[str, Record]] = []
    for i in range(min(count, _MAX_PERSONS)):
        person = Person(
            id=stable_id(case, role.value, str(i)),
            provenance=Provenance.from_document(p.document, (p.span.start, p.span.end), p.span.text),
            case=case,
            role=role,
            caught_in_act=bool(p.fields.get("caught_in_act")),
            name=names[i] if i < len(names) else None,
            nationality=Party(party) if party in ("TW", "CN") else None,
        )
        if not uow.repo(mapping.PERSONS).exists(person.id):
            uow.repo(mapping.PERSONS).add(person)
            ids.append(person.id)
            added.append((mapping.PERSONS.kind, person))
    persons_by_case[case] = ids
    report.count("person", len(ids))
    return added
