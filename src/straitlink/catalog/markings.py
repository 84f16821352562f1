"""The default marking of each record kind, shipped as data (data/markings.yaml)."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

import yaml

from straitlink.domain.marking import Marking


@lru_cache(maxsize=1)
def default_markings() -> dict[str, Marking]:
    raw = yaml.safe_load((files("straitlink.catalog") / "data" / "markings.yaml").read_text(encoding="utf-8"))
    return {kind: Marking.from_json(value, field=f"markings.{kind}") for kind, value in raw.items()}


def default_marking(kind: str) -> Marking:
    """The marking a new record of `kind` gets when none is given."""
    return default_markings().get(kind, Marking())
