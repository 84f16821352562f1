"""Text folded for matching, with a map from folded offsets back to the original (ingest/normalise.py cuts blocks).

Folding is what `catalog.normalize_name` does to a name (NFKC, Simplified script, 台 for 臺, no spaces, ASCII
lower-case), applied to running text without losing track of where each character came from. A few full-width
marks (，：；！？) are kept as they are, because NFKC would turn "，" into "," and "123，456" would then read as one
number.

The original text is never changed: every span reported downstream is `text[start:end]` of the original.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from bisect import bisect_right
from typing import Any

import opencc

# Whitespace (and the zero-width characters normalize_name removes) is dropped, except one space between digits.
# One character class (every white space character but "\n", all in the BMP) rather than an alternation: a search
# then skips over the other characters at C speed.
_WHITE = "".join(ch for code in range(0x10000) if (ch := chr(code)).isspace() and ch != "\n")
_SPACE = re.compile(f"[{re.escape(_WHITE)}\u200b\u200c\u200d\u2060\ufeff]+")
_DIGIT = re.compile(r"\d")
_PLACEHOLDER = "\ue000"  # a private-use character; a block holding one takes the slow, exact way
_KEEP = {0xFF0C: "，", 0xFF1A: "：", 0xFF1B: "；", 0xFF01: "！", 0xFF1F: "？"}


class _FoldTable(dict[int, Any]):
    """Per-character fold: NFKC where it yields one character, ASCII lower-case, 台 for 臺; cached lazily."""

    def __missing__(self, code: int) -> Any:
        if code in _KEEP:
            value: Any = _KEEP[code]
        else:
            folded = unicodedata.normalize("NFKC", chr(code))
            value = folded if len(folded) == 1 else code
            if value == "臺":
                value = "台"
            if isinstance(value, str) and "A" <= value <= "Z":
                value = value.lower()
        self[code] = value
        return value


_FOLD = _FoldTable()


@functools.cache
def _changed_by_fold() -> re.Pattern[str]:
    """The characters the fold changes (a few thousand of the BMP, found once), and every astral character
    (looked up in the table): str.translate would look each character up, the same as most of them."""
    codes = [
        code
        for code in range(0x10000)
        if ("A" <= chr(code) <= "Z" or code == 0x81FA or not unicodedata.is_normalized("NFKC", chr(code)))
        and _FOLD[code] not in (code, chr(code))
    ]
    ranges, k = [], 0
    while k < len(codes):
        last = k
        while last + 1 < len(codes) and codes[last + 1] == codes[last] + 1:
            last += 1
        first_ch, last_ch = re.escape(chr(codes[k])), re.escape(chr(codes[last]))
        ranges.append(first_ch if last == k else f"{first_ch}-{last_ch}")
        k = last + 1
    return re.compile(f"[{''.join(ranges)}\U00010000-\U0010ffff]")


def _fold_one(m: re.Match[str]) -> str:
    value = _FOLD[ord(m.group())]
    return value if isinstance(value, str) else chr(value)


def fold_chars(text: str) -> str:
    """text.translate(_FOLD), replacing only the characters the fold changes."""
    return _changed_by_fold().sub(_fold_one, text)


def _cell_break(text: str, a: int, b: int) -> bool:
    """Tabs alone inside a line: the readers' break between two cells of a table's row (kept, one for one)."""
    return a > 0 and b < len(text) and text[a - 1] != "\n" and text[b] != "\n" and text.count("\t", a, b) == b - a


def _space_or_not(m: re.Match[str]) -> str:
    """A run of white space: one space between two digits (「3 5人」 are two figures), the tabs between two cells
    of a table's row as they are, else nothing."""
    a, b = m.span()
    text = m.string
    if _cell_break(text, a, b):
        return m.group()
    return " " if a > 0 and b < len(text) and text[a - 1].isdecimal() and text[b].isdecimal() else ""


@functools.cache
def _t2s() -> Any:
    return opencc.OpenCC("t2s")


@functools.cache
def _t2s_char(ch: str) -> str:
    out = str(_t2s().convert(ch))
    return out if len(out) == 1 else ch


def to_simplified(text: str) -> str:
    """Simplified script, one character for one: phrase conversion when it keeps the length, else per character."""
    out = str(_t2s().convert(text))
    if len(out) == len(text):
        return out
    return "".join(_t2s_char(ch) for ch in text)


class Folded:
    """One block folded for matching: `text`, and the map from its offsets back to the original document.

    The block keeps the pieces of the original it kept (lines, and "\n" at paragraph ends); the folded text is
    those pieces joined, with whitespace dropped, translated and converted. The offset map is built only when a
    span is asked for: most blocks of a long document propose nothing and never need it.
    """

    __slots__ = ("_kept_at", "_map", "base", "kept", "original", "text")

    def __init__(self, original: str, pieces: list[tuple[int, int]], base: int) -> None:
        self.original = original
        self.base = base  # offset of the block's first character in the original document
        self.kept = "".join(original[a:b] for a, b in pieces)
        self._kept_at: tuple[list[int], list[int]] = ([], [])  # piece starts in `kept`, and in `original`
        at = 0
        for a, b in pieces:
            self._kept_at[0].append(at)
            self._kept_at[1].append(a)
            at += b - a
        self._map: tuple[list[int], list[int]] | None = None
        if _PLACEHOLDER in self.kept:
            self.text = to_simplified(fold_chars(self._spaced()))
        else:
            # Keep one space between two digits (「3 5人」 are two figures), drop every other run of white space.
            self.text = to_simplified(fold_chars(_SPACE.sub(_space_or_not, self.kept)))

    def _spaced(self) -> str:
        """The kept text with white space handled as the offset map has it (the slow, exact way)."""
        norm, orig, length = self._runs()
        parts = []
        for k, start in enumerate(norm):
            size = (norm[k + 1] if k + 1 < len(norm) else length) - start
            piece = self.kept[orig[k] : orig[k] + size]
            run = _SPACE.match(self.kept, orig[k])
            tabs = run is not None and _cell_break(self.kept, run.start(), run.end())
            parts.append(" " if size == 1 and run is not None and not tabs else piece)
        return "".join(parts)

    def _runs(self) -> tuple[list[int], list[int], int]:
        """One-to-one runs between the folded text and `kept` (starts in each), and the folded length."""
        norm: list[int] = []
        orig: list[int] = []
        kept, length, pos = self.kept, 0, 0
        for m in _SPACE.finditer(kept):
            if m.start() > pos:
                norm.append(length)
                orig.append(pos)
                length += m.start() - pos
            a, b = m.start(), m.end()
            if _cell_break(kept, a, b):
                norm.append(length)
                orig.append(a)
                length += b - a
            elif a > 0 and b < len(kept) and _DIGIT.match(kept[a - 1]) and _DIGIT.match(kept[b]):
                norm.append(length)
                orig.append(a)
                length += 1
            pos = b
        if pos < len(kept):
            norm.append(length)
            orig.append(pos)
            length += len(kept) - pos
        return norm, orig, length

    def _point(self, i: int) -> int:
        """The offset in `original` of folded character i."""
        if self._map is None:
            self._map = self._runs()[:2]
        norm, orig = self._map
        k = bisect_right(norm, i) - 1
        if k < 0:
            return 0
        at = orig[k] + (i - norm[k])
        starts, origins = self._kept_at
        j = bisect_right(starts, at) - 1
        return origins[j] + (at - starts[j])

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Document offsets (start, end) of folded text[start:end]."""
        if not self.text:
            return self.base, self.base
        start = min(max(start, 0), len(self.text))
        end = min(max(end, start), len(self.text))
        if end == start:
            point = self._point(start) if start < len(self.text) else len(self.original)
            return self.base + point, self.base + point
        return self.base + self._point(start), self.base + self._point(end - 1) + 1

    def quote(self, start: int, end: int) -> str:
        """The original text behind folded text[start:end], exactly as the document has it."""
        a, b = self.span(start, end)
        return self.original[a - self.base : b - self.base]

    def clean(self, start: int, end: int) -> str:
        """The original characters behind folded text[start:end] without what folding dropped (spaces, page
        numbers): a name or a title in the script it came in, free of PDF damage."""
        start, end = max(start, 0), min(end, len(self.text))
        if self._map is None:
            self._map = self._runs()[:2]
        norm, orig = self._map
        starts, origins = self._kept_at
        parts = []
        i = start
        while i < end:
            # Copy whole stretches that map one to one: to the end of the run, of the kept piece, or of the span.
            k = bisect_right(norm, i) - 1
            run_end = norm[k + 1] if k + 1 < len(norm) else len(self.text)
            at = orig[k] + (i - norm[k])
            j = bisect_right(starts, at) - 1
            piece_end = starts[j + 1] if j + 1 < len(starts) else len(self.kept)
            size = min(run_end, end) - i
            size = min(size, piece_end - at)
            first = origins[j] + (at - starts[j])
            parts.append(self.original[first : first + size])
            i += size
        return "".join(parts).strip()


def fold(text: str, base: int = 0) -> Folded:
    """Fold one piece of text as normalize_name folds a name, line breaks and all (no PDF repair): for short
    texts, queries and tests."""
    pieces, pos = [], 0
    for line in text.split("\n"):
        pieces.append((pos, pos + len(line)))
        pos += len(line) + 1
    return Folded(text, pieces, base)
