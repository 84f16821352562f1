"""The JSON shape round-trips every record, and bad JSON is refused naming the field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from straitlink.audit.entries import diff
from straitlink.codec import decode, encode, encode_changes
from straitlink.domain.dates import PartialDate
from straitlink.domain.errors import InvalidValue, MissingField
from straitlink.domain.parties import Party
from straitlink.domain.provenance import Provenance
from straitlink.domain.quantity import Basis, Qualifier, Quantity, Unit
from straitlink.domain.reference import RequestType
from straitlink.domain.requests import AssistanceRequest, RequestStatus
from straitlink.domain.seizures import Seizure

masses = st.builds(
    Quantity,
    value=st.decimals(min_value="0.001", max_value=1000, places=3, allow_nan=False, allow_infinity=False),
    unit=st.sampled_from([Unit.KG, Unit.G, Unit.T]),
    basis=st.sampled_from(list(Basis)),
    qualifier=st.sampled_from([Qualifier.EXACT, Qualifier.AT_LEAST, Qualifier.APPROX]),
)
dates = st.builds(
    PartialDate, year=st.integers(2009, 2030), month=st.integers(1, 12), day=st.integers(1, 28)
) | st.builds(PartialDate, year=st.integers(2009, 2030))
# Stored text never holds control characters, line separators or bidirectional overrides (domain/text.py).
printable = st.characters(blacklist_categories=("Cc", "Cs", "Cf", "Zl", "Zp"))
provenances = st.one_of(
    st.builds(Provenance.by_user, st.text(printable, min_size=1, max_size=20)),
    st.builds(Provenance.synthetic, st.just("gen")),
    st.builds(
        Provenance.from_document,
        st.just("doc"),
        st.tuples(st.integers(0, 100), st.integers(100, 200)),
        st.text(printable, max_size=30),
    ),
)


@given(
    quantities=st.lists(masses, min_size=1, max_size=1),
    blocks=st.none() | st.integers(1, 5000),
    date=st.none() | dates,
    provenance=provenances,
)
def test_seizure_round_trips(
    quantities: list[Quantity], blocks: int | None, date: PartialDate | None, provenance: Provenance
) -> None:
    if blocks is not None:
        quantities = [Quantity(Decimal(blocks), Unit.BLOCK), *quantities]
    seizure = Seizure(id="s", provenance=provenance, drug="heroin", quantities=quantities, date=date)
    assert decode(Seizure, encode(seizure)) == seizure


def test_decimals_are_strings_and_provenance_and_marking_last() -> None:
    seizure = Seizure(
        id="s",
        provenance=Provenance.by_user("u"),
        drug="heroin",
        quantities=[Quantity(Decimal("229"), Unit.KG, Basis.GROSS)],
        date=PartialDate(2013, 11, 17),
    )
    data = encode(seizure)
    assert data["quantities"][0] == {"value": "229", "unit": "kg", "basis": "gross", "qualifier": "exact"}
    assert data["date"] == {"iso": "2013-11-17", "precision": "day", "roc": "102年11月17日"}
    assert next(iter(data)) == "id" and list(data)[-2:] == ["provenance", "marking"]


@pytest.mark.parametrize(
    ("patch", "error", "field"),
    [
        ({"quantities": "lots"}, InvalidValue, "quantities"),
        ({"date": {"iso": "2013-02-30", "precision": "day"}}, InvalidValue, "date"),
        ({"drug": None}, MissingField, "drug"),
    ],
)
def test_bad_json_names_the_field(patch: dict[str, object], error: type[Exception], field: str) -> None:
    data = {
        "id": "s",
        "drug": "heroin",
        "quantities": [{"value": "1", "unit": "kg"}],
        "provenance": {"kind": "user", "user": "u"},
    }
    data.update(patch)
    with pytest.raises(error) as info:
        decode(Seizure, data)
    assert field in str(info.value)


def _request(**changes: object) -> AssistanceRequest:
    fields: dict[str, object] = {
        "id": "r1",
        "provenance": Provenance.by_user("tester"),
        "requesting_party": Party.TW,
        "type": RequestType.DOCUMENT_SERVICE,
        "subject": "subject",
        "filed_on": date(2025, 1, 20),
    }
    return AssistanceRequest(**(fields | changes))  # type: ignore[arg-type]


request_changes = st.fixed_dictionaries(
    {},
    optional={
        "status": st.sampled_from(list(RequestStatus)),
        "subject": st.sampled_from(["subject", "另一個主旨", " "]).filter(str.strip),
        "sent_on": st.none() | st.dates(date(2025, 1, 20), date(2025, 3, 1)),
        "executing_agency": st.none() | st.sampled_from(["mjib", "cib"]),
        "version": st.integers(1, 5),
        "provenance": provenances,
    },
)


@given(request_changes, request_changes)
def test_encoding_only_the_changes_gives_the_diff_of_the_whole_encodings(
    old: dict[str, object], new: dict[str, object]
) -> None:
    before, after = _request(**old), _request(**new)
    assert encode_changes(before, after) == diff(encode(before), encode(after))
