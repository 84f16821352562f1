"""Common shape of every stored record: an id, a version for optimistic locking, and its provenance."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar

from straitlink.domain.dates import PartialDate
from straitlink.domain.errors import InvalidValue
from straitlink.domain.marking import Marking
from straitlink.domain.provenance import Provenance
from straitlink.domain.text import check_texts

# Demo, synthetic and imported records get ids derived from a stable key, so loading twice adds nothing.
ID_NAMESPACE = uuid.UUID("6f1c2a7e-3d1b-4c55-9a0e-5b7d1e2f9a10")


def new_id() -> str:
    """A fresh random record id."""
    return str(uuid.uuid4())


def stable_id(*key: str) -> str:
    """A record id derived from a stable key (same key, same id)."""
    return str(uuid.uuid5(ID_NAMESPACE, "/".join(key)))


@dataclass(kw_only=True)
class Record:
    """Fields every record kind shares: id, provenance, version, and what the record may be shown to (marking)."""

    id: str
    provenance: Provenance
    version: int = 1
    marking: Marking = field(default_factory=Marking)
    # The fields saying when something happened (a seizure, a case's opening): never after the day it is recorded.
    HAPPENED: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self) -> None:
        check_texts(self)


def check_happened(record: Record, today: date) -> None:
    """Refuse a record dating what happened after `today` (a partial date from its first day: 2026-12 is not)."""
    for name in record.HAPPENED:
        value = getattr(record, name)
        first = value.earliest() if isinstance(value, PartialDate) else value
        if first is not None and first > today:
            shown = value.iso if isinstance(value, PartialDate) else value.isoformat()
            raise InvalidValue(name, shown, f"after today ({today.isoformat()})")
