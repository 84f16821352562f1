"""Schemathesis against /api/v1/openapi.json: generated calls of every operation, no 5xx, no schema violation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from web_helpers import WebApp, load_seed

from straitlink.services.setup import init_database
from straitlink.store.db import make_engine
from straitlink.web.sessions import TokenStore


@pytest.fixture
def api(tmp_path: Path) -> tuple[Any, str]:
    """On SQLite only: the calls are what is generated here, the engines are covered by test_web_api.py."""
    engine = make_engine(f"sqlite:///{tmp_path / 'straitlink.db'}")
    init_database(engine)
    load_seed(engine)
    web = WebApp(engine, tmp_path / "data")
    web.accounts.add("machine")
    token = TokenStore(engine).issue("machine", "schemathesis")
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", web.app), token


def test_no_server_error_and_no_schema_violation(api: tuple[Any, str]) -> None:
    schema, token = api
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    calls: list[int] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            calls.append(1)
            case.call_and_validate(
                headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error, response_schema_conformance]
            )

        check()
    assert len(calls) >= 5 * len(operations)  # calls were generated and sent for every operation


def test_the_accounts_api_as_an_admin(tmp_path: Path) -> None:
    """The accounts operations as an admin, whose calls reach the use cases (anyone else is refused early)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'straitlink.db'}")
    init_database(engine)
    web = WebApp(engine, tmp_path / "data")
    web.accounts.add("root", roles=("admin",), agency=None)
    token = TokenStore(engine).issue("root", "schemathesis")
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", web.app)
    operations = [r.ok() for r in schema.get_all_operations()]
    operations = [o for o in operations if o.path.startswith("/api/v1/accounts")]
    assert len(operations) >= 10
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            case.call_and_validate(
                headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error, response_schema_conformance]
            )

        check()


def test_the_kind_in_a_path_is_one_of_the_record_kinds(api: tuple[Any, str]) -> None:
    """Listed, so no client takes a sibling route (/api/v1/statistics) for a kind and reads the wrong shape."""
    schema, _ = api
    document = schema.raw_schema
    (kind,) = [p for p in document["paths"]["/api/v1/{kind}"]["get"]["parameters"] if p["name"] == "kind"]
    kinds = set(kind["schema"]["enum"])
    assert {"seizures", "seizure", "requests", "meetings"} <= kinds
    assert not kinds & {"statistics", "search", "accounts", "ingest", "follow-ups"}
