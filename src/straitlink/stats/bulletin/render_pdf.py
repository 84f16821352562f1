"""PDF: WeasyPrint lays out the HTML rendering, with the charts as PNG images."""

from __future__ import annotations

from straitlink.stats.bulletin.compose import Document
from straitlink.stats.bulletin.render_html import render_html


def render_pdf(doc: Document) -> bytes:
    # Imported here: WeasyPrint loads Pango at import, which only PDF output needs.
    from weasyprint import HTML

    pdf: bytes = HTML(string=render_html(doc, png_charts=True)).write_pdf()
    return pdf
