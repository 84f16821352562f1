"""Query parameters shared by the API and the pages: list filters as the CLI reads them, and opaque cursors."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from datetime import date

from fastapi import Request
from fastapi.dependencies.models import Dependant

from straitlink.catalog import load_catalog
from straitlink.domain.dates import PartialDate
from straitlink.domain.errors import InvalidValue
from straitlink.domain.provenance import ProvenanceKind
from straitlink.services.records import ListFilter

MAX_LIMIT = 200


def period_bound(value: str | None, field: str, *, end: bool) -> date | None:
    """An ISO or ROC date (`98-06-25`, `102年5月`): its first day as a start, its last as an end."""
    if not value:
        return None
    d = PartialDate.parse(value, field=field)
    return d.latest() if end else d.earliest()


def list_filter(
    *,
    start: str | None = None,
    end: str | None = None,
    party: str | None = None,
    agency: str | None = None,
    drug: str | None = None,
    provenance: list[str] | None = None,
    no_synthetic: bool = False,
    limit: int | None = None,
) -> ListFilter:
    """The CLI's `list` filters from request parameters; names of agencies and drugs in either script."""
    catalog = load_catalog()
    kinds = set()
    for p in provenance or []:
        try:
            kinds.add(ProvenanceKind(p).value)
        except ValueError:
            raise InvalidValue("provenance", p, "one of user|document|peer|synthetic") from None
    if party and party.upper() not in ("TW", "CN"):
        raise InvalidValue("party", party, "TW or CN")
    low, high = period_bound(start, "from", end=False), period_bound(end, "to", end=True)
    if low and high and low > high:
        raise InvalidValue("from", start, f"after to ({high.isoformat()})")
    return ListFilter(
        start=low,
        end=high,
        party=party.upper() if party else None,
        agency=catalog.find_agency(agency).id if agency else None,
        drug=catalog.find_drug(drug).id if drug else None,
        provenance=frozenset(kinds),
        exclude_provenance=frozenset({"synthetic"}) if no_synthetic else frozenset(),
        limit=limit,
    )


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidValue("limit", limit, f"between 1 and {MAX_LIMIT}")
    return limit


def encode_cursor(offset: int) -> str:
    """An offset cursor, for lists with no stable key to page on (search results, ranked by relevance).

    Every list in a stable order pages by keyset instead (encode_after).
    """
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        offset = data["o"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise InvalidValue("cursor", cursor, "not a cursor this API gave out") from None
    if not isinstance(offset, int) or offset < 0:
        raise InvalidValue("cursor", cursor, "not a cursor this API gave out")
    return offset


def encode_after(key: tuple[str, ...]) -> str:
    """A keyset cursor: the sort key and id of the last row of a page; the next page starts after it.

    Unlike an offset, it costs the same on page 1,000 as on page 1 (an index seek), and rows inserted or removed
    before it neither repeat nor skip rows of the pages after it.
    """
    return base64.urlsafe_b64encode(json.dumps({"k": list(key)}).encode()).decode().rstrip("=")


def decode_after(cursor: str | None, size: int) -> tuple[str, ...] | None:
    """The key an encode_after() cursor of `size` parts holds, or None without a cursor."""
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))["k"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise InvalidValue("cursor", cursor, "not a cursor this API gave out") from None
    if not isinstance(key, list) or len(key) != size or not all(isinstance(part, str) for part in key):
        raise InvalidValue("cursor", cursor, "not a cursor this API gave out")
    return tuple(key)


def after_key(cursor: str | None) -> tuple[date | None, str] | None:
    """The (sort key, id) a list's keyset cursor holds: a date (none for undated records) and an id."""
    key = decode_after(cursor, 2)
    if key is None:
        return None
    try:
        return (date.fromisoformat(key[0]) if key[0] else None, key[1])
    except ValueError:
        raise InvalidValue("cursor", cursor, "not a cursor this API gave out") from None


def cursor_after(key: tuple[date | None, str]) -> str:
    """The cursor of the page after the row with this (sort key, id)."""
    return encode_after((key[0].isoformat() if key[0] else "", key[1]))


def known_query_only(request: Request) -> None:
    """Refuse a query parameter the API address does not take, naming it and its value.

    Unknown parameters used to be ignored, so `/api/v1/requests?status=open` listed closed requests too, as if
    filtered: a client would count the wrong records without a word.
    """
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    taken = _QUERY_NAMES.get(id(route))
    if taken is None:
        taken = _QUERY_NAMES[id(route)] = frozenset(_query_names(dependant))
    for name, value in request.query_params.multi_items():
        if name not in taken:
            offered = ", ".join(sorted(taken)) or "none"
            raise InvalidValue(name, value, f"not a parameter of {request.url.path} (it takes: {offered})")


_QUERY_NAMES: dict[int, frozenset[str]] = {}


def _query_names(dependant: Dependant) -> Iterator[str]:
    yield from (param.alias for param in dependant.query_params)
    for sub in dependant.dependencies:
        yield from _query_names(sub)
