"""The whole schema: every table module, so that `metadata` holds every table the migrations build."""

from __future__ import annotations

from sqlalchemy import MetaData

from straitlink.store import (
    tables,
    tables_access,
    tables_exchange,
    tables_ingest,
    tables_search,
    tables_stats,
    tables_web,
    tables_workflow,
)

MODULES = (
    tables,
    tables_access,
    tables_exchange,
    tables_ingest,
    tables_search,
    tables_stats,
    tables_web,
    tables_workflow,
)
metadata: MetaData = tables.Base.metadata
