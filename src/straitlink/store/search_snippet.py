"""The part of a found record's text that shows why it was found, with the matched places marked.

The text is folded one character at a time (so offsets map back to the text as stored, in its own script), then
every literal word of the query and every name of a catalogue entry the query named is looked for: a query in 简
marks the 繁 it matched, and 冰毒 marks the 甲基安非他命 it found.
"""

from __future__ import annotations

from collections.abc import Sequence

from straitlink.store.search_terms import Clause, concept_names, fold_chars

BEFORE = 40  # characters of context before the first match
WIDTH = 160  # characters a snippet shows at most
ELLIPSIS = "…"


def _needles(clauses: Sequence[Clause]) -> set[str]:
    out: set[str] = set()
    for clause in clauses:
        for alternative in clause:
            for term in alternative:
                if term.token.startswith("_"):
                    out.update(concept_names(term.token))
                else:
                    out.add(term.token)
    return {n for n in out if n}


def snippet(body: str, clauses: Sequence[Clause]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A window of `body` around its first match and the (start, end) offsets of the matches inside it."""
    folded, origin = fold_chars(body)
    marked = [False] * len(body)
    for needle in _needles(clauses):
        at = folded.find(needle)
        while at >= 0:
            for k in range(at, at + len(needle)):
                marked[origin[k]] = True
            at = folded.find(needle, at + 1)
    first = marked.index(True) if True in marked else 0
    start = max(0, first - BEFORE)
    end = min(len(body), start + WIDTH)
    lead = ELLIPSIS if start > 0 else ""
    text = lead + body[start:end] + (ELLIPSIS if end < len(body) else "")
    spans: list[tuple[int, int]] = []
    run_start: int | None = None
    for i in range(start, end + 1):
        on = i < end and marked[i]
        if on and run_start is None:
            run_start = i
        elif not on and run_start is not None:
            spans.append((run_start - start + len(lead), i - start + len(lead)))
            run_start = None
    return text, tuple(spans)
