"""Searching every record kind at once, as a principal: what it may not see is never found, not even counted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from straitlink.domain.access import Principal
from straitlink.domain.errors import InvalidValue
from straitlink.domain.marking import Classification
from straitlink.services.access import log_read, use_case
from straitlink.services.kinds import KINDS, kind_named
from straitlink.store import search
from straitlink.store.search_snippet import snippet
from straitlink.store.search_terms import MAX_QUERY_CHARS as MAX_QUERY_CHARS  # the limit, for the CLI to check
from straitlink.store.search_terms import query_clauses
from straitlink.store.uow import UnitOfWork

MAX_PAGE = 100


@dataclass(frozen=True)
class SearchHit:
    """One record found: its kind, label, a snippet with the matched parts, and where to read it."""

    kind: str
    id: str
    label: str
    snippet: str
    highlights: tuple[tuple[int, int], ...]
    classification: str
    case: str | None

    def segments(self) -> list[tuple[str, bool]]:
        """The snippet as (text, matched) pieces, for a page to mark the matched ones."""
        out: list[tuple[str, bool]] = []
        at = 0
        for start, end in self.highlights:
            if start > at:
                out.append((self.snippet[at:start], False))
            out.append((self.snippet[start:end], True))
            at = end
        if at < len(self.snippet):
            out.append((self.snippet[at:], False))
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": kind_named(self.kind).plural,
            "id": self.id,
            "label": self.label,
            "snippet": self.snippet,
            "highlights": [list(h) for h in self.highlights],
            "classification": self.classification,
            "case": self.case,
        }


@dataclass(frozen=True)
class SearchResult:
    query: str
    total: int
    offset: int
    hits: list[SearchHit] = field(default_factory=list)
    more: bool = False  # more matches than `total` (the count stops at search.COUNT_CAP)

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "total": self.total,
            "more": self.more,
            "offset": self.offset,
            "items": [h.to_json() for h in self.hits],
        }


def _kinds(kinds: Sequence[str] | None) -> list[str]:
    if not kinds:
        return [k.name for k in KINDS]
    return list(dict.fromkeys(kind_named(k).name for k in kinds))


@dataclass(frozen=True)
class _Seen:
    """A hit as the access log reads it: its id and its classification."""

    id: str
    marking: Any


@dataclass(frozen=True)
class _Marking:
    classification: Classification


@use_case("records.search")
def search_records(
    engine: Engine,
    query: str,
    *,
    principal: Principal,
    kinds: Sequence[str] | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchResult:
    """The records matching `query` (names, places, drugs, agencies, reference numbers, free text, in either script
    and either side's terms) that the principal may see, best first, one page at a time."""
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidValue("q", query[:40] + "…", f"at most {MAX_QUERY_CHARS} characters")
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidValue("limit", limit, f"between 1 and {MAX_PAGE}")
    if offset < 0:
        raise InvalidValue("offset", offset, "0 or more")
    wanted = _kinds(kinds)
    clauses = query_clauses(query)
    with UnitOfWork(engine) as uow:
        found, total, more = search.find(uow.connection, principal, clauses, wanted, limit, offset)
    hits = []
    for h in found:
        text, spans = snippet(h.body, clauses)
        hits.append(SearchHit(h.kind, h.record_id, h.label, text, spans, h.classification, h.case_id))
    for kind in {h.kind for h in hits}:
        seen = [_Seen(h.id, _Marking(Classification(h.classification))) for h in hits if h.kind == kind]
        log_read(engine, principal, kind, seen)
    return SearchResult(query, total, offset, hits, more)
