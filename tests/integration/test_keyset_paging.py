"""Keyset paging (ListFilter.after, RequestFilter.after), on SQLite and PostgreSQL.

Whatever the page size and however many rows share a date (or have none), following the cursors from the first page
returns every row exactly once, in the list's order; and rows inserted between two pages — before the cursor or
after it — never make a row of the original set repeat or go missing.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from principals import officer
from sqlalchemy import Engine, delete, insert

from straitlink.domain.errors import InvalidValue
from straitlink.domain.parties import Party
from straitlink.domain.requests import Direction
from straitlink.services import records
from straitlink.services import requests as svc
from straitlink.services.calendars import calendars, load_rules
from straitlink.services.documents import FileStore
from straitlink.services.kinds import kind_named
from straitlink.services.records import ListFilter
from straitlink.services.request_lists import RequestFilter, list_requests
from straitlink.services.setup import init_database
from straitlink.store import tables as t
from straitlink.store.db import make_engine
from straitlink.store.uow import UnitOfWork
from straitlink.web.filters import after_key, cursor_after, encode_after

pytestmark = pytest.mark.pg

FIRST = date(2020, 1, 1)
OFFICER = officer()
SEIZURES = kind_named("seizure")


@pytest.fixture(scope="module")
def store(module_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, svc.Desk]]:
    engine = make_engine(module_db_url)
    init_database(engine)
    files = FileStore(tmp_path_factory.mktemp("files"))
    yield engine, svc.Desk(engine, Party.TW, files, load_rules(), calendars(), today=lambda: date(2021, 1, 1))
    engine.dispose()


def _request(n: str, day: int, party: str = "TW") -> dict[str, Any]:
    return {"id": n, "version": 1, "prov_kind": "user", "prov_user": "t", "requesting_party": party,
            "type": "document_service", "subject": "s", "status": "filed", "urgency": "normal",
            "filed_on": FIRST + timedelta(days=day)}  # fmt: skip


def _seizure(n: str, day: int | None) -> dict[str, Any]:
    when = FIRST + timedelta(days=day) if day is not None else None
    return {"id": n, "version": 1, "prov_kind": "user", "prov_user": "t", "drug": "heroin", "containers": [],
            "date_earliest": when, "date_latest": when, "date_precision": "day" if when else None}  # fmt: skip


def _reset(engine: Engine, requests: list[dict[str, Any]], seizures: list[dict[str, Any]]) -> None:
    with UnitOfWork(engine) as uow:
        for row in (t.SeizureQuantityRow, t.SeizureRow, t.AssistanceRequestRow):
            uow.session.execute(delete(row))
        if requests:
            uow.session.execute(insert(t.AssistanceRequestRow), requests)
        if seizures:
            uow.session.execute(insert(t.SeizureRow), seizures)
            amounts = [{"seizure": s["id"], "position": 0, "value": 1, "unit": "kg", "basis": "net",
                        "qualifier": "exact"} for s in seizures]  # fmt: skip
            uow.session.execute(insert(t.SeizureQuantityRow), amounts)
        uow.commit()


def _request_pages(desk: svc.Desk, size: int, between: Any = None) -> list[str]:
    """Every id the outbox lists, page by page; `between(page_number)` runs before each page after the first."""
    seen: list[str] = []
    after: tuple[date, str] | None = None
    page = 0
    while True:
        if page and between is not None:
            between(page)
        flt = RequestFilter(direction=Direction.of(Party.TW), limit=size + 1, after=after)
        found = [r for r, _ in list_requests(desk, flt, principal=OFFICER)]
        seen += [r.id for r in found[:size]]
        if len(found) <= size:
            return seen
        last = found[size - 1]
        after, page = (last.filed_on, last.id), page + 1


def _seizure_pages(engine: Engine, size: int) -> list[str]:
    seen: list[str] = []
    flt = ListFilter(limit=size + 1)
    while True:
        found = records.list_records(engine, SEIZURES, flt, principal=OFFICER)
        seen += [s.id for s in found[:size]]
        if len(found) <= size:
            return seen
        flt = ListFilter(limit=size + 1, after=records.list_key(SEIZURES, found[size - 1]))


# Few distinct days, so that many rows share one and the id decides; ids out of date order.
days = st.lists(st.integers(min_value=0, max_value=6), min_size=0, max_size=40)
SLOW = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SLOW
@given(days=days, size=st.integers(min_value=1, max_value=7), seed=st.integers(0, 1000))
def test_every_request_once_in_order_whatever_the_page_size(
    store: tuple[Engine, svc.Desk], days: list[int], size: int, seed: int
) -> None:
    engine, desk = store
    rng = random.Random(seed)
    rows = [_request(f"r{rng.randrange(10**6):06d}-{i}", d, rng.choice(("TW", "TW", "CN"))) for i, d in enumerate(days)]
    _reset(engine, rows, [])
    expected = [r["id"] for r in sorted(rows, key=lambda r: (r["filed_on"], r["id"])) if r["requesting_party"] == "TW"]
    assert _request_pages(desk, size) == expected


@SLOW
@given(
    days=st.lists(st.one_of(st.none(), st.integers(min_value=0, max_value=4)), max_size=30),
    size=st.integers(min_value=1, max_value=6),
)
def test_every_seizure_once_undated_ones_first(
    store: tuple[Engine, svc.Desk], days: list[int | None], size: int
) -> None:
    engine, _ = store
    rows = [_seizure(f"s{(i * 7919) % 1000:03d}-{i}", d) for i, d in enumerate(days)]
    _reset(engine, [], rows)
    undated = sorted(r["id"] for r in rows if r["date_earliest"] is None)
    dated = sorted((r for r in rows if r["date_earliest"]), key=lambda r: (r["date_earliest"], r["id"]))
    assert _seizure_pages(engine, size) == undated + [r["id"] for r in dated]


@SLOW
@given(
    days=st.lists(st.integers(min_value=0, max_value=5), min_size=1, max_size=30),
    inserted=st.lists(st.integers(min_value=0, max_value=5), max_size=12),
    size=st.integers(min_value=1, max_value=5),
)
def test_rows_inserted_between_pages_neither_repeat_nor_hide_a_row(
    store: tuple[Engine, svc.Desk], days: list[int], inserted: list[int], size: int
) -> None:
    engine, desk = store
    _reset(engine, [_request(f"a{i:03d}", d) for i, d in enumerate(days)], [])
    pending = iter(enumerate(inserted))

    def insert_one(page: int) -> None:
        # Before and after the cursor alike: a new day or a day already listed, an id anywhere in its order.
        for i, day in pending:
            with UnitOfWork(engine) as uow:
                uow.session.execute(insert(t.AssistanceRequestRow), [_request(f"{'az'[i % 2]}{i:03d}x", day)])
                uow.commit()
            return

    seen = _request_pages(desk, size, insert_one)
    assert len(seen) == len(set(seen))  # nothing twice
    assert {f"a{i:03d}" for i in range(len(days))} <= set(seen)  # nothing of the original set missing
    assert seen == sorted(seen, key=lambda rid: (_filed(engine, rid), rid))  # still in order


def _filed(engine: Engine, rid: str) -> date:
    with UnitOfWork(engine) as uow:
        found = uow.session.get(t.AssistanceRequestRow, rid)
        assert found is not None
        return found.filed_on


def test_a_cursor_from_another_list_or_made_up_is_refused_with_its_field() -> None:
    assert after_key(cursor_after((date(2020, 1, 2), "abc"))) == (date(2020, 1, 2), "abc")
    assert after_key(cursor_after((None, "abc"))) == (None, "abc")
    for bad in ("not-ours", encode_after(("2020-13-01", "x")), encode_after(("2020-01-01",))):
        with pytest.raises(InvalidValue) as raised:
            after_key(bad)
        assert raised.value.field == "cursor"
