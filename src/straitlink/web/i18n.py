"""Languages of the web app: zh-TW (default, ROC dates), zh-CN (Gregorian dates, mainland names) and en.

The catalogues are Babel .po files under web/locale; they are compiled in memory when first used, so no compiled
.mo file can drift from its source. Catalogue names (agencies, drugs, places, request types) come from the
catalogue in the script of the language.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable
from datetime import date
from importlib.resources import files
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from straitlink.catalog import load_catalog
from straitlink.catalog.naming import LANGS, entry_name
from straitlink.domain.dates import PartialDate, Precision
from straitlink.domain.errors import StraitLinkError

DEFAULT_LANG = "zh-TW"
LANG_NAMES = {"zh-TW": "繁體中文", "zh-CN": "简体中文", "en": "English"}
HTML_LANG = {"zh-TW": "zh-Hant-TW", "zh-CN": "zh-Hans-CN", "en": "en"}
_DIRS = {"zh-TW": "zh_TW", "zh-CN": "zh_CN", "en": "en"}


def N_(message: str) -> str:
    """Mark a message for the catalogues without translating it here (labels translated when shown)."""
    return message


def catalogue_path(lang: str) -> Any:
    return files("straitlink.web") / "locale" / _DIRS[lang] / "LC_MESSAGES" / "messages.po"


@functools.cache
def translations(lang: str) -> Translations:
    """The compiled catalogue of one language."""
    with catalogue_path(lang).open("rb") as f:
        catalog = read_po(f, locale=_DIRS[lang])
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def pick_lang(*candidates: str | None, accept: str | None = None) -> str:
    """The first supported language among the candidates, then from Accept-Language, else zh-TW."""
    for c in candidates:
        if c in LANGS:
            return c
    for part in (accept or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("en"):
            return "en"
        if tag in ("zh-cn", "zh-hans", "zh-sg", "zh-hans-cn"):
            return "zh-CN"
        if tag.startswith("zh"):
            return "zh-TW"
    return DEFAULT_LANG


def format_day(value: date | str | None, lang: str) -> str:
    """A day as people of the language write it: 102年11月17日, 2013年11月17日, 17 Nov 2013."""
    if value is None or value == "":
        return ""
    day = date.fromisoformat(value[:10]) if isinstance(value, str) else value
    if lang == "zh-TW":
        return f"{day.year - 1911}年{day.month}月{day.day}日"
    if lang == "zh-CN":
        return f"{day.year}年{day.month}月{day.day}日"
    return day.strftime("%-d %b %Y")


def format_partial(value: dict[str, Any] | None, lang: str) -> str:
    """A partial date's JSON ({"iso", "precision", ...}) in the language."""
    if not value:
        return ""
    d = PartialDate.from_json({k: v for k, v in value.items() if k in ("iso", "part")})
    if d.precision is Precision.DAY and d.part is None:
        return format_day(d.earliest(), lang)
    return {"zh-TW": d.format_roc, "zh-CN": d.format_zh_cn, "en": d.format_en}[lang]()


_ARTICLE = re.compile(r"(Agreement )?Art\. (\d+)(?:¶(\d+))?(?:\((\d+)\))?")
_ZH_UNITS = {"zh-TW": ("協議", "條", "項", "款"), "zh-CN": ("协议", "条", "款", "项")}
# The pages put a note in brackets of their own, so the phrase comes without the domain text's dash and brackets.
_NOT_IN_AGREEMENT = {"zh-TW": "協議未規定", "zh-CN": "协议未规定", "en": "not in the Agreement"}


def article_text(text: str, lang: str) -> str:
    """Articles as each side cites them: "Art. 13¶2" is 第13條第2項 in Taiwan and 第13条第2款 on the mainland."""
    text = text.replace("— (not in the Agreement)", _NOT_IN_AGREEMENT.get(lang, "not in the Agreement"))
    if lang not in _ZH_UNITS:
        return text
    agreement, article, paragraph, item = _ZH_UNITS[lang]

    def one(m: re.Match[str]) -> str:
        out = (agreement if m.group(1) else "") + f"第{m.group(2)}{article}"
        out += f"第{m.group(3)}{paragraph}" if m.group(3) else ""
        return out + (f"第{m.group(4)}{item}" if m.group(4) else "")

    return _ARTICLE.sub(one, text).replace("; ", "、")


def catalogue_name(kind: str, entry_id: str | None, lang: str) -> str:
    """An agency, drug, place or request type by its id, named in the language; an unknown id as it is."""
    if not entry_id:
        return ""
    catalog = load_catalog()
    getter: dict[str, Callable[[str], Any]] = {
        "agency": catalog.agency,
        "drug": catalog.drug,
        "place": catalog.place,
        "type": catalog.request_type,
    }
    try:
        entry = getter[kind](entry_id)
    except StraitLinkError:
        return entry_id
    return entry_name(entry, lang)
