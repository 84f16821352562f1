"""What every listing's options must make sense as: a period that ends after it starts, a limit of at least one."""

from __future__ import annotations

from datetime import date

from straitlink.domain.errors import InvalidValue


def check_period(start: date | None, end: date | None) -> None:
    """Refuse a period that ends before it starts."""
    if start is not None and end is not None and start > end:
        raise InvalidValue("from", start.isoformat(), f"after to ({end.isoformat()})")


def check_limit(limit: int | None) -> None:
    """Refuse a limit that would list nothing (0) or mean nothing (negative)."""
    if limit is not None and limit < 1:
        raise InvalidValue("limit", limit, "at least 1 (leave it out to list everything)")
