"""The fast canonical form (`envelope.canonical`) is byte for byte what `rfc8785` writes, or refuses as it does."""

from __future__ import annotations

from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from straitlink.exchange.envelope import canonical

# Any text, including control characters, quotes, backslashes, CJK, characters above the BMP and lone surrogates.
_text = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=12)
_scalars = st.none() | st.booleans() | st.integers(min_value=-(2**60), max_value=2**60) | _text | st.floats()
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4),
    max_leaves=20,
)


def _reference(value: Any) -> bytes | type[Exception]:
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, ValueError, TypeError) as exc:
        return type(exc)


@settings(max_examples=600, deadline=None)
@given(_json)
def test_canonical_writes_what_rfc8785_writes(value: Any) -> None:
    expected = _reference(value)
    if isinstance(expected, bytes):
        assert canonical(value) == expected
    else:
        with pytest.raises(expected):
            canonical(value)


@pytest.mark.parametrize(
    "value",
    [
        {"\ue000": 1, "\U0001f600": 2},  # code-point order and UTF-16 order differ here
        {"n": 2**53 - 1, "m": -(2**53) + 1, "f": 1.0, "g": 1e21, "h": 1e-7},
        {"s": 'tab\t nl\n nul\x00 us\x1f del\x7f quote" back\\ line\u2028 情資'},
        [[], {}, [None, True, False, ""]],
    ],
)
def test_canonical_edges(value: Any) -> None:
    assert canonical(value) == rfc8785.dumps(value)


@pytest.mark.parametrize("value", [{"big": 2**53}, {"x": "\ud800"}, {1: "not a string key"}, {"nan": float("nan")}])
def test_canonical_refuses_what_rfc8785_refuses(value: Any) -> None:
    with pytest.raises(rfc8785.CanonicalizationError):
        canonical(value)
