"""One error family for the whole product: each carries a code, an HTTP status and a message naming the field."""

from __future__ import annotations

from typing import Any


class StraitLinkError(Exception):
    """Base of every error the product reports to a user instead of a traceback."""

    code = "error"
    http_status = 400
    exit_code = 2

    def __init__(self, message: str, *, field: str | None = None, value: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.value = value

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.field is not None:
            out["field"] = self.field
        if self.value is not None:
            out["value"] = str(self.value)
        return out


class InvalidValue(StraitLinkError):
    """A value that cannot be what the field says (an impossible date, a negative weight)."""

    code = "invalid_value"
    http_status = 422

    def __init__(self, field: str, value: Any, reason: str) -> None:
        super().__init__(f"{field}: {value!r} is not valid: {reason}", field=field, value=value)


class MissingField(StraitLinkError):
    """A required field was not given."""

    code = "missing_field"
    http_status = 422

    def __init__(self, field: str, what: str = "is required") -> None:
        super().__init__(f"{field}: {what}", field=field)


class UnknownReference(StraitLinkError):
    """A reference to a catalogue entry or record that does not exist (unknown drug, agency, place)."""

    code = "unknown_reference"
    http_status = 422

    def __init__(self, field: str, value: Any, kind: str) -> None:
        super().__init__(f"{field}: unknown {kind} {value!r}", field=field, value=value)


class NotFound(StraitLinkError):
    """A record asked for by id is not stored."""

    code = "not_found"
    http_status = 404

    def __init__(self, kind: str, record_id: str) -> None:
        super().__init__(f"{kind} {record_id!r} not found", field="id", value=record_id)


class IncompatibleUnits(StraitLinkError):
    """Quantities of different dimensions (blocks and kilograms) cannot be added."""

    code = "incompatible_units"
    http_status = 422


class Conflict(StraitLinkError):
    """The change was based on a stale version or would duplicate a unique record."""

    code = "conflict"
    http_status = 409


class StoreUnavailable(StraitLinkError):
    """The database cannot be reached or opened."""

    code = "store_unavailable"
    http_status = 503


class ImportRejected(StraitLinkError):
    """An import file is corrupt, truncated, or the target database is not empty."""

    code = "import_rejected"
    http_status = 422
