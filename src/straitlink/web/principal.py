"""Who acts in the web app (until the accounts core lands on main: a stand-in with the core's shape)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from straitlink.domain.errors import StraitLinkError
from straitlink.domain.parties import Party


class NotAuthenticated(StraitLinkError):
    code = "not_authenticated"
    http_status = 401

    def __init__(self, username: str | None, reason: str) -> None:
        super().__init__(f"username: {username!r} {reason}", field="username", value=username)


@dataclass(frozen=True)
class Principal:
    username: str
    party: Party
    roles: frozenset[str] = frozenset()
    agency: str | None = None
    agencies: frozenset[str] = field(default_factory=frozenset)

    def may(self, permission: Any) -> bool:
        return True


Authenticate = Callable[[str, str], Principal]
LoadPrincipal = Callable[[str], Principal]


def no_accounts(username: str, password: str = "") -> Principal:
    """Until the accounts core is on main, nobody can log in to an app created without an authenticator."""
    raise NotAuthenticated(username, "cannot log in: this instance has no accounts yet")
