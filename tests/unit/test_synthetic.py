"""The synthetic generator: deterministic, and honouring hand-made figures (not the demo's)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest

from straitlink.demo.allocate import Infeasible, Interval, apportion, nest
from straitlink.demo.synthetic import SyntheticHistory, generate
from straitlink.demo.synthetic_drugs import at_least_ceiling, seizure_mass_kg
from straitlink.domain.cases import Case, CaseKind, Person, PersonRole
from straitlink.domain.dates import PartialDate
from straitlink.domain.figures import PublishedFigure
from straitlink.domain.provenance import Provenance
from straitlink.domain.quantity import Qualifier, Quantity, Unit
from straitlink.domain.records import Record
from straitlink.domain.requests import RequestStatus
from straitlink.domain.seizures import Seizure

PRIMARY, OTHER = "doc-primary", "doc-other"
START, END = date(2010, 1, 1), date(2011, 12, 31)
FLOOR_DAY = date(2011, 3, 31)
USER = Provenance.by_user("test")


def figure(
    key: str,
    metric: str,
    value: int,
    start: date,
    end: date,
    *,
    unit: Unit = Unit.CASE,
    qualifier: Qualifier = Qualifier.EXACT,
    direction: str | None = "both",
    source: str = OTHER,
) -> PublishedFigure:
    return PublishedFigure(
        id=f"fig-{key}",
        provenance=USER,
        metric=metric,
        label=key,
        value=Decimal(value),
        unit=unit,
        qualifier=qualifier,
        period_start=start,
        period_end=end,
        direction=direction,
        source=source,
    )


FIGURES = [
    figure("total", "requests.total", 100, START, END, source=PRIMARY),
    figure("cases", "cases.joint_drug", 3, START, END, source=PRIMARY),
    figure("suspects", "suspects.total", 10, START, END, unit=Unit.PERSON, source=PRIMARY),
    figure(
        "weight",
        "seizures.total_weight_kg",
        100,
        START,
        END,
        unit=Unit.KG,
        qualifier=Qualifier.AT_LEAST,
        source=PRIMARY,
    ),
    figure("year-2010", "requests.total", 40, START, date(2010, 12, 31)),
    figure("to-2011-06", "requests.total", 70, START, date(2011, 6, 30)),
    # Half in 2010, half in 2011: it cuts across the yearly figure, so it cannot be honoured with it.
    figure("clash", "requests.total", 10, date(2010, 7, 1), date(2011, 6, 30)),
    figure("later", "requests.total", 500, START, date(2012, 12, 31)),
    figure("doc-tw", "requests.completed.document_service", 20, START, date(2010, 12, 31), direction="tw_to_cn"),
    figure("doc-cn", "requests.completed.document_service", 5, START, date(2010, 12, 31), direction="cn_to_tw"),
    figure("floor", "seizures.total_weight_kg", 50, START, FLOOR_DAY, unit=Unit.KG, qualifier=Qualifier.AT_LEAST),
]


def seed_records() -> list[Record]:
    day = PartialDate(2011, 6, 1)
    case = Case(id="seed-case", provenance=USER, title="seed", kind=CaseKind.DRUGS, joint=True, opened_on=day)
    # Neither of these counts: one is not joint, the other lies outside the period.
    alone = Case(id="alone", provenance=USER, title="alone", kind=CaseKind.DRUGS, joint=False, opened_on=day)
    late = Case(
        id="late", provenance=USER, title="late", kind=CaseKind.DRUGS, joint=True, opened_on=PartialDate(2012, 2, 1)
    )
    persons = [Person(id=f"seed-p{n}", provenance=USER, case=case.id, role=PersonRole.SUSPECT) for n in (1, 2)]
    seizure = Seizure(
        id="seed-s", provenance=USER, drug="heroin", quantities=[Quantity.parse("30 kg")], date=day, case=case.id
    )
    late_seizure = Seizure(
        id="late-s",
        provenance=USER,
        drug="heroin",
        quantities=[Quantity.parse("900 kg")],
        date=late.opened_on,
        case=late.id,
    )
    return [case, alone, late, *persons, seizure, late_seizure]


def make(seed: int = 7) -> SyntheticHistory:
    return generate(FIGURES, primary_source=PRIMARY, seed_records=seed_records(), seed=seed)


@pytest.fixture(scope="module")
def history() -> SyntheticHistory:
    return make()


def test_same_seed_same_records_and_another_seed_others() -> None:
    first, again, other = make(), make(), make(seed=8)
    assert first.records() == again.records()
    assert first.uses == again.uses
    assert [r.filed_on for r in first.requests] != [r.filed_on for r in other.requests]


def test_request_counts_meet_every_honoured_period(history: SyntheticHistory) -> None:
    filed = [r.filed_on for r in history.requests]
    assert len(filed) == 100 and all(START <= d <= END for d in filed)
    assert sum(d.year == 2010 for d in filed) == 40
    assert sum(d <= date(2011, 6, 30) for d in filed) == 70
    honoured = {u.figure for u in history.honoured}
    assert {"fig-total", "fig-year-2010", "fig-to-2011-06"} <= honoured
    refused = {u.figure: u.how for u in history.not_honoured}
    assert "overlaps" in refused["fig-clash"]
    assert "not inside the history" in refused["fig-later"]


def test_completed_by_type_table_is_met_exactly(history: SyntheticHistory) -> None:
    table_end = date(2010, 12, 31)
    done = Counter(
        r.direction.value
        for r in history.requests
        if r.status is RequestStatus.COMPLETED and r.filed_on <= table_end and r.closed_on and r.closed_on <= table_end
    )
    assert done == {"tw_to_cn": 20, "cn_to_tw": 5}
    assert {r.type.value for r in history.requests} == {"document_service"}
    assert {"fig-doc-tw", "fig-doc-cn"} <= {u.figure for u in history.honoured}


def test_request_dates_follow_the_workflow(history: SyntheticHistory) -> None:
    for r in history.requests:
        steps = [d for d in (r.filed_on, r.sent_on, r.received_on, r.closed_on) if d is not None]
        assert steps == sorted(steps)
        assert (r.closed_on is None) == r.status.is_open
        assert r.closed_on is None or r.closed_on <= END
        assert r.provenance.generator == "straitlink-demo-synthetic/v1"
    assert any(r.status.is_open for r in history.requests)  # the latest ones are still being worked on


def test_cases_and_suspects_complete_the_seed(history: SyntheticHistory) -> None:
    drugs = history.drugs
    assert len(drugs.cases) == 2  # 3 published, 1 from the seed in the period
    assert all(c.kind is CaseKind.DRUGS and c.joint for c in drugs.cases)
    assert len(drugs.persons) == 8  # 10 published, 2 from the seed
    assert {p.case for p in drugs.persons} <= {c.id for c in drugs.cases}
    assert {s.case for s in drugs.seizures} == {c.id for c in drugs.cases}


def test_weight_within_the_at_least_reading_and_above_the_floor(history: SyntheticHistory) -> None:
    synthetic = sum(seizure_mass_kg(s) for s in history.drugs.seizures)
    assert 100 <= synthetic + 30 < 110
    early = sum(seizure_mass_kg(s) for s in history.drugs.seizures if s.date and s.date.latest() <= FLOOR_DAY)
    assert early >= 50
    assert {"fig-weight", "fig-floor"} <= {u.figure for u in history.honoured}


def test_at_least_ceiling_reads_the_digit_after_the_last_stated() -> None:
    assert at_least_ceiling(3000) == 3100
    assert at_least_ceiling(100) == 110
    assert at_least_ceiling(1720) == 1721
    assert at_least_ceiling(7) == 8


def test_apportion_is_exact_and_proportional() -> None:
    assert apportion(10, [1, 1, 1]) == [4, 3, 3]
    assert sum(apportion(45426, [5, 182, 385, 646, 861, 13702])) == 45426
    assert apportion(5, [0, 0]) == [0, 0]


def test_nest_refuses_partial_overlaps_and_oversized_children() -> None:
    root = Interval(START, END, 100, "root")
    nest(root, [Interval(START, date(2010, 12, 31), 40, "a")])
    with pytest.raises(Infeasible):
        nest(root, [Interval(START, date(2010, 12, 31), 40, "a"), Interval(date(2010, 6, 1), END, 5, "b")])
    with pytest.raises(Infeasible):
        nest(root, [Interval(START, date(2010, 12, 31), 140, "a")])
    with pytest.raises(Infeasible):
        nest(root, [Interval(START, date(2010, 12, 31), 40, "a"), Interval(date(2011, 1, 1), END, 50, "b")])
