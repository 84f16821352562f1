"""The statistics service on the hand-built world (test_stats_world.py), on SQLite and PostgreSQL.

Each expected figure is worked out here from the world's records, so a wrong definition shows as a wrong sum.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine
from test_stats_world import END, START, build_world

from straitlink.domain.errors import InvalidValue
from straitlink.domain.quantity import Basis, Qualifier
from straitlink.services.setup import init_database
from straitlink.stats.explain import explain_figure, record_counts
from straitlink.stats.queries import Scope
from straitlink.stats.service import compute_statistics
from straitlink.store.db import make_engine
from straitlink.store.uow import UnitOfWork

pytestmark = pytest.mark.pg


@pytest.fixture(scope="module")
def world(module_db_url: str) -> Iterator[Engine]:
    """The world stored once per engine for the whole module (it is only read)."""
    engine = make_engine(module_db_url)
    init_database(engine)
    build_world(engine)
    yield engine
    engine.dispose()


def stats(engine: Engine, **kw: object):  # type: ignore[no-untyped-def]
    with UnitOfWork(engine) as uow:
        return compute_statistics(uow, start=START, end=END, **kw)  # type: ignore[arg-type]


def test_requests_count_by_filing_date_and_completion_by_the_periods_end(world: Engine) -> None:
    r = stats(world).requests
    # r1..r4 and r6 are filed in 2013; r5 on 2012-12-31 is not.
    assert r.both.total == 5
    assert (r.directions["tw_to_cn"].total, r.directions["cn_to_tw"].total) == (2, 3)
    assert r.both.by_type["document_service"] == 2  # r1, r3
    assert r.both.completed == 3  # r1, r2, r4
    # r6 was refused on 2014-01-05: still open at the period's end.
    assert r.both.open == 2
    assert r.both.completion_rate == Decimal("60.00")
    # 10, 4 and 1 days: the median is 4, the 90th percentile 4 + 0.8 × (10 − 4).
    days = r.both.processing_days
    assert (days.count, days.median, days.p90) == (3, Decimal(4), Decimal("8.8"))


def test_requests_completed_after_the_period_end_are_open_in_it(world: Engine) -> None:
    with UnitOfWork(world) as uow:
        early = compute_statistics(uow, start=START, end=date(2013, 1, 20))
    # r1 closed on 2013-01-22, after this period's end.
    assert (early.requests.both.total, early.requests.both.completed, early.requests.both.open) == (1, 0, 1)


def test_no_synthetic_leaves_out_synthetic_records_everywhere(world: Engine) -> None:
    s = stats(world, exclude_synthetic=True)
    assert s.requests.both.total == 4  # r4 is synthetic
    assert s.requests.both.processing_days.median == Decimal(7)  # 4 and 10 days
    assert s.cases.joint_drug == 3  # case G is synthetic
    assert s.suspects.total == 3 + 2 + 4
    assert s.seizures.by_drug["ketamine"].weight_kg.value == 500 + 231 + 1  # no G1


def test_cases_and_suspects_follow_the_shared_definitions(world: Engine) -> None:
    s = stats(world)
    # A, B, C, G are joint drug cases dated in 2013 (C by 102年12月底); D is joint fraud; E, H, J are not joint.
    assert (s.cases.joint_drug, s.cases.joint) == (4, 5)
    assert s.cases.total == 8  # F is dated 2012
    # Suspects of A, B, C, G only: D's fraud suspects, F's (case dated 2012) and the witness do not count.
    assert s.suspects.total == 3 + 2 + 4 + 2
    assert s.suspects.caught_in_act == 1 + 2 + 4


def test_seizure_weights_keep_bases_qualifiers_and_counts_apart(world: Engine) -> None:
    s = stats(world).seizures
    # Counted: A1, A2, B1, C1, F1 (dated 2013 in a joint case dated 2012), G1; not C2 (2014), E1 (not joint).
    assert s.count == 6
    ketamine = s.by_drug["ketamine"]
    unstated = ketamine.by_basis[Basis.UNSTATED]
    # 500 + at least 231 + the range 1–2 + 10,000 g: "at least" wins over the range, which counts by its lower end.
    assert (unstated.value, unstated.qualifier, unstated.upper) == (
        Decimal(500 + 231 + 1 + 10),
        Qualifier.AT_LEAST,
        None,
    )
    heroin = s.by_drug["heroin"]
    assert heroin.by_basis[Basis.GROSS].value == 229
    assert heroin.by_basis[Basis.NET].value == 200
    assert heroin.counts["block"].value == 600
    # One mass per seizure: B1's net weight, not gross + net.
    assert heroin.weight_kg.value == 200
    assert s.precursors_weight_kg.value == 20  # A2; C2 is dated 2014
    assert s.drugs_weight_kg.value == 742 + 200
    total = s.total_weight_kg
    assert (total.value, total.qualifier) == (Decimal(742 + 200 + 20), Qualifier.AT_LEAST)
    # Doses are estimates, carried with the qualifier: 742 kg at 0.1 g a dose.
    doses = ketamine.doses
    assert doses is not None and doses.label == "estimate"
    assert (doses.doses, doses.qualifier) == (Decimal(742_000 * 10), Qualifier.AT_LEAST)


def test_operations_and_personnel(world: Engine) -> None:
    o = stats(world).operations
    # opA (A, 102年9月底), opB (B), opD (undated, dated by its joint fraud case D).
    assert (o.joint, o.joint_drug) == (3, 2)
    assert (o.personnel.value, o.personnel.qualifier) == (Decimal(500 + 30 + 12), Qualifier.AT_LEAST)
    assert o.personnel_by_party["TW"].value == 30 + 12


def test_intel_outcomes_per_provider_and_receiving_side(world: Engine) -> None:
    i = stats(world).intel
    assert (i.handovers, i.by_direction["tw_to_cn"], i.by_direction["cn_to_tw"]) == (3, 2, 1)  # not i0 (2012)
    coast = i.by_provider["coast-guard"]
    # i1 → case H (H1 123 kg, H2 20 kg ephedrine, 4 suspects; o4 names H1 again), i2 → J1 241 kg and 5 suspects.
    assert (coast.handovers, coast.seizures, coast.suspects) == (2, 3, 4 + 5)
    assert coast.weight_by_drug["ketamine"].value == 123 + 241
    assert coast.weight_by_drug["ephedrine"].value == 20
    assert coast.total_weight_kg.value == 123 + 241 + 20
    # i3 names no agency: its party stands for it; it led to case B (200 kg net heroin, 2 suspects).
    assert (i.by_provider["CN"].seizures, i.by_provider["CN"].suspects) == (1, 2)
    assert i.by_recipient["CN"].suspects == coast.suspects


def test_meetings(world: Engine) -> None:
    m = stats(world).meetings
    assert (m.total, m.cross_strait) == (3, 2)  # m1 is dated 2012
    assert m.by_kind == {"working_talks": 1, "seminar": 1, "case_conference": 1}


@pytest.mark.parametrize(
    ("by", "key", "measure", "expected"),
    [
        ("year", "2013", "suspects", 11),
        ("month", "2013-09", "seizures", 2),  # A1 and A2
        ("direction", "cn_to_tw", "intel_handovers", 1),
        ("type", "document_service", "requests", {"total": 2, "tw_to_cn": 1, "cn_to_tw": 1, "completed": 1}),
        ("drug", "ketamine", "cases_joint_drug", 3),  # A, C, G (F is dated 2012)
        ("place", "kaohsiung", "seizures", 3),  # A1, A2, C1
        ("party", "TW", "seizures", 6),
        ("agency", "kaohsiung-district-prosecutors", "cases_joint_drug", 3),
    ],
)
def test_breakdowns(world: Engine, by: str, key: str, measure: str, expected: object) -> None:
    rows = {r.key: r for r in stats(world, by=by).breakdown.rows}  # type: ignore[union-attr]
    assert getattr(rows[key], measure) == expected


def test_additive_breakdowns_add_up_to_the_totals(world: Engine) -> None:
    s = stats(world, by="month")
    rows = s.breakdown.rows  # type: ignore[union-attr]
    assert sum(r.requests["total"] for r in rows) == s.requests.both.total  # type: ignore[index]
    assert sum(r.suspects or 0 for r in rows) == s.suspects.total
    assert sum((r.weight_kg.value for r in rows if r.weight_kg), Decimal(0)) == s.seizures.total_weight_kg.value


@pytest.mark.parametrize(
    "key",
    [
        "requests.total",
        "requests.completed",
        "requests.directions.cn_to_tw.open",
        "requests.by_type.document_service",
        "cases.joint_drug",
        "suspects.total",
        "suspects.caught_in_act",
        "seizures.count",
        "operations.joint",
        "intel.handovers",
        "intel.by_provider.coast-guard.suspects",
        "intel.by_provider.coast-guard.seizures",
        "meetings.total",
    ],
)
def test_every_count_expands_into_as_many_records(world: Engine, key: str) -> None:
    with UnitOfWork(world) as uow:
        figure = compute_statistics(uow, start=START, end=END).figures()[key]
        counts = record_counts(uow, key, Scope(START, END))
    assert sum(counts.values()) == figure.value


def test_explain_lists_the_seizures_behind_a_weight_with_provenance(world: Engine) -> None:
    with UnitOfWork(world) as uow:
        found = explain_figure(uow, "seizures.by_drug.heroin.gross", start=START, end=END)
    assert [r.id for r in found.records] == ["B1"]
    assert found.records[0].provenance == {"kind": "document", "document": "doc-world", "span": [0, 2], "quote": "B1"}
    assert found.records[0].source is not None and found.records[0].source["title"] == "World source"
    assert found.figure is not None and found.figure.value == 229


def test_bad_input_names_the_field_and_value(world: Engine) -> None:
    with UnitOfWork(world) as uow, pytest.raises(InvalidValue) as bad_by:
        compute_statistics(uow, start=START, end=END, by="colour")
    assert bad_by.value.field == "by" and bad_by.value.value == "colour"
    with UnitOfWork(world) as uow, pytest.raises(InvalidValue) as reversed_period:
        compute_statistics(uow, start=END, end=START)
    assert reversed_period.value.field == "from"
    with UnitOfWork(world) as uow, pytest.raises(InvalidValue) as unknown:
        explain_figure(uow, "requests.velocity", start=START, end=END)
    assert unknown.value.field == "explain" and unknown.value.value == "requests.velocity"


def test_both_engines_give_the_same_document(pg_url: str, tmp_path: Path) -> None:
    """The JSON of every breakdown is the same on PostgreSQL and on SQLite for the same world."""
    engines = [make_engine(pg_url), make_engine(f"sqlite:///{tmp_path / 'other.db'}")]
    for engine in engines:
        init_database(engine)
        build_world(engine)
    for by in (None, "year", "agency", "drug"):
        assert stats(engines[0], by=by).to_json() == stats(engines[1], by=by).to_json()
    for engine in engines:
        engine.dispose()
