"""The value lists of the database's CHECK constraints are the domain's enums, as the migrations built them.

The models generate their lists from the enums (store.tables.sql_values); `alembic check` does not compare CHECK
constraints, so a value added to an enum without a migration would pass it. This compares every list a migrated
PostgreSQL database holds with the one the models generate.
"""

from __future__ import annotations

import re

from sqlalchemy import CheckConstraint, text

from straitlink.services.setup import init_database
from straitlink.store.db import make_engine
from straitlink.store.schema import metadata

QUOTED = re.compile(r"'([^']*)'")


def _model_lists() -> dict[str, set[str]]:
    out = {}
    for table in metadata.tables.values():
        for constraint in table.constraints:
            if isinstance(constraint, CheckConstraint) and " IN (" in str(constraint.sqltext):
                name = (
                    f"ck_{table.name}_{constraint.name}"
                    if not str(constraint.name).startswith("ck_")
                    else constraint.name
                )
                out[str(name)] = set(QUOTED.findall(str(constraint.sqltext)))
    return out


def test_every_check_value_list_matches_its_enum(pg_url: str) -> None:
    engine = make_engine(pg_url)
    try:
        init_database(engine)
        with engine.connect() as conn:
            stored = {
                name: set(QUOTED.findall(definition))
                for name, definition in conn.execute(
                    text("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'c'")
                )
            }
    finally:
        engine.dispose()
    expected = _model_lists()
    assert expected, "the models declare value lists"
    differing = {name: (values, stored.get(name)) for name, values in expected.items() if stored.get(name) != values}
    assert differing == {}
