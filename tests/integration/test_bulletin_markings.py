"""A bulletin is for the public: it tells in detail only what is marked publishable, and its figures stay whole."""

from __future__ import annotations

from datetime import date

from principals import officer
from sqlalchemy import Engine

from straitlink.services import records
from straitlink.services.kinds import kind_named
from straitlink.services.session import unit_of_work
from straitlink.stats.bulletin.model import build_bulletin

PUBLIC = {"classification": "unclassified", "handling": "H0", "releasable": True, "publishable": True}
KEPT = {"classification": "restricted", "handling": "H2", "releasable": False, "publishable": False}
DIRECTED = [{"agency": "kaohsiung-district-prosecutors", "role": "directing"}]


def _case(engine: Engine, title: str, marking: dict[str, object]) -> str:
    day = {"iso": "2013-09-27"}
    data = {"title": title, "kind": "drugs", "joint": True, "opened_on": day, "agencies": DIRECTED, "marking": marking}
    case = records.add_record(engine, kind_named("case"), data, principal=officer())
    seizure = {"drug": "ketamine", "quantities": [{"value": "500", "unit": "kg"}], "date": day, "marking": marking}
    records.add_record(engine, kind_named("seizure"), {**seizure, "case": case.id}, principal=officer())
    return case.id


def test_only_publishable_cases_are_told_and_every_figure_counts_all(engine: Engine) -> None:
    told = _case(engine, "笙宏號", PUBLIC)
    _case(engine, "專案甲", KEPT)
    with unit_of_work(engine) as uow:
        bulletin = build_bulletin(uow, start=date(2013, 1, 1), end=date(2013, 12, 31))
    assert [c.id for c in bulletin.cases] == [told]
    assert bulletin.withheld == 1
    assert bulletin.current.cases.joint_drug == 2  # the figures are aggregates of every record
    assert all(s.publishable for c in bulletin.cases for s in c.seizures)
