"""Export → import → export is lossless, and a bad import writes nothing."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from straitlink.domain.cases import Case, CaseKind
from straitlink.domain.dates import PartialDate
from straitlink.domain.errors import ImportRejected
from straitlink.domain.provenance import Provenance
from straitlink.domain.quantity import Qualifier, Quantity, Unit
from straitlink.domain.seizures import Seizure
from straitlink.services.setup import init_database
from straitlink.services.transfer import export_database, import_database
from straitlink.store import mapping
from straitlink.store.db import make_engine
from straitlink.store.uow import UnitOfWork


def _fill(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        uow.repo(mapping.CASES).add(
            Case(
                id="c1",
                provenance=Provenance.by_user("u"),
                title="案",
                kind=CaseKind.DRUGS,
                joint=True,
                opened_on=PartialDate(2013, 4),
            )
        )
        uow.repo(mapping.SEIZURES).add(
            Seizure(
                id="s1",
                provenance=Provenance.synthetic("g"),
                drug="ketamine",
                case="c1",
                quantities=[Quantity(Decimal("1.36"), Unit.T, qualifier=Qualifier.AT_LEAST)],
            )
        )
        uow.commit()


def _export(engine: Engine) -> str:
    with UnitOfWork(engine) as uow:
        return export_database(uow)


def test_export_import_export_is_identical(engine: Engine, tmp_path: object) -> None:
    _fill(engine)
    first = _export(engine)
    target = make_engine(f"sqlite:///{tmp_path}/copy.db")  # type: ignore[str-bytes-safe]
    init_database(target)
    with UnitOfWork(target) as uow:
        counts = import_database(uow, first, actor="tester")
    assert counts["seizure"] == 1 and counts["case"] == 1
    assert _export(target) == first
    assert json.loads(first)["records"]["seizure"][0]["quantities"][0]["value"] == "1.36"


def test_import_into_non_empty_database_is_refused(engine: Engine) -> None:
    _fill(engine)
    text = _export(engine)
    with UnitOfWork(engine) as uow, pytest.raises(ImportRejected, match="not empty"):
        import_database(uow, text, actor="tester")


@pytest.mark.parametrize("damage", ["truncate", "bad_value", "not_export"])
def test_corrupt_import_writes_nothing(engine: Engine, damage: str) -> None:
    source = make_engine("sqlite://")
    init_database(source)
    _fill(source)
    text = _export(source)
    if damage == "truncate":
        text = text[: len(text) // 2]
    elif damage == "bad_value":
        data = json.loads(text)
        data["records"]["seizure"][0]["quantities"][0]["value"] = "minus one"
        text = json.dumps(data)
    else:
        text = json.dumps({"hello": "world"})
    before = _export(engine)
    with UnitOfWork(engine) as uow, pytest.raises(ImportRejected) as info:
        import_database(uow, text, actor="tester")
    assert info.value.field
    assert _export(engine) == before
