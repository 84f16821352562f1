"""Throughput of the ingest extractor, beside jieba's segmentation alone of the same text.

The text is the annotated evaluation set (tests/data/ingest: bulletins, press releases, news in both scripts,
statistics notes, PDF damage), repeated to the size asked for. Every figure is the median of several runs on one
core (the machine is shared: the median is steadier than the best run, and not flattered by one lucky run).
Targets: at least as fast as segmentation alone, and at least 2 MB/s.
Run: .venv/bin/python bench/bench_ingest.py [--mb 2] [--runs 5] [--text FILE ...]
(--text measures other documents instead, e.g. the shared corpus's law texts, which tell few events.)
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from straitlink.ingest.extract import extract
from straitlink.ingest.gazetteer import default_gazetteer
from straitlink.ingest.normalise import blocks
from straitlink.ingest.proposals import DocumentInfo
from straitlink.ingest.readers import open_document

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "ingest"
TARGET_MB_S = 2.0


def corpus(megabytes: float, files: list[Path]) -> str:
    paths = files or [p for p in sorted(DATA.iterdir()) if p.suffix in (".txt", ".md", ".html") and p.stem != "README"]
    texts = [open_document(p).text() for p in paths]
    unit = "\n\n".join(texts) + "\n\n"
    return unit * max(1, round(megabytes * 1e6 / len(unit.encode("utf-8"))))


def median(runs: int, work: Callable[[], object]) -> float:
    """The median of several timed runs, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=2.0, help="size of the text in MB (UTF-8)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per figure; the median counts")
    parser.add_argument("--text", type=Path, nargs="*", default=[], help="documents to measure instead")
    args = parser.parse_args()
    text = corpus(args.mb, args.text)
    size = len(text.encode("utf-8")) / 1e6
    document = DocumentInfo(id="bench", name="bench", media_type="text/plain", sha256="-", chars=len(text))
    tokenizer = default_gazetteer().tokenizer()  # jieba loads its dictionary once, outside the timings
    list(extract(document, [text[:20_000]]))

    def extract_all() -> int:
        return sum(1 for _ in extract(document, [text]))

    segment = median(args.runs, lambda: tokenizer.lcut(text))
    fold = median(args.runs, lambda: sum(1 for _ in blocks([text])))
    full = median(args.runs, extract_all)
    found = extract_all()
    rows = [
        ("extract: MB/s vs jieba segmentation alone", size / full, size / segment, "jieba lcut"),
        ("extract: MB/s vs target", size / full, TARGET_MB_S, "target"),
        ("normalise only: MB/s vs jieba", size / fold, size / segment, "jieba lcut"),
    ]
    source = ", ".join(p.name for p in args.text) if args.text else "the annotated set"
    runs = f"median of {args.runs} runs, one core"
    print(f"ingest throughput: {size:.2f} MB of text ({source}), {found} proposals, {runs}")
    print(f"{'figure':<44} {'value':>8} {'reference':>10} {'(what)':<12} {'ratio':>6}")
    for label, value, reference, what in rows:
        print(f"{label:<44} {value:8.2f} {reference:10.2f} {what:<12} {value / reference:6.2f}")


if __name__ == "__main__":
    main()
