"""Rollup tables of the statistics: counts and exact sums per month, kept by database triggers (migration 0003).

Every write to the raw tables — the use cases, the demo loader's bulk inserts, an import, raw SQL — updates these
rows in the same transaction through triggers, so they need no write path of their own. Nothing in the
application writes them; `straitlink.stats.rollup_check` recounts them from the raw rows. Months are 'YYYY-MM'.
A count that fell back to zero leaves its row in place (n = 0); readers skip it.

Each primary key lists the columns the statistics group by first and the month after them: SQLite keeps these
tables in key order (WITHOUT ROWID), so a period's sums stream out group by group instead of being sorted.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Boolean, Index, Integer, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from straitlink.store.tables import AssistanceRequestRow, Base

MONTH = String(7)


def _key(*columns: str) -> tuple[Any, ...]:
    return (PrimaryKeyConstraint(*columns), {"sqlite_with_rowid": False})


class RequestRollupRow(Base):
    """Requests per filing month, party, type, status now, provenance and closing month.

    `closed_month` is the month of `closed_on` for a request closed with a date, '' otherwise (not closed, or
    closed without a date, which counts as closed in time): the state at a period's end follows from it.
    """

    __tablename__ = "request_rollup"
    __table_args__ = _key("requesting_party", "type", "status", "filed_month", "closed_month", "synthetic")
    filed_month: Mapped[str] = mapped_column(MONTH)
    requesting_party: Mapped[str] = mapped_column(String(2))
    type: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    synthetic: Mapped[bool] = mapped_column(Boolean)
    closed_month: Mapped[str] = mapped_column(MONTH)
    n: Mapped[int] = mapped_column(Integer)


class RequestDaysRollupRow(Base):
    """Completed requests with both dates, per filing month, party, provenance, closing month and processing days.

    A histogram rather than a sum, so medians and percentiles over any set of months stay exact.
    """

    __tablename__ = "request_days_rollup"
    __table_args__ = _key("requesting_party", "days", "filed_month", "closed_month", "synthetic")
    filed_month: Mapped[str] = mapped_column(MONTH)
    requesting_party: Mapped[str] = mapped_column(String(2))
    synthetic: Mapped[bool] = mapped_column(Boolean)
    closed_month: Mapped[str] = mapped_column(MONTH)
    days: Mapped[int] = mapped_column(Integer)
    n: Mapped[int] = mapped_column(Integer)


class CaseRollupRow(Base):
    """Cases per month of their date, kind, joint or not, and provenance."""

    __tablename__ = "case_rollup"
    __table_args__ = _key("kind", "joint", "month", "synthetic")
    month: Mapped[str] = mapped_column(MONTH)
    kind: Mapped[str] = mapped_column(String(16))
    joint: Mapped[bool] = mapped_column(Boolean)
    synthetic: Mapped[bool] = mapped_column(Boolean)
    n: Mapped[int] = mapped_column(Integer)


class SuspectRollupRow(Base):
    """Suspects per month of their case's date, whether the case is a joint drug case, and provenance.

    `case_synthetic` is true for a synthetic joint drug case (false for any other case): with synthetic records
    left out, a joint drug case's suspects count only when the case is not synthetic either.
    """

    __tablename__ = "suspect_rollup"
    __table_args__ = _key("joint_drug", "month", "case_synthetic", "synthetic", "caught_in_act")
    month: Mapped[str] = mapped_column(MONTH)
    joint_drug: Mapped[bool] = mapped_column(Boolean)
    case_synthetic: Mapped[bool] = mapped_column(Boolean)
    synthetic: Mapped[bool] = mapped_column(Boolean)
    caught_in_act: Mapped[bool] = mapped_column(Boolean)
    n: Mapped[int] = mapped_column(Integer)


SEIZURE_KEY = ("joint_drug", "drug", "unit", "basis", "qualifier", "month", "case_synthetic", "synthetic")


class _SeizureColumns:
    """Month of the seizure's date, drug, its case (joint drug case or not; synthetic) and its own provenance."""

    month: Mapped[str] = mapped_column(MONTH)
    drug: Mapped[str] = mapped_column(String(64))
    joint_drug: Mapped[bool] = mapped_column(Boolean)
    case_synthetic: Mapped[bool] = mapped_column(Boolean)
    synthetic: Mapped[bool] = mapped_column(Boolean)
    unit: Mapped[str] = mapped_column(String(8))
    basis: Mapped[str] = mapped_column(String(8))
    qualifier: Mapped[str] = mapped_column(String(16))
    n: Mapped[int] = mapped_column(Integer)
    # Sums of amounts in whole millionths of the unit (as stats.queries.micro), exact on both engines.
    micro: Mapped[int] = mapped_column(BigInteger)
    micro_upper: Mapped[int] = mapped_column(BigInteger)


class SeizureRollupRow(_SeizureColumns, Base):
    """Seizures, each under the one mass that counts in weights, '' for unit, basis and qualifier without a mass.

    That mass is the net weight if stated, else the gross, else the unstated one; the first stated wins a tie.
    """

    __tablename__ = "seizure_rollup"
    __table_args__ = _key(*SEIZURE_KEY)


class SeizureQuantityRollupRow(_SeizureColumns, Base):
    """Every quantity of every seizure, by unit, basis and qualifier (the per-basis sums and the counts)."""

    __tablename__ = "seizure_quantity_rollup"
    __table_args__ = _key(*SEIZURE_KEY)


# A period ending mid-month needs the requests of its whole months that closed after its last day but within its
# last month (they were open at its end): found through this index instead of reading every request.
Index("ix_request_closed_on", AssistanceRequestRow.__table__.c.closed_on)


class RequestAgencyRollupRow(Base):
    """Requests per requesting agency ('' for none), party, status now, filing and closing month, and provenance.

    The breakdown by agency reads it (migration 0011); the type is left out, which that breakdown does not split by.
    """

    __tablename__ = "request_agency_rollup"
    __table_args__ = _key("requesting_agency", "requesting_party", "status", "filed_month", "closed_month", "synthetic")
    requesting_agency: Mapped[str] = mapped_column(String(64))
    requesting_party: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(16))
    filed_month: Mapped[str] = mapped_column(MONTH)
    closed_month: Mapped[str] = mapped_column(MONTH)
    synthetic: Mapped[bool] = mapped_column(Boolean)
    n: Mapped[int] = mapped_column(Integer)


class SeizurePlaceRollupRow(_SeizureColumns, Base):
    """Seizures under their counted mass (as seizure_rollup) and the place seized ('' for none).

    The breakdowns by place and by party (the place's) read it (migration 0011).
    """

    __tablename__ = "seizure_place_rollup"
    __table_args__ = _key("joint_drug", "place", "drug", "unit", "basis", "qualifier", "month", "case_synthetic",
                          "synthetic")  # fmt: skip
    place: Mapped[str] = mapped_column(String(64))


class CaseKeyRollupRow(Base):
    """Joint drug cases with a date under each agency, place or drug of the case (`dimension`, `key`), per month
    of the case's date and its provenance, with their suspects (migration 0012).

    A drug is one the case has a seizure of (any date); `only_synthetic` when every such seizure is synthetic.
    The `_real` sums leave out the synthetic persons. Kept per case by triggers (rollup_pending_case).
    """

    __tablename__ = "case_key_rollup"
    __table_args__ = _key("dimension", "key", "month", "synthetic", "only_synthetic")
    dimension: Mapped[str] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(String(64))
    month: Mapped[str] = mapped_column(MONTH)
    synthetic: Mapped[bool] = mapped_column(Boolean)
    only_synthetic: Mapped[bool] = mapped_column(Boolean)
    n: Mapped[int] = mapped_column(Integer)
    suspects: Mapped[int] = mapped_column(Integer)
    caught: Mapped[int] = mapped_column(Integer)
    suspects_real: Mapped[int] = mapped_column(Integer)
    caught_real: Mapped[int] = mapped_column(Integer)


class SeizureAgencyRollupRow(Base):
    """Seizures of joint drug cases under each agency of their case and their counted mass (as seizure_rollup),
    per month of the seizure's date (migration 0012)."""

    __tablename__ = "seizure_agency_rollup"
    __table_args__ = _key("agency", "drug", "unit", "basis", "qualifier", "month", "case_synthetic", "synthetic")
    agency: Mapped[str] = mapped_column(String(64))
    drug: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(8))
    basis: Mapped[str] = mapped_column(String(8))
    qualifier: Mapped[str] = mapped_column(String(16))
    month: Mapped[str] = mapped_column(MONTH)
    case_synthetic: Mapped[bool] = mapped_column(Boolean)
    synthetic: Mapped[bool] = mapped_column(Boolean)
    n: Mapped[int] = mapped_column(Integer)
    micro: Mapped[int] = mapped_column(BigInteger)
    micro_upper: Mapped[int] = mapped_column(BigInteger)


class RollupPendingCaseRow(Base):
    """Cases taken out of the per-case rollups while a statement changes them, to be put back after it (0012).

    Empty between statements; keyed by transaction so that concurrent writers never share a note.
    """

    __tablename__ = "rollup_pending_case"
    __table_args__ = _key("tx", "case_id")
    tx: Mapped[int] = mapped_column(BigInteger)
    case_id: Mapped[str] = mapped_column(String(64))


class RequestYearRollupRow(Base):
    """Requests per party, type, status now, filing year ('YYYY') and provenance: request_rollup without the
    closing month, summed over the year (migration 0015, kept by triggers on request_rollup). Whole years of a
    period read it; the requests closed after the period's end month come off again from request_rollup."""

    __tablename__ = "request_year_rollup"
    __table_args__ = _key("requesting_party", "type", "status", "filed_year", "synthetic")

    requesting_party: Mapped[str] = mapped_column(String(2))
    type: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    filed_year: Mapped[str] = mapped_column(String(4))
    synthetic: Mapped[bool] = mapped_column(Boolean)
    n: Mapped[int] = mapped_column(Integer)


class RequestDaysYearRollupRow(Base):
    """The processing-days histogram per party, days, filing year and provenance: request_days_rollup without the
    closing month, summed over the year (migration 0015, kept by triggers on request_days_rollup)."""

    __tablename__ = "request_days_year_rollup"
    __table_args__ = _key("requesting_party", "days", "filed_year", "synthetic")

    requesting_party: Mapped[str] = mapped_column(String(2))
    days: Mapped[int] = mapped_column(Integer)
    filed_year: Mapped[str] = mapped_column(String(4))
    synthetic: Mapped[bool] = mapped_column(Boolean)
    n: Mapped[int] = mapped_column(Integer)


class _SeizureYearColumns:
    """The seizure rollups' columns with the year of the seizure's date ('YYYY') instead of its month (0015)."""

    year: Mapped[str] = mapped_column(String(4))
    drug: Mapped[str] = mapped_column(String(64))
    case_synthetic: Mapped[bool] = mapped_column(Boolean)
    synthetic: Mapped[bool] = mapped_column(Boolean)
    unit: Mapped[str] = mapped_column(String(8))
    basis: Mapped[str] = mapped_column(String(8))
    qualifier: Mapped[str] = mapped_column(String(16))
    n: Mapped[int] = mapped_column(Integer)
    micro: Mapped[int] = mapped_column(BigInteger)
    micro_upper: Mapped[int] = mapped_column(BigInteger)


YEAR_KEY = tuple("year" if k == "month" else k for k in SEIZURE_KEY)


class SeizureYearRollupRow(_SeizureYearColumns, Base):
    """seizure_rollup per year (migration 0015, kept by triggers on it)."""

    __tablename__ = "seizure_year_rollup"
    __table_args__ = _key(*YEAR_KEY)
    joint_drug: Mapped[bool] = mapped_column(Boolean)


class SeizureQuantityYearRollupRow(_SeizureYearColumns, Base):
    """seizure_quantity_rollup per year (migration 0015, kept by triggers on it)."""

    __tablename__ = "seizure_quantity_year_rollup"
    __table_args__ = _key(*YEAR_KEY)
    joint_drug: Mapped[bool] = mapped_column(Boolean)


class SeizurePlaceYearRollupRow(_SeizureYearColumns, Base):
    """seizure_place_rollup per year (migration 0015, kept by triggers on it)."""

    __tablename__ = "seizure_place_year_rollup"
    __table_args__ = _key("place", *YEAR_KEY)
    joint_drug: Mapped[bool] = mapped_column(Boolean)
    place: Mapped[str] = mapped_column(String(64))


class SeizureAgencyYearRollupRow(_SeizureYearColumns, Base):
    """seizure_agency_rollup per year (migration 0015, kept by triggers on it; joint drug cases only)."""

    __tablename__ = "seizure_agency_year_rollup"
    __table_args__ = _key("agency", *(k for k in YEAR_KEY if k != "joint_drug"))
    agency: Mapped[str] = mapped_column(String(64))


# The requests of a period's whole years closed after its end month are found through these (migration 0015).
Index("ix_request_rollup_closed_month", RequestRollupRow.__table__.c.closed_month)
Index("ix_request_days_rollup_closed_month", RequestDaysRollupRow.__table__.c.closed_month)
