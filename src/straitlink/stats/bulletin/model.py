"""A bulletin's content, language-neutral: every figure from the statistics service, every fact from records.

Renderers only word and lay out what is here; nothing they print is computed or typed by them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from straitlink.domain.cases import AgencyRole
from straitlink.domain.meetings import Meeting
from straitlink.stats.listing import (
    CaseDigest,
    IntelDigest,
    case_digests,
    intel_digests,
    meeting_digests,
    synthetic_records,
)
from straitlink.stats.model import AGREEMENT_IN_FORCE, Period, Statistics
from straitlink.stats.queries import Scope
from straitlink.stats.reconcile import Reconciliation, reconcile
from straitlink.stats.service import compute_statistics
from straitlink.store.uow import UnitOfWork

D = TypeVar("D", CaseDigest, IntelDigest)
# More cases than this and the bulletin lists the largest seizures, saying how many it leaves out.
MAX_CASES = 25


@dataclass(frozen=True)
class Bulletin:
    period: Period
    headline: Statistics  # since the Agreement took effect, to the period's end
    current: Statistics  # the period itself
    yearly: Statistics  # since the Agreement, by year: the charts' data
    cases: tuple[CaseDigest, ...]  # significant cases, in date order
    cases_left_out: int
    intel: tuple[IntelDigest, ...]
    meetings: tuple[Meeting, ...]
    reconciliation: Reconciliation  # published figures whose period ends in the bulletin's period
    exclude_synthetic: bool
    synthetic_records: int  # synthetic requests, cases and seizures behind the period's figures
    withheld: int = 0  # cases, hand-overs and meetings whose marking keeps their details out of a public bulletin


def build_bulletin(uow: UnitOfWork, *, start: date, end: date, exclude_synthetic: bool = False) -> Bulletin:
    """Everything a bulletin for start..end shows, computed in one unit of work."""
    period = Period(start, end)
    scope = Scope(start, end, exclude_synthetic)
    since = min(AGREEMENT_IN_FORCE, start)
    headline = compute_statistics(uow, start=since, end=end, exclude_synthetic=exclude_synthetic)
    current = compute_statistics(uow, start=start, end=end, exclude_synthetic=exclude_synthetic)
    yearly = compute_statistics(uow, start=since, end=end, by="year", exclude_synthetic=exclude_synthetic)
    # A case the other side worked from our intel, with no prosecutor of its own directing it, is told
    # under the hand-over that led to it, as the Ministry's bulletins do.
    told = [c for c in case_digests(uow, scope) if not (c.led_by_intel and not c.agencies_in(AgencyRole.DIRECTING))]
    # A bulletin is for the public: it tells in detail only what is marked publishable; the figures stay whole.
    every_intel, every_meeting = intel_digests(uow, scope), meeting_digests(uow, scope)
    cases = [_public(c) for c in told if c.publishable]
    intel = [_public(i) for i in every_intel if i.publishable]
    meetings = [m for m in every_meeting if m.marking.publishable]
    withheld = len(told) + len(every_intel) + len(every_meeting) - len(cases) - len(intel) - len(meetings)
    left_out = 0
    if len(cases) > MAX_CASES:
        largest = sorted(cases, key=_weight, reverse=True)[:MAX_CASES]
        left_out = len(cases) - MAX_CASES
        cases = [c for c in cases if c in largest]
    return Bulletin(
        period=period,
        headline=headline,
        current=current,
        yearly=yearly,
        cases=tuple(cases),
        cases_left_out=left_out,
        intel=tuple(intel),
        meetings=tuple(meetings),
        reconciliation=reconcile(uow, start=start, end=end, exclude_synthetic=exclude_synthetic),
        exclude_synthetic=exclude_synthetic,
        synthetic_records=synthetic_records(uow, scope),
        withheld=withheld,
    )


def _public(digest: D) -> D:
    """The digest with only the seizures a public bulletin may tell."""
    return dataclasses.replace(digest, seizures=tuple(s for s in digest.seizures if s.publishable))


def _weight(case: CaseDigest) -> tuple[int, str]:
    """Sort key: the case's seized mass in grams (the one mass per seizure the totals count)."""
    grams = sum(int(s.mass.to("g").value) for s in case.seizures if s.mass is not None)
    return grams, case.id
