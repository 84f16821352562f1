"""HTML: the Document through the `bulletin.html` template, charts inline as SVG (or PNG, for the PDF)."""

from __future__ import annotations

import base64
import functools
import re

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from straitlink.stats.bulletin.charts import FONTS
from straitlink.stats.bulletin.compose import Document
from straitlink.stats.bulletin.terms import LANGS, vocabulary

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"


@functools.cache
def _unbreakable() -> re.Pattern[str]:
    """An English date, or a number with its 萬 part, its qualifier and its unit: what a line must not split."""
    words = {str(w) for lang in LANGS for w in vocabulary(lang)["units"].values()} | {"%"}
    units = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    number = r"[0-9][0-9,.]*(?:[萬万][0-9][0-9,]*)?(?:[餘余][萬万]?)?"
    return re.compile(rf"[0-9]{{1,2}} (?:{_MONTHS}) [0-9]{{4}}|{number}(?: ?(?:{units})(?![A-Za-z]))?")


def _nb(text: str) -> Markup:
    """The text, escaped, with each unbreakable run in a nowrap span."""
    out, last = [], 0
    for match in _unbreakable().finditer(text):
        out += [escape(text[last : match.start()]), Markup('<span class="nb">%s</span>') % match.group(0)]
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


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
    env.filters["nb"] = _nb
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
