"""Domain events: what a change announces to the world outside its transaction (the exchange reads them)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DomainEvent:
    """One fact a use case made true: `request.transitioned`, `record.created`, … about one record."""

    type: str
    aggregate_kind: str
    aggregate_id: str
    actor: str
    releasable: bool  # whether its record's marking lets it go to the other side
    payload: dict[str, Any] = field(default_factory=dict)
    event_id: str = field(default_factory=lambda: str(uuid.uuid4()))
