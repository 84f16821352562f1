"""The Agreement's dates and the contact points shipped with the catalogue."""

from __future__ import annotations

from datetime import date

import pytest

from straitlink.catalog.liaison import agreement, contact_point_for, contact_points
from straitlink.domain.errors import UnknownReference
from straitlink.domain.parties import Party
from straitlink.domain.reference import RequestType


def test_agreement_dates() -> None:
    a = agreement()
    assert a.in_force_on == date(2009, 6, 25)
    assert (a.in_force_on - a.signed_on).days == 60  # rules-summary §6.1: in force no later than 60 days after signing


def test_contact_points_resolve_by_party_and_type() -> None:
    assert {p.party for p in contact_points()} == {Party.TW, Party.CN}
    assert contact_point_for(Party.TW, RequestType.DOCUMENT_SERVICE).agency == "moj-cross-strait-dept"
    assert contact_point_for(Party.CN, RequestType.DOCUMENT_SERVICE).agency == "spc-taiwan-office"
    assert contact_point_for(Party.CN, RequestType.INTELLIGENCE_EXCHANGE).agency == "mps"
    with pytest.raises(UnknownReference):
        contact_point_for(Party.CN, RequestType.PROCEEDS_TRANSFER)
