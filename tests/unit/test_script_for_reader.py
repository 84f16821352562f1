"""Text from the other side in the reader's script and terms (catalog.script, services.present.for_reader_of)."""

from __future__ import annotations

import pytest

from straitlink.catalog import load_catalog
from straitlink.catalog.script import for_reader
from straitlink.domain.parties import Party
from straitlink.services.present import for_reader_of

CATALOG = load_catalog()


@pytest.mark.parametrize(
    ("text", "reader", "shown"),
    [
        ("在集装箱内查获氯胺酮229千克，犯罪嫌疑人3名", Party.TW, "在貨櫃內查獲愷他命229公斤，嫌犯3名"),
        ("根据台方情报循线查获甲基苯丙胺", Party.TW, "根據臺方情資循線查獲甲基安非他命"),
        ("貨櫃夾藏K他命229公斤，嫌犯3名", Party.CN, "集装箱夹藏氯胺酮229千克，犯罪嫌疑人3名"),
        ("Container No. 12", Party.TW, "Container No. 12"),
    ],
)
def test_the_other_sides_text_reads_in_the_readers_script_and_terms(text: str, reader: Party, shown: str) -> None:
    assert for_reader(text, reader, CATALOG) == shown


def test_a_record_from_the_peer_is_shown_converted_and_keeps_what_was_received() -> None:
    stored = {
        "id": "x",
        "summary": "集装箱夹藏氯胺酮",
        "quantities": [{"value": "229", "unit": "kg"}],
        "provenance": {"kind": "peer", "message": "m-1"},
    }
    shown = for_reader_of(stored, reader=Party.TW, catalog=CATALOG)
    assert shown["summary"] == "貨櫃夾藏愷他命"
    assert shown["as_received"] == {"summary": "集装箱夹藏氯胺酮"}
    assert stored["summary"] == "集装箱夹藏氯胺酮"  # the stored record is untouched
    own = {**stored, "provenance": {"kind": "user", "user": "chen"}}
    assert for_reader_of(own, reader=Party.TW, catalog=CATALOG) == own  # this side's own text as stored
