"""The Agreement's facts and its contact points (Art. 3), shipped as YAML and checked against the catalogue."""

from __future__ import annotations

import functools
from datetime import date
from importlib import resources
from typing import Any

import yaml

from straitlink.catalog.loader import CatalogError, load_catalog
from straitlink.domain.agreement import Agreement
from straitlink.domain.errors import UnknownReference
from straitlink.domain.parties import ContactPoint, Party
from straitlink.domain.reference import RequestType


def _read(name: str) -> Any:
    return yaml.safe_load((resources.files("straitlink.catalog") / "data" / name).read_text(encoding="utf-8"))


@functools.cache
def agreement() -> Agreement:
    """The Agreement's names and dates."""
    data = _read("agreement.yaml")
    for key in ("signed_on", "in_force_on"):
        if not isinstance(data.get(key), date):
            raise CatalogError("agreement.yaml", "agreement", key, "expected a date (YYYY-MM-DD)")
    return Agreement(**data)


@functools.cache
def contact_points() -> tuple[ContactPoint, ...]:
    """Every designated contact point, its agency checked against the catalogue."""
    catalog = load_catalog()
    scopes = {t.value for t in RequestType} | {"all"}
    out = []
    for entry in _read("contact_points.yaml"):
        try:
            agency = catalog.agency(entry["agency"]).id
        except UnknownReference:
            raise CatalogError("contact_points.yaml", entry.get("id"), "agency", "not in agencies.yaml") from None
        bad = [s for s in entry["scope"] if s not in scopes]
        if bad:
            raise CatalogError("contact_points.yaml", entry["id"], "scope", f"unknown request types {bad}")
        out.append(ContactPoint(entry["id"], Party(entry["party"]), agency, entry["name"], tuple(entry["scope"])))
    return tuple(out)


def contact_point_for(party: Party, request_type: RequestType) -> ContactPoint:
    """The contact point of `party` that handles `request_type` (a specific designation before a general one)."""
    points = [p for p in contact_points() if p.party is party]
    for p in points:
        if request_type.value in p.scope:
            return p
    for p in points:
        if "all" in p.scope:
            return p
    raise UnknownReference("request_type", request_type.value, f"contact point of {party.value} for")
