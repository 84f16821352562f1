"""Quality gate: the extractor's precision and recall on the annotated documents (bench/eval_ingest.py prints them).

The tuned part is held to the targets; the held-out part (annotated before the extractor ran on it, and never
tuned on) is held to the issue's targets for seizures, their months and figures, and to finding at least 0.8 of
the hand-overs, repatriations and meetings it tells.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from straitlink.ingest.evaluation import TARGETS, Report, Scored, score_documents, total

DATA = Path(__file__).resolve().parent.parent / "data" / "ingest"
ERRORS = (
    "figure-vocabulary",
    "language",
    "tables",
    "context",
    "totals-cues",
    "repatriation",
    "intel",
    "event-identity",
    "meetings",
    "catalogue",
    "dates",
    "mirror-noise",
)


@pytest.fixture(scope="module")
def scored() -> list[Scored]:
    return score_documents(DATA)


@pytest.fixture(scope="module")
def tuned(scored: list[Scored]) -> Report:
    return total(s for s in scored if not s.heldout)


@pytest.fixture(scope="module")
def heldout(scored: list[Scored]) -> Report:
    return total(s for s in scored if s.heldout)


def test_sixty_documents_a_third_held_out_every_kind_of_error_twice(scored: list[Scored]) -> None:
    assert len(scored) >= 60
    assert (DATA / "moj-2013-cross-strait-drugs.json").exists()
    assert 3 * sum(s.heldout for s in scored) >= len(scored)
    for error in ERRORS:
        documents = [s for s in scored if error in s.errors]
        assert len(documents) >= 2, error
        assert any(s.heldout for s in documents), error


@pytest.mark.parametrize("kind", sorted(TARGETS))
def test_the_tuned_part_reaches_the_target(tuned: Report, kind: str) -> None:
    score = tuned.kind(kind)
    detail = "\n".join(m for m in tuned.misses if f": {kind}" in m)
    assert score.tp > 0
    assert score.precision >= TARGETS[kind], detail
    assert score.recall >= TARGETS[kind], detail


def test_the_tuned_part_reads_months_figures_and_languages_right(tuned: Report) -> None:
    assert tuned.month_rate >= 0.95
    assert tuned.figures_full_rate >= 0.9
    assert tuned.languages_right == tuned.documents
    for kind in ("intel", "repatriation", "meeting"):
        score = tuned.kind(kind)
        assert score.precision >= 0.8 and score.recall >= 0.8, kind


def test_the_held_out_part_reaches_the_issues_targets(heldout: Report) -> None:
    seizures = heldout.kind("seizure")
    assert seizures.tp > 0 and seizures.precision >= 0.95 and seizures.recall >= 0.9
    assert heldout.month_rate >= 0.9
    assert heldout.figures_full_rate >= 0.8
    assert heldout.languages_right == heldout.documents
    for kind in ("intel", "repatriation", "meeting"):
        assert heldout.kind(kind).recall >= 0.8, kind
