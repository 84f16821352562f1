"""Where the web app keeps sessions: the interface it depends on, and the stores the services provide."""

from __future__ import annotations

from typing import Protocol

from straitlink.services.web_sessions import SqlSessionStore, TokenInfo, TokenStore, WebSession, token_hash


class SessionStore(Protocol):
    """Where sessions live; the web app depends on this, not on a table."""

    def open(self, username: str, lang: str) -> WebSession: ...

    def find(self, token: str) -> WebSession | None: ...

    def set_lang(self, token: str, lang: str) -> None: ...

    def close(self, token: str) -> None: ...

    def close_all(self, username: str) -> int: ...


__all__ = ["SessionStore", "SqlSessionStore", "TokenInfo", "TokenStore", "WebSession", "token_hash"]
