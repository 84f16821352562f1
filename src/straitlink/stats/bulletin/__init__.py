"""Effectiveness bulletins in the Ministry's style: zh-TW, zh-CN or en, as Markdown, HTML, DOCX or PDF."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from straitlink.domain.errors import InvalidValue
from straitlink.stats.bulletin.compose import compose
from straitlink.stats.bulletin.model import build_bulletin
from straitlink.stats.bulletin.terms import LANGS
from straitlink.store.uow import UnitOfWork

FORMATS = ("md", "html", "docx", "pdf")


def render_bulletin(
    uow: UnitOfWork, *, start: date, end: date, lang: str, fmt: str, exclude_synthetic: bool = False
) -> bytes:
    """The bulletin for start..end in one language and format, as the bytes of the file."""
    if lang not in LANGS:
        raise InvalidValue("lang", lang, f"expected one of {', '.join(LANGS)}")
    if fmt not in FORMATS:
        raise InvalidValue("format", fmt, f"expected one of {', '.join(FORMATS)}")
    doc = compose(build_bulletin(uow, start=start, end=end, exclude_synthetic=exclude_synthetic), lang)
    if fmt == "md":
        from straitlink.stats.bulletin.render_md import render_md

        return render_md(doc).encode("utf-8")
    if fmt == "html":
        from straitlink.stats.bulletin.render_html import render_html

        return render_html(doc).encode("utf-8")
    if fmt == "docx":
        from straitlink.stats.bulletin.render_docx import render_docx

        return render_docx(doc)
    from straitlink.stats.bulletin.render_pdf import render_pdf

    return render_pdf(doc)


def write_bulletin(
    uow: UnitOfWork, *, start: date, end: date, lang: str, fmt: str, path: Path, exclude_synthetic: bool = False
) -> None:
    """Render the bulletin and write it to `path`."""
    data = render_bulletin(uow, start=start, end=end, lang=lang, fmt=fmt, exclude_synthetic=exclude_synthetic)
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise InvalidValue("output", str(path), f"cannot write ({exc.strerror})") from None
