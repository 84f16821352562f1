"""The bulletin's charts: requests per year by direction, and seizures by drug and year.

Drawn with matplotlib in the Noto CJK face of the bulletin's script, found through matplotlib's font_manager;
SVG text is written as paths, so a browser without the font still shows the characters, never tofu boxes.
Every plotted value comes from the statistics service's by-year breakdown.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure

from straitlink.domain.errors import StraitLinkError
from straitlink.stats.bulletin.terms import Words
from straitlink.stats.model import BreakdownRow, Statistics

# One face of the Noto CJK collection per script: the glyph shapes differ between Taiwan and the mainland.
FONTS = {"zh-TW": "Noto Sans CJK TC", "zh-CN": "Noto Sans CJK SC", "en": "Noto Sans CJK TC"}
COLOURS = ("#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000", "#2e75b6", "#a5a5a5", "#843c0c")
PNG_DPI = 150
HEADROOM = 1.15  # the y axis reaches 15 % above the highest bar


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    svg: str
    png: bytes


def font_for(lang: str) -> str:
    """The family name of the installed Noto CJK face for the language; a clear error if it is missing."""
    wanted = FONTS[lang]
    if not any(entry.name == wanted for entry in font_manager.fontManager.ttflist):
        raise StraitLinkError(
            f"font: {wanted!r} is not installed, so the charts' Chinese text cannot be drawn; "
            "install fonts-noto-cjk (bash scripts/system-deps.sh)",
            field="font",
            value=wanted,
        )
    return wanted


def requests_chart(yearly: Statistics, words: Words, title: str, labels: dict[str, str]) -> Chart:
    """Grouped bars: requests filed per year, one bar per requesting side."""
    rows = _rows(yearly)
    years = [words_year(words, r.key) for r in rows]
    series = {
        labels["tw_to_cn"]: [float((r.requests or {}).get("tw_to_cn", 0)) for r in rows],
        labels["cn_to_tw"]: [float((r.requests or {}).get("cn_to_tw", 0)) for r in rows],
    }
    return _draw("requests", title, words, years, series, stacked=False, ylabel=labels["axis_requests"])


def seizures_chart(yearly: Statistics, words: Words, title: str, labels: dict[str, str]) -> Chart:
    """Stacked bars: kilograms seized per year (one mass per seizure), one colour per drug."""
    rows = _rows(yearly)
    years = [words_year(words, r.key) for r in rows]
    drugs = sorted({d for r in rows for d in (r.weight_by_drug or {})})
    series = {words.drug(d): [_kg(r, d) for r in rows] for d in drugs}
    return _draw("seizures", title, words, years, series, stacked=True, ylabel=labels["axis_kg"])


def _kg(row: BreakdownRow, drug: str) -> float:
    weight = (row.weight_by_drug or {}).get(drug)
    # Floats only for drawing bar heights; the figures themselves stay Decimal everywhere else.
    return float(weight.value) if weight is not None else 0.0


def words_year(words: Words, year: str) -> str:
    """A year label in the bulletin's calendar: 102年 (zh-TW), 2013年 (zh-CN), 2013 (en)."""
    if words.lang == "zh-TW":
        return f"{int(year) - 1911}年"
    return f"{year}年" if words.lang == "zh-CN" else year


def _rows(yearly: Statistics) -> list[BreakdownRow]:
    assert yearly.breakdown is not None and yearly.breakdown.by == "year"
    return list(yearly.breakdown.rows)


def _draw(
    name: str, title: str, words: Words, years: list[str], series: dict[str, list[float]], *, stacked: bool, ylabel: str
) -> Chart:
    family = font_for(words.lang)
    with matplotlib.rc_context({"font.family": [family], "svg.fonttype": "path", "axes.unicode_minus": False}):
        figure = Figure(figsize=(7.5, 3.6), layout="constrained")
        axes = figure.add_subplot()
        positions = list(range(len(years)))
        width = 0.8 if stacked else 0.8 / max(len(series), 1)
        base = [0.0] * len(years)
        for i, (label, values) in enumerate(series.items()):
            colour = COLOURS[i % len(COLOURS)]
            if stacked:
                axes.bar(positions, values, width, bottom=base, label=label, color=colour)
                base = [b + v for b, v in zip(base, values, strict=True)]
            else:
                offset = [p - 0.4 + width * (i + 0.5) for p in positions]
                axes.bar(offset, values, width, label=label, color=colour)
        axes.set_xticks(positions, years)
        # Headroom above the highest bar, so that it never touches the frame or the legend.
        axes.set_ylim(0, y_top(base if stacked else [v for values in series.values() for v in values]))
        axes.set_ylabel(ylabel)
        # No title in the image: the caption under it carries the title, in every format.
        axes.spines[["top", "right"]].set_visible(False)
        axes.yaxis.set_major_formatter(lambda v, _pos: words.number(Decimal(round(v))))
        if series:
            axes.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        svg, png = io.StringIO(), io.BytesIO()
        figure.savefig(svg, format="svg")
        figure.savefig(png, format="png", dpi=PNG_DPI)
    return Chart(name, title, _strip_xml_header(svg.getvalue()), png.getvalue())


def y_top(heights: list[float]) -> float:
    """The top of the y axis: headroom above the highest bar (stacked bars: the highest stack)."""
    top = max(heights, default=0.0)
    return top * HEADROOM if top > 0 else 1.0


def _strip_xml_header(svg: str) -> str:
    """The <svg> element alone, ready to sit inside an HTML page."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg
