"""The statistics' processing days are the workflow's processing times, on SQLite and PostgreSQL.

One definition (services/processing_times.py): received → completed days of the requests filed in the period and
completed by its end, by the request's date columns, which win over its recorded steps. The statistics read the
days rollup for whole months, processing_times() the raw rows per type; both must give the same histograms.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from principals import officer
from sqlalchemy import Engine, func, insert, select, text
from test_stats_rollups import PERIODS, TODAY, random_world
from test_stats_world import build_world

from straitlink.domain.parties import Party
from straitlink.domain.reference import RequestType
from straitlink.domain.requests import Direction, RequestStatus
from straitlink.domain.workflow import Acting, Role
from straitlink.services import requests as svc
from straitlink.services.calendars import calendars, load_rules
from straitlink.services.documents import FileStore
from straitlink.services.processing_times import (
    DaysSummary,
    ProcessingStep,
    completed_conditions,
    merge,
    processing_histograms,
    processing_times,
    summarise,
)
from straitlink.services.setup import init_database
from straitlink.stats.model import ProcessingDays
from straitlink.stats.service import compute_statistics
from straitlink.store import periods
from straitlink.store import tables as t
from straitlink.store.db import make_engine
from straitlink.store.dialect import days_between
from straitlink.store.periods import Scope
from straitlink.store.uow import UnitOfWork

pytestmark = pytest.mark.pg

S = RequestStatus
COMPLETED = ProcessingStep.RECEIVED_TO_COMPLETED
ASSIGNED = ProcessingStep.RECEIVED_TO_ASSIGNED
YEAR_2024 = (date(2024, 1, 1), date(2024, 12, 31))
CONTENTS = {"requesting_agency": "moj", "purpose": "p", "matters": "m", "case_summary": "c", "execution_needs": "e"}


def _through_the_workflow(engine: Engine, desk: svc.Desk, filed: str, steps: list[tuple[S, date]]) -> str:
    """A Taiwanese notification filed on `filed` and taken through `steps` (target, date) by the right sides."""
    with UnitOfWork(engine):
        fields = {"type": "notification", "subject": "通報", "filed_on": filed, **CONTENTS}
        r = svc.file_request(desk, fields, principal=officer("o"), acting=Acting(Party.TW, Role.REQUESTING_SIDE))
    acting = {
        S.SENT: Acting(Party.TW, Role.CONTACT_POINT),
        S.RECEIVED: Acting(Party.CN, Role.CONTACT_POINT),
        S.ASSIGNED: Acting(Party.CN, Role.CONTACT_POINT),
        S.IN_EXECUTION: Acting(Party.CN, Role.EXECUTING_AGENCY, "spc"),
        S.COMPLETED: Acting(Party.CN, Role.EXECUTING_AGENCY, "spc"),
    }
    for target, on in steps:
        with UnitOfWork(engine):
            if target is S.ASSIGNED:
                svc.assign_request(
                    desk, r.id, "spc", svc.StepInput(on=on), principal=officer("o"), acting=acting[target]
                )
                continue
            step = svc.StepInput(on=on, text="done" if target is S.COMPLETED else None)
            svc.transition_request(desk, r.id, target, step, principal=officer("o"), acting=acting[target])
    return r.id


def _requests_of_2024(engine: Engine, desk: svc.Desk) -> None:
    """Alone in 2024: two requests completed through the workflow, one assigned after the year, one closed early."""
    d = date
    # Received 4 March, assigned 7 days later, completed 30 days after receipt.
    _through_the_workflow(engine, desk, "2024-03-01", [(S.SENT, d(2024, 3, 2)), (S.RECEIVED, d(2024, 3, 4)),
                          (S.ASSIGNED, d(2024, 3, 11)), (S.IN_EXECUTION, d(2024, 3, 12)),
                          (S.COMPLETED, d(2024, 4, 3))])  # fmt: skip
    # Its steps say received 8 March, assigned 18 March, completed 10 May; its columns, changed behind the
    # workflow's back, say received 10 March and completed 20 May. The columns win: 8 and 71 days.
    moved = _through_the_workflow(engine, desk, "2024-03-05", [(S.SENT, d(2024, 3, 6)), (S.RECEIVED, d(2024, 3, 8)),
                                  (S.ASSIGNED, d(2024, 3, 18)), (S.IN_EXECUTION, d(2024, 3, 19)),
                                  (S.COMPLETED, d(2024, 5, 10))])  # fmt: skip
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE assistance_request SET received_on = :got, closed_on = :shut WHERE id = :id"),
            {"got": d(2024, 3, 10), "shut": d(2024, 5, 20), "id": moved},
        )
    # Received 27 December, assigned 3 January: not yet assigned at the end of 2024.
    _through_the_workflow(engine, desk, "2024-12-20", [(S.SENT, d(2024, 12, 23)), (S.RECEIVED, d(2024, 12, 27)),
                          (S.ASSIGNED, d(2025, 1, 3))])  # fmt: skip
    # Closed before it was received (a data error): no processing time on either path.
    with UnitOfWork(engine) as uow:
        uow.session.execute(insert(t.AssistanceRequestRow), [{
            "id": "negative", "version": 1, "prov_kind": "user", "prov_user": "t", "requesting_party": "TW",
            "type": "notification", "subject": "s", "status": "completed", "urgency": "normal",
            "filed_on": d(2024, 6, 1), "received_on": d(2024, 6, 20), "closed_on": d(2024, 6, 10)}])  # fmt: skip
        uow.commit()


@pytest.fixture(scope="module")
def world(module_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The random and the hand-built worlds around 2013, and the requests of 2024 (only read)."""
    engine = make_engine(module_db_url)
    init_database(engine)
    random_world(engine, size=2)
    build_world(engine)
    desk = svc.Desk(
        engine, Party.TW, FileStore(tmp_path_factory.mktemp("files")), load_rules(), calendars(), today=lambda: TODAY
    )
    _requests_of_2024(engine, desk)
    yield engine
    engine.dispose()


def _summary(days: ProcessingDays) -> DaysSummary:
    return DaysSummary(days.count, days.median, days.p90)


@pytest.mark.parametrize(("start", "end"), [*PERIODS, YEAR_2024, (date(2024, 3, 5), date(2025, 6, 30))])
@pytest.mark.parametrize("exclude_synthetic", [False, True])
def test_the_statistics_are_processing_times_summed_over_types(
    world: Engine, start: date, end: date, exclude_synthetic: bool
) -> None:
    scope = Scope(start, end, exclude_synthetic)
    with UnitOfWork(world) as uow:
        requests = compute_statistics(uow, start=start, end=end, exclude_synthetic=exclude_synthetic).requests
        rows = processing_times(uow, start=start, end=end, exclude_synthetic=exclude_synthetic)
        per_type = processing_histograms(uow, scope, steps=(COMPLETED,))
        all_types = processing_histograms(uow, scope, by_type=False, steps=(COMPLETED,))
    for direction in Direction:
        stated = requests.directions[direction.value].processing_days
        counted = [row for row in rows if row.step is COMPLETED and row.direction is direction]
        assert sum(row.count for row in counted) == stated.count
        # Medians of types cannot be added up; their histograms can.
        merged = merge(h for (kind, way, _), h in per_type.items() if way is direction)
        assert summarise(merged) == _summary(stated)
        # The rollup's whole months (all types) hold exactly what the raw rows per type hold.
        assert all_types.get((None, direction, COMPLETED), {}) == merged
    assert summarise(merge(per_type.values())) == _summary(requests.both.processing_days)


def test_the_rollup_path_is_a_raw_scan(world: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    scopes = [Scope(start, end, x) for start, end in PERIODS for x in (False, True)]

    def histograms() -> list[dict[Any, Any]]:
        with UnitOfWork(world) as uow:
            return [processing_histograms(uow, s, by_type=False) for s in scopes]

    with_rollups = histograms()
    monkeypatch.setattr(periods, "split_period", lambda scope: periods.Split(scope, None, None, ((scope, 1),)))
    assert histograms() == with_rollups


def test_the_date_columns_win_over_the_recorded_steps(world: Engine) -> None:
    with UnitOfWork(world) as uow:
        rows = {row.step: row for row in processing_times(uow, start=YEAR_2024[0], end=YEAR_2024[1])}
        found = processing_histograms(uow, Scope(*YEAR_2024))
        later = processing_histograms(uow, Scope(YEAR_2024[0], date(2025, 6, 30)))
        stats = compute_statistics(uow, start=YEAR_2024[0], end=YEAR_2024[1]).requests.both.processing_days
    key = (RequestType.NOTIFICATION, Direction.TW_TO_CN)
    # 7 and 8 days to assignment (the columns' receipt, 10 March, not the step's 8 March); the third request was
    # assigned only in 2025. 30 and 71 days to completion; the request closed before receipt has none.
    assert found == {(*key, ASSIGNED): {7: 1, 8: 1}, (*key, COMPLETED): {30: 1, 71: 1}}
    assert later[(*key, ASSIGNED)] == {7: 2, 8: 1}
    assert (rows[ASSIGNED].count, rows[ASSIGNED].median_days) == (2, Decimal("7.5"))
    assert (rows[COMPLETED].count, rows[COMPLETED].median_days, rows[COMPLETED].p90_days) == (
        2,
        Decimal("50.5"),
        Decimal("66.9"),
    )
    assert (stats.count, stats.median, stats.p90) == (2, Decimal("50.5"), Decimal("66.9"))


def test_open_ends_leave_the_period_open(world: Engine) -> None:
    with UnitOfWork(world) as uow:
        everything = processing_times(uow, start=None, end=None)
        since_2024 = processing_times(uow, start=YEAR_2024[0], end=None)
        until_2013 = processing_times(uow, start=None, end=date(2013, 12, 31))
        stats = compute_statistics(uow, start=date(1990, 1, 1), end=date(2013, 12, 31)).requests.both
    assert {(row.step, row.count) for row in since_2024} == {(ASSIGNED, 3), (COMPLETED, 2)}
    assert sum(row.count for row in everything if row.step is COMPLETED) > 2
    assert sum(row.count for row in until_2013 if row.step is COMPLETED) == stats.processing_days.count


def test_the_percentiles_interpolate_as_percentile_cont(world: Engine) -> None:
    """Against Python's inclusive quantiles over the raw days and, on PostgreSQL, its own percentile_cont."""
    R = t.AssistanceRequestRow
    days = days_between(R.received_on, R.closed_on)
    for start, end in PERIODS:
        scope = Scope(start, end)
        with UnitOfWork(world) as uow:
            values = sorted(
                uow.session.scalars(select(days).where(scope.dated(R.filed_on), *completed_conditions(scope)))
            )
            ours = compute_statistics(uow, start=start, end=end).requests.both.processing_days
            if world.dialect.name == "postgresql":
                stmt = select(
                    func.percentile_cont(0.5).within_group(days), func.percentile_cont(0.9).within_group(days)
                ).where(scope.dated(R.filed_on), *completed_conditions(scope))
                assert (float(ours.median or 0), float(ours.p90 or 0)) == pytest.approx(
                    tuple(v or 0 for v in uow.session.execute(stmt).one())
                )
        assert ours.count == len(values)
        if len(values) >= 2:
            deciles = statistics.quantiles(values, n=10, method="inclusive")
            assert (float(ours.median or 0), float(ours.p90 or 0)) == pytest.approx((deciles[4], deciles[8]))
