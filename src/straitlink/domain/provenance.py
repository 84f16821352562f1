"""Where a record came from: a user, a span of a document, a peer message, or the synthetic generator."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from straitlink.domain.errors import InvalidValue, MissingField
from straitlink.domain.text import MULTI_LINE, check_text


class ProvenanceKind(StrEnum):
    USER = "user"
    DOCUMENT = "document"
    PEER = "peer"
    SYNTHETIC = "synthetic"


@dataclass(frozen=True)
class Provenance:
    """The source of one record; exactly the fields its kind needs are set."""

    kind: ProvenanceKind
    user: str | None = None
    document: str | None = None
    span: tuple[int, int] | None = None
    quote: str | None = None
    peer_message: str | None = None
    generator: str | None = None

    def __post_init__(self) -> None:
        for name in ("user", "document", "peer_message", "generator"):
            value = getattr(self, name)
            if isinstance(value, str):
                check_text(f"provenance.{name}", value)
        if isinstance(self.quote, str):
            check_text("provenance.quote", self.quote, limit=MULTI_LINE, lines=True)
        if self.kind is ProvenanceKind.USER and not self.user:
            raise MissingField("provenance.user", "a user-entered record names its user")
        if self.kind is ProvenanceKind.DOCUMENT:
            if not self.document:
                raise MissingField("provenance.document", "a document record names its document")
            if self.span is not None:
                start, end = self.span
                if start < 0 or end < start:
                    raise InvalidValue("provenance.span", self.span, "start must be >= 0 and <= end")
        if self.kind is ProvenanceKind.PEER and not self.peer_message:
            raise MissingField("provenance.peer_message", "a peer record names its message")

    @classmethod
    def by_user(cls, user: str) -> Provenance:
        return cls(ProvenanceKind.USER, user=user)

    @classmethod
    def from_document(cls, document: str, span: tuple[int, int] | None = None, quote: str | None = None) -> Provenance:
        return cls(ProvenanceKind.DOCUMENT, document=document, span=span, quote=quote)

    @classmethod
    def from_peer(cls, message_id: str) -> Provenance:
        return cls(ProvenanceKind.PEER, peer_message=message_id)

    @classmethod
    def synthetic(cls, generator: str) -> Provenance:
        return cls(ProvenanceKind.SYNTHETIC, generator=generator)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind.value}
        if self.user is not None:
            out["user"] = self.user
        if self.document is not None:
            out["document"] = self.document
            out["span"] = list(self.span) if self.span else None
            out["quote"] = self.quote
        if self.peer_message is not None:
            out["peer_message"] = self.peer_message
        if self.generator is not None:
            out["generator"] = self.generator
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Provenance:
        try:
            kind = ProvenanceKind(data["kind"])
        except (KeyError, ValueError):
            raise InvalidValue("provenance.kind", data.get("kind"), "one of user|document|peer|synthetic") from None
        span = data.get("span")
        return cls(
            kind,
            user=data.get("user"),
            document=data.get("document"),
            span=(int(span[0]), int(span[1])) if span else None,
            quote=data.get("quote"),
            peer_message=data.get("peer_message"),
            generator=data.get("generator"),
        )
