"""A server-side cache of rendered pages: the request lists (inbox, outbox) and the statistics page.

Those pages cost milliseconds to compute and are read far more often than what they show changes. This pure ASGI
middleware, in front of FastAPI's routing, dependencies and thread pool, serves a page again as long as its key is
the same:

- the session (its token's hash, with its CSRF token and language, which the page carries), checked on every
  request with its account in one query (services.page_check): a session logged out, expired or of a disabled
  account is never served from here, and goes on to the app, which refuses it as always;
- the path and query string;
- today's date (deadline states change with the desk's day, the statistics' default period with the calendar's);
- the page versions of migration 0016 that the page depends on: the principal's (account, roles, agencies) and
  its family's (requests, or statistics). Triggers bump them in the transaction that writes, so a reader sees a
  new version exactly when it sees the new rows.

The versions are read before the page is computed, so a stored page is never older than its key says. Only a 200
without a cookie set is stored. Memory is bounded per process: at most `entries` pages and `max_bytes` of bodies,
the least recently used leaving first (README, "Configuration").
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date
from typing import Any

from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from straitlink.services.page_check import PageChecker
from straitlink.services.records import today_utc8
from straitlink.web.security import SESSION_COOKIE

# The cached pages, by path, and the family of versions each depends on besides the principal's.
FAMILIES = {"/requests": "requests", "/statistics": "statistics"}
DEFAULT_ENTRIES = 256
DEFAULT_MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Stored:
    headers: list[tuple[bytes, bytes]]
    body: bytes


class PageStore:
    """Least recently used pages, bounded in count and in bytes."""

    def __init__(self, entries: int = DEFAULT_ENTRIES, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.entries, self.max_bytes = entries, max_bytes
        self._pages: OrderedDict[Hashable, Stored] = OrderedDict()
        self.size = 0
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._pages)

    def get(self, key: Hashable) -> Stored | None:
        found = self._pages.get(key)
        if found is None:
            self.misses += 1
            return None
        self._pages.move_to_end(key)
        self.hits += 1
        return found

    def put(self, key: Hashable, page: Stored) -> None:
        if len(page.body) > self.max_bytes or self.entries <= 0:
            return
        old = self._pages.pop(key, None)
        if old is not None:
            self.size -= len(old.body)
        self._pages[key] = page
        self.size += len(page.body)
        while len(self._pages) > self.entries or self.size > self.max_bytes:
            _, gone = self._pages.popitem(last=False)
            self.size -= len(gone.body)


def _session_token(scope: Scope) -> str | None:
    """The session cookie of a browser request; None without one, or with an Authorization header (which the app
    reads first, so the page is that client's)."""
    cookie = None
    for name, value in scope["headers"]:
        if name == b"authorization":
            return None
        if name == b"cookie":
            cookie = value.decode("latin-1")
    if cookie is None or SESSION_COOKIE not in cookie:
        return None
    return cookie_parser(cookie).get(SESSION_COOKIE) or None


class PageCache:
    """The middleware: a hit is answered here; a miss goes to the app and its answer is kept."""

    def __init__(self, app: ASGIApp, *, checker: PageChecker, today: Callable[[], date], store: PageStore) -> None:
        self.app, self.checker, self.today, self.store = app, checker, today, store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        family = FAMILIES.get(scope["path"]) if scope["type"] == "http" and scope["method"] == "GET" else None
        token = _session_token(scope) if family is not None and self.store.entries > 0 else None
        # Run in the event loop, not the thread pool: a primary-key read on a kept connection costs less than the
        # hand-over between threads would.
        found = self.checker.check(token) if token else None
        if family is None or found is None:
            await self.app(scope, receive, send)
            return
        versions = found.versions
        key = (found.token_hash, found.csrf, found.lang, family, scope["query_string"], self.today(), today_utc8(),
               versions["principal"], versions[family])  # fmt: skip
        page = self.store.get(key)
        if page is not None:
            await send({"type": "http.response.start", "status": 200, "headers": page.headers})
            await send({"type": "http.response.body", "body": page.body})
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, keep)
        headers = [(bytes(k), bytes(v)) for k, v in start.get("headers", ())]
        if start.get("status") == 200 and not any(k.lower() == b"set-cookie" for k, _ in headers):
            self.store.put(key, Stored(headers, b"".join(chunks)))
