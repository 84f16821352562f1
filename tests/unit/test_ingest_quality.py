"""Quality gate: the extractor's precision and recall on the annotated documents (bench/eval_ingest.py prints them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from straitlink.ingest.evaluation import TARGETS, Report, evaluate

DATA = Path(__file__).resolve().parent.parent / "data" / "ingest"


@pytest.fixture(scope="module")
def report() -> Report:
    return evaluate(DATA)


def test_the_annotated_set_is_the_seed_and_at_least_twelve_more(report: Report) -> None:
    assert report.documents >= 13
    assert (DATA / "moj-2013-cross-strait-drugs.json").exists()


@pytest.mark.parametrize("kind", sorted(TARGETS))
def test_precision_and_recall_reach_the_target(report: Report, kind: str) -> None:
    score = report.kind(kind)
    detail = "\n".join(m for m in report.misses if f": {kind}" in m)
    assert score.tp > 0
    assert score.precision >= TARGETS[kind], detail
    assert score.recall >= TARGETS[kind], detail
