"""Conversions between rows and cases and what comes of them: operations, persons, seizures, intel and outcomes."""

from __future__ import annotations

from straitlink.domain.cases import Case, CaseKind, Conveyance, Operation, Person, PersonRole, Vessel
from straitlink.domain.intel import IntelReport, Outcome
from straitlink.domain.marking import InformationAccuracy, SourceReliability
from straitlink.domain.parties import Party
from straitlink.domain.quantity import Basis, Qualifier, Quantity, Unit
from straitlink.domain.seizures import Seizure
from straitlink.store import tables as t
from straitlink.store.mapper import Mapper, get_date, get_provenance, participations, put_date, stored_decimal


def _fill_case(r: Case, row: t.CaseRow) -> None:
    row.title, row.kind, row.joint, row.summary = r.title, r.kind.value, r.joint, r.summary
    put_date(row, r.opened_on)
    row.agencies = [t.CaseAgencyRow(position=i, agency=p.agency, role=p.role.value) for i, p in enumerate(r.agencies)]
    row.places = [t.CasePlaceRow(position=i, place=p) for i, p in enumerate(r.places)]


def _load_case(row: t.CaseRow) -> Case:
    return Case(
        id=row.id,
        version=row.version,
        provenance=get_provenance(row),
        title=row.title,
        kind=CaseKind(row.kind),
        joint=row.joint,
        opened_on=get_date(row),
        summary=row.summary,
        agencies=participations(row.agencies),
        places=[p.place for p in row.places],
    )


def _fill_operation(r: Operation, row: t.OperationRow) -> None:
    row.case_id, row.name = r.case, r.name
    put_date(row, r.date)
    p = r.personnel
    row.personnel_value = p.value if p else None
    row.personnel_upper = p.upper if p else None
    row.personnel_qualifier = p.qualifier.value if p else None
    row.personnel_party = r.personnel_party.value if r.personnel_party else None
    row.conveyance = r.conveyance.value if r.conveyance else None
    row.concealment, row.containers = r.concealment, list(r.containers)
    row.agencies = [
        t.OperationAgencyRow(position=i, agency=a.agency, role=a.role.value) for i, a in enumerate(r.agencies)
    ]
    row.places = [t.OperationPlaceRow(position=i, place=pl) for i, pl in enumerate(r.places)]
    row.vessels = [
        t.VesselRow(position=i, name=v.name, flag_state=v.flag_state, kind=v.kind) for i, v in enumerate(r.vessels)
    ]


def _load_operation(row: t.OperationRow) -> Operation:
    personnel = None
    if row.personnel_value is not None:
        personnel = Quantity(
            stored_decimal(row.personnel_value),  # type: ignore[arg-type]
            Unit.PERSON,
            qualifier=Qualifier(row.personnel_qualifier or "exact"),
            upper=stored_decimal(row.personnel_upper),
        )
    return Operation(
        id=row.id,
        version=row.version,
        provenance=get_provenance(row),
        case=row.case_id,
        name=row.name,
        date=get_date(row),
        agencies=participations(row.agencies),
        places=[p.place for p in row.places],
        personnel=personnel,
        personnel_party=Party(row.personnel_party) if row.personnel_party else None,
        vessels=[Vessel(v.name, v.flag_state, v.kind) for v in row.vessels],
        containers=list(row.containers),
        conveyance=Conveyance(row.conveyance) if row.conveyance else None,
        concealment=row.concealment,
    )


def _fill_person(r: Person, row: t.PersonRow) -> None:
    row.case_id, row.role, row.caught_in_act = r.case, r.role.value, r.caught_in_act
    row.name, row.label = r.name, r.label
    row.nationality = r.nationality.value if r.nationality else None


def _load_person(row: t.PersonRow) -> Person:
    return Person(
        id=row.id,
        version=row.version,
        provenance=get_provenance(row),
        case=row.case_id,
        role=PersonRole(row.role),
        caught_in_act=row.caught_in_act,
        name=row.name,
        nationality=Party(row.nationality) if row.nationality else None,
        label=row.label,
    )


def _fill_seizure(r: Seizure, row: t.SeizureRow) -> None:
    row.drug, row.place, row.case_id, row.operation = r.drug, r.place, r.case, r.operation
    row.description, row.containers = r.description, list(r.containers)
    put_date(row, r.date)
    row.quantities = [
        t.SeizureQuantityRow(
            position=i,
            value=q.value,
            upper=q.upper,
            unit=q.unit.value,
            basis=q.basis.value,
            qualifier=q.qualifier.value,
        )
        for i, q in enumerate(r.quantities)
    ]


def _load_seizure(row: t.SeizureRow) -> Seizure:
    return Seizure(
        id=row.id,
        version=row.version,
        provenance=get_provenance(row),
        drug=row.drug,
        quantities=[
            Quantity(
                stored_decimal(q.value),  # type: ignore[arg-type]
                Unit(q.unit),
                Basis(q.basis),
                Qualifier(q.qualifier),
                stored_decimal(q.upper),
            )
            for q in row.quantities
        ],
        date=get_date(row),
        place=row.place,
        case=row.case_id,
        operation=row.operation,
        description=row.description,
        containers=list(row.containers),
    )


def _fill_intel(r: IntelReport, row: t.IntelReportRow) -> None:
    row.provider_agency, row.summary = r.provider_agency, r.summary
    row.provider_party, row.recipient_party = r.provider_party.value, r.recipient_party.value
    row.source_reliability, row.information_accuracy = r.source_reliability.value, r.information_accuracy.value
    put_date(row, r.date)


def _load_intel(row: t.IntelReportRow) -> IntelReport:
    return IntelReport(
        id=row.id,
        version=row.version,
        provenance=get_provenance(row),
        provider_agency=row.provider_agency,
        provider_party=Party(row.provider_party),
        recipient_party=Party(row.recipient_party),
        date=get_date(row),
        summary=row.summary,
        source_reliability=SourceReliability(row.source_reliability),
        information_accuracy=InformationAccuracy(row.information_accuracy),
    )


def _fill_outcome(r: Outcome, row: t.OutcomeRow) -> None:
    row.intel, row.case_id, row.note = r.intel, r.case, r.note
    row.seizures = [t.OutcomeSeizureRow(seizure=s) for s in r.seizures]
    row.persons = [t.OutcomePersonRow(person=p) for p in r.persons]


def _load_outcome(row: t.OutcomeRow) -> Outcome:
    return Outcome(
        id=row.id,
        version=row.version,
        provenance=get_provenance(row),
        intel=row.intel,
        case=row.case_id,
        seizures=sorted(s.seizure for s in row.seizures),
        persons=sorted(p.person for p in row.persons),
        note=row.note,
    )


CASES = Mapper("case", Case, t.CaseRow, _fill_case, _load_case)
OPERATIONS = Mapper("operation", Operation, t.OperationRow, _fill_operation, _load_operation)
PERSONS = Mapper("person", Person, t.PersonRow, _fill_person, _load_person)
SEIZURES = Mapper("seizure", Seizure, t.SeizureRow, _fill_seizure, _load_seizure)
INTEL = Mapper("intel", IntelReport, t.IntelReportRow, _fill_intel, _load_intel)
OUTCOMES = Mapper("outcome", Outcome, t.OutcomeRow, _fill_outcome, _load_outcome)
