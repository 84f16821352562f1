"""Text from the other side shown in the reader's script and terms, the stored text left as received.

A reader on Taiwan's side sees mainland text in Traditional script with Taiwan's words (氯胺酮 → 愷他命, 集装箱 →
貨櫃, 千克 → 公斤); a reader on the mainland's side the reverse. The other side's names are first mapped through
the catalogue (drugs, agencies and places in both scripts, with their aliases, and data/terms.yaml's words), each
held out of the script conversion so that OpenCC's phrase tables cannot turn it again, then OpenCC converts the
script with the reader's regional phrases (`s2twp` for Taiwan, `tw2sp` for the mainland).
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from typing import Any

import opencc
import yaml

from straitlink.catalog.loader import Agency, Catalog, Drug, Place
from straitlink.domain.parties import Party

_HOLD, _RELEASE = "\ue000", "\ue001"
_HELD = re.compile(f"{_HOLD}([0-9]+){_RELEASE}")
_CJK = re.compile(r"[\u3400-\u9fff]")
_CONFIG = {Party.TW: "s2twp", Party.CN: "tw2sp"}


@functools.cache
def _opencc(config: str) -> Any:
    return opencc.OpenCC(config)


@functools.cache
def _words() -> tuple[tuple[str, str], ...]:
    text = resources.files("straitlink.catalog").joinpath("data", "terms.yaml").read_text(encoding="utf-8")
    return tuple((str(tw), str(cn)) for tw, cn in yaml.safe_load(text))


def _pairs(catalog: Catalog) -> list[tuple[str, str]]:
    """(Taiwan's name, the mainland's name) of every catalogue entry and listed word, aliases included."""
    pairs = list(_words())
    entries: list[Drug | Agency | Place] = [*catalog.drugs, *catalog.agencies, *catalog.places]
    for entry in entries:
        hant, hans = entry.name_zh_hant, entry.name_zh_hans
        if hant and hans and hant != hans:
            pairs.append((hant, hans))
            pairs += [(alias, hans) for alias in getattr(entry, "aliases", ()) if _CJK.search(alias)]
    return pairs


@functools.lru_cache(maxsize=8)
def _table(catalog: Catalog, reader: Party) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """The other side's words (in either script) → the reader's word; longest first, so 甲基苯丙胺 wins."""
    t2s = _opencc("t2s")
    table: dict[str, str] = {}
    for tw, cn in _pairs(catalog):
        if reader is Party.TW:
            table.setdefault(cn, tw)
        else:
            for form in (tw, str(t2s.convert(tw))):
                if form != cn:
                    table.setdefault(form, cn)
    # A word both sides write alike (one side's alias of the other's name) is nobody's to map.
    table = {k: v for k, v in table.items() if k != v}
    if not table:
        return None, table
    return re.compile("|".join(re.escape(k) for k in sorted(table, key=len, reverse=True))), table


def for_reader(text: str, reader: Party, catalog: Catalog) -> str:
    """`text` as a reader of `reader`'s side reads it: its script and its side's terms."""
    if not _CJK.search(text):
        return text
    pattern, table = _table(catalog, reader)
    held: list[str] = []

    def hold(match: re.Match[str]) -> str:
        held.append(table[match.group(0)])
        return f"{_HOLD}{len(held) - 1}{_RELEASE}"

    marked = pattern.sub(hold, text) if pattern is not None else text
    converted = str(_opencc(_CONFIG[reader]).convert(marked))
    return _HELD.sub(lambda m: held[int(m.group(1))], converted)
