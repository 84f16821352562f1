"""One presentation of records for every reader (CLI, web, exports): the JSON shape of docs/json.md plus the few
derived fields people read beside it (a seizure's suspects, a case's date)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from straitlink.codec import encode
from straitlink.domain.records import Record
from straitlink.services.kinds import Kind
from straitlink.services.records import suspects_by_case
from straitlink.store.uow import UnitOfWork


def present(engine: Engine, kind: Kind, records: list[Record]) -> list[dict[str, Any]]:
    """Records in their JSON shape; seizures also carry their case's suspect count, cases their date."""
    data = [encode(r) for r in records]
    if kind.name == "seizure":
        case_ids = [d["case"] for d in data if d["case"]]
        with UnitOfWork(engine) as uow:
            counts = suspects_by_case(uow, case_ids)
        for d in data:
            d["suspects"] = counts.get(d["case"], {"total": 0, "caught_in_act": 0})["total"] if d["case"] else None
    if kind.name == "case":
        for d in data:
            d["date"] = d.get("opened_on")
    return data
