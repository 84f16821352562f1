"""Rendering pages: one Jinja2 environment; each page gets the caller's language through `_` and the formatters."""

from __future__ import annotations

import functools
import os
from importlib.resources import files
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from straitlink.catalog import load_catalog
from straitlink.domain.access import Permission
from straitlink.domain.deadlines import DeadlineState
from straitlink.domain.errors import StraitLinkError
from straitlink.domain.marking import CLASSIFICATION_LABELS, HANDLING_LABELS, Classification, HandlingCode
from straitlink.domain.quantity import canonical
from straitlink.domain.requests import RequestStatus
from straitlink.web import labels
from straitlink.web.i18n import (
    HTML_LANG,
    LANG_NAMES,
    LANGS,
    N_,
    article_text,
    catalogue_name,
    format_day,
    format_partial,
    translations,
)
from straitlink.web.reasons import forbidden, not_found, refusal
from straitlink.web.security import CSRF_FIELD, Caller

templates = Jinja2Templates(directory=str(files("straitlink.web") / "templates"))
templates.env.autoescape = True
# Jinja stats every template file on each render to see if it changed; only someone editing them (STRAITLINK_DEV=1)
# needs that: the templates ship inside the package and change with it.
templates.env.auto_reload = os.environ.get("STRAITLINK_DEV") == "1"


def quantity_text(q: dict[str, Any], lang: str) -> str:
    """A quantity as the record states it: 「≥3,000 kg」, 「600 block」, 「229 kg (gross)」."""
    _ = translations(lang).gettext
    qualifier = {"at_least": "≥", "approx": "≈"}.get(q.get("qualifier", ""), "")
    value = q["value"]
    if q.get("upper"):
        value = f"{value}–{q['upper']}"
    unit = _(UNITS.get(q["unit"], q["unit"]))
    basis = q.get("basis")
    note = _(" (%(note)s)") % {"note": _(BASES[basis])} if basis in BASES else ""
    return f"{qualifier}{value} {unit}{note}"


UNITS = {
    "kg": N_("kg"),
    "g": N_("g"),
    "t": N_("tonnes"),
    "block": N_("blocks"),
    "tablet": N_("tablets"),
    "packet": N_("packets"),
    "person": N_("persons"),
    "dose": N_("doses"),
    "case": N_("cases"),
    "item": N_("items"),
}
BASES = {"gross": N_("gross weight"), "net": N_("net weight")}


# How each language joins items of a list and the quantities of a seizure (full-width marks in Chinese text).
LIST_SEPARATORS = {"zh-TW": "、", "zh-CN": "、", "en": ", "}
QUANTITY_SEPARATORS = {"zh-TW": "；", "zh-CN": "；", "en": "; "}


def error_text(error: StraitLinkError, lang: str) -> str:
    """A refusal as a person reads it: the field's label in the language, then what is wrong with the value."""
    _ = translations(lang).gettext
    whole = not_found(error, lang) or forbidden(error, lang)  # said as a sentence, with no field label before it
    if whole is not None:
        return whole
    name = (error.field or "").split("[")[0].split(".")[0]
    if name not in labels.FIELDS:  # a field of an item in a list (follow_ups[0].due): the item's own field
        name = (error.field or "").rsplit(".", 1)[-1]
    if name not in labels.FIELDS:
        return error.message
    rest = refusal(error, lang) or error.message.removeprefix(f"{error.field}: ")
    return f"{_(labels.FIELDS[name])}{COLONS[lang]}{rest}"


COLONS = {"zh-TW": "：", "zh-CN": "：", "en": ": "}


def marking_text(m: dict[str, Any], lang: str) -> str:
    """A record's marking as people read it: its classification and handling code in the language."""
    _ = translations(lang).gettext
    classification = CLASSIFICATION_LABELS[Classification(m["classification"])][lang]
    handling = HANDLING_LABELS[HandlingCode(m["handling"])][lang]
    text = f"{classification} · {m['handling']} {handling}"
    if m.get("releasable"):
        text += " · " + _("releasable to the other side")
    return text


@functools.cache
def list_texts(lang: str) -> dict[str, dict[str, str]]:
    """What a request list repeats on every row, translated once per language and process: request types by id,
    statuses and deadline states by value (the catalogue and the message catalogues do not change while serving)."""
    _ = translations(lang).gettext
    return {
        "type": {t.id.value: catalogue_name("type", t.id.value, lang) for t in load_catalog().request_types},
        "status": {s.value: _(labels.label(labels.STATUSES, s.value)) for s in RequestStatus},
        "state": {s.value: _(labels.label(labels.DEADLINE_STATES, s.value)) for s in DeadlineState},
    }


def page(
    request: Request, name: str, caller: Caller | None, lang: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    """A rendered page in `lang` for `caller` (None on the login page)."""
    tr = translations(lang)
    ctx = {
        "_": tr.gettext,
        "ngettext": tr.ngettext,
        "lang": lang,
        "html_lang": HTML_LANG[lang],
        "langs": [(code, LANG_NAMES[code]) for code in LANGS],
        "caller": caller,
        "csrf_field": CSRF_FIELD,
        "csrf": caller.csrf if caller else context.get("csrf"),
        "labels": labels,
        "perm": Permission,
        "label": labels.label,
        "day": lambda value: format_day(value, lang),
        "partial": lambda value: format_partial(value, lang),
        "name_of": lambda kind, value: catalogue_name(kind, value, lang),
        "quantity": lambda q: quantity_text(q, lang),
        "article": lambda text: article_text(text, lang),
        "marking": lambda m: marking_text(m, lang),
        "error_text": lambda e: error_text(e, lang),
        "sep": LIST_SEPARATORS[lang],
        "qsep": QUANTITY_SEPARATORS[lang],
        "number": lambda value: canonical(value) if value is not None else "",
        **context,
    }
    return templates.TemplateResponse(request, name, ctx, status_code=status)
