"""Reconciliation of published figures with the hand-built world, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine
from test_stats_world import build_world, figure

from straitlink.domain.quantity import Qualifier, Unit
from straitlink.stats.reconcile import Reconciliation, Verdict, reconcile
from straitlink.store.uow import UnitOfWork

pytestmark = pytest.mark.pg

AT_LEAST = Qualifier.AT_LEAST
Y2013 = {"start": "2013-01-01", "end": "2013-12-31"}
FIGURES = [
    figure("requests", "requests.total", "5", Unit.CASE, direction="both", **Y2013),
    # 「900餘公斤」: at least 900, below 1,000; computed: at least 962 (C1 is 「231餘」).
    figure(
        "weight", "seizures.total_weight_kg", "900", Unit.KG, qualifier=Qualifier.AT_LEAST, direction="both", **Y2013
    ),
    figure("suspects", "suspects.total", "20", Unit.PERSON, direction="both", **Y2013),
    figure("served", "requests.total.document_service", "1", Unit.CASE, direction="tw_to_cn", **Y2013),
    figure("done", "requests.completed.document_service", "0", Unit.CASE, direction="cn_to_tw", **Y2013),
    figure("undirected", "requests.total", "5", Unit.CASE, **Y2013),
    figure("groups", "fraud.groups", "130", Unit.ITEM, qualifier=Qualifier.AT_LEAST, direction="both", **Y2013),
    figure("later", "requests.total", "9", Unit.CASE, direction="both", start="2013-01-01", end="2015-12-31"),
    figure("kinmen", "requests.total", "539", Unit.CASE, direction="both", start="1990-09-12", end="2004-12-16"),
    # Two sources on the same period that cannot both hold.
    figure("cases-a", "cases.joint_drug", "4", Unit.CASE, direction="both", **Y2013),
    figure("cases-b", "cases.joint_drug", "6", Unit.CASE, direction="both", source="doc-other", **Y2013),
    # A running total that falls.
    figure("rep-a", "repatriations.persons", "68", Unit.PERSON, direction="cn_to_tw", end="2010-08-31"),
    figure("rep-b", "repatriations.persons", "63", Unit.PERSON, direction="cn_to_tw", end="2010-10-26"),
    # 「231餘萬人次」 on the day of C1 (「231餘公斤」 of ketamine at 0.1 g a dose).
    figure(
        "doses",
        "seizures.doses_estimate",
        "2310000",
        Unit.DOSE,
        qualifier=Qualifier.AT_LEAST,
        start="2013-12-20",
        end="2013-12-20",
    ),
    # Published in tonnes: 0.2 t is B1's 200 kg net.
    figure("tonnes", "seizures.by_drug.heroin.weight_kg", "0.2", Unit.T, direction="both", **Y2013),
]


@pytest.fixture
def reconciled(engine: Engine) -> Reconciliation:
    build_world(engine, FIGURES)
    with UnitOfWork(engine) as uow:
        return reconcile(uow)


def _row(result: Reconciliation, figure_id: str):  # type: ignore[no-untyped-def]
    return next(r for r in result.rows if r.figure.id == figure_id)


def test_every_published_figure_gets_a_verdict(reconciled: Reconciliation) -> None:
    verdicts = {r.figure.id: r.verdict for r in reconciled.rows}
    assert verdicts == {
        "requests": Verdict.MATCH,
        "weight": Verdict.WITHIN_QUALIFIER,
        "suspects": Verdict.DISCREPANCY,
        "served": Verdict.MATCH,
        "done": Verdict.MATCH,
        "undirected": Verdict.NOT_COMPUTABLE,
        "groups": Verdict.NOT_COMPUTABLE,
        "later": Verdict.NOT_COMPUTABLE,
        "kinmen": Verdict.NOT_COMPUTABLE,
        "cases-a": Verdict.MATCH,
        "cases-b": Verdict.DISCREPANCY,
        "rep-a": Verdict.NOT_COMPUTABLE,
        "rep-b": Verdict.NOT_COMPUTABLE,
        "doses": Verdict.MATCH,
        "tonnes": Verdict.MATCH,
    }
    assert reconciled.counts() == {"match": 6, "within_qualifier": 1, "discrepancy": 2, "not_computable": 6}


def test_not_computable_says_why(reconciled: Reconciliation) -> None:
    reasons = {r.figure.id: r.code for r in reconciled.rows if r.verdict is Verdict.NOT_COMPUTABLE}
    assert reasons == {
        "undirected": "direction_unstated",
        "groups": "metric_not_held",
        "later": "period_not_held",  # requests are held up to 2013-12
        "kinmen": "period_not_held",  # before the Agreement
        "rep-a": "metric_not_held",
        "rep-b": "metric_not_held",
    }
    assert "2013-12-31" in _row(reconciled, "later").reason


def test_a_discrepancy_gives_the_difference_and_the_records_behind_it(reconciled: Reconciliation) -> None:
    row = _row(reconciled, "suspects")
    assert row.computed is not None and row.computed.value == 3 + 2 + 4 + 2
    assert row.difference == Decimal(11 - 20)
    assert row.records is not None and len(row.records["person"]) == 11
    assert row.record_counts == {"person": 11}
    assert "A-suspect-0" in row.records["person"]


def test_the_qualifier_carries_into_the_verdict(reconciled: Reconciliation) -> None:
    row = _row(reconciled, "weight")
    assert row.computed is not None
    assert (row.computed.value, row.computed.qualifier) == (Decimal(962), Qualifier.AT_LEAST)
    assert "900…<1000" in row.reason


def test_contradicting_figures_are_shown_side_by_side_with_their_sources(reconciled: Reconciliation) -> None:
    found = {c.code: c for c in reconciled.contradictions}
    assert set(found) == {"same_period", "falls"}
    same = found["same_period"]
    assert [f.id for f in same.figures] == ["cases-a", "cases-b"]
    assert [s["id"] for s in same.sources] == ["doc-world", "doc-other"]
    assert [f.value for f in found["falls"].figures] == [68, 63]


def test_only_figures_ending_in_the_period(engine: Engine) -> None:
    build_world(engine, FIGURES)
    with UnitOfWork(engine) as uow:
        result = reconcile(uow, start=date(2013, 1, 1), end=date(2013, 12, 31))
    assert {r.figure.id for r in result.rows} == {
        "requests", "weight", "suspects", "served", "done", "undirected", "groups", "cases-a", "cases-b", "doses",
        "tonnes",
    }  # fmt: skip
    assert [c.code for c in result.contradictions] == ["same_period"]
