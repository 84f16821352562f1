"""Common shape of every stored record: an id, a version for optimistic locking, and its provenance."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

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

    def __post_init__(self) -> None:
        check_texts(self)
