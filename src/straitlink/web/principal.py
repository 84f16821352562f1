"""Who acts in the web app: the accounts core's principal, and how the app authenticates and loads it."""

from __future__ import annotations

from collections.abc import Callable

from straitlink.domain.access import Principal
from straitlink.domain.errors import NotAuthenticated

Authenticate = Callable[[str, str], Principal]
LoadPrincipal = Callable[[str], Principal]

__all__ = ["Authenticate", "LoadPrincipal", "NotAuthenticated", "Principal"]
