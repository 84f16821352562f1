"""Precision and recall of `straitlink ingest` on the annotated documents in tests/data/ingest.

Prints, for the whole set and for the held-out part (annotations with "part": "heldout"): per record kind, then
per field, each figure beside its target and the ratio (figure / target); the seizures' month-right rate, the
figures read fully right, and the languages right; then the same for the third round of documents (r3-*, in
other styles than the first two rounds), the fourth (r4-*: English seizure reports, lists, tables, mixed script)
and their held-out parts. Then recall and precision per kind of error the annotations name. Kinds without a
target are shown for information. `--misses` lists the mismatches of the tuned part only (the held-out part
stays unread, so that it keeps measuring generalisation); `--fields` adds the per-field rows.
Run: .venv/bin/python bench/eval_ingest.py [--misses] [--fields]
"""

from __future__ import annotations

import sys
from pathlib import Path

from straitlink.ingest.evaluation import KINDS, TARGETS, Report, Score, Scored, score_documents, total

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "ingest"
ROUND3 = "r3-"
ROUND4 = "r4-"


def _row(label: str, score: Score, target: float | None) -> str:
    def cell(value: float) -> str:
        if target is None:
            return f"{value:9.3f} {'—':>6} {'—':>6}"
        return f"{value:9.3f} {target:6.2f} {value / target:6.2f}"

    counts = f"{score.tp:4d} {score.fp:4d} {score.fn:4d}"
    return f"{label:<28} {counts}  {cell(score.precision)}  {cell(score.recall)}"


def _table(title: str, report: Report, fields: bool) -> None:
    print(f"\n{title}: {report.documents} documents")
    header = f"{'kind / field':<28} {'TP':>4} {'FP':>4} {'FN':>4}  {'precision':>9} {'target':>6} {'ratio':>6}"
    print(header + f"  {'recall':>9} {'target':>6} {'ratio':>6}")
    print("-" * len(header + " " * 26))
    for kind in KINDS:
        print(_row(kind, report.kind(kind), TARGETS.get(kind)))
        if fields:
            for (k, name), score in sorted(report.fields.items()):
                if k == kind:
                    print(_row(f"  .{name}", score, None))
    print(f"seizures with the month right: {report.months_right}/{report.months_dated} = {report.month_rate:.3f}")
    print(
        f"figures fully right:          {report.figures_full}/{report.figures_annotated}"
        f" = {report.figures_full_rate:.3f}"
    )
    print(f"languages right:              {report.languages_right}/{report.documents}")


def _month(report: Report) -> str:
    return f"{report.month_rate:.2f}" if report.months_dated else "—"


def _by_error(scored: list[Scored]) -> None:
    errors = sorted({e for s in scored for e in s.errors})
    print("\nper kind of error (records of every kind in the documents naming it; all / held-out)")
    print(f"{'kind of error':<20} {'docs':>9} {'precision':>15} {'recall':>15} {'month':>11}")
    for error in errors:
        cells = []
        for part in (scored, [s for s in scored if s.heldout]):
            report = total(s for s in part if error in s.errors)
            tp = sum(x.tp for x in report.kinds.values())
            fp = sum(x.fp for x in report.kinds.values())
            fn = sum(x.fn for x in report.kinds.values())
            cells.append((report.documents, Score(tp, fp, fn), report))
        (n_all, all_, r_all), (n_ho, ho, r_ho) = cells
        print(
            f"{error:<20} {n_all:4d} /{n_ho:3d} {all_.precision:7.3f} /{ho.precision:6.3f}"
            f" {all_.recall:7.3f} /{ho.recall:6.3f} {_month(r_all):>5} /{_month(r_ho):>4}"
        )


def main() -> None:
    scored = score_documents(DATA)
    fields = "--fields" in sys.argv
    print(f"ingest evaluation: {len(scored)} annotated documents in {DATA.relative_to(Path.cwd())}")
    _table("whole set", total(scored), fields)
    _table("held out (never tuned on)", total(s for s in scored if s.heldout), fields)
    # The third round (r3-*) follows other genres than the first two: its held-out part is the honest measure.
    other = [s for s in scored if ROUND3 in s.name]
    _table("third round, other styles (r3-*)", total(other), fields)
    _table("third round, held out (ho-r3-*)", total(s for s in other if s.heldout), fields)
    # The fourth round (r4-*): English seizure reports, lists, tables, mixed script, written after the third.
    fourth = [s for s in scored if ROUND4 in s.name]
    _table("fourth round (r4-*)", total(fourth), fields)
    _table("fourth round, held out (ho-r4-*)", total(s for s in fourth if s.heldout), fields)
    _by_error(scored)
    if "--misses" in sys.argv:
        print("\nmismatches (tuned part only):")
        for line in total(s for s in scored if not s.heldout).misses:
            print(" ", line)


if __name__ == "__main__":
    main()
