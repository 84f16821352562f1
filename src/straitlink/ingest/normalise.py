"""Text as extracted → blocks folded for matching (ingest/folding.py), each with a map back to the original.

On top of folding, PDF damage is repaired: page-number lines are dropped, running headers are dropped, and the
line breaks inside a sentence are removed while the break at a paragraph's end is kept as "\\n". Mirror-site
noise (links, advertisements, navigation lines, pinyin glosses) is dropped the same way.

The original text is never changed: every span reported downstream is `text[start:end]` of the original.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from straitlink.ingest.folding import Folded

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


def width(line: str) -> int:
    """Display width: wide (CJK) characters count two, so Chinese and mixed lines compare fairly. GB18030 writes
    ASCII in one byte and Chinese in two, so its length is that width, computed in C."""
    return len(line.strip().encode("gb18030", errors="replace"))


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
        return Folded(original, pieces, base)


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
