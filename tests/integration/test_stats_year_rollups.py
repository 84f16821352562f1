"""The per-year rollups (migration 0015), on SQLite and PostgreSQL.

They are kept by triggers on the monthly rollups, which the raw tables' triggers keep: after any mix of inserts,
updates and deletes of requests and seizures they equal a recount of the raw rows (`verify_rollups` recounts
them too), and the statistics of periods with whole years — read from them, less the requests closed after the
period's end month — are exactly those of a raw scan.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, case, delete, func, select, update
from test_stats_rollups import assert_rollups_match, random_world

from straitlink.catalog.loader import load_catalog
from straitlink.services.setup import sync_catalog
from straitlink.stats.service import compute_statistics
from straitlink.store import migrate, periods
from straitlink.store import tables as t
from straitlink.store import tables_stats as ts
from straitlink.store.uow import UnitOfWork

pytestmark = pytest.mark.pg

R = t.AssistanceRequestRow
STATUSES = ("completed", "completed", "refused", "unable", "withdrawn", "in_execution", "assigned", "filed")


def _statistics(engine: Engine, start: date, end: date, **kw: Any) -> dict[str, Any]:
    with UnitOfWork(engine) as uow:
        return compute_statistics(uow, start=start, end=end, **kw).to_json()


def _churn(engine: Engine, rng: random.Random) -> None:
    """Random updates (status, dates, party, type, provenance) and deletes of requests, a statement each.

    A closing never precedes the filing (the table checks it): new closing dates come after every chosen
    request's filing, and a request moved to another filing day keeps a closing (if it had one) after it."""
    with UnitOfWork(engine) as uow:
        filed = dict(uow.session.execute(select(R.id, R.filed_on).order_by(R.id)).tuples().all())
    for _ in range(40):
        chosen = rng.sample(sorted(filed), min(len(filed), rng.randrange(1, 12)))
        latest = max(filed[i] for i in chosen)
        later = latest + timedelta(days=rng.randrange(200))
        day = date(2012, 10, 1) + timedelta(days=rng.randrange(600))
        moved: dict[str, Any] = {"filed_on": day, "received_on": day + timedelta(days=rng.randrange(4))}
        moved["closed_on"] = case((R.closed_on.is_(None), None), else_=day + timedelta(days=rng.randrange(90)))
        values = rng.choice(
            [
                {"status": rng.choice(STATUSES), "closed_on": later},
                {"closed_on": None},
                moved,
                {"requesting_party": rng.choice(("TW", "CN"))},
                rng.choice(({"prov_kind": "synthetic", "prov_user": None}, {"prov_kind": "user", "prov_user": "t"})),
                {"status": "completed", "closed_on": later},
            ]
        )
        kept = rng.random() >= 0.2  # else rolled back: the year rows roll back with the month rows
        with UnitOfWork(engine) as uow:
            if rng.random() < 0.15:
                uow.session.execute(delete(R).where(R.id.in_(chosen)))
                if kept:
                    filed = {i: d for i, d in filed.items() if i not in chosen}
            else:
                uow.session.execute(update(R).where(R.id.in_(chosen)).values(**values))
                if kept and values is moved:
                    filed |= {i: day for i in chosen}
            if kept:
                uow.commit()  # otherwise the unit of work rolls back as it closes


def _churn_seizures(engine: Engine, rng: random.Random) -> None:
    """Random updates of seizures (date, drug, place, case) and their quantities, and deletes of quantities."""
    S, Q = t.SeizureRow, t.SeizureQuantityRow
    with UnitOfWork(engine) as uow:
        ids = list(uow.session.scalars(select(S.id).order_by(S.id)))
        cases = list(uow.session.scalars(select(t.CaseRow.id).order_by(t.CaseRow.id)))
    for _ in range(30):
        chosen = rng.sample(ids, rng.randrange(1, 8))
        day = date(2012, 10, 1) + timedelta(days=rng.randrange(520))
        with UnitOfWork(engine) as uow:
            roll = rng.random()
            if roll < 0.2:
                uow.session.execute(delete(Q).where(Q.seizure.in_(chosen), Q.position == 0))
            elif roll < 0.4:
                values = {"basis": rng.choice(("net", "gross", "unstated")), "value": Decimal(rng.randrange(1, 900))}
                masses = Q.unit.in_(("kg", "g", "t"))  # a basis is a mass's alone
                uow.session.execute(update(Q).where(Q.seizure.in_(chosen), masses).values(**values))
            else:
                values = rng.choice(
                    [
                        {"date_earliest": day, "date_latest": day, "date_precision": "day"},
                        {"drug": rng.choice(("ketamine", "heroin", "cannabis"))},
                        {"place": rng.choice((None, "xiamen", "kaohsiung"))},
                        {"case_id": rng.choice(cases)},
                    ]
                )
                uow.session.execute(update(S).where(S.id.in_(chosen)).values(**values))
            if rng.random() >= 0.2:
                uow.commit()  # otherwise rolled back


def test_year_rollups_equal_a_recount_after_inserts_updates_and_deletes(engine: Engine) -> None:
    random_world(engine, seed=11)
    assert_rollups_match(engine)
    _churn(engine, random.Random(11))
    _churn_seizures(engine, random.Random(11))
    assert_rollups_match(engine)
    with UnitOfWork(engine) as uow:
        monthly = uow.session.execute(select(ts.RequestRollupRow.n)).scalars().all()
        yearly = uow.session.execute(select(ts.RequestYearRollupRow.n)).scalars().all()
        total = uow.session.scalar(select(func.count()).select_from(R))
    assert sum(monthly) == sum(yearly) == total


def test_the_migration_backfills_the_year_rollups(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine, "0014")
    with UnitOfWork(empty_engine) as uow:
        sync_catalog(uow, load_catalog())
        uow.commit()
    random_world(empty_engine, seed=5)
    migrate.upgrade(empty_engine)
    assert_rollups_match(empty_engine)


# Periods holding whole years (the random world spans 2012-10 … 2014-03), with months and days around them.
YEAR_PERIODS = [
    (date(2013, 1, 1), date(2013, 12, 31)),
    (date(2012, 11, 1), date(2014, 2, 28)),
    (date(2012, 10, 17), date(2013, 12, 20)),  # ends mid-month: closings after the 20th leave requests open
    (date(2013, 1, 1), date(2014, 1, 31)),
]


@pytest.mark.parametrize(("start", "end"), YEAR_PERIODS)
def test_figures_of_whole_years_are_those_of_a_raw_scan(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, start: date, end: date
) -> None:
    random_world(engine, seed=3, size=2)
    _churn(engine, random.Random(3))
    _churn_seizures(engine, random.Random(3))
    cases: list[dict[str, Any]] = [{"exclude_synthetic": x} for x in (False, True)]
    cases += [{"by": by} for by in ("year", "type", "direction", "party", "drug", "place", "agency", "month")]
    cases += [{"by": by, "exclude_synthetic": True} for by in ("party", "agency", "place", "drug")]
    assert periods.split_period(periods.Scope(start, end)).by_year()[0] is not None
    with_rollups = [_statistics(engine, start, end, **kw) for kw in cases]
    monkeypatch.setattr(periods, "split_period", lambda scope: periods.Split(scope, None, None, ((scope, 1),)))
    raw = [_statistics(engine, start, end, **kw) for kw in cases]
    for kw, ours, scanned in zip(cases, with_rollups, raw, strict=True):
        assert ours == scanned, kw


def test_a_split_names_its_whole_years_and_the_months_around_them() -> None:
    def split(start: date, end: date) -> Any:
        return periods.split_period(periods.Scope(start, end)).by_year()

    assert split(date(2014, 1, 1), date(2023, 12, 31)) == (("2014", "2023"), [])
    assert split(date(2014, 1, 10), date(2023, 12, 20)) == (("2014", "2023"), [])
    assert split(date(2014, 3, 1), date(2016, 2, 29)) == (
        ("2015", "2015"),
        [("2014-03", "2014-12"), ("2016-01", "2016-02")],
    )
    assert split(date(2014, 3, 1), date(2015, 2, 28)) == (None, [("2014-03", "2015-02")])
