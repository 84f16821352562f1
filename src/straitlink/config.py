"""Settings from the environment and the command line: where the data lives and which database to use."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from straitlink.catalog.naming import parse_lang
from straitlink.domain.errors import InvalidValue
from straitlink.domain.parties import Party


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    party: Party
    # The language tables name catalogue entries in (zh-TW, zh-CN or en); JSON keeps the ids.
    lang: str = "zh-TW"
    # True when the database is the SQLite file inside the data directory (no URL was given).
    database_in_data_dir: bool = False
    # The web app's page cache, per server process: how many rendered pages and how many MB of them (0: none).
    page_cache_entries: int = 256
    page_cache_mb: int = 64

    @classmethod
    def load(cls, *, data_dir: Path | None = None, database_url: str | None = None) -> Settings:
        """Explicit arguments win over STRAITLINK_DATA_DIR / STRAITLINK_DATABASE_URL, then the defaults."""
        directory = data_dir or Path(os.environ.get("STRAITLINK_DATA_DIR") or "data")
        url = database_url or os.environ.get("STRAITLINK_DATABASE_URL") or ""
        in_data_dir = not url
        if in_data_dir:
            url = f"sqlite:///{directory.resolve() / 'straitlink.db'}"
        raw_party = os.environ.get("STRAITLINK_PARTY", "TW")
        try:
            party = Party(raw_party.strip().upper())
        except ValueError:
            raise InvalidValue("STRAITLINK_PARTY", raw_party, "TW or CN") from None
        lang = parse_lang(os.environ.get("STRAITLINK_LANG") or "zh-TW", field="STRAITLINK_LANG")
        entries = _count("STRAITLINK_PAGE_CACHE_ENTRIES", cls.page_cache_entries)
        mb = _count("STRAITLINK_PAGE_CACHE_MB", cls.page_cache_mb)
        return cls(
            data_dir=directory,
            database_url=url,
            party=party,
            lang=lang,
            database_in_data_dir=in_data_dir,
            page_cache_entries=entries,
            page_cache_mb=mb,
        )

    def check_data_dir(self, *, create: bool) -> None:
        """Refuse a data directory that is a file, or that does not exist unless this command creates it."""
        if self.data_dir.exists() and not self.data_dir.is_dir():
            raise InvalidValue("data_dir", str(self.data_dir), "is a file, not a directory")
        if not create and self.database_in_data_dir and not self.data_dir.exists():
            raise InvalidValue("data_dir", str(self.data_dir), "does not exist (`straitlink init` creates it)")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _count(name: str, default: int) -> int:
    """A whole number ≥ 0 from the environment variable `name`, or `default` when it is unset or empty."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise InvalidValue(name, raw, "a whole number, 0 or more")
    return int(raw)
