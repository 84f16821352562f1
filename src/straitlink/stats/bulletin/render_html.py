"""HTML: the Document through the `bulletin.html` template, charts inline as SVG (or PNG, for the PDF)."""

from __future__ import annotations

import base64
import functools

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from straitlink.stats.bulletin.charts import FONTS
from straitlink.stats.bulletin.compose import Document

HTML_LANG = {"zh-TW": "zh-Hant-TW", "zh-CN": "zh-Hans-CN", "en": "en"}


@functools.cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("straitlink.stats", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )
    env.filters["b64"] = lambda data: base64.b64encode(data).decode("ascii")
    return env


def render_html(doc: Document, *, png_charts: bool = False) -> str:
    """The bulletin as one self-contained HTML page."""
    return (
        _environment()
        .get_template("bulletin.html")
        .render(
            doc=doc,
            html_lang=HTML_LANG[doc.lang],
            font=FONTS[doc.lang],
            chinese=doc.lang != "en",
            png_charts=png_charts,
        )
    )
