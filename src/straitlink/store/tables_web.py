"""The web app's server-side sessions and the API tokens of machine clients (only hashes of the secrets are stored),
and the counters its page cache keys on."""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from straitlink.store.tables import Base


class WebSessionRow(Base):
    """One logged-in browser; the id is the SHA-256 of the cookie's random token (a copied table logs no one in)."""

    __tablename__ = "web_session"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(ForeignKey("account.username", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[str] = mapped_column(String(32))
    expires_at: Mapped[str] = mapped_column(String(32), index=True)


class ApiTokenRow(Base):
    """A machine client's bearer token (its SHA-256), revocable and expiring."""

    __tablename__ = "api_token"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(ForeignKey("account.username", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[str] = mapped_column(String(32))
    expires_at: Mapped[str | None] = mapped_column(String(32))
    revoked_at: Mapped[str | None] = mapped_column(String(32))


class PageVersionRow(Base):
    """One row of counters, one per family of cached pages, that triggers bump with every write the family reads
    (migration 0016): a cached page is served again only while its family's counter is the one it was made under."""

    __tablename__ = "page_version"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    principal: Mapped[int] = mapped_column(BigInteger)
    requests: Mapped[int] = mapped_column(BigInteger)
    statistics: Mapped[int] = mapped_column(BigInteger)
