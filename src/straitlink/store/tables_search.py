"""The search index: one row per record with its label, its readable text and its folded terms.

Each engine matches `terms` with its own full-text machinery, built by migration 0011 beside this table and kept
in step with it by the database itself: SQLite an FTS5 table filled by triggers, PostgreSQL a GIN index over the
terms as a tsvector. Neither is in the metadata (alembic check skips them, see migrations/env.py).
"""

from __future__ import annotations

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from straitlink.store.tables import Base


class SearchEntryRow(Base):
    """What the search finds of one record; who may see it is decided on the record's own row at query time."""

    __tablename__ = "search_entry"
    __table_args__ = (UniqueConstraint("kind", "record_id", name="uq_search_entry_kind_record"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    terms: Mapped[str] = mapped_column(Text)
