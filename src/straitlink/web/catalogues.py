"""The web app's messages: extracted from its templates and modules, checked against the Babel catalogues.

`python -m straitlink.web.catalogues` adds every new message to each catalogue (with an empty translation for a
person to fill in) and drops messages no longer used; a test fails while any translation is empty.
"""

from __future__ import annotations

import sys
from importlib.resources import files
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

from straitlink.web.i18n import _DIRS, LANGS

KEYWORDS = {"_": None, "N_": None, "gettext": None}


def web_root() -> Path:
    return Path(str(files("straitlink.web")))


def extract() -> dict[str, list[str]]:
    """Every message of the web app, with the files it appears in."""
    root = web_root()
    found: dict[str, list[str]] = {}
    sources = [(p, "python") for p in sorted(root.glob("*.py"))]
    sources += [(p, "jinja2.ext:babel_extract") for p in sorted((root / "templates").glob("*.html"))]
    for path, method in sources:
        for _line, message, _comments, _context in extract_from_file(method, str(path), keywords=KEYWORDS):
            if isinstance(message, str) and message:
                found.setdefault(message, []).append(path.name)
    return found


def po_path(lang: str) -> Path:
    return web_root() / "locale" / _DIRS[lang] / "LC_MESSAGES" / "messages.po"


def read(lang: str) -> Catalog:
    with po_path(lang).open("rb") as f:
        return read_po(f, locale=_DIRS[lang])


def update() -> dict[str, int]:
    """Bring every catalogue in line with the messages; returns how many translations each still lacks."""
    messages = extract()
    missing = {}
    for lang in LANGS:
        path = po_path(lang)
        old = read(lang) if path.exists() else Catalog(locale=_DIRS[lang])
        new = Catalog(locale=_DIRS[lang], project="StraitLink", fuzzy=False)
        for msgid in sorted(messages):
            existing = old.get(msgid)
            new.add(msgid, existing.string if existing is not None else "", locations=[(messages[msgid][0], 0)])
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            write_po(f, new, width=120, omit_header=False, no_location=True, sort_output=True)
        missing[lang] = sum(1 for m in new if m.id and not m.string)
    return missing


if __name__ == "__main__":
    print(update())
    sys.exit(0)
