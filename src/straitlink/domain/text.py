"""Limits on the free text a record holds: a length per field, and no control characters.

A name is one line; a summary or a description may hold several, and a document's text a whole bulletin. Control
characters (and the bidirectional overrides that reorder what a terminal shows) are refused everywhere: they make a
name print differently from what is stored, or rewrite the terminal that lists it.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from straitlink.domain.errors import InvalidValue

# The stored columns of one-line text are at most 200 characters unless named here.
ONE_LINE = 200
MULTI_LINE = 20_000
DOCUMENT_TEXT = 2_000_000
# (record class, field) -> (most characters, whether new lines are allowed).
LIMITS: dict[tuple[str, str], tuple[int, bool]] = {
    ("Case", "title"): (500, False),
    ("Case", "summary"): (MULTI_LINE, True),
    ("Operation", "name"): (500, False),
    ("Operation", "concealment"): (1_000, True),
    ("Seizure", "description"): (MULTI_LINE, True),
    ("IntelReport", "summary"): (MULTI_LINE, True),
    ("Outcome", "note"): (MULTI_LINE, True),
    ("Meeting", "title"): (500, False),
    ("Meeting", "decisions"): (MULTI_LINE, True),
    ("FollowUp", "action"): (2_000, True),
    ("FollowUp", "note"): (MULTI_LINE, True),
    ("PublishedFigure", "metric"): (100, False),
    ("PublishedFigure", "label"): (500, False),
    ("PublishedFigure", "label_en"): (500, False),
    ("SourceDocument", "title"): (500, False),
    ("SourceDocument", "publisher"): (500, False),
    ("SourceDocument", "url"): (2_000, False),
    ("SourceDocument", "text"): (DOCUMENT_TEXT, True),
    ("AssistanceRequest", "subject"): (500, False),
    ("AssistanceRequest", "purpose"): (MULTI_LINE, True),
    ("AssistanceRequest", "matters"): (MULTI_LINE, True),
    ("AssistanceRequest", "case_summary"): (MULTI_LINE, True),
    ("AssistanceRequest", "execution_needs"): (MULTI_LINE, True),
    ("AssistanceRequest", "requesting_ref"): (100, False),
    ("AssistanceRequest", "requested_ref"): (100, False),
    ("Record", "id"): (64, False),
}
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_ONE_LINE_BAD = re.compile(f"[{_CONTROL}\t\n\r]")
_MULTI_LINE_BAD = re.compile(f"[{_CONTROL}]")


def check_text(field: str, value: str, *, limit: int = ONE_LINE, lines: bool = False) -> None:
    """Refuse text longer than `limit` characters or holding a control character (new lines only if `lines`)."""
    if len(value) > limit:
        # The value itself is not repeated: quoting 5 MB back would be its own problem.
        shown = value[:40] + "…"
        raise InvalidValue(field, shown, f"at most {limit} characters, not {len(value)}")
    bad = (_MULTI_LINE_BAD if lines else _ONE_LINE_BAD).search(value)
    if bad is not None:
        what = "a control character" if lines else "a control character or a line break"
        raise InvalidValue(field, value, f"holds {what} (U+{ord(bad.group()):04X})")


def limit_of(owner: str, field: str) -> tuple[int, bool]:
    """The (length limit, lines allowed) of one field of a record class."""
    return LIMITS.get((owner, field)) or LIMITS.get(("Record", field)) or (ONE_LINE, False)


_PLAN: dict[type, tuple[tuple[str, int, bool], ...]] = {}


def _plan(cls: type) -> tuple[tuple[str, int, bool], ...]:
    """Each field of a dataclass with its limit, computed once per class (records are checked on every load)."""
    plan = _PLAN.get(cls)
    if plan is None:
        plan = _PLAN[cls] = tuple((f.name, *limit_of(cls.__name__, f.name)) for f in dataclasses.fields(cls))
    return plan


def check_texts(obj: Any) -> None:
    """Check every text field (and every text in a list field) of a record or value dataclass."""
    values = vars(obj)
    for name, limit, lines in _plan(type(obj)):
        value = values[name]
        if isinstance(value, str):
            if len(value) > limit or (_MULTI_LINE_BAD if lines else _ONE_LINE_BAD).search(value):
                check_text(name, value, limit=limit, lines=lines)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, str):
                    check_text(f"{name}[{i}]", item, limit=limit, lines=lines)
