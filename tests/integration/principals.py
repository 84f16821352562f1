"""Principals for integration tests: accounts as the services receive them, resolved already."""

from __future__ import annotations

from straitlink.domain.access import AccountRole, Principal
from straitlink.domain.marking import Classification
from straitlink.domain.parties import Party

DESK_ROLES = frozenset({AccountRole.LIAISON_OFFICER, AccountRole.ADMIN, AccountRole.ANALYST})


def officer(name: str = "officer", party: Party = Party.TW, agency: str = "moj") -> Principal:
    """A liaison office's desk: contact point, admin and analyst, cleared for everything."""
    return Principal(name, party, DESK_ROLES, Classification.SECRET, agency, frozenset({agency}))


def person(
    name: str,
    role: AccountRole,
    agency: str | None,
    *,
    clearance: Classification = Classification.SECRET,
    units: frozenset[str] = frozenset(),
    party: Party = Party.TW,
) -> Principal:
    """One account of one role at one agency (with the units under it)."""
    agencies = frozenset({agency, *units}) if agency else frozenset()
    return Principal(name, party, frozenset({role}), clearance, agency, agencies)
