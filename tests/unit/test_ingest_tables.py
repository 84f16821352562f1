"""Tables read with their rows: html and Word cells, Markdown pipe rows and a PDF's text layer, each value read
from its row's label and its column's header (issue #14: tables read as tables, not only flattened)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from straitlink.domain.dates import PartialDate
from straitlink.ingest.extract import extract
from straitlink.ingest.normalise import repaired
from straitlink.ingest.readers import open_document

CAPTION = "法務部統計，自98年6月25日起至110年7月31日止，各類請求協助事項辦理情形如下表。"
ROWS = [["協助事項", "我方請求", "陸方完成"], ["司法文書送達", "71,592件", "63,362件"], ["罪犯接返", "32人", "23人"]]
EXPECTED = {
    ("requests.total.document_service", "71592", "2021-07-31"),
    ("requests.completed.document_service", "63362", "2021-07-31"),
    ("sentenced_transfers.persons", "32", "2021-07-31"),
    ("sentenced_transfers.persons", "23", "2021-07-31"),
}


def _figures(path: Path, date: str | None = "2021-08-16") -> set[tuple[str, str, str]]:
    opened = open_document(path)
    given = PartialDate.parse(date) if date else None
    found: list[dict[str, Any]] = [
        p.fields for p in extract(opened.info, opened.chunks(), date=given) if p.kind == "figure"
    ]
    return {(f["metric"], f["value"], f["period_end"]) for f in found}


def test_an_html_table_gives_a_line_per_row_and_a_tab_between_cells(tmp_path: Path) -> None:
    cells = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in ROWS)
    path = tmp_path / "table.html"
    path.write_text(f"<html><body><p>{CAPTION}</p><table>{cells}</table><p>完。</p></body></html>", encoding="utf-8")
    assert "司法文書送達\t71,592件\t63,362件" in open_document(path).text()
    assert _figures(path) == EXPECTED


def test_a_word_table_stays_under_its_caption(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph(CAPTION)
    table = document.add_table(rows=len(ROWS), cols=3)
    for r, row in enumerate(ROWS):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("以上統計含進行中案件。")
    path = tmp_path / "table.docx"
    document.save(str(path))
    lines = open_document(path).text().splitlines()
    assert lines[:2] == [CAPTION, "協助事項\t我方請求\t陸方完成"] and lines[-1] == "以上統計含進行中案件。"
    assert _figures(path) == EXPECTED


def test_a_markdown_table_is_no_navigation_line(tmp_path: Path) -> None:
    rows = ["| " + " | ".join(row) + " |" for row in ROWS]
    path = tmp_path / "table.md"
    path.write_text("\n".join([CAPTION, "", rows[0], "|---|---:|---|", *rows[1:], ""]), encoding="utf-8")
    assert "|司法文书送达|71,592件|63,362件|" in repaired(open_document(path).text())
    assert _figures(path) == EXPECTED


def test_a_pdf_table_row_is_read_from_the_text_layer(tmp_path: Path) -> None:
    weasyprint = pytest.importorskip("weasyprint")
    cells = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in ROWS)
    html = (
        "<html><body style='font-family: \"Noto Serif CJK TC\", serif'>"
        f"<p>{CAPTION}</p><table border='1'>{cells}</table><p>查 獲 600 塊 海洛因 229 公斤。</p></body></html>"
    )
    path = tmp_path / "table.pdf"
    weasyprint.HTML(string=html).write_pdf(str(path))
    text = open_document(path).text()
    assert "司法文書送達\t71,592件\t63,362件" in text
    assert "\t" not in text.splitlines()[-1]  # PDF prose's spacing stays prose
    assert _figures(path) == EXPECTED


def test_a_column_headed_by_a_year_counts_that_year(tmp_path: Path) -> None:
    path = tmp_path / "years.html"
    rows = [["項目", "106年", "107年"], ["人員遣返", "26人", "31人"]]
    cells = "".join("<tr>" + "".join(f"<th>{c}</th>" for c in row) + "</tr>" for row in rows)
    path.write_text(f"<p>兩岸共同打擊犯罪成果如下表。</p><table>{cells}</table>", encoding="utf-8")
    assert _figures(path, "2019-01-15") == {
        ("repatriations.persons", "26", "2017-12-31"),
        ("repatriations.persons", "31", "2018-12-31"),
    }
