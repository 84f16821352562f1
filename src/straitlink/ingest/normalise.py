"""Text as extracted → blocks folded for matching, each with a map from folded offsets back to the original.

Folding is what `catalog.normalize_name` does to a name (NFKC, Simplified script, 台 for 臺, no spaces, ASCII
lower-case), applied to running text without losing track of where each character came from. On top of that,
PDF damage is repaired: page-number lines are dropped, running headers are dropped, and the line breaks inside
a sentence are removed while the break at a paragraph's end is kept as "\\n". A few full-width marks (，：；！？)
are kept as they are, because NFKC would turn "，" into "," and "123，456" would then read as one number.

The original text is never changed: every span reported downstream is `text[start:end]` of the original.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import opencc

# Marks that end a sentence or introduce a list; a line ending in one is never joined to the next.
_TERMINAL = "。！？!?：:；;」』”"
_ENUMERATOR = re.compile(
    r"\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十0-9]+[)）]|[0-9]{1,2}[、.．](?![0-9]))"
)
_PAGE_NUMBER = re.compile(
    r"\s*(?:[-—–－]\s*)?[0-9０-９]{1,3}(?:\s*[-—–－])?\s*"
    r"|\s*第\s*[0-9０-９]{1,3}\s*[頁页](?:\s*[/，,]?\s*共\s*[0-9０-９]{1,3}\s*[頁页])?\s*"
    r"|\s*[0-9０-９]{1,3}\s*/\s*[0-9０-９]{1,3}\s*"
    r"|\s*(?:page|p\.)\s*[0-9]{1,3}(?:\s*of\s*[0-9]{1,3})?\s*",
    re.IGNORECASE,
)
# Whitespace (and the zero-width characters normalize_name removes) is dropped, except one space between digits.
# One character class (every white space character but "\n", all in the BMP) rather than an alternation: a search
# then skips over the other characters at C speed.
_WHITE = "".join(ch for code in range(0x10000) if (ch := chr(code)).isspace() and ch != "\n")
_SPACE = re.compile(f"[{re.escape(_WHITE)}\u200b\u200c\u200d\u2060\ufeff]+")
_DIGIT = re.compile(r"\d")
_PLACEHOLDER = "\ue000"  # a private-use character; a block holding one takes the slow, exact way
_KEEP = {0xFF0C: "，", 0xFF1A: "：", 0xFF1B: "；", 0xFF01: "！", 0xFF1F: "？"}
# Mirror-site noise: a pinyin gloss after a character (運(yùn)), a line carrying a link or an advertisement, a
# navigation line (首页 | 新闻 | 社会, 首頁 > 新聞 > 正文). Such lines are dropped like page numbers; a gloss is cut out
# of its line (the original keeps it: a span quoting across it quotes it).
_GLOSS = re.compile(r"(?<=[一-鿿])[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]{0,6}[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]{0,6}[)）]")
_LINK = re.compile(r"(?:https?://|www\.)[A-Za-z0-9.-]+|[A-Za-z0-9-]+\.(?:com|cn|net|cc)\b")
_ADVERT = re.compile(r"^\W{0,3}[【\[](?:[^】\]]{0,6})(?:廣告|广告|推廣|推广|熱門推薦|热门推荐|贊助|赞助)")
_NAVIGATION = re.compile(r"[|｜>＞»›]")
# A list of links: its heading (相關新聞, 延伸閱讀, 相关阅读：A | B) and its items (- 標題2019-03-01: a title ending in
# the date it was posted, with no sentence's end).
_LINKS_HEADING = re.compile(
    r"(?:相[关關]|延伸|推[荐薦]|[热熱]门|[热熱]門|更多|[猜你喜欢]{4}|上一|下一)"
    r"(?:[阅閱][读讀]|新[闻聞]|[报報][导導道]|推[荐薦]|[链鏈]接|文章|篇|[图圖]集)"
)
_LINK_ITEM = re.compile(r"[-·•‧*]\s*[^。！？!?]{4,80}?\s*(?:19|20)[0-9]{2}[-/.][0-9]{1,2}[-/.][0-9]{1,2}")
_MD_RULE = re.compile(r"\|?(?:\s*:?-{3,}:?\s*\|)+\s*(?::?-{3,}:?\s*)?")  # |---|:---:| under a Markdown header
# A table flattened to one cell per line (copied from html or pdf): a cell is a short line without a sentence's
# end, a value cell a number with its unit. A line break before a run of cells holding values is kept, so that
# each cell stays a line of its own (ingest.tables reads them).
_VALUE_CELL = re.compile(
    r"\s*(?:約|约|近|逾)?\s*[0-9０-９][0-9０-９,，.．萬万億亿\s]*(?:餘|余|多)?\s*"
    r"(?:件|人|名|公斤|千克|公克|克|公噸|噸|吨|%|％|起|個|个|批|艘|箱|人次)?\s*"
)
_CELL_WIDTH = 24
_HEADER_WIDTH = 40  # a running header is a short line
_SHORT = 0.72  # a line narrower than this share of the page's width ends its paragraph
_MAX_BLOCK = 16_000  # characters; a block is cut at a line end once it grows past this
_MIN_BLOCK = 4_000  # characters; below this a block runs on past a sentence's end


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


def width(line: str) -> int:
    """Display width: wide (CJK) characters count two, so Chinese and mixed lines compare fairly. GB18030 writes
    ASCII in one byte and Chinese in two, so its length is that width, computed in C."""
    return len(line.strip().encode("gb18030", errors="replace"))


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


def _fold_pieces(original: str, pieces: list[tuple[int, int]], base: int) -> Folded:
    return Folded(original, pieces, base)


def fold(text: str, base: int = 0) -> Folded:
    """Fold one piece of text as normalize_name folds a name, line breaks and all (no PDF repair): for short
    texts, queries and tests."""
    pieces, pos = [], 0
    for line in text.split("\n"):
        pieces.append((pos, pos + len(line)))
        pos += len(line) + 1
    return Folded(text, pieces, base)


@dataclass(slots=True)
class _Line:
    start: int  # offset of the line inside the block
    text: str  # the line without its line break
    nl: int  # offset of its "\n" inside the block; -1 for a last line without one
    kind: str  # content | blank | page | header


class Blocker:
    """Cut a stream of text into blocks that end at a sentence end, repairing PDF line damage on the way.

    Feed it the document in chunks of any size (`feed`), then `close`; each yields the blocks completed. The
    state kept between blocks is small (the widest line seen, a bounded set of short lines, the current block),
    so a document of any size is processed in bounded memory.
    """

    def __init__(self, max_block: int = _MAX_BLOCK) -> None:
        self.max_block = max_block
        self.min_block = min(_MIN_BLOCK, max_block)
        self.offset = 0  # document offset of the current block
        self.pending = ""  # an incomplete last line
        self.parts: list[str] = []
        self.lines: list[_Line] = []
        self.size = 0
        self.widest = 0
        self.short_lines: dict[str, int] = {}
        self.since_page = 99  # content lines since the last page number or form feed

    def feed(self, chunk: str) -> Iterator[Folded]:
        lines = (self.pending + chunk).split("\n")
        self.pending = lines.pop()
        for raw in lines:
            done = self._line(raw, has_break=True)
            if done is not None:
                yield done

    def close(self) -> Iterator[Folded]:
        if self.pending:
            done = self._line(self.pending, has_break=False)
            self.pending = ""
            if done is not None:
                yield done
        if self.lines:
            yield self._flush()

    def _line(self, raw: str, *, has_break: bool) -> Folded | None:
        """Take one line; the block it completes, if it completes one."""
        text = raw[:-1] if raw.endswith("\r") else raw
        stripped = text.strip()
        line = _Line(self.size, text, self.size + len(raw) if has_break else -1, "blank")
        self.parts.append(raw + "\n" if has_break else raw)
        self.size += len(raw) + has_break
        if stripped or "\f" in text:
            line.kind = self._classify(text)
        self.lines.append(line)
        # A block ends at a sentence's end once it is big enough that the work per block is worth it.
        if line.kind == "content" and (
            (stripped[-1] in "。！？!?" and self.size >= self.min_block) or self.size > self.max_block
        ):
            return self._flush()
        if self.size > 4 * self.max_block:
            return self._flush()  # nothing closes it (a file of blank lines or page numbers): cut anyway
        return None

    def _classify(self, text: str) -> str:
        if "\f" in text:
            self.since_page = 0
        stripped = text.replace("\f", "").strip()
        if not stripped:
            return "blank"
        if _is_noise(stripped):
            return "noise"
        if _PAGE_NUMBER.fullmatch(stripped):
            self.since_page = 0
            # A running footer stands just above its page number.
            for line in reversed(self.lines[-4:]):
                if line.kind == "content" and self.short_lines.get(line.text.strip(), 0) > 1:
                    line.kind = "header"
            return "page"
        self.since_page += 1
        # A line is at least as wide as it is long: most lines are too long to be a header, without encoding them.
        short = len(stripped) <= _HEADER_WIDTH and width(stripped) <= _HEADER_WIDTH
        if short and stripped[-1] not in _TERMINAL and not _ENUMERATOR.match(stripped):
            seen = self.short_lines.get(stripped, 0)
            if len(self.short_lines) < 512 or seen:
                self.short_lines[stripped] = seen + 1
            # A short line seen before, right at a page break, is the page's running header; a headline repeated
            # (a mirror page's title over its body) is said once.
            if seen and (self.since_page <= 2 or (len(stripped) >= 8 and not stripped[0].isdigit())):
                return "header"
        return "content"

    def _flush(self) -> Folded:
        lines, self.lines = self.lines, []
        original = "".join(self.parts)
        self.parts = []
        base = self.offset
        self.offset += len(original)
        self.size = 0
        content = [line for line in lines if line.kind == "content"]
        widths = [width(line.text) for line in content]  # once per line: it is asked twice
        widest = max([self.widest, *widths])
        self.widest = widest
        pieces: list[tuple[int, int]] = []
        before_table = _before_tables(content)
        for i, line in enumerate(content):
            stripped = line.text.strip()
            # The line without the white space around it: a tab opening a line is indentation, not a cell break.
            lead = len(line.text) - len(line.text.lstrip())
            start = line.start + lead
            if "(" in line.text or "（" in line.text:
                pieces.extend((start + a, start + b) for a, b in _without_glosses(stripped))
            else:
                pieces.append((start, start + len(stripped)))
            nxt = content[i + 1] if i + 1 < len(content) else None
            ends_paragraph = (
                i in before_table
                or is_row(stripped)
                or (nxt is not None and is_row(nxt.text.strip()))
                or stripped[-1] in _TERMINAL
                or widths[i] < _SHORT * widest
                or (nxt is not None and _ENUMERATOR.match(nxt.text) is not None)
            )
            if ends_paragraph and line.nl >= 0:
                pieces.append((line.nl, line.nl + 1))
        return _fold_pieces(original, pieces, base)


def _before_tables(content: list[_Line]) -> set[int]:
    """Indexes of lines followed by a run of table cells that holds values within its first five lines."""
    values = [i for i, line in enumerate(content) if _VALUE_CELL.fullmatch(line.text) is not None]
    if len(values) < 2:
        return set()  # no table here (most blocks): nothing to look at line by line

    def cell(line: _Line) -> bool:
        stripped = line.text.strip()
        return 0 < len(stripped) <= _CELL_WIDTH and stripped[-1] not in _TERMINAL

    found = set()
    for i in range(len(content) - 1):
        if cell(content[i + 1]) and any(i < v <= i + 5 for v in values):
            found.add(i)
    return found


def is_row(line: str) -> bool:
    """A row of a table as the readers give it (cells split by tabs) or as Markdown writes it (| a | b |)."""
    return "\t" in line or (len(line) > 2 and line[0] == "|" and line[-1] == "|")


def _is_noise(line: str) -> bool:
    """A mirror page's link, advertisement or navigation line, or a Markdown table's rule: not the text."""
    if _LINK.search(line) and not line.endswith(("。", "」")):
        return True
    if _ADVERT.match(line) or _MD_RULE.fullmatch(line) or _LINK_ITEM.fullmatch(line):
        return True
    if _LINKS_HEADING.match(line) and line[-1] not in _TERMINAL and len(line) <= 60:
        return True
    if is_row(line):
        return False
    return len(_NAVIGATION.findall(line)) >= 2 and line[-1] not in _TERMINAL and len(line) <= 60


def _without_glosses(text: str) -> list[tuple[int, int]]:
    """The stretches of a line around pinyin glosses (公(gōng)安(ān) → 公, 安)."""
    pieces, pos = [], 0
    for m in _GLOSS.finditer(text):
        pieces.append((pos, m.start()))
        pos = m.end()
    pieces.append((pos, len(text)))
    return [(a, b) for a, b in pieces if b > a]


def blocks(chunks: Iterable[str], max_block: int = _MAX_BLOCK) -> Iterator[Folded]:
    """The document given as chunks, folded block by block."""
    blocker = Blocker(max_block)
    for chunk in chunks:
        yield from blocker.feed(chunk)
    yield from blocker.close()


def repaired(text: str) -> str:
    """The whole text folded and repaired (for display in tests and debugging, not for offsets)."""
    return "".join(b.text for b in blocks([text]))
