"""Repositories and the unit of work on real SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from principals import officer
from sqlalchemy import Engine, text

from straitlink.domain.cases import AgencyParticipation, AgencyRole, Case, CaseKind, Operation, Person, Vessel
from straitlink.domain.dates import Part, PartialDate
from straitlink.domain.errors import Conflict, NotFound, UnknownReference
from straitlink.domain.figures import SourceDocument
from straitlink.domain.intel import IntelReport, Outcome
from straitlink.domain.parties import Party
from straitlink.domain.provenance import Provenance
from straitlink.domain.quantity import Basis, Qualifier, Quantity, Unit
from straitlink.domain.seizures import Seizure
from straitlink.services import records as svc
from straitlink.services.kinds import kind_named
from straitlink.store import mapping
from straitlink.store.queries import ListFilter
from straitlink.store.uow import UnitOfWork

USER = Provenance.by_user("tester")


def _case(case_id: str = "c1") -> Case:
    return Case(
        id=case_id,
        provenance=USER,
        title="笙宏號走私K他命案",
        kind=CaseKind.DRUGS,
        joint=True,
        opened_on=PartialDate(2013, 9, 27),
        agencies=[
            AgencyParticipation("kaohsiung-district-prosecutors", AgencyRole.DIRECTING),
            AgencyParticipation("mps", AgencyRole.LEADING),
        ],
        places=["quanzhou"],
    )


def test_every_kind_round_trips(engine: Engine) -> None:
    doc = SourceDocument(id="d1", provenance=USER, title="測試", text="600 塊海洛因(毛重 229 公斤)")
    seizure = Seizure(
        id="s1",
        provenance=Provenance.from_document("d1", (0, 17), "600 塊海洛因(毛重 229 公斤)"),
        drug="heroin",
        quantities=[Quantity(Decimal("600"), Unit.BLOCK), Quantity(Decimal("229"), Unit.KG, Basis.GROSS)],
        date=PartialDate(2013, 5, None, Part.END),
        place="taoyuan-airport",
        case="c1",
    )
    operation = Operation(
        id="o1",
        provenance=USER,
        case="c1",
        name="首次兩岸海上聯合查緝行動",
        personnel=Quantity(Decimal("500"), Unit.PERSON, qualifier=Qualifier.AT_LEAST),
        personnel_party=Party.CN,
        vessels=[Vessel("笙宏號", "巴拿馬", "貨輪")],
    )
    person = Person(id="p1", provenance=USER, case="c1", caught_in_act=True)
    intel = IntelReport(
        id="i1",
        provenance=USER,
        provider_agency="coast-guard",
        provider_party=Party.TW,
        recipient_party=Party.CN,
        summary="情資",
    )
    outcome = Outcome(id="x1", provenance=USER, intel="i1", case="c1", seizures=["s1"], persons=["p1"])
    records = [
        (mapping.DOCUMENTS, doc),
        (mapping.CASES, _case()),
        (mapping.OPERATIONS, operation),
        (mapping.PERSONS, person),
        (mapping.SEIZURES, seizure),
        (mapping.INTEL, intel),
        (mapping.OUTCOMES, outcome),
    ]
    with UnitOfWork(engine) as uow:
        for m, r in records:
            uow.repo(m).add(r)
        uow.commit()
    with UnitOfWork(engine) as uow:
        for m, r in records:
            assert uow.repo(m).get(r.id) == r


def test_stale_version_is_refused_and_loses_nothing(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        uow.repo(mapping.CASES).add(_case())
        uow.commit()
    with UnitOfWork(engine) as uow:
        first = uow.repo(mapping.CASES).get("c1")
    with UnitOfWork(engine) as uow:
        second = uow.repo(mapping.CASES).get("c1")
        second.summary = "second writer"
        uow.repo(mapping.CASES).update(second)
        uow.commit()
    first.summary = "first writer, stale"
    with UnitOfWork(engine) as uow, pytest.raises(Conflict):
        uow.repo(mapping.CASES).update(first)
    with UnitOfWork(engine) as uow:
        stored = uow.repo(mapping.CASES).get("c1")
    assert stored.summary == "second writer"
    assert stored.version == 2


def test_leaving_without_commit_rolls_back(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        uow.repo(mapping.CASES).add(_case())
        uow.flush()
    with UnitOfWork(engine) as uow, pytest.raises(NotFound):
        uow.repo(mapping.CASES).get("c1")


def test_unknown_reference_is_named(engine: Engine) -> None:
    kind = kind_named("seizure")
    data = {"drug": "not-a-drug", "quantities": [{"value": "1", "unit": "kg"}]}
    with UnitOfWork(engine), pytest.raises(UnknownReference) as info:
        svc.add_record(engine, kind, data, principal=officer("tester"))
    assert info.value.field == "drug"


def test_database_enforces_constraints(engine: Engine) -> None:
    with engine.connect() as conn, pytest.raises(Exception, match=r"(?i)check|constraint"):
        conn.execute(
            text(
                "INSERT INTO legal_case (id, version, prov_kind, title, kind, joint) "
                "VALUES ('x', 1, 'rumour', 't', 'drugs', true)"
            )
        )
        conn.commit()


def test_list_filters_by_period_drug_and_provenance(engine: Engine) -> None:
    def seizure(sid: str, drug: str, day: date, prov: Provenance) -> Seizure:
        return Seizure(
            id=sid,
            provenance=prov,
            drug=drug,
            quantities=[Quantity(Decimal(1), Unit.KG)],
            date=PartialDate(day.year, day.month, day.day),
        )

    with UnitOfWork(engine) as uow:
        repo = uow.repo(mapping.SEIZURES)
        repo.add(seizure("a", "ketamine", date(2013, 1, 5), USER))
        repo.add(seizure("b", "heroin", date(2013, 6, 5), USER))
        repo.add(seizure("c", "ketamine", date(2012, 6, 5), Provenance.synthetic("t")))
        uow.commit()
    with UnitOfWork(engine) as uow:
        repo = uow.repo(mapping.SEIZURES)
        assert [s.id for s in repo.list(ListFilter(start=date(2013, 1, 1)))] == ["a", "b"]
        assert [s.id for s in repo.list(ListFilter(drug="ketamine"))] == ["c", "a"]
        assert [s.id for s in repo.list(ListFilter(exclude_provenance=frozenset({"synthetic"})))] == [
            "a",
            "b",
        ]
        assert [s.id for s in repo.list(ListFilter(provenance=frozenset({"synthetic"})))] == ["c"]
