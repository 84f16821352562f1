"""An account: a person of this instance's side, or the other side's instance acting through the exchange."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from straitlink.domain.access import AccountRole, check_username
from straitlink.domain.errors import InvalidValue, MissingField
from straitlink.domain.marking import Classification
from straitlink.domain.parties import Party

DISPLAY_NAME_MAX = 200
PASSWORD_MIN = 10
PASSWORD_MAX = 1024


@dataclass(frozen=True)
class Account:
    """Who may act, for which side and agency, in which roles, up to which classification."""

    username: str
    party: Party
    roles: frozenset[AccountRole]
    agency: str | None = None
    clearance: Classification = Classification.RESTRICTED
    display_name: str | None = None
    active: bool = True
    version: int = 1

    def __post_init__(self) -> None:
        check_username(self.username)
        if not self.roles:
            raise MissingField("role", "an account has at least one role")
        if self.display_name is not None:
            if len(self.display_name) > DISPLAY_NAME_MAX:
                raise InvalidValue("display_name", self.display_name[:20] + "…", f"longer than {DISPLAY_NAME_MAX}")
            if any(ord(c) < 32 or ord(c) == 127 for c in self.display_name):
                raise InvalidValue("display_name", self.display_name, "control characters are not allowed")
        people = self.roles - {AccountRole.PEER, AccountRole.ADMIN}
        if people and self.agency is None:
            raise MissingField("agency", "a person acting on records belongs to an agency")
        if AccountRole.PEER in self.roles and len(self.roles) > 1:
            raise InvalidValue("role", "peer", "the peer account is the other instance and holds no other role")

    def check_party(self, own: Party) -> None:
        """People act for this instance's side; only the peer account stands for the other side."""
        if AccountRole.PEER in self.roles:
            if self.party is own:
                raise InvalidValue(
                    "party", self.party.value, f"the peer account stands for the other side ({own.other.value})"
                )
        elif self.party is not own:
            raise InvalidValue("party", self.party.value, f"accounts act for this instance's side ({own.value})")

    def to_json(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "display_name": self.display_name,
            "party": self.party.value,
            "agency": self.agency,
            "roles": sorted(r.value for r in self.roles),
            "clearance": self.clearance.value,
            "active": self.active,
            "version": self.version,
        }


def check_password(password: str) -> str:
    """A password of 10 to 1,024 characters (its value never appears in a message)."""
    if len(password) < PASSWORD_MIN:
        raise InvalidValue("password", "(hidden)", f"shorter than {PASSWORD_MIN} characters")
    if len(password) > PASSWORD_MAX:
        raise InvalidValue("password", "(hidden)", f"longer than {PASSWORD_MAX} characters")
    return password
