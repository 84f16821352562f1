"""The fields of a record's add/edit form: which fields each kind's form shows, how a stored value reads in the
field (ROC dates in zh-TW, names instead of ids), and how typed text becomes the record's JSON.

Typed text is read exactly as the command line reads `field=value` (services.forms.parse_fields), so a form takes
「600 塊；229 公斤 毛重」, 「102年5月底」 or 「directing:高雄地檢署」 like `straitlink add` does; full-width
separators people type in Chinese (；、，) are read as the ASCII ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from straitlink.catalog import load_catalog
from straitlink.codec import field_hints
from straitlink.domain.dates import PartialDate, Precision
from straitlink.domain.quantity import Quantity
from straitlink.services.forms import parse_fields, unwrap_hint
from straitlink.services.kinds import Kind
from straitlink.web import labels
from straitlink.web.i18n import N_, catalogue_name, translations

# The fields each kind's form shows, in order (a case's id and provenance are never typed).
FORM_FIELDS: dict[str, tuple[str, ...]] = {
    "case": ("title", "kind", "joint", "opened_on", "summary", "agencies", "places"),
    "operation": (
        "name",
        "date",
        "agencies",
        "places",
        "personnel",
        "personnel_party",
        "vessels",
        "containers",
        "conveyance",
        "concealment",
    ),
    "person": ("role", "name", "label", "nationality", "caught_in_act"),
    "seizure": ("drug", "quantities", "date", "place", "operation", "description", "containers"),
    "intel": (
        "provider_party",
        "provider_agency",
        "recipient_party",
        "date",
        "summary",
        "source_reliability",
        "information_accuracy",
    ),
    "outcome": ("intel", "case", "seizures", "persons", "note"),
    "meeting": ("kind", "title", "date", "sequence", "places", "host", "participants", "decisions", "cross_strait"),
}
# Fields naming other records: chosen from a list, never typed as ids.
RECORD_REFERENCES = {
    "case": "cases",
    "operation": "operations",
    "intel": "intel",
    "seizures": "seizures",
    "persons": "persons",
}
LONG_TEXT = frozenset({"summary", "description", "note", "decisions"})
ONE_PER_LINE = frozenset({"decisions"})

# How to write each typed field, shown under it.
HINTS = {
    "date": N_("ISO or ROC: 102年11月17日, 102年5月底, 2013-11-17"),
    "opened_on": N_("ISO or ROC: 102年11月17日, 102年5月底, 2013-11-17"),
    "quantities": N_("Separate quantities with ；: 600 塊；229 公斤 毛重; 3,000餘公斤"),
    "personnel": N_("For example 500+ persons"),
    "agencies": N_("role:agency, separated by commas: directing:高雄地檢署, leading:公安部"),
    "places": N_("Names separated by commas: 高雄, 桃園機場"),
    "participants": N_("Agencies separated by commas"),
    "vessels": N_("NAME/FLAG STATE/KIND, separated by commas: 金滿發/巴拿馬/貨輪"),
    "containers": N_("Container numbers separated by commas"),
    "decisions": N_("One decision a line"),
}

ENUM_LABELS: dict[str, dict[str, str]] = {
    "kind": labels.KIND_VALUES,
    "conveyance": labels.CONVEYANCES,
    "role": labels.PERSON_ROLES,
    "personnel_party": labels.PARTIES,
    "nationality": labels.PARTIES,
    "provider_party": labels.PARTIES,
    "recipient_party": labels.PARTIES,
    "source_reliability": labels.SOURCE_RELIABILITY,
    "information_accuracy": labels.INFORMATION_ACCURACY,
}
_SEPARATORS = str.maketrans({"；": ";", "、": ",", "，": ","})
_AGENCY_FIELDS = frozenset({"host", "provider_agency", "participants"})


@dataclass(frozen=True)
class FormField:
    """One field of a form: its name, the widget it needs, its choices, and whether it may stay empty."""

    name: str
    widget: str  # text | textarea | select | bool | records
    choices: tuple[tuple[str, str], ...] = ()  # (value, msgid or display text)
    required: bool = False
    many: bool = False


def form_fields(kind: Kind, options: dict[str, list[tuple[str, str]]]) -> list[FormField]:
    """The form of `kind`; `options` gives the records a reference field may name, as (id, display text)."""
    hints = field_hints(kind.mapper.record)
    defaults = {f.name: f for f in kind.mapper.record.__dataclass_fields__.values()}
    out = []
    for name in FORM_FIELDS[kind.name]:
        hint, many = unwrap_hint(hints[name])
        required = _required(defaults[name]) and not many
        if name in RECORD_REFERENCES:
            out.append(FormField(name, "records", tuple(options.get(name, [])), required, many))
        elif hint is bool:
            out.append(FormField(name, "bool"))
        elif isinstance(hint, type) and issubclass(hint, Enum):
            table = ENUM_LABELS.get(name, {})
            out.append(
                FormField(name, "select", tuple((m.value, labels.label(table, m.value)) for m in hint), required)
            )
        else:
            out.append(FormField(name, "textarea" if name in LONG_TEXT else "text", (), required, many))
    return out


def _required(f: Any) -> bool:
    from dataclasses import MISSING

    return f.default is MISSING and f.default_factory is MISSING


def _date_text(value: dict[str, Any], lang: str) -> str:
    d = PartialDate.from_json({k: v for k, v in value.items() if k in ("iso", "part")})
    if lang == "zh-TW":
        return d.format_roc()
    # Gregorian forms the parser reads back: a day as ISO, a month or part of one in the Chinese form.
    return d.iso if d.precision is Precision.DAY and d.part is None else d.format_zh_cn()


def field_text(name: str, value: Any, lang: str) -> Any:
    """A stored JSON value as the form shows it: text to edit, or the chosen ids of a reference field."""
    if value is None:
        return ""
    if name in RECORD_REFERENCES:
        return value if isinstance(value, list) else str(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict) and "iso" in value:
        return _date_text(value, lang)
    if name in ("quantities", "personnel"):
        items = value if isinstance(value, list) else [value]
        return "；".join(Quantity.from_json(q).format_en() for q in items)
    if name == "agencies":
        return ", ".join(f"{_role_word(a['role'], lang)}:{catalogue_name('agency', a['agency'], lang)}" for a in value)
    if name == "vessels":
        return ", ".join("/".join(v.get(k) or "" for k in ("name", "flag_state", "kind")).rstrip("/") for v in value)
    if name in ("places", "place"):
        items = value if isinstance(value, list) else [value]
        return ", ".join(catalogue_name("place", p, lang) for p in items)
    if name in _AGENCY_FIELDS:
        items = value if isinstance(value, list) else [value]
        return ", ".join(catalogue_name("agency", a, lang) for a in items)
    if name == "drug":
        return catalogue_name("drug", value, lang)
    if name in ONE_PER_LINE:
        return "\n".join(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _role_word(role: str, lang: str) -> str:
    """A case agency's role as the page's language writes it (指揮, 主導: the form reads them back), else its value."""
    return role if lang == "en" else translations(lang).gettext(labels.label(labels.AGENCY_ROLES, role))


def parse_form(kind: Kind, fields: list[FormField], typed: dict[str, Any]) -> dict[str, Any]:
    """The record's JSON from what was typed: each field read as the command line reads it; empty is none."""
    catalog = load_catalog()
    out: dict[str, Any] = {}
    pairs: list[str] = []
    for f in fields:
        raw = typed.get(f.name)
        if f.widget == "records":
            chosen = [str(v) for v in (raw if isinstance(raw, list) else [raw]) if v]
            out[f.name] = chosen if f.many else (chosen[0] if chosen else None)
            continue
        text = str(raw or "").strip()
        if f.name in ONE_PER_LINE:
            out[f.name] = [line.strip() for line in text.splitlines() if line.strip()]
        elif not text:
            out[f.name] = [] if f.many else None
        else:
            pairs.append(f"{f.name}={text.translate(_SEPARATORS) if f.many else text}")
    out.update(parse_fields(kind, pairs, catalog))
    return out
