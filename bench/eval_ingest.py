"""Precision and recall of `straitlink ingest` on the annotated documents in tests/data/ingest.

Prints one table: per record kind, then per field, each figure beside its target and the ratio (figure /
target). Kinds without a target are shown for information. `--misses` also lists every mismatch.
Run: .venv/bin/python bench/eval_ingest.py [--misses]
"""

from __future__ import annotations

import sys
from pathlib import Path

from straitlink.ingest.evaluation import KINDS, TARGETS, Score, evaluate

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "ingest"


def _row(label: str, score: Score, target: float | None) -> str:
    def cell(value: float) -> str:
        if target is None:
            return f"{value:9.3f} {'—':>6} {'—':>6}"
        return f"{value:9.3f} {target:6.2f} {value / target:6.2f}"

    counts = f"{score.tp:4d} {score.fp:4d} {score.fn:4d}"
    return f"{label:<28} {counts}  {cell(score.precision)}  {cell(score.recall)}"


def main() -> None:
    report = evaluate(DATA)
    print(f"ingest evaluation: {report.documents} annotated documents in {DATA.relative_to(Path.cwd())}")
    header = f"{'kind / field':<28} {'TP':>4} {'FP':>4} {'FN':>4}  {'precision':>9} {'target':>6} {'ratio':>6}"
    print(header + f"  {'recall':>9} {'target':>6} {'ratio':>6}")
    print("-" * len(header + " " * 26))
    for kind in KINDS:
        print(_row(kind, report.kind(kind), TARGETS.get(kind)))
        for (k, name), score in sorted(report.fields.items()):
            if k == kind:
                print(_row(f"  .{name}", score, None))
    if "--misses" in sys.argv:
        print("\nmismatches:")
        for line in report.misses:
            print(" ", line)


if __name__ == "__main__":
    main()
