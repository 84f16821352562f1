"""The statistics rollups (migrations 0003 and 0011), on SQLite and PostgreSQL.

Whoever writes — a use case, a bulk Core insert, raw SQL — the triggers keep every rollup equal to a recount of
the raw rows in the same transaction; the migration backfills them from rows already stored; and the figures
read from them are exactly those a scan of the raw rows gives, for any period, with or without a breakdown.
"""

from __future__ import annotations

import dataclasses
import json
import random
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from principals import officer
from sqlalchemy import Engine, func, insert, select, text
from test_stats_world import build_world
from typer.testing import CliRunner

from straitlink.catalog.loader import load_catalog
from straitlink.cli.main import app
from straitlink.demo.load import load_demo
from straitlink.domain.access import AccountRole
from straitlink.domain.accounts import Account
from straitlink.domain.cases import Case, CaseKind, Person
from straitlink.domain.dates import PartialDate
from straitlink.domain.parties import Party
from straitlink.domain.provenance import Provenance
from straitlink.domain.quantity import Quantity
from straitlink.domain.reference import RequestType
from straitlink.domain.requests import RequestStatus
from straitlink.domain.seizures import Seizure
from straitlink.domain.workflow import Acting, Role
from straitlink.services import records
from straitlink.services import requests as svc
from straitlink.services.accounts import create_account
from straitlink.services.calendars import calendars, load_rules
from straitlink.services.documents import FileStore
from straitlink.services.kinds import kind_named
from straitlink.services.setup import init_database, sync_catalog
from straitlink.stats.queries import Scope
from straitlink.stats.rollup_check import verify_rollups
from straitlink.stats.service import compute_statistics
from straitlink.store import mapping, migrate, periods
from straitlink.store import tables as t
from straitlink.store import tables_stats as ts
from straitlink.store.db import make_engine
from straitlink.store.uow import UnitOfWork

pytestmark = pytest.mark.pg

S = RequestStatus
CLOSED = ("completed", "refused", "unable", "withdrawn")
DRUGS = ("ketamine", "heroin", "methamphetamine", "ephedrine", "cannabis")
PLACES = (None, "keelung-port", "xiamen", "taiwan-strait", "kaohsiung")  # of both parties, and one of neither
AGENCIES = (None, "moj", "cib", "mps")
TODAY = date(2025, 6, 30)


def assert_rollups_match(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        check = verify_rollups(uow)
    assert check.ok, [d.to_json() for d in check.differences[:5]]


def rollup_total(engine: Engine, row: Any) -> int:
    with UnitOfWork(engine) as uow:
        return int(uow.session.scalar(select(func.coalesce(func.sum(row.n), 0))) or 0)


# --- a random world, written with bulk Core inserts ----------------------------------------------------------


def _day(rng: random.Random, first: date = date(2012, 10, 1), days: int = 520) -> date:
    return first + timedelta(days=rng.randrange(days))


def _prov(rng: random.Random) -> dict[str, Any]:
    synthetic = rng.random() < 0.3
    return {"version": 1, "prov_kind": "synthetic" if synthetic else "user", "prov_user": None if synthetic else "t"}


def _dated(rng: random.Random) -> dict[str, Any]:
    """A day, a month (2013年5月), or no date at all."""
    roll = rng.random()
    if roll < 0.07:
        return {"date_earliest": None, "date_latest": None, "date_precision": None}
    when = _day(rng)
    if roll < 0.2:
        first = when.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        return {"date_earliest": first, "date_latest": last, "date_precision": "month"}
    return {"date_earliest": when, "date_latest": when, "date_precision": "day"}


def _quantities(rng: random.Random) -> list[dict[str, Any]]:
    """One to three quantities: masses in g, kg or t on every basis and qualifier, and counts."""

    def mass(basis: str) -> dict[str, Any]:
        value = Decimal(rng.randrange(1, 5_000_000)).scaleb(-rng.choice((0, 1, 3)))
        qualifier = rng.choice(("exact", "exact", "exact", "at_least", "approx", "range"))
        upper = value + Decimal(rng.randrange(1, 900)) if qualifier == "range" else None
        return {"value": value, "upper": upper, "unit": rng.choice(("kg", "kg", "g", "t")), "basis": basis,
                "qualifier": qualifier}  # fmt: skip

    out = [mass(b) for b in rng.sample(("gross", "net", "unstated"), rng.choice((0, 1, 1, 2, 3)))]
    if rng.random() < 0.4 or not out:
        out.append({"value": Decimal(rng.randrange(1, 700)), "upper": None, "unit": rng.choice(("block", "tablet")),
                    "basis": "unstated", "qualifier": "exact"})  # fmt: skip
    rng.shuffle(out)
    return out


def random_world(engine: Engine, seed: int = 7, size: int = 1) -> None:
    """Cases, persons, seizures and requests around 2013, with every combination the definitions tell apart."""
    rng = random.Random(seed)
    cases, persons, seizures, quantities, requests = [], [], [], [], []
    agencies: list[dict[str, Any]] = []
    places: list[dict[str, Any]] = []
    for n in range(40 * size):
        kind = rng.choice([k.value for k in CaseKind] + ["drugs"] * 4)
        cases.append({"id": f"rc{n}", **_prov(rng), **_dated(rng), "title": "c", "kind": kind,
                      "joint": rng.random() < 0.7})  # fmt: skip
        # An agency or a place may be named twice (under two roles): the case still counts once under it.
        for k in range(rng.randrange(4)):
            agencies.append({"case_id": f"rc{n}", "position": k, "agency": rng.choice(AGENCIES[1:]),
                             "role": rng.choice(("directing", "participating"))})  # fmt: skip
        for k in range(rng.randrange(3)):
            places.append({"case_id": f"rc{n}", "position": k, "place": rng.choice(PLACES[1:])})
        for k in range(rng.randrange(5)):
            role = rng.choice(("suspect", "suspect", "witness"))
            persons.append({"id": f"rp{n}-{k}", **_prov(rng), "case_id": f"rc{n}", "role": role,
                            "caught_in_act": rng.random() < 0.4})  # fmt: skip
    for n in range(150 * size):
        case = f"rc{rng.randrange(len(cases))}" if rng.random() < 0.9 else None
        seizures.append({"id": f"rs{n}", **_prov(rng), **_dated(rng), "drug": rng.choice(DRUGS), "case_id": case,
                         "place": rng.choice(PLACES), "containers": []})  # fmt: skip
        quantities += [{"seizure": f"rs{n}", "position": i, **q} for i, q in enumerate(_quantities(rng))]
    for n in range(300 * size):
        filed = _day(rng)
        status = rng.choice([s.value for s in RequestStatus] + ["completed"] * 6)
        received = filed + timedelta(days=rng.randrange(6)) if rng.random() < 0.9 else None
        closed = None
        if status in CLOSED and rng.random() < 0.92:
            closed = (received or filed) + timedelta(days=rng.randrange(80))
        requests.append({"id": f"rr{n}", **_prov(rng), "requesting_party": rng.choice(("TW", "TW", "CN")),
                         "requesting_agency": rng.choice(AGENCIES),
                         "type": rng.choice(list(RequestType)).value, "subject": "s", "status": status,
                         "urgency": "normal", "filed_on": filed, "received_on": received,
                         "closed_on": closed})  # fmt: skip
    with UnitOfWork(engine) as uow:
        for row, rows in ((t.CaseRow, cases), (t.CaseAgencyRow, agencies), (t.CasePlaceRow, places),
                          (t.PersonRow, persons), (t.SeizureRow, seizures),
                          (t.SeizureQuantityRow, quantities), (t.AssistanceRequestRow, requests)):  # fmt: skip
            uow.session.execute(insert(row), rows)
        uow.commit()


# --- every write path ------------------------------------------------------------------------------------------


@pytest.fixture
def desk(engine: Engine, tmp_path: Path) -> svc.Desk:
    return svc.Desk(engine, Party.TW, FileStore(tmp_path / "files"), load_rules(), calendars(), today=lambda: TODAY)


def _complete_a_request_through_the_workflow(engine: Engine, desk: svc.Desk) -> str:
    fields = {"type": "notification", "subject": "通報", "filed_on": "2025-01-20", "requesting_agency": "moj",
              "purpose": "p", "matters": "m", "case_summary": "c", "execution_needs": "e"}  # fmt: skip
    with UnitOfWork(engine):
        r = svc.file_request(desk, fields, principal=officer("o"), acting=Acting(Party.TW, Role.REQUESTING_SIDE))
    steps = [
        (S.SENT, Acting(Party.TW, Role.CONTACT_POINT), date(2025, 1, 21)),
        (S.RECEIVED, Acting(Party.CN, Role.CONTACT_POINT), date(2025, 1, 24)),
    ]
    for target, acting, on in steps:
        with UnitOfWork(engine):
            svc.transition_request(desk, r.id, target, svc.StepInput(on=on), principal=officer("o"), acting=acting)
    with UnitOfWork(engine):
        acting = Acting(Party.CN, Role.CONTACT_POINT)
        svc.assign_request(desk, r.id, "spc", svc.StepInput(on=date(2025, 2, 5)), principal=officer("o"), acting=acting)
    executing = Acting(Party.CN, Role.EXECUTING_AGENCY, "spc")
    for target, on in ((S.IN_EXECUTION, date(2025, 2, 6)), (S.COMPLETED, date(2025, 3, 3))):
        with UnitOfWork(engine):
            step = svc.StepInput(on=on, text="done" if target is S.COMPLETED else None)
            svc.transition_request(desk, r.id, target, step, principal=officer("o"), acting=executing)
    return r.id


def test_every_write_path_keeps_the_rollups_equal_to_a_recount(engine: Engine, desk: svc.Desk) -> None:
    assert_rollups_match(engine)
    # Use cases: a request through the workflow to completed; a case, a suspect and a seizure added.
    rid = _complete_a_request_through_the_workflow(engine, desk)
    with UnitOfWork(engine) as uow:
        records.add_record(
            engine,
            kind_named("case"),
            {"id": "uc", "title": "u", "kind": "drugs", "joint": True, "opened_on": {"iso": "2025-02-03"}},
            principal=officer("o"),
        )
    with UnitOfWork(engine) as uow:
        records.add_record(
            engine, kind_named("person"), {"id": "up", "case": "uc", "role": "suspect"}, principal=officer("o")
        )
    seizure = Seizure(
        id="us", provenance=Provenance.by_user("o"), drug="heroin", case="uc", date=PartialDate.parse("2025-02-03"),
        quantities=[Quantity.parse("600 block"), Quantity.parse("229 kg gross"), Quantity.parse("200 kg net")],
    )  # fmt: skip
    with UnitOfWork(engine) as uow:
        uow.repo(mapping.SEIZURES).add(seizure)
        uow.commit()
    assert_rollups_match(engine)
    assert rollup_total(engine, ts.RequestDaysRollupRow) == 1 and rollup_total(engine, ts.SuspectRollupRow) == 1

    # Bulk Core inserts, as the demo loader and the benchmarks write.
    random_world(engine)
    assert_rollups_match(engine)

    # Raw SQL: a request completed, then moved to another month and party, several closed at once, one deleted.
    with engine.begin() as conn:
        conn.execute(text("UPDATE assistance_request SET status = 'completed', filed_on = :f, received_on = :r, "
                          "closed_on = :c WHERE id = 'rr1'"),
                     {"f": date(2013, 6, 1), "r": date(2013, 6, 2), "c": date(2013, 7, 9)})  # fmt: skip
        conn.execute(text("UPDATE assistance_request SET filed_on = :f, requesting_party = 'CN' WHERE id = 'rr2'"),
                     {"f": date(2012, 1, 1)})  # fmt: skip
        conn.execute(text("UPDATE assistance_request SET status = 'withdrawn', closed_on = NULL "
                          "WHERE requesting_party = 'CN' AND status = 'filed'"))  # fmt: skip
        conn.execute(text("DELETE FROM assistance_request WHERE id IN ('rr3', 'rr4')"))
        conn.execute(text("UPDATE assistance_request SET requesting_agency = 'mps' WHERE id IN ('rr5', 'rr6')"))
        conn.execute(text("UPDATE assistance_request SET requesting_agency = NULL WHERE requesting_agency = 'cib'"))
    assert_rollups_match(engine)
    assert rollup_total(engine, ts.RequestAgencyRollupRow) == rollup_total(engine, ts.RequestRollupRow)

    # A seizure's quantities: replaced through the repository, changed, added and deleted by raw SQL.
    with UnitOfWork(engine) as uow:
        stored = uow.repo(mapping.SEIZURES).get("us")
        uow.repo(mapping.SEIZURES).update(dataclasses.replace(stored, quantities=[Quantity.parse("231+ kg gross")]))
        uow.commit()
    with engine.begin() as conn:
        conn.execute(text("UPDATE seizure_quantity SET basis = 'net', unit = 'g' WHERE seizure = 'us'"))
        conn.execute(text("INSERT INTO seizure_quantity (seizure, position, value, unit, basis, qualifier) VALUES "
                          "('us', 5, 12.5, 'kg', 'net', 'exact'), ('rs1', 9, 3, 't', 'gross', 'approx')"))  # fmt: skip
        conn.execute(text("DELETE FROM seizure_quantity WHERE seizure IN ('rs2', 'rs3') AND position = 0"))
        conn.execute(
            text("UPDATE seizure_quantity SET seizure = 'rs5', position = position + 10 WHERE seizure = 'rs4'")
        )
    assert_rollups_match(engine)

    # Cases: joint → not joint through the repository and by raw SQL, a kind and a provenance changed.
    with UnitOfWork(engine) as uow:
        case = uow.repo(mapping.CASES).get("uc")
        uow.repo(mapping.CASES).update(dataclasses.replace(case, joint=False))
        uow.commit()
    assert_rollups_match(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE legal_case SET joint = :no WHERE kind = 'drugs' AND id IN ('rc1', 'rc2', 'rc3')"),
                     {"no": False})  # fmt: skip
        conn.execute(text("UPDATE legal_case SET kind = 'drugs', joint = :yes WHERE id IN ('rc4', 'rc5')"),
                     {"yes": True})  # fmt: skip
        conn.execute(text("UPDATE legal_case SET prov_kind = 'synthetic', prov_user = NULL WHERE id = 'rc6'"))
        conn.execute(text("UPDATE legal_case SET date_earliest = :d, date_latest = :d, date_precision = 'day' "
                          "WHERE id = 'rc7'"), {"d": date(2011, 3, 4)})  # fmt: skip
    assert_rollups_match(engine)

    # Seizures and persons: moved to another case, month and drug; deleted with their quantities (cascade).
    with engine.begin() as conn:
        conn.execute(text("UPDATE seizure SET case_id = 'rc4', drug = 'cannabis' WHERE id IN ('rs6', 'rs7')"))
        conn.execute(text("UPDATE seizure SET date_earliest = :d, date_latest = :d, date_precision = 'day' "
                          "WHERE id = 'rs8'"), {"d": date(2014, 1, 31)})  # fmt: skip
        conn.execute(text("UPDATE seizure SET date_earliest = NULL, date_latest = NULL, date_precision = NULL "
                          "WHERE id = 'rs9'"))  # fmt: skip
        conn.execute(text("DELETE FROM seizure WHERE id IN ('rs10', 'rs11')"))
        conn.execute(text("UPDATE seizure SET place = 'xiamen' WHERE id IN ('rs12', 'rs13')"))
        conn.execute(text("UPDATE seizure SET place = NULL WHERE place = 'keelung-port'"))
        conn.execute(text("UPDATE person SET caught_in_act = :yes, case_id = 'rc4' WHERE role = 'suspect' AND "
                          "case_id IN ('rc8', 'rc9')"), {"yes": True})  # fmt: skip
        conn.execute(text("UPDATE person SET role = 'witness' WHERE case_id = 'rc10'"))
        conn.execute(text("DELETE FROM person WHERE case_id = 'rc11'"))
    with UnitOfWork(engine) as uow:
        uow.repo(mapping.SEIZURES).delete("us")
        uow.repo(mapping.PERSONS).delete("up")
        uow.commit()
    assert_rollups_match(engine)

    # The request the workflow completed, deleted through the ORM with its history.
    with UnitOfWork(engine) as uow:
        uow.repo(mapping.REQUESTS).delete(rid)
        uow.commit()
    assert_rollups_match(engine)


def test_the_demo_loader_keeps_the_rollups(empty_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    init_database(empty_engine)
    load_demo(empty_engine)
    assert_rollups_match(empty_engine)
    since, cut_off = date(2009, 6, 25), date(2013, 11, 30)  # partial months at both ends
    with_rollups = _statistics(empty_engine, since, cut_off, by="year")
    monkeypatch.setattr(periods, "split_period", lambda scope: periods.Split(scope, None, None, ((scope, 1),)))
    assert with_rollups == _statistics(empty_engine, since, cut_off, by="year")
    assert with_rollups["requests"]["total"] == 45_426


def test_the_rollups_change_in_the_writing_transaction_and_roll_back_with_it(engine: Engine) -> None:
    random_world(engine, seed=3)
    before = rollup_total(engine, ts.RequestRollupRow)
    with UnitOfWork(engine) as uow:
        uow.session.execute(text("DELETE FROM assistance_request WHERE requesting_party = 'TW'"))
        inside = uow.session.scalar(select(func.sum(ts.RequestRollupRow.n)))
        assert inside is not None and int(inside) < before  # seen by the writer before it commits
    assert rollup_total(engine, ts.RequestRollupRow) == before  # rolled back with the change
    assert_rollups_match(engine)


def test_a_case_switching_joint_moves_its_seizures_and_suspects(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        when = PartialDate.parse("2013-05-06")
        uow.repo(mapping.CASES).add(Case(id="k", provenance=Provenance.by_user("o"), title="k", kind=CaseKind.DRUGS,
                                         joint=True, opened_on=when))  # fmt: skip
        uow.flush()
        uow.repo(mapping.PERSONS).add(Person(id="kp", provenance=Provenance.by_user("o"), case="k"))
        uow.repo(mapping.SEIZURES).add(Seizure(id="ks", provenance=Provenance.by_user("o"), drug="ketamine",
                                               case="k", date=when, quantities=[Quantity.parse("500 kg")]))  # fmt: skip
        uow.commit()

    def counted() -> tuple[int, int, Decimal]:
        with UnitOfWork(engine) as uow:
            s = compute_statistics(uow, start=date(2013, 1, 1), end=date(2013, 12, 31))
        return s.seizures.count, s.suspects.total, s.seizures.total_weight_kg.value

    assert counted() == (1, 1, 500)
    with engine.begin() as conn:
        conn.execute(text("UPDATE legal_case SET joint = :no WHERE id = 'k'"), {"no": False})
    assert counted() == (0, 0, 0)
    with engine.begin() as conn:
        conn.execute(text("UPDATE legal_case SET joint = :yes WHERE id = 'k'"), {"yes": True})
    assert counted() == (1, 1, 500)
    assert_rollups_match(engine)


# --- the same figures as a scan of the raw rows ----------------------------------------------------------------

PERIODS = [
    (date(2013, 1, 1), date(2013, 12, 31)),  # whole months only
    (date(2012, 11, 20), date(2014, 1, 10)),  # partial months at both ends, read from the raw rows
    (date(2012, 11, 5), date(2014, 1, 25)),  # partial months read from their rollups less the days outside
    (date(2013, 3, 15), date(2013, 3, 20)),  # inside one month: its days
    (date(2013, 3, 2), date(2013, 3, 29)),  # inside one month: the month less its first and last days
    (date(2013, 2, 1), date(2013, 2, 28)),  # one whole month
    (date(2013, 1, 31), date(2013, 3, 1)),  # one whole month and a day either side
    (date(2013, 5, 10), date(2013, 8, 31)),
    (date(2013, 5, 1), date(2013, 8, 17)),  # ends mid-month: closings after the 17th leave requests open
    (date(2013, 5, 1), date(2013, 8, 27)),  # the same with August from its rollup less its last four days
    (date(2009, 6, 25), date(2025, 6, 30)),  # everything
]


@pytest.fixture(scope="module")
def mixed(module_db_url: str) -> Iterator[Engine]:
    """The random world and the hand-built one together, stored once per engine for the module (only read)."""
    engine = make_engine(module_db_url)
    init_database(engine)
    random_world(engine, size=2)
    build_world(engine)
    yield engine
    engine.dispose()


def _statistics(engine: Engine, start: date, end: date, **kw: Any) -> dict[str, Any]:
    with UnitOfWork(engine) as uow:
        return compute_statistics(uow, start=start, end=end, **kw).to_json()


@pytest.mark.parametrize(("start", "end"), PERIODS)
def test_figures_from_the_rollups_are_those_of_a_raw_scan(
    mixed: Engine, monkeypatch: pytest.MonkeyPatch, start: date, end: date
) -> None:
    cases: list[dict[str, Any]] = [{"exclude_synthetic": x} for x in (False, True)]
    cases += [{"by": by} for by in ("month", "year", "type", "direction", "party", "drug", "agency", "place")]
    cases += [{"by": by, "exclude_synthetic": True} for by in ("month", "agency", "place", "party", "drug")]
    with_rollups = [_statistics(mixed, start, end, **kw) for kw in cases]
    monkeypatch.setattr(periods, "split_period", lambda scope: periods.Split(scope, None, None, ((scope, 1),)))
    raw = [_statistics(mixed, start, end, **kw) for kw in cases]
    for kw, ours, scanned in zip(cases, with_rollups, raw, strict=True):
        assert ours == scanned, kw


def _days(split: periods.Split) -> list[tuple[date, date, int]]:
    return [(part.start, part.end, sign) for part, sign in split.raw]


def test_a_partial_month_is_read_from_whichever_has_fewer_raw_days() -> None:
    split = periods.split_period(Scope(date(2013, 1, 31), date(2013, 3, 1)))
    assert split.months == ("2013-02", "2013-02")
    assert _days(split) == [(date(2013, 1, 31), date(2013, 1, 31), 1), (date(2013, 3, 1), date(2013, 3, 1), 1)]
    assert split.ends_mid_month and split.end_month == "2013-03"
    # 2 January to 30 March: January and March from their rollups, less their first and last days.
    split = periods.split_period(Scope(date(2013, 1, 2), date(2013, 3, 30)))
    assert split.months == ("2013-01", "2013-03")
    assert _days(split) == [(date(2013, 1, 1), date(2013, 1, 1), -1), (date(2013, 3, 31), date(2013, 3, 31), -1)]
    whole = periods.split_period(Scope(date(2012, 2, 1), date(2012, 2, 29)))
    assert (whole.months, whole.raw, whole.ends_mid_month) == (("2012-02", "2012-02"), (), False)
    inside = periods.split_period(Scope(date(2013, 3, 2), date(2013, 3, 30)))
    outside = [(date(2013, 3, 1), date(2013, 3, 1), -1), (date(2013, 3, 31), date(2013, 3, 31), -1)]
    assert (inside.months, _days(inside)) == (("2013-03", "2013-03"), outside)
    short = periods.split_period(Scope(date(2013, 3, 10), date(2013, 3, 12)))
    assert (short.months, _days(short)) == (None, [(date(2013, 3, 10), date(2013, 3, 12), 1)])


# --- the migration, and the check -------------------------------------------------------------------------------


def test_the_migration_backfills_the_rollups_from_rows_already_stored(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine, "0002")
    with UnitOfWork(empty_engine) as uow:
        sync_catalog(uow, load_catalog())
        uow.commit()
    random_world(empty_engine, seed=11)
    migrate.upgrade(empty_engine)
    assert_rollups_match(empty_engine)
    assert rollup_total(empty_engine, ts.SeizureRollupRow) > 100
    assert rollup_total(empty_engine, ts.SeizurePlaceRollupRow) == rollup_total(empty_engine, ts.SeizureRollupRow)
    assert rollup_total(empty_engine, ts.RequestAgencyRollupRow) == rollup_total(empty_engine, ts.RequestRollupRow)
    # Down and up again: rows written meanwhile (no triggers at 0002) are backfilled too.
    migrate.downgrade(empty_engine, "0002")
    with empty_engine.begin() as conn:
        conn.execute(text("DELETE FROM assistance_request WHERE requesting_party = 'CN'"))
        conn.execute(text("UPDATE legal_case SET joint = :no"), {"no": False})
    migrate.upgrade(empty_engine)
    assert_rollups_match(empty_engine)
    assert rollup_total(empty_engine, ts.SeizureRollupRow) > 100
    with UnitOfWork(empty_engine) as uow:
        s = compute_statistics(uow, start=date(2012, 1, 1), end=date(2014, 12, 31))
    assert (s.seizures.count, s.requests.directions["cn_to_tw"].total) == (0, 0)


def test_verify_rollups_reports_a_difference_and_exits_1(engine: Engine, db_url: str) -> None:
    random_world(engine, seed=5)
    with UnitOfWork(engine) as uow:
        analyst = Account("analyst", Party.TW, frozenset({AccountRole.ANALYST}), "moj")
        create_account(uow, analyst, None, own_party=Party.TW, actor="admin")
        uow.commit()
    runner = CliRunner(env={"STRAITLINK_USER": "analyst"})
    ok = runner.invoke(app, ["--database-url", db_url, "stats", "--verify-rollups"])
    assert ok.exit_code == 0, ok.stderr
    assert "rollups match the raw rows" in ok.stdout
    with engine.begin() as conn:
        conn.execute(text("UPDATE seizure_rollup SET micro = micro + 1 WHERE unit = 'kg' AND joint_drug = :yes"),
                     {"yes": True})  # fmt: skip
    bad = runner.invoke(app, ["--database-url", db_url, "stats", "--verify-rollups", "--json"])
    assert bad.exit_code == 1
    found = json.loads(bad.stdout)
    # The per-year rollup (0015) follows the monthly one through its trigger, and so differs too.
    assert not found["ok"] and {d["table"] for d in found["differences"]} == {"seizure_rollup", "seizure_year_rollup"}
    first = next(d for d in found["differences"] if d["table"] == "seizure_rollup")
    assert first["stored"]["micro"] == first["recounted"]["micro"] + 1
