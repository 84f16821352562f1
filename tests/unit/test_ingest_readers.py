"""Reading documents: every supported type, the common Chinese encodings, and a clear refusal for the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from straitlink.domain.errors import InvalidValue
from straitlink.ingest.readers import open_document

SENTENCE = "102年11月17日高雄地檢署檢察官指揮刑事警察局偵三隊，在桃園機場查獲600塊海洛因(毛重229公斤)。"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "big5", "gb18030"])
def test_text_in_any_common_encoding(tmp_path: Path, encoding: str) -> None:
    text = SENTENCE if encoding != "gb18030" else "在桃园机场查获600块海洛因(毛重229公斤)，逮捕嫌犯2人。"
    path = tmp_path / "doc.txt"
    path.write_bytes(text.encode(encoding))
    opened = open_document(path)
    assert opened.text() == text
    assert opened.info.chars == len(text)
    assert opened.info.media_type == "text/plain"


def test_same_bytes_same_id_and_sha256(tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.md"
    a.write_text(SENTENCE, encoding="utf-8")
    b.write_text(SENTENCE, encoding="utf-8")
    first, second = open_document(a).info, open_document(b).info
    assert (first.id, first.sha256) == (second.id, second.sha256)
    a.write_text(SENTENCE + " ", encoding="utf-8")
    assert open_document(a).info.sha256 != second.sha256


def test_html_keeps_visible_text_only(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>標題</title><style>p{}</style><script>var x='查獲海洛因999公斤';</script></head>"
        f"<body><h1>新聞稿</h1><p>{SENTENCE}&nbsp;</p><p>第二段&amp;結尾。</p></body></html>",
        encoding="utf-8",
    )
    text = open_document(path).text()
    assert SENTENCE in text and "第二段&結尾。" in text
    assert "999" not in text and "p{}" not in text
    assert text.index("新聞稿") < text.index(SENTENCE)


def test_docx_paragraphs_and_tables(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("海巡署新聞稿")
    document.add_paragraph(SENTENCE)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "查獲毒品案件"
    table.rows[0].cells[1].text = "39件"
    path = tmp_path / "release.docx"
    document.save(str(path))
    text = open_document(path).text()
    assert text.splitlines()[:2] == ["海巡署新聞稿", SENTENCE]
    assert "查獲毒品案件\t39件" in text


def test_pdf_text_layer(tmp_path: Path) -> None:
    weasyprint = pytest.importorskip("weasyprint")
    html = (
        "<html><body style='font-family: \"Noto Serif CJK TC\", serif'>"
        f"<p>{SENTENCE}</p><p style='page-break-before: always'>同年12月20日查獲K他命231公斤。</p></body></html>"
    )
    path = tmp_path / "bulletin.pdf"
    weasyprint.HTML(string=html).write_pdf(str(path))
    text = open_document(path).text()
    assert "600塊海洛因" in text.replace(" ", "")
    assert "K他命231公斤" in text.replace(" ", "")


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "is empty"),
        ("blank.md", b" \n\t\n", "no text"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("broken.docx", b"PK\x03\x04 not really a zip", "not a readable .docx"),
        ("broken.pdf", b"%PDF-1.4 broken", "not a readable PDF"),
        ("notes.rtf", b"{\\rtf1 text}", "unsupported type"),
    ],
)
def test_unreadable_files_are_refused_naming_the_file(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InvalidValue) as caught:
        open_document(path)
    assert caught.value.field == "file"
    assert name in caught.value.message and reason in caught.value.message


def test_a_missing_file_and_a_directory(tmp_path: Path) -> None:
    for path in (tmp_path / "missing.txt", tmp_path):
        with pytest.raises(InvalidValue, match=r"does not exist|unsupported"):
            open_document(path)


def test_invalid_utf8_after_the_first_block_is_named_by_byte(tmp_path: Path) -> None:
    path = tmp_path / "late.txt"
    path.write_bytes(SENTENCE.encode("utf-8") * 800 + b"\xff\xfe broken")
    with pytest.raises(InvalidValue, match="not valid utf-8 text at byte"):
        open_document(path)
