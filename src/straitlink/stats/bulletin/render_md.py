"""Markdown: the Document through the `bulletin.md` template; charts appear as the tables of their numbers."""

from __future__ import annotations

import functools

from jinja2 import Environment, PackageLoader, StrictUndefined

from straitlink.stats.bulletin.compose import Document


def _cell(value: object) -> str:
    # A pipe or a line break inside a cell would end the Markdown table row.
    return str(value).replace("|", "\\|").replace("\n", " ")


@functools.cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("straitlink.stats", "templates"),
        autoescape=False,  # Markdown, not HTML
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["cell"] = _cell
    return env


def render_md(doc: Document) -> str:
    return _environment().get_template("bulletin.md").render(doc=doc)
