"""A catalogue entry's name in a reader's language: what tables print instead of the id stored in a record."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from straitlink.catalog.loader import Catalog
from straitlink.domain.errors import InvalidValue, StraitLinkError

LANGS: tuple[str, ...] = ("zh-TW", "zh-CN", "en")  # the web's and the tables' languages


def parse_lang(text: str, field: str = "lang") -> str:
    """`zh-TW`, `zh-CN` or `en` in any case (`zh_tw` too); anything else is refused naming the value."""
    wanted = text.strip().replace("_", "-").lower()
    for lang in LANGS:
        if lang.lower() == wanted:
            return lang
    raise InvalidValue(field, text, "one of " + ", ".join(LANGS))


def entry_name(entry: Any, lang: str) -> str:
    """The entry's name in `lang`: Traditional for zh-TW, Simplified for zh-CN, English (capitalised) for en."""
    name = str({"zh-TW": entry.name_zh_hant, "zh-CN": entry.name_zh_hans, "en": entry.name_en}[lang])
    return name[:1].upper() + name[1:] if lang == "en" else name


def display_name(catalog: Catalog, target: str, entry_id: str | None, lang: str) -> str:
    """An agency, drug, place or request type by its id, named in `lang`; an unknown id is shown as it is."""
    if not entry_id:
        return ""
    getter: dict[str, Callable[[str], Any]] = {
        "agency": catalog.agency,
        "drug": catalog.drug,
        "place": catalog.place,
        "request_type": catalog.request_type,
    }
    if target not in getter:
        return entry_id
    try:
        return entry_name(getter[target](entry_id), lang)
    except StraitLinkError:
        return entry_id
