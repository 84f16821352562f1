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
        self.reason = reason  # kept apart, for a page to say it in the reader's language


class MissingField(StraitLinkError):
    """A required field was not given."""

    code = "missing_field"
    http_status = 422

    def __init__(self, field: str, what: str = "is required") -> None:
        super().__init__(f"{field}: {what}", field=field)
        self.what = what


class UnknownReference(StraitLinkError):
    """A reference to a catalogue entry or record that does not exist (unknown drug, agency, place)."""

    code = "unknown_reference"
    http_status = 422

    def __init__(self, field: str, value: Any, kind: str) -> None:
        super().__init__(f"{field}: unknown {kind} {value!r}", field=field, value=value)
        self.kind = kind


class NotFound(StraitLinkError):
    """A record asked for by id is not stored."""

    code = "not_found"
    http_status = 404

    def __init__(self, kind: str, record_id: str, *, field: str = "id", hint: str = "") -> None:
        message = f"{kind} {record_id!r} not found" + (f" ({hint})" if hint else "")
        super().__init__(message, field=field, value=record_id)
        self.kind, self.record_id, self.hint = kind, record_id, hint


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


class IllegalTransition(StraitLinkError):
    """The request's state machine has no step from its current status to the one asked for."""

    code = "illegal_transition"
    http_status = 409

    def __init__(self, current: str, target: str, allowed: list[str]) -> None:
        nxt = ", ".join(allowed) if allowed else "nothing (the request is closed)"
        super().__init__(
            f"status: a request that is {current!r} cannot become {target!r}; it can become {nxt}",
            field="status",
            value=target,
        )


class NotPermitted(StraitLinkError):
    """The acting party or role may not take this step on this request."""

    code = "not_permitted"
    http_status = 403

    def __init__(self, field: str, value: Any, reason: str) -> None:
        super().__init__(f"{field}: {value!r} may not {reason}", field=field, value=value)


class NotOwner(StraitLinkError):
    """A side corrects a field the other side states (a request's requested-side reference, say): refused.

    Unlike a refusal of the services, which may pass once something missing arrives, this one is final; the
    exchange answers it with a `rejected` receipt.
    """

    code = "not_owner"
    http_status = 403

    def __init__(self, field: str, owner: str, by: str) -> None:
        super().__init__(f"{field}: stated by {owner}; {by} may not correct it", field=field, value=by)


class Forbidden(StraitLinkError):
    """The acting account may see the record or use case but its roles, clearance or scope do not allow this."""

    code = "forbidden"
    http_status = 403

    def __init__(self, user: str, what: str, missing: str) -> None:
        super().__init__(f"user: {user!r} may not {what} (needs {missing})", field="user", value=user)
        self.what, self.missing = what, missing


class NotAuthenticated(StraitLinkError):
    """No account acts, or the named one is unknown, disabled, or its password does not match."""

    code = "not_authenticated"
    http_status = 401

    def __init__(self, user: str | None, reason: str) -> None:
        # With no account named there is no value to quote: "user: is required …", not "user: None is required …".
        super().__init__(f"user: {user!r} {reason}" if user else f"user: {reason}", field="user", value=user)


class IncompleteRequest(StraitLinkError):
    """A request lacks contents Art. 13¶2 of the Agreement requires; every missing field is listed."""

    code = "incomplete_request"
    http_status = 422

    def __init__(self, missing: list[str]) -> None:
        super().__init__(
            f"{missing[0]}: the request is incomplete (Art. 13¶2); missing: {', '.join(missing)}",
            field=missing[0],
        )
        self.missing = list(missing)

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "missing": self.missing}


class DocumentMissing(StraitLinkError):
    """A message names a document whose bytes have not reached this side: it waits, parked, until they do."""

    code = "document_missing"
    http_status = 409

    def __init__(self, name: str, sha256: str) -> None:
        super().__init__(
            f"document: {name!r} ({sha256}) has not arrived; the message is applied once its sender sends it again "
            "with the bytes (exchange sync does so when they are back in its store)",
            field="documents",
            value=sha256,
        )


class DocumentRejected(StraitLinkError):
    """A file is empty, too large, or of a type the store does not accept."""

    code = "document_rejected"
    http_status = 415
