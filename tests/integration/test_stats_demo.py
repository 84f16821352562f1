"""The acceptance figures on the demo data: loaded once into a fresh SQLite database for this module.

These numbers are the seed bulletin's; they are typed here, in the test, and nowhere in src/.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from straitlink.demo.load import load_demo
from straitlink.demo.seed import build_seed
from straitlink.services.setup import init_database
from straitlink.stats.reconcile import Verdict, reconcile
from straitlink.stats.service import compute_statistics
from straitlink.store import mapping
from straitlink.store.db import make_engine
from straitlink.store.uow import UnitOfWork

SINCE, CUT_OFF = date(2009, 6, 25), date(2013, 11, 30)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}")
    init_database(engine)
    load_demo(engine)
    yield engine
    engine.dispose()


def test_headline_figures_since_the_agreement(demo: Engine) -> None:
    with UnitOfWork(demo) as uow:
        s = compute_statistics(uow, start=SINCE, end=CUT_OFF)
    assert s.requests.both.total == 45_426
    assert s.cases.joint_drug == 39
    assert s.suspects.total == 234
    assert s.seizures.total_weight_kg.value >= 3_000
    # Every request is counted in exactly one direction.
    assert s.requests.directions["tw_to_cn"].total + s.requests.directions["cn_to_tw"].total == 45_426


def test_intel_from_the_coast_guard_in_2013(demo: Engine) -> None:
    """「海巡署…提供陸方情資」: 123 + 241 + 260 kg of ketamine, 20 kg of ephedrine, 4 + 5 + 4 suspects."""
    with UnitOfWork(demo) as uow:
        s = compute_statistics(uow, start=date(2013, 1, 1), end=date(2013, 12, 31))
    coast = s.intel.by_provider["coast-guard"]
    assert coast.weight_by_drug["ketamine"].value == 123 + 241 + 260
    assert coast.weight_by_drug["ephedrine"].value == 20
    assert coast.suspects == 4 + 5 + 4


def test_reconcile_matches_the_seed_headlines_and_judges_every_figure(demo: Engine) -> None:
    # Every figure the seed states, less the dose estimate and its background (the Golden Triangle's poppy fields),
    # which no statistic holds.
    headline = {
        f.id: f for f in build_seed().figures if f.metric != "seizures.doses_estimate" and "background" not in f.metric
    }
    with UnitOfWork(demo) as uow:
        result = reconcile(uow)
        stored = uow.repo(mapping.FIGURES).count()
    rows = {r.figure.id: r for r in result.rows}
    assert len(rows) == stored  # every published figure is listed
    assert all(r.verdict in Verdict and r.reason for r in result.rows)
    for figure_id, f in headline.items():
        row = rows[figure_id]
        if f.qualifier.value == "exact":
            assert row.verdict is Verdict.MATCH, (f.metric, row.reason)
        else:  # 「3,000餘公斤」 beside the computed weight
            assert row.verdict in (Verdict.MATCH, Verdict.WITHIN_QUALIFIER), (f.metric, row.reason)
            assert row.computed is not None and row.computed.value >= f.value
    # The two sides' counts of fugitives returned (68 by 2010-08-31, 63 by 2010-10-26) contradict each other.
    falls = [c for c in result.contradictions if c.code == "falls"]
    assert any([f.value for f in c.figures] == [Decimal(68), Decimal(63)] for c in falls)
