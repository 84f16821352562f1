"""The Agreement itself: its names and the dates it was signed and took effect."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# The day the Agreement took effect (民國98年6月25日, catalog/data/agreement.yaml): no request under it is older.
IN_FORCE_ON = date(2009, 6, 25)


@dataclass(frozen=True)
class Agreement:
    """海峽兩岸共同打擊犯罪及司法互助協議; statistics 'since the Agreement took effect' start at `in_force_on`."""

    name_zh_hant: str
    name_zh_hans: str
    name_en: str
    signed_on: date
    in_force_on: date
    source: str
