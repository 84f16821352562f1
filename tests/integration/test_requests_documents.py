"""The file store: types judged by content, limits, and content addressing (no database needed)."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from docx import Document

from straitlink.domain.errors import DocumentRejected, InvalidValue
from straitlink.services.documents import DOCX, FileStore, Upload, sniff


def docx_bytes() -> bytes:
    doc = Document()
    doc.add_paragraph("送達證書")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "media_type"),
    [
        (b"%PDF-1.4\n", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"II*\x00\x08\x00", "image/tiff"),
        (b"MM\x00*\x00\x08", "image/tiff"),
        ("請求書\n第二行\ttab\r\n".encode(), "text/plain; charset=utf-8"),
        ("\ufeffBOM first".encode(), "text/plain; charset=utf-8"),
        (None, DOCX),
        (b"\x00\x01\x02 binary", None),
        ("無效".encode("big5"), None),  # not UTF-8
        (b"text with a bell \x07", None),
        (b"PK\x03\x04 a zip that is not a Word file", None),
        (b"GIF89a\x01\x00\x01\x00\x80\x00\x00", None),  # a real type, but not one accepted
    ],
)
def test_the_type_is_sniffed_from_the_content(content: bytes | None, media_type: str | None) -> None:
    assert sniff(content if content is not None else docx_bytes()) == media_type


def test_a_file_is_stored_once_under_its_hash_and_read_back_checked(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    first = store.check(Upload("a.pdf", b"%PDF-1.4 one"))
    again = store.check(Upload("renamed.txt", b"%PDF-1.4 one"))
    assert first.sha256 == again.sha256 == hashlib.sha256(b"%PDF-1.4 one").hexdigest()
    store.put(first)
    store.put(again)
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [first.sha256]
    assert store.read(first.sha256) == b"%PDF-1.4 one"
    store.path(first.sha256).write_bytes(b"%PDF-1.4 two")  # damaged on disk
    with pytest.raises(DocumentRejected, match="damaged"):
        store.read(first.sha256)
    with pytest.raises(DocumentRejected, match="missing"):
        store.read("0" * 64)


def test_limits_name_the_file(tmp_path: Path) -> None:
    store = FileStore(tmp_path, max_bytes=10)
    with pytest.raises(DocumentRejected, match=r"big\.pdf.*over the limit of 10"):
        store.check(Upload("big.pdf", b"%PDF-" + b"x" * 10))
    with pytest.raises(DocumentRejected, match="empty"):
        store.check(Upload("e.pdf", b""))
    with pytest.raises(InvalidValue):
        store.check(Upload("", b"%PDF-"))
    assert store.check(Upload("../../etc/passwd.txt", b"ok\n")).filename == "passwd.txt"  # a name, never a path
