"""Any query a person can type runs on both engines without an error and finds only what the index holds: quotes,
NEAR, `*`, `^`, `:*`, `&`, `|`, parentheses, control characters, every script are text, never query syntax."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from principals import officer
from sqlalchemy import Engine

from straitlink.services import records
from straitlink.services.kinds import kind_named
from straitlink.services.search import search_records
from straitlink.services.setup import init_database
from straitlink.store.db import make_engine
from straitlink.store.search_terms import MAX_QUERY_CHARS

DESK = officer("liaison")
SYNTAX = ['"', "'", "*", "^", ":*", "&", "|", "!", "(", ")", "NEAR", "AND", "OR", "NOT", "-", "+", ":", "\\", "\x00"]
WORDS = ["笙宏號", "笙宏号", "冰毒", "K他命", "高雄", "TW2013", "00012", "meth", "ice", " ", "a", "案"]


@pytest.fixture(scope="module")
def engine(module_db_url: str) -> Iterator[Engine]:
    engine = make_engine(module_db_url)
    init_database(engine)
    add = lambda kind, data: records.add_record(engine, kind_named(kind), data, principal=DESK)  # noqa: E731
    add("case", {"title": "笙宏號運毒案 TW2013-00012", "kind": "drugs", "joint": True, "summary": '冰毒 NEAR "*"'})
    add("seizure", {"drug": "ketamine", "quantities": [{"value": "231", "unit": "kg"}], "description": "^行李'夾藏"})
    yield engine
    engine.dispose()


queries = st.one_of(
    st.text(max_size=MAX_QUERY_CHARS),
    st.lists(st.sampled_from(SYNTAX + WORDS), max_size=12).map("".join),
    st.lists(st.sampled_from(SYNTAX + WORDS), max_size=12).map(" ".join),
)


@settings(max_examples=150, deadline=None)
@given(query=queries)
def test_a_query_never_errors(engine: Engine, query: str) -> None:
    found = search_records(engine, query, principal=DESK, limit=5)
    assert 0 <= len(found.hits) <= min(found.total, 5)
    for hit in found.hits:
        assert all(0 <= start < end <= len(hit.snippet) for start, end in hit.highlights)
