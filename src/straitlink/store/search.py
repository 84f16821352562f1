"""The search index: what a record is found by, kept in the same transaction as the record, and the query.

`entry` says what a record is found by (its texts, its reference numbers, its id's first characters, and the
concept of every catalogue entry it refers to); `index` writes entries (the unit of work calls it for every record
row its session added, changed or deleted; bulk loads call it with their records); `find` runs a query with the
engine's own full-text index (SQLite FTS5, PostgreSQL tsvector + GIN), keeping only the rows whose record the
principal may see, by the same conditions lists use (store/scope.py), before counting or paging.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    bindparam,
    case,
    cast,
    column,
    delete,
    exists,
    false,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import Session

from straitlink.catalog import load_catalog
from straitlink.domain.access import Principal
from straitlink.domain.dates import PartialDate
from straitlink.domain.errors import UnknownReference
from straitlink.domain.records import Record
from straitlink.store.driver import insert_many
from straitlink.store.mapper import Mapper
from straitlink.store.mapping import ALL, BY_KIND
from straitlink.store.scope import visible
from straitlink.store.search_terms import Clause, Term, concept_token, document_terms
from straitlink.store.tables_search import SearchEntryRow

ENTRY: Table = SearchEntryRow.__table__  # type: ignore[assignment]
COUNT_CAP = 1000  # matches counted exactly and ranked; beyond, "more than 1,000", newest first
BODY_CHARS = 4000  # what a snippet is cut from; the terms cover the whole text
_FTS = table("search_fts", column("rowid"), column("rank"))
_FTS_MATCH = literal_column("search_fts").op("MATCH")
KINDS: tuple[str, ...] = tuple(m.kind for m in ALL)
# A request's columns its entry is made of: a workflow step (written without the session) that changes one of
# them rewrites the entry.
REQUEST_FIELDS = frozenset(
    {
        "type",
        "subject",
        "purpose",
        "matters",
        "case_summary",
        "execution_needs",
        "requesting_ref",
        "requested_ref",
        "requesting_agency",
        "executing_agency",
    }
)


@dataclass(frozen=True)
class Entry:
    kind: str
    record_id: str
    label: str
    body: str
    terms: str

    def row(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "record_id": self.record_id,
            "label": self.label,
            "body": self.body,
            "terms": self.terms,
        }


def _name(kind: str, entry_id: str | None) -> str | None:
    """A catalogue entry's Traditional name (how this instance shows it); None when not given or not shipped (an
    agency added beside the catalogue is found by its concept token and its records' own words)."""
    if not entry_id:
        return None
    catalog = load_catalog()
    lookup: dict[str, Callable[[str], Any]] = {
        "agency": catalog.agency,
        "drug": catalog.drug,
        "place": catalog.place,
        "request_type": catalog.request_type,
    }
    try:
        name: str = lookup[kind](entry_id).name_zh_hant
    except UnknownReference:
        return None
    return name


def _texts_and_refs(kind: str, r: Any) -> tuple[str, list[str | None], list[tuple[str, str | None]]]:
    """A record's label, its readable texts and the catalogue entries it refers to."""
    if kind == "document":
        return r.title, [r.title, r.publisher, r.text], []
    if kind == "case":
        refs = [("agency", a.agency) for a in r.agencies] + [("place", p) for p in r.places]
        return r.title, [r.title, r.summary], refs
    if kind == "operation":
        refs = [("agency", a.agency) for a in r.agencies] + [("place", p) for p in r.places]
        vessels = [" ".join(filter(None, (v.name, v.flag_state, v.kind))) for v in r.vessels]
        return r.name, [r.name, r.concealment, *r.containers, *vessels], refs
    if kind == "person":
        label = r.name or r.label or str(r.role)
        return label, [r.name, r.label], []
    if kind == "seizure":
        refs = [("drug", r.drug), ("place", r.place)]
        label = " ".join(filter(None, (_name("drug", r.drug), _name("place", r.place), _date(r.date))))
        return label, [r.description, *r.containers], refs
    if kind == "intel":
        return r.summary[:80], [r.summary], [("agency", r.provider_agency)]
    if kind == "outcome":
        return (r.note or "")[:80] or r.id[:8], [r.note], []
    if kind == "meeting":
        refs = [("agency", r.host), *(("agency", a) for a in r.participants), *(("place", p) for p in r.places)]
        return r.title, [r.title, *r.decisions], refs
    if kind == "figure":
        return r.label, [r.label, r.label_en, r.metric], []
    if kind == "request":
        refs = [("request_type", str(r.type)), ("agency", r.requesting_agency), ("agency", r.executing_agency)]
        texts = [r.requesting_ref, r.requested_ref, r.subject, r.purpose, r.matters, r.case_summary, r.execution_needs]
        return r.subject, texts, refs
    raise ValueError(f"no search entry for records of kind {kind!r}")


def _date(value: PartialDate | None) -> str | None:
    return None if value is None else value.iso


def entry(kind: str, record: Record) -> Entry:
    """What one record is found by and shown as in the results."""
    label, texts, refs = _texts_and_refs(kind, record)
    given = [x for x in texts if x]
    names = [n for n in (_name(k, v) for k, v in refs) if n]
    concepts = [concept_token(k, v) for k, v in refs if v]
    body = " · ".join(dict.fromkeys([*given, *names]))[:BODY_CHARS]
    terms = document_terms([*given, *names, record.id.split("-")[0]], concepts)
    return Entry(kind, record.id, label or record.id[:8], body, terms)


def index(conn: Connection, entries: Sequence[Entry], *, fresh: bool = False) -> None:
    """Replace the entries of these records (the database's triggers or index follow in the same transaction);
    `fresh` when none of them has an entry yet (nothing to remove first)."""
    if not entries:
        return
    if not fresh:
        remove(conn, [(e.kind, e.record_id) for e in entries])
    insert_many(conn, ENTRY, [e.row() for e in entries])


def index_records(conn: Connection, kind: str, records: Iterable[Record]) -> None:
    """Index records written without the ORM session (bulk loads)."""
    index(conn, [entry(kind, r) for r in records])


def remove(conn: Connection, keys: Sequence[tuple[str, str]]) -> None:
    """Drop the entries of deleted records."""
    # Per kind, ids IN a list: the (kind, record_id) index finds each. SQLite plans a row-value IN list
    # ((kind, record_id) IN (...)) as a scan of the whole table, which made every write cost a pass over the index.
    by_kind: dict[str, list[str]] = {}
    for kind, record_id in keys:
        by_kind.setdefault(kind, []).append(record_id)
    for kind, ids in by_kind.items():
        for i in range(0, len(ids), 500):
            conn.execute(delete(ENTRY).where(ENTRY.c.kind == kind, ENTRY.c.record_id.in_(ids[i : i + 500])))


def backfill(session: Session) -> int:
    """Index every record when the index is empty but records are stored (a database upgraded from before the
    index, or written behind the application's back); how many were indexed."""
    conn = session.connection()
    if conn.scalar(select(ENTRY.c.id).limit(1)) is not None:
        return 0
    n = 0
    for mapper in ALL:
        batch: list[Entry] = []
        for row in session.scalars(select(mapper.row).execution_options(yield_per=1000)):
            batch.append(entry(mapper.kind, mapper.from_row(row)))
            if len(batch) >= 1000:
                index(conn, batch, fresh=True)
                n, batch = n + len(batch), []
        index(conn, batch, fresh=True)
        n += len(batch)
    return n


@dataclass(frozen=True)
class Hit:
    kind: str
    record_id: str
    label: str
    body: str
    classification: str
    case_id: str | None


def _fts5(clauses: Sequence[Clause]) -> str:
    def term(t: Term) -> str:
        return f'"{t.token}"' + (" *" if t.prefix else "")

    def alternative(alt: tuple[Term, ...]) -> str:
        return "(" + " AND ".join(term(t) for t in alt) + ")"

    return " AND ".join("(" + " OR ".join(alternative(a) for a in clause) + ")" for clause in clauses)


def _tsquery(clauses: Sequence[Clause]) -> str:
    def term(t: Term) -> str:
        return f"'{t.token}'" + (":*" if t.prefix else "")

    def alternative(alt: tuple[Term, ...]) -> str:
        return "(" + " & ".join(term(t) for t in alt) + ")"

    return " & ".join("(" + " | ".join(alternative(a) for a in clause) + ")" for clause in clauses)


def terms_vector() -> Any:
    """The tsvector PostgreSQL's GIN index is built on: the expression must be spelt as the migration spells it."""
    return func.array_to_tsvector(func.string_to_array(ENTRY.c.terms, literal_column("' '")))


def _allowed(principal: Principal, kinds: Sequence[str]) -> ColumnElement[bool]:
    """Entries of the given kinds whose record the principal may see.

    A CASE on the kind, not an OR of `kind = …` terms: the planner must start from the full-text matches and probe
    each one's record by primary key, never walk every entry of a kind (which SQLite does for an OR it can index).
    """
    whens = []
    for kind in kinds:
        mapper: Mapper[Any, Any] = BY_KIND[kind]
        seen = exists().where(mapper.row.id == ENTRY.c.record_id, visible(mapper, principal))
        whens.append((ENTRY.c.kind == kind, seen))
    if not whens:
        return false()
    return case(*whens, else_=false())


def find(
    conn: Connection, principal: Principal, clauses: Sequence[Clause], kinds: Sequence[str], limit: int, offset: int
) -> tuple[list[Hit], int, bool]:
    """One page of the entries matching every clause that the principal may see, and how many there are.

    Up to COUNT_CAP matches are counted exactly and ranked best first (bm25 on SQLite, ts_rank on PostgreSQL);
    beyond that (a word most records hold) the count says "more than COUNT_CAP" (the third value is True) and the
    newest entries come first: ranking tens of thousands of near-equal matches would cost the engine a sort of
    them all for an order no one reads.
    """
    if not clauses:
        return [], 0, False
    allowed = _allowed(principal, kinds)
    if conn.dialect.name == "postgresql":
        query = cast(bindparam("q", _tsquery(clauses)), TSQUERY)
        match: ColumnElement[bool] = terms_vector().op("@@")(query)
        score: ColumnElement[Any] = -func.ts_rank(terms_vector(), query)
        ranked = select(ENTRY.c.kind, ENTRY.c.record_id, ENTRY.c.label, ENTRY.c.body).where(match, allowed)
    else:
        query_text = _fts5(clauses)
        match = ENTRY.c.id.in_(select(_FTS.c.rowid).where(_FTS_MATCH(bindparam("q", query_text))))
        score = _FTS.c.rank
        ranked = (
            select(ENTRY.c.kind, ENTRY.c.record_id, ENTRY.c.label, ENTRY.c.body)
            .join(_FTS, _FTS.c.rowid == ENTRY.c.id)
            .where(_FTS_MATCH(bindparam("q", query_text)), allowed)
        )
    counted = select(ENTRY.c.id).where(match, allowed).limit(COUNT_CAP + 1)
    total = int(conn.scalar(select(func.count()).select_from(counted.subquery())) or 0)
    capped = total > COUNT_CAP
    if capped:
        page = select(ENTRY.c.kind, ENTRY.c.record_id, ENTRY.c.label, ENTRY.c.body).where(match, allowed)
        page = page.order_by(ENTRY.c.id.desc())
    else:
        page = ranked.order_by(score, ENTRY.c.id)
    rows = conn.execute(page.limit(limit).offset(offset)).all()
    details = _details(conn, [(r.kind, r.record_id) for r in rows])
    hits = [Hit(r.kind, r.record_id, r.label, r.body, *details[(r.kind, r.record_id)]) for r in rows]
    return hits, min(total, COUNT_CAP), capped


def _details(conn: Connection, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, str | None]]:
    """Each hit's classification (for the access log) and its case (for the link to the page that shows it)."""
    out: dict[tuple[str, str], tuple[str, str | None]] = {}
    by_kind: dict[str, list[str]] = {}
    for kind, record_id in keys:
        by_kind.setdefault(kind, []).append(record_id)
    for kind, ids in by_kind.items():
        row = BY_KIND[kind].row
        case_col = row.case_id if hasattr(row, "case_id") else literal_column("NULL")
        for rid, classification, case_id in conn.execute(
            select(row.id, row.classification, case_col).where(row.id.in_(ids))
        ):
            out[(kind, rid)] = (classification, case_id)
    return out
