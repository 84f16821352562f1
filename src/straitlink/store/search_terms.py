"""The words of the search index, and of a query, in one folded form: both scripts and both sides' names meet.

Text is folded as the catalogue folds names (NFKC, Simplified script by OpenCC `t2s`, 台 for 臺, lower-case), so a
query in 简 finds 繁 text. Chinese has no spaces: each run of Han characters is indexed as its single characters
and its overlapping pairs, and a query run of two or more characters must match all its pairs, which finds any
name the text holds without a dictionary (people's names are in none). A name of the catalogue (a drug, an agency,
a place, a request type, in either script, either side's term, or a street name) also yields its entry's concept
token, `_drug_methamphetamine`, in text and query alike: 冰毒 finds 甲基安非他命.

Tokens hold only letters, digits and the concept's underscores, so a query is never parsed as FTS5 or tsquery
syntax: quotes, NEAR, `*` and `^` are text that folds away.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from straitlink.catalog import load_catalog

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_RUNS = re.compile(f"([{_HAN}]+)|([^\\W_{_HAN}]+)")
_INVISIBLE = str.maketrans("", "", "\u200b\u200c\u200d\u2060\ufeff")
# What a query may hold: enough for any name, reference number or phrase; more is refused, never truncated.
MAX_QUERY_CHARS = 200
MAX_CLAUSES = 32
CATALOG_KINDS = ("drug", "agency", "place", "request_type")


def concept_token(kind: str, entry_id: str) -> str:
    """The token a catalogue entry adds wherever it is named or referred to."""
    return f"_{kind}_{entry_id}".replace("-", "_")


@functools.cache
def _t2s() -> object:
    import opencc

    return opencc.OpenCC("t2s")


def fold(text: str) -> str:
    """Text as the index holds it: NFKC, Simplified script, 台 for 臺, lower-case; separators kept."""
    folded = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    return str(_t2s().convert(folded)).replace("臺", "台").lower()  # type: ignore[attr-defined]


@functools.lru_cache(maxsize=65536)
def _fold_char(ch: str) -> str:
    convert = _t2s().convert  # type: ignore[attr-defined]
    return str(convert(unicodedata.normalize("NFKC", ch).translate(_INVISIBLE))).replace("臺", "台").lower()


def fold_chars(text: str) -> tuple[str, list[int]]:
    """`text` folded one character at a time, with the original offset of each folded character (for highlights)."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        piece = _fold_char(ch)
        out.append(piece)
        origin.extend([i] * len(piece))
    return "".join(out), origin


@functools.cache
def _names() -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """Every catalogue name (folded, two characters or more) → its concept token, and the names by first character,
    longest first, so 甲基安非他命 wins over the 安非他命 inside it."""
    catalog = load_catalog()
    by_name: dict[str, str] = {}
    for kind in CATALOG_KINDS:
        for name, entry_id in catalog.names_index(kind).items():  # type: ignore[arg-type]
            if len(name) >= 2:
                by_name.setdefault(name, concept_token(kind, entry_id))
    by_first: dict[str, list[str]] = {}
    for name in sorted(by_name, key=len, reverse=True):
        by_first.setdefault(name[0], []).append(name)
    return {first: tuple(names) for first, names in by_first.items()}, by_name


def _ascii_word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def names_in(folded: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, concept token) of each catalogue name in folded text, leftmost and longest first; an ASCII name
    only as a whole word; a name written with spaces is not found."""
    by_first, by_name = _names()
    i, n = 0, len(folded)
    while i < n:
        for name in by_first.get(folded[i], ()):
            end = i + len(name)
            if folded.startswith(name, i) and not (
                name.isascii() and ((i > 0 and _ascii_word(folded[i - 1])) or (end < n and _ascii_word(folded[end])))
            ):
                yield i, end, by_name[name]
                i = end
                break
        else:
            i += 1


def concept_names(token: str) -> tuple[str, ...]:
    """The folded names that carry a concept token."""
    return tuple(n for n, t in _names()[1].items() if t == token)


def _has_letter(token: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LN" for ch in token)


def words(folded: str) -> Iterator[str]:
    """The index's tokens of folded text: each Han character and pair, each other word."""
    for m in _RUNS.finditer(folded):
        han, word = m.group(1), m.group(2)
        if han:
            yield from han
            yield from (han[i : i + 2] for i in range(len(han) - 1))
        elif _has_letter(word):
            yield word


@functools.lru_cache(maxsize=8192)
def _text_terms(text: str) -> tuple[str, ...]:
    # Cached: records repeat their texts (a type's subject, an agency's name), and folding dominates indexing.
    folded = fold(text)
    return (*words(folded), *(token for _, _, token in names_in(folded)))


def document_terms(texts: Iterable[str], concepts: Iterable[str] = ()) -> str:
    """The index's `terms` for a record: its texts' tokens and concept tokens, each once, space-separated."""
    seen: dict[str, None] = {}
    for text in texts:
        seen.update(dict.fromkeys(_text_terms(text)))
    seen.update(dict.fromkeys(concepts))
    return " ".join(seen)


@dataclass(frozen=True)
class Term:
    """One query token: matched exactly, or as a prefix (a Latin word or a number being typed)."""

    token: str
    prefix: bool = False


# A clause matches when any of its alternatives does; an alternative when all its terms do; a query all clauses.
Alternative = tuple[Term, ...]
Clause = tuple[Alternative, ...]


def _literal(piece: str) -> list[Clause]:
    out: list[Clause] = []
    for m in _RUNS.finditer(piece):
        han, word = m.group(1), m.group(2)
        if han and len(han) == 1:
            out.append(((Term(han),),))
        elif han:
            out.append((tuple(Term(han[i : i + 2]) for i in range(len(han) - 1)),))
        elif word and _has_letter(word):
            out.append(((Term(word, prefix=True),),))
    return out


def query_clauses(query: str) -> list[Clause]:
    """The query as clauses: a catalogue name matches its own words or its concept; every other word must match."""
    folded = fold(query)
    clauses: list[Clause] = []
    rest = list(folded)
    for start, end, token in names_in(folded):
        literal = tuple(t for clause in _literal(folded[start:end]) for alt in clause for t in alt)
        clauses.append(((Term(token),), literal) if literal else ((Term(token),),))
        rest[start:end] = " " * (end - start)
    clauses.extend(_literal("".join(rest)))
    unique: dict[Clause, None] = dict.fromkeys(clauses)
    return list(unique)[:MAX_CLAUSES]
