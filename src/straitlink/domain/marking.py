"""What a record may be shown to and passed on: its classification, handling code and release flags.

The handling codes follow Europol SIENA's H0–H3; the classification levels carry the names officials on each side
write on documents. Intelligence also carries the source's reliability and the information's accuracy (the 4×4 of
the 2-by-4 grading systems used by police intelligence units).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from straitlink.domain.errors import InvalidValue, MissingField


class Classification(StrEnum):
    """Ordered from lowest to highest; reads above `unclassified` are audited."""

    UNCLASSIFIED = "unclassified"
    RESTRICTED = "restricted"
    CONFIDENTIAL = "confidential"
    SECRET = "secret"

    @property
    def rank(self) -> int:
        return _CLASSIFICATION_ORDER.index(self)

    def label(self, lang: str) -> str:
        """The name an official of that side writes (zh-TW: 一般公務機密 is stamped 密; zh-CN: 内部/秘密/机密)."""
        return CLASSIFICATION_LABELS[self][lang]


_CLASSIFICATION_ORDER = list(Classification)

CLASSIFICATION_LABELS: dict[Classification, dict[str, str]] = {
    Classification.UNCLASSIFIED: {"zh-TW": "普通", "zh-CN": "非密", "en": "unclassified"},
    Classification.RESTRICTED: {"zh-TW": "密", "zh-CN": "内部", "en": "restricted"},
    Classification.CONFIDENTIAL: {"zh-TW": "機密", "zh-CN": "秘密", "en": "confidential"},
    Classification.SECRET: {"zh-TW": "極機密", "zh-CN": "机密", "en": "secret"},
}


class HandlingCode(StrEnum):
    """SIENA-style handling codes: what the receiver may do with the information without asking the provider."""

    H0 = "H0"  # use only for preventing and combating crime
    H1 = "H1"  # not to be disclosed in judicial proceedings without the provider's permission
    H2 = "H2"  # not to be disseminated without the provider's permission
    H3 = "H3"  # other restrictions, written out in the marking's note


HANDLING_LABELS: dict[HandlingCode, dict[str, str]] = {
    HandlingCode.H0: {
        "zh-TW": "僅供預防及打擊犯罪之用",
        "zh-CN": "仅供预防和打击犯罪之用",
        "en": "for preventing and combating crime only",
    },
    HandlingCode.H1: {
        "zh-TW": "未經提供方同意，不得於司法程序中揭露",
        "zh-CN": "未经提供方同意，不得在司法程序中披露",
        "en": "not to be disclosed in judicial proceedings without the provider's permission",
    },
    HandlingCode.H2: {
        "zh-TW": "未經提供方同意，不得轉知他人",
        "zh-CN": "未经提供方同意，不得转递",
        "en": "not to be disseminated without the provider's permission",
    },
    HandlingCode.H3: {
        "zh-TW": "其他限制（詳註記）",
        "zh-CN": "其他限制（详见备注）",
        "en": "other restrictions (see note)",
    },
}


class SourceReliability(StrEnum):
    """How reliable the source of intelligence has proved (A: always, B: mostly, C: not, X: cannot be judged)."""

    A = "A"
    B = "B"
    C = "C"
    X = "X"


class InformationAccuracy(StrEnum):
    """How accurate the information is (1: known true, 2: known to the source, 3: not known, 4: doubtful)."""

    KNOWN = "1"
    KNOWN_TO_SOURCE = "2"
    NOT_KNOWN = "3"
    DOUBTFUL = "4"


NOTE_MAX = 2000


@dataclass(frozen=True)
class Marking:
    """Classification, handling code, and whether the record may go to the other side or into public bulletins."""

    classification: Classification = Classification.RESTRICTED
    handling: HandlingCode = HandlingCode.H0
    releasable: bool = False  # may be sent to the other side's instance
    publishable: bool = False  # may appear, in detail, in a bulletin for the public
    note: str | None = None  # the restriction written out (H3), or any other caveat

    def __post_init__(self) -> None:
        if self.handling is HandlingCode.H3 and not (self.note and self.note.strip()):
            raise MissingField("marking.note", "handling code H3 writes its restriction out in the note")
        if self.note is not None and len(self.note) > NOTE_MAX:
            raise InvalidValue("marking.note", f"{self.note[:20]}…", f"longer than {NOTE_MAX} characters")
        if self.publishable and self.classification is not Classification.UNCLASSIFIED:
            raise InvalidValue("marking.publishable", True, f"a {self.classification.value} record cannot be published")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "classification": self.classification.value,
            "handling": self.handling.value,
            "releasable": self.releasable,
            "publishable": self.publishable,
        }
        if self.note is not None:
            out["note"] = self.note
        return out

    @classmethod
    def from_json(cls, data: Any, *, field: str = "marking") -> Marking:
        if not isinstance(data, dict):
            raise InvalidValue(field, data, "an object with classification, handling, releasable, publishable")
        unknown = set(data) - {"classification", "handling", "releasable", "publishable", "note"}
        if unknown:
            name = sorted(unknown)[0]
            raise InvalidValue(f"{field}.{name}", data[name], "not a field of a marking")
        return cls(
            classification=_enum(Classification, data.get("classification", "restricted"), f"{field}.classification"),
            handling=_enum(HandlingCode, str(data.get("handling", "H0")).upper(), f"{field}.handling"),
            releasable=_flag(data.get("releasable", False), f"{field}.releasable"),
            publishable=_flag(data.get("publishable", False), f"{field}.publishable"),
            note=data.get("note"),
        )


def _enum(cls: Any, value: Any, field: str) -> Any:
    try:
        return cls(value)
    except ValueError:
        raise InvalidValue(field, value, "one of " + "|".join(m.value for m in cls)) from None


def _flag(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "1"):
        return True
    if text in ("false", "no", "0"):
        return False
    raise InvalidValue(field, value, "true or false")


# What a ministry or a news agency published is public: records told by a published document carry this marking.
PUBLISHED = Marking(Classification.UNCLASSIFIED, HandlingCode.H0, releasable=True, publishable=True)
