"""DOCX: the Document as a Word file, charts as PNG pictures, East Asian text in the script's Noto CJK face."""

from __future__ import annotations

import io
from typing import Any

from docx import Document as new_document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from straitlink.stats.bulletin.charts import FONTS
from straitlink.stats.bulletin.compose import ChartBlock, Document, Items, Paragraph, TableBlock


def render_docx(doc: Document) -> bytes:
    word = new_document()
    font = FONTS[doc.lang]
    for style_name in ("Normal", "Title", "Heading 1", "Heading 2", "List Number", "Caption"):
        style = word.styles[style_name]
        style.font.name = font
        # python-docx sets only the Latin font; Chinese characters take the East Asian one.
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    word.styles["Normal"].font.size = Pt(10.5)
    section = word.sections[0]
    section.left_margin = section.right_margin = Cm(2)
    word.add_heading(doc.title, level=0).alignment = WD_ALIGN_PARAGRAPH.CENTER
    word.add_paragraph(doc.subtitle).alignment = WD_ALIGN_PARAGRAPH.CENTER
    for part in doc.sections:
        if part.name == "annex":
            _orient(word, landscape=True)
        word.add_heading(part.heading, level=1)
        for block in part.blocks:
            if isinstance(block, Paragraph):
                paragraph = word.add_paragraph(block.text)
                if doc.lang != "en":
                    paragraph.paragraph_format.first_line_indent = Pt(21)
            elif isinstance(block, Items):
                for n, item in enumerate(block.items, start=1):
                    # Numbers typed in, not Word's list numbering, so every list restarts at 1.
                    word.add_paragraph(f"{n}. {item}")
            elif isinstance(block, TableBlock):
                _table(word, block)
            elif isinstance(block, ChartBlock):
                word.add_picture(io.BytesIO(block.chart.png), width=Cm(16.5))
                word.add_paragraph(block.chart.title, style="Caption").alignment = WD_ALIGN_PARAGRAPH.CENTER
        if part.name == "annex":
            _orient(word, landscape=False)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def _orient(word: Any, landscape: bool) -> None:
    """Start a new section in landscape or portrait, as the PDF gives the annex's eight columns a wide page."""
    section = word.add_section(WD_SECTION.NEW_PAGE)
    width, height = sorted((section.page_width, section.page_height), reverse=landscape)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = width, height


def _table(word: Any, block: TableBlock) -> None:
    if block.caption:
        word.add_paragraph(block.caption, style="Caption")
    table = word.add_table(rows=1, cols=len(block.columns))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, block.columns, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.font.bold = True
            run.font.size = Pt(8)
    for row in block.rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
            for run in cell.paragraphs[0].runs:
                run.font.size = Pt(8)
