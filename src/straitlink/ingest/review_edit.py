"""Editing a proposal under review: each changed value read as `straitlink add` reads it, refused as accepting would."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from straitlink.catalog import load_catalog
from straitlink.codec import decode, field_hints
from straitlink.domain.access import Permission, Principal
from straitlink.domain.errors import InvalidValue
from straitlink.domain.marking import PUBLISHED
from straitlink.domain.provenance import Provenance
from straitlink.ingest.proposals import RECORD_KINDS
from straitlink.ingest.review_rows import (
    ProposalView,
    check_version,
    pending,
    proposal_row,
    proposal_rows,
    proposal_view,
    review_row,
)
from straitlink.services.access import require, use_case
from straitlink.services.forms import parse_json_fields
from straitlink.services.kinds import kind_named
from straitlink.store.uow import UnitOfWork

# Fields of a proposal that are not its record's (docs/ingest.md, "Kinds and their fields"), and how each is read.
_COUNTS = ("suspects", "count")
_BOOLS = ("caught_in_act",)
_PARTIES = ("to_party", "from_party")
_NAMES = ("persons",)


def _whole_number(name: str, raw: Any) -> int | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise InvalidValue(name, raw, "a whole number")
    try:
        value = int(raw)
    except ValueError:
        raise InvalidValue(name, raw, "a whole number") from None
    if value < 0:
        raise InvalidValue(name, raw, "a whole number of 0 or more")
    return value


def _extra(name: str, raw: Any) -> Any:
    """A proposal field that is not its record's: counts, yes/no, a side, names as written."""
    if name in _COUNTS:
        return _whole_number(name, raw)
    if name in _BOOLS:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("true", "yes", "y", "1", "是"):
            return True
        if text in ("false", "no", "n", "0", "否", ""):
            return False
        raise InvalidValue(name, raw, "yes or no")
    if name in _PARTIES:
        text = str(raw or "").strip().upper()
        if text and text not in ("TW", "CN"):
            raise InvalidValue(name, raw, "TW or CN")
        return text or None
    if name in _NAMES:
        if isinstance(raw, list):
            return [str(n).strip() for n in raw if str(n).strip()]
        return [n.strip() for n in str(raw or "").replace("、", ",").split(",") if n.strip()]
    return raw


def parse_changes(kind: str, fields: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """The proposal's fields with `changes` applied, each value read as `straitlink add` reads it.

    A value is either its JSON shape or text as on the command line (`102年11月17日`, `229 kg gross`, `K他命`,
    `directing:高雄地檢署`); an empty text clears the field. A record kind's result is then decoded as accepting
    would decode it, so a value accepting would refuse is refused here, naming the field and the value.
    """
    catalog = load_catalog()
    record_kind = kind_named(kind if kind in RECORD_KINDS and kind not in ("arrest", "repatriation") else "seizure")
    hints = field_hints(record_kind.mapper.record)
    out = dict(fields)
    for name, raw in changes.items():
        if name not in fields:
            raise InvalidValue("field", name, f"a {kind} proposal has the fields {', '.join(fields)}")
        if isinstance(raw, str) and not raw.strip() and name not in _BOOLS:
            out[name] = [] if isinstance(fields[name], list) else None
        elif name in hints and name not in _COUNTS + _BOOLS + _PARTIES + _NAMES:
            out[name] = parse_json_fields(record_kind, {name: raw}, catalog)[name]
        else:
            out[name] = _extra(name, raw)
    if kind not in ("arrest", "repatriation"):
        data = {**out, "id": "proposal", "provenance": Provenance.by_user("review").to_json()}
        decode(record_kind.mapper.record, {**data, "marking": PUBLISHED.to_json(), "source": "document"})
    return out


@use_case("ingest.edit")
def edit_proposal(
    engine: Engine,
    document: str,
    proposal: str,
    changes: dict[str, Any],
    *,
    principal: Principal,
    expected_version: int | None = None,
) -> ProposalView:
    """Change fields of a proposal still waiting for a decision; what is left unresolved about them is resolved."""
    require(engine, principal, Permission.INGEST, "review ingested documents")
    if not isinstance(changes, dict) or not changes:
        raise InvalidValue("fields", changes, 'give the fields to change, e.g. {"date": "102年11月17日"}')
    with UnitOfWork(engine) as uow:
        review = review_row(uow, document)
        row = proposal_row(proposal_rows(uow, review.document), proposal)
        pending(row)
        check_version(row, expected_version)
        fields = parse_changes(row.kind, row.data["fields"], changes)
        unresolved = [u for u in row.data.get("unresolved", []) if u.split(":", 1)[0] not in changes]
        row.data = {**row.data, "fields": fields, "unresolved": unresolved}
        uow.flush()
        view = proposal_view(row)
        uow.commit()
    return view
