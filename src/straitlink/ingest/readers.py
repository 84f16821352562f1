"""Documents on disk → text: .txt and .md (any common Chinese encoding), .html, .docx and .pdf (text layer).

The text a reader returns is the document's ORIGINAL text as far as StraitLink is concerned: offsets in proposals
refer to it, and it is what is stored with the SourceDocument. Plain text and HTML are streamed in chunks, so a
large file never has to sit in memory to be read; .docx and .pdf are parsed by their libraries whole.

An empty file, a binary file, a file in no known encoding or a document without text is refused with one
InvalidValue naming the file (the CLI's exit 2), before anything is proposed or stored.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

from straitlink.domain.errors import InvalidValue
from straitlink.ingest.proposals import DocumentInfo, document_id

if TYPE_CHECKING:
    from docx.table import Table

MEDIA_TYPES = {
    ".txt": "text/plain",
    ".text": "text/plain",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".html": "text/html",
    ".htm": "text/html",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf",
}
_BLANK_RUN = re.compile(r"\n(?:[ \t]*\n){2,}")  # markup leaves runs of empty lines; one empty line is enough
_CHUNK = 1 << 16
_SNIFF = 1 << 16
# Characters frequent in Chinese prose in each encoding's reading; the right one finds many of them.
_COMMON = set("的是在了不和有大這这國国上中人年月日為为以及於于與与之會会查獲获案件兩两岸")
_BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "title", "section", "article"}
_BLOCK_TAGS |= {"table", "ul", "ol", "blockquote", "pre", "header", "footer", "dd", "dt", "caption"}
_CELL_TAGS = {"td", "th"}  # a table's cells: a tab between two cells of a row, a line per row (ingest.tables)


@dataclass
class Opened:
    """A document checked and ready: what it is, and how to read its text (as often as needed)."""

    path: Path
    info: DocumentInfo
    chunks: Callable[[], Iterator[str]]

    def text(self) -> str:
        """The whole original text (for storing with the SourceDocument)."""
        return "".join(self.chunks())


def _fail(path: Path, reason: str) -> InvalidValue:
    return InvalidValue("file", str(path), reason)


def _sha256(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    try:
        with path.open("rb") as f:
            while block := f.read(_CHUNK):
                digest.update(block)
                size += len(block)
    except OSError as exc:
        raise _fail(path, f"cannot be read ({exc.strerror or exc})") from None
    return digest.hexdigest(), size


def _encoding(path: Path, head: bytes) -> str:
    """The encoding that reads the file's beginning as text; refuses binary data."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        raise _fail(path, "is binary, not text (it holds NUL bytes)")
    best, score = None, -1
    for encoding in ("utf-8", "cp950", "gb18030"):
        try:
            # A multi-byte character may be cut at the end of the sample; decode what is whole.
            sample = codecs.getincrementaldecoder(encoding)("strict").decode(head, final=False)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-8":
            return encoding  # UTF-8 is strict enough that text passing it is UTF-8
        found = sum(1 for ch in sample if ch in _COMMON)
        if found > score:
            best, score = encoding, found
    if best is None:
        raise _fail(path, "is not text in UTF-8, Big5 or GB18030 (binary data?)")
    return best


def _text_chunks(path: Path, encoding: str) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset = 0
    with path.open("rb") as f:
        while block := f.read(_CHUNK):
            try:
                text = decoder.decode(block)
            except UnicodeDecodeError as exc:
                raise _fail(path, f"is not valid {encoding} text at byte {offset + exc.start}") from None
            offset += len(block)
            if "\x00" in text:
                raise _fail(path, f"is binary, not text (NUL at byte {offset})")
            if text:
                yield text
        tail = decoder.decode(b"", final=True)
        if tail:
            yield tail


class _HTMLText(HTMLParser):
    """Visible text of an HTML page, a line break for each block element; scripts and styles left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0
        self.cells = 0  # cells opened in the current row

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "noscript", "template"):
            self.skip += 1
        elif tag in _CELL_TAGS:
            self.out.append("\t" if self.cells else "")
            self.cells += 1
        elif tag in _BLOCK_TAGS:
            self.cells = 0 if tag == "tr" else self.cells
            if not self.cells:  # a <p> or <br> inside a cell stays in the cell
                self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "noscript", "template"):
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK_TAGS and (tag == "tr" or not self.cells):
            self.cells = 0
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            text = " ".join(data.split()) if self.cells else " ".join(data.split("\n"))
            self.out.append(text if data.strip() else "")

    def take(self) -> str:
        text, self.out = "".join(self.out), []
        return text


def _html_chunks(path: Path, encoding: str) -> Iterator[str]:
    parser = _HTMLText()
    for chunk in _text_chunks(path, encoding):
        parser.feed(chunk)
        text = _BLANK_RUN.sub("\n\n", parser.take())
        if text:
            yield text
    parser.close()
    tail = parser.take()
    if tail.strip():
        yield tail


def _docx_text(path: Path) -> str:
    import docx
    from docx.table import Table

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # a parser fed untrusted bytes fails in many ways: each means unreadable
        raise _fail(path, f"is not a readable .docx ({type(exc).__name__})") from None
    lines: list[str] = []
    # Paragraphs and tables in the order the document has them: a table's caption stays above it.
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            lines.extend(_docx_rows(item))
        else:
            lines.append(item.text)
    return "\n".join(lines)


def _docx_rows(table: Table) -> Iterator[str]:
    """A Word table's rows, a tab between two cells; a merged cell is said once, a line break in a cell is a space."""
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) not in seen:
                seen.add(id(cell._tc))
                cells.append(" ".join(cell.text.split()))
        yield "\t".join(cells)


# pypdf logs what it repairs or cannot read ("EOF marker not found"); with no handler of the application's, Python
# printed it to stderr beside the one line that says the file is unreadable. A server's logging still receives it.
logging.getLogger("pypdf").addHandler(logging.NullHandler())


def _pdf_text(path: Path) -> str:
    import pypdf

    try:
        reader = pypdf.PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:  # as for .docx: any failure of the parser means unreadable
        raise _fail(path, f"is not a readable PDF ({type(exc).__name__})") from None
    return "\n".join(_pdf_rows(page.rstrip("\n")) for page in pages)


# A table's row in a PDF's text layer: its cells apart by spaces, two or more of them values, no sentence's end.
# Its spaces become tabs, as the html and Word readers give a row, and so do a header line's just above it with as
# many cells (ingest.tables reads them).
# A value cell carries its unit (372人, 1,986件, 83.77%): a bare number between spaces is as often PDF prose's
# spacing (查 獲 600 塊海洛因) as a cell.
_PDF_VALUE = re.compile(
    r"(?:約|约|近|逾)?[0-9][0-9,.]*(?:萬|万|億|亿)?[0-9,.]*(?:餘|余|多)?"
    r"(?:件|人|名|公斤|千克|公克|克|公噸|噸|吨|%|％|起|個|个|批|艘|箱|人次)"
)
_SENTENCE_END = re.compile(r"[。！？；!?;]")


def _pdf_rows(text: str) -> str:
    lines = text.split("\n")
    cells = [line.split() for line in lines]
    for i, row in enumerate(cells):
        values = sum(1 for cell in row[1:] if _PDF_VALUE.fullmatch(cell))
        if len(row) < 3 or values < 2 or _SENTENCE_END.search(lines[i]):
            continue
        lines[i] = "\t".join(row)
        above = cells[i - 1] if i > 0 else []
        if len(above) == len(row) and not _SENTENCE_END.search(lines[i - 1]) and "\t" not in lines[i - 1]:
            lines[i - 1] = "\t".join(above)
    return "\n".join(lines)


def open_document(path: Path | str) -> Opened:
    """Check a file and get ready to read it; InvalidValue naming the file if it cannot be ingested."""
    path = Path(path)
    media_type = MEDIA_TYPES.get(path.suffix.lower())
    if media_type is None:
        raise _fail(path, f"unsupported type {path.suffix!r}; expected {', '.join(sorted(set(MEDIA_TYPES)))}")
    if not path.is_file():
        raise _fail(path, "does not exist or is not a file")
    sha256, size = _sha256(path)
    if size == 0:
        raise _fail(path, "is empty")
    chunks: Callable[[], Iterator[str]]
    if path.suffix.lower() in (".docx", ".pdf"):
        text = _docx_text(path) if path.suffix.lower() == ".docx" else _pdf_text(path)
        chunks = lambda: iter([text])  # noqa: E731 - parsed whole by its library anyway
        chars = len(text)
        if not text.strip():
            reason = "has no text layer (a scan?)" if media_type == "application/pdf" else "has no text"
            raise _fail(path, reason)
    else:
        with path.open("rb") as f:
            head = f.read(_SNIFF)
        encoding = _encoding(path, head)
        reader = _html_chunks if media_type == "text/html" else _text_chunks
        chunks = lambda: reader(path, encoding)  # noqa: E731
        chars, blank = 0, True
        for chunk in chunks():  # one streaming pass: validates the whole file and counts its characters
            chars += len(chunk)
            blank = blank and not chunk.strip()
        if blank:
            raise _fail(path, "has no text (only white space)")
    info = DocumentInfo(id=document_id(sha256), name=path.name, media_type=media_type, sha256=sha256, chars=chars)
    return Opened(path, info, chunks)
