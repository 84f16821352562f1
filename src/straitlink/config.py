"""Settings from the environment and the command line: where the data lives and which database to use."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from straitlink.domain.parties import Party


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    party: Party

    @classmethod
    def load(cls, *, data_dir: Path | None = None, database_url: str | None = None) -> Settings:
        """Explicit arguments win over STRAITLINK_DATA_DIR / STRAITLINK_DATABASE_URL, then the defaults."""
        directory = data_dir or Path(os.environ.get("STRAITLINK_DATA_DIR") or "data")
        url = database_url or os.environ.get("STRAITLINK_DATABASE_URL") or ""
        if not url:
            url = f"sqlite:///{directory.resolve() / 'straitlink.db'}"
        party = Party(os.environ.get("STRAITLINK_PARTY", "TW").upper())
        return cls(data_dir=directory, database_url=url, party=party)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
