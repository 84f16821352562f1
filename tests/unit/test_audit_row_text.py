"""The records' canonical text in both forms (straitlink.audit.state.row_text): two different rows never read alike,
and a value holding one of the joined form's separators is refused, naming its column."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from straitlink.audit import state as record_state
from straitlink.domain.errors import InvalidValue

STEP = record_state.STEP
COLUMNS = [c.key for c in STEP.columns if c.key not in ("id", "occurred_on")]
SEPARATORS = "\x1d\x1e\x1f"
plain = st.text(st.characters(blacklist_characters=SEPARATORS, blacklist_categories=("Cs",)), max_size=6)
rows = st.fixed_dictionaries({key: st.none() | plain for key in COLUMNS})


FORMS = st.sampled_from([record_state.JSON_FORM, record_state.JOINED_FORM])


@given(rows, rows, FORMS)
def test_different_rows_have_different_texts(a: dict[str, Any], b: dict[str, Any], form: str) -> None:
    assert (record_state.row_text(STEP, a, form) == record_state.row_text(STEP, b, form)) == (a == b)


@given(rows, st.sampled_from(COLUMNS), plain, st.sampled_from(SEPARATORS), plain, FORMS)
def test_a_value_holding_a_separator_is_refused_naming_its_column(
    row: dict[str, Any], column: str, before: str, separator: str, after: str, form: str
) -> None:
    with pytest.raises(InvalidValue) as info:
        record_state.row_text(STEP, {**row, column: before + separator + after}, form)
    assert info.value.field == column and f"U+{ord(separator):04X}" in info.value.message


def test_the_joined_text_names_the_table_and_counts_the_null_columns() -> None:
    text = record_state.row_text(STEP, {"id": 7, "action": "file", "occurred_on": None}, record_state.JOINED_FORM)
    fields = text.split("\x1f")
    assert fields[:3] == ["request_transition", str(len(STEP.columns) - 2), "7"]
    assert fields.count("\x1e") == len(STEP.columns) - 2 and len(fields) == len(STEP.columns) + 2
