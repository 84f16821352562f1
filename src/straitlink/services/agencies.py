"""Agencies users add and edit beside the shipped catalogue: a mainland city bureau, a local court, a new office.

The shipped catalogue cannot list every public security bureau and court of both sides, so an officer adds the
one a case names, with its names in both scripts and its parent; every name then resolves like a shipped one.
Shipped entries are the YAML's to change (`straitlink init` would put them back), so only added ones are edited.
"""

from __future__ import annotations

import functools
import re
import uuid
from dataclasses import asdict, replace
from typing import Any

import opencc
from sqlalchemy import Engine, select

from straitlink.audit import log as audit
from straitlink.audit.entries import AuditAction, Change, diff
from straitlink.catalog import Catalog, load_catalog
from straitlink.catalog.loader import CatalogError
from straitlink.domain.access import Permission, Principal
from straitlink.domain.errors import InvalidValue, MissingField, NotPermitted, UnknownReference
from straitlink.domain.parties import Agency, AgencyKind, Party
from straitlink.domain.text import check_text
from straitlink.services.access import require, use_case
from straitlink.store import tables as t
from straitlink.store.uow import UnitOfWork

FIELDS = ("id", "party", "kind", "parent", "name_zh_hant", "name_zh_hans", "name_en", "short_names")
EDITABLE = ("kind", "parent", "name_zh_hant", "name_zh_hans", "name_en", "short_names")
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_ID_NAMESPACE = uuid.UUID("1d7c4b6e-8f0a-4c59-b1f3-2a6e9d0c7b51")


@functools.cache
def _converter(config: str) -> Any:
    return opencc.OpenCC(config)


def _agency_of(row: t.AgencyRow) -> Agency:
    return Agency(
        id=row.id,
        party=Party(row.party),
        kind=AgencyKind(row.kind),
        parent=row.parent,
        name_zh_hant=row.name_zh_hant,
        name_zh_hans=row.name_zh_hans,
        name_en=row.name_en,
        short_names=tuple(row.short_names or ()),
    )


def agency_json(agency: Agency, *, shipped: bool) -> dict[str, Any]:
    """An agency in its JSON shape, saying whether it comes with StraitLink or was added here."""
    data = asdict(agency)
    return {
        **data,
        "party": agency.party.value,
        "kind": agency.kind.value,
        "short_names": list(agency.short_names),
        "shipped": shipped,
    }


def catalog_for(engine: Engine) -> Catalog:
    """The shipped catalogue with the agencies users added, for resolving names in either script."""
    with UnitOfWork(engine) as uow:
        return catalog_with_added(uow)


def list_agencies(engine: Engine) -> list[Agency]:
    """Every agency the database holds, shipped and added, by id (reference data: readable by every account)."""
    with UnitOfWork(engine) as uow:
        return stored_agencies(uow)


def stored_agencies(uow: UnitOfWork) -> list[Agency]:
    """Every agency the database holds, shipped and added, by id."""
    return [_agency_of(r) for r in uow.session.scalars(select(t.AgencyRow).order_by(t.AgencyRow.id))]


def catalog_with_added(uow: UnitOfWork, added: list[Agency] | None = None) -> Catalog:
    """The shipped catalogue with the agencies users added, so their names resolve like shipped ones."""
    shipped = load_catalog()
    known = {a.id for a in shipped.agencies}
    extra = [a for a in (stored_agencies(uow) if added is None else added) if a.id not in known]
    if not extra:
        return shipped
    return Catalog([*shipped.agencies, *extra], shipped.drugs, shipped.places, shipped.request_types)


def _validated(uow: UnitOfWork, agency: Agency, *, others: list[Agency]) -> Catalog:
    """The catalogue with `agency` in it; names clashing with another agency, or a bad parent, are refused."""
    for name in ("name_zh_hant", "name_zh_hans", "name_en"):
        check_text(name, getattr(agency, name))
    for i, short in enumerate(agency.short_names):
        check_text(f"short_names[{i}]", short)
    try:
        return catalog_with_added(uow, [*others, agency])
    except CatalogError as exc:
        # The loader names the YAML file; here the field and the value the officer gave are what matter.
        field = exc.field or "id"
        value = getattr(agency, field, agency.id)
        raise InvalidValue(field, value, exc.message.rsplit(": ", 1)[-1]) from None


def _names(data: dict[str, Any]) -> tuple[str, str]:
    """Both scripts' names; one given is enough, the other is converted (OpenCC), as officers write either."""
    hant, hans = (str(data.get(k) or "").strip() for k in ("name_zh_hant", "name_zh_hans"))
    if not hant and not hans:
        raise MissingField("name_zh_hant", "an agency has a Chinese name (name_zh_hant or name_zh_hans)")
    return hant or str(_converter("s2t").convert(hans)), hans or str(_converter("t2s").convert(hant))


def _parent(catalog: Catalog, value: Any, party: Party) -> str | None:
    if value in (None, ""):
        return None
    return catalog.find_agency(str(value), party=party, field="parent").id


@use_case("agencies.add")
def add_agency(engine: Engine, data: dict[str, Any], *, principal: Principal) -> Agency:
    """Add one agency (names in either script or both, its party, kind and parent), audited."""
    require(engine, principal, Permission.AGENCIES_ADD, "add agencies")
    with UnitOfWork(engine) as uow:
        return _add(uow, data, actor=principal.username)


def _add(uow: UnitOfWork, data: dict[str, Any], *, actor: str) -> Agency:
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise InvalidValue("field", unknown[0], f"an agency has the fields {', '.join(FIELDS)}")
    if not str(data.get("party") or "").strip():
        raise MissingField("party")
    try:
        party = Party(str(data["party"]).strip().upper())
    except ValueError:
        raise InvalidValue("party", data.get("party"), "TW or CN") from None
    try:
        kind = AgencyKind(str(data.get("kind") or "other").strip().lower())
    except ValueError:
        raise InvalidValue("kind", data.get("kind"), "one of " + "|".join(k.value for k in AgencyKind)) from None
    hant, hans = _names(data)
    others = stored_agencies(uow)
    catalog = catalog_with_added(uow, others)
    english = str(data.get("name_en") or "").strip() or hant
    agency_id = str(data.get("id") or "").strip() or _derived_id(english, hant)
    if not _ID.fullmatch(agency_id):
        raise InvalidValue("id", agency_id, "lowercase ASCII words joined by hyphens, e.g. xiamen-psb")
    if any(a.id == agency_id for a in others) or agency_id in {a.id for a in catalog.agencies}:
        raise InvalidValue("id", agency_id, "already the id of an agency")
    agency = Agency(
        id=agency_id,
        party=party,
        kind=kind,
        parent=_parent(catalog, data.get("parent"), party),
        name_zh_hant=hant,
        name_zh_hans=hans,
        name_en=english,
        short_names=tuple(_short_names(data.get("short_names"))),
    )
    _validated(uow, agency, others=others)
    head = audit.lock(uow)
    uow.session.add(
        t.AgencyRow(
            **{**asdict(agency), "party": party.value, "kind": kind.value, "short_names": list(agency.short_names)}
        )
    )
    uow.flush()
    change = Change(actor, AuditAction.CREATE, "agency", agency.id, diff(None, agency_json(agency, shipped=False)))
    audit.append(uow, head, [change])
    uow.commit()
    return agency


@use_case("agencies.edit")
def edit_agency(engine: Engine, agency_id: str, data: dict[str, Any], *, principal: Principal) -> Agency:
    """Change an added agency's names, kind or parent, audited; shipped agencies are the catalogue's to change."""
    require(engine, principal, Permission.CATALOG_MANAGE, "edit agencies")
    with UnitOfWork(engine) as uow:
        return _edit(uow, agency_id, data, actor=principal.username)


def _edit(uow: UnitOfWork, agency_id: str, data: dict[str, Any], *, actor: str) -> Agency:
    catalog = catalog_with_added(uow)
    current = catalog.find_agency(agency_id, field="agency")
    if current.id in {a.id for a in load_catalog().agencies}:
        raise NotPermitted("agency", current.id, "be edited here: it is shipped in the catalogue (agencies.yaml)")
    unknown = sorted(set(data) - set(EDITABLE))
    if unknown:
        raise InvalidValue("field", unknown[0], f"an agency's editable fields are {', '.join(EDITABLE)}")
    changes: dict[str, Any] = {}
    if "kind" in data:
        try:
            changes["kind"] = AgencyKind(str(data["kind"]).strip().lower())
        except ValueError:
            raise InvalidValue("kind", data["kind"], "one of " + "|".join(k.value for k in AgencyKind)) from None
    if "parent" in data:
        changes["parent"] = _parent(catalog, data["parent"], current.party)
    if "name_zh_hant" in data or "name_zh_hans" in data:
        changes["name_zh_hant"], changes["name_zh_hans"] = _names({**data})
    if "name_en" in data:
        changes["name_en"] = str(data["name_en"]).strip() or current.name_zh_hant
    if "short_names" in data:
        changes["short_names"] = tuple(_short_names(data["short_names"]))
    edited = replace(current, **changes)
    others = [a for a in stored_agencies(uow) if a.id != current.id]
    _validated(uow, edited, others=others)
    head = audit.lock(uow)
    row = uow.session.get(t.AgencyRow, current.id)
    if row is None:
        raise UnknownReference("agency", agency_id, "agency")
    replaced = audit.records_sum(uow, [("agency", current.id)])  # its row before: the records' digest's part
    for name in EDITABLE:
        value = getattr(edited, name)
        setattr(
            row, name, value.value if isinstance(value, AgencyKind) else list(value) if name == "short_names" else value
        )
    uow.flush()
    before, after = agency_json(current, shipped=False), agency_json(edited, shipped=False)
    change = Change(actor, AuditAction.UPDATE, "agency", current.id, diff(before, after))
    audit.append(uow, head, [change], replaced=replaced)
    uow.commit()
    return edited


def _short_names(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    items = value if isinstance(value, list) else str(value).split(",")
    return [str(v).strip() for v in items if str(v).strip()]


def _derived_id(english: str, hant: str) -> str:
    words = re.findall(r"[a-z0-9]+", english.lower())
    if words and english.isascii():
        return "-".join(words)[:60].strip("-")
    return "agency-" + uuid.uuid5(_ID_NAMESPACE, hant).hex[:12]
