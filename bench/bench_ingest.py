"""Throughput of the ingest extractor, beside jieba's segmentation alone of the same text.

The text is the annotated evaluation set (tests/data/ingest: bulletins, press releases, news in both scripts,
statistics notes, PDF damage), repeated to the size asked for. Every figure is the median of several runs on one
core (the machine is shared: the median is steadier than the best run, and not flattered by one lucky run).
Targets: at least as fast as segmentation alone, and at least 2 MB/s; memory bounded whatever the size: the peak
traced while --memory-mb of text (10 by default) is streamed through the extractor in 64 KB chunks, beside the
peak for a tenth of it (a bounded reader's peak does not grow with the text).
Run: .venv/bin/python bench/bench_ingest.py [--mb 2] [--runs 5] [--memory-mb 10] [--text FILE ...]
     .venv/bin/python bench/bench_ingest.py --quick   (0.5 MB, 3 runs, 2 MB streamed: a minute under load)
(--text measures other documents instead, e.g. the shared corpus's law texts, which tell few events.)
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

from straitlink.ingest.extract import extract
from straitlink.ingest.gazetteer import default_gazetteer
from straitlink.ingest.normalise import blocks
from straitlink.ingest.proposals import DocumentInfo
from straitlink.ingest.readers import open_document

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "ingest"
TARGET_MB_S = 2.0


def corpus(megabytes: float, files: list[Path]) -> str:
    readable = (".txt", ".md", ".html", ".docx")
    paths = files or [p for p in sorted(DATA.iterdir()) if p.suffix in readable and p.stem != "README"]
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


def _chunks(text: str, total: int) -> Iterator[str]:
    """`total` characters of the text repeated, in 64 KB chunks, never held whole."""
    step, sent = 1 << 16, 0
    while sent < total:
        for i in range(0, len(text), step):
            piece = text[i : i + step][: total - sent]
            if not piece:
                return
            sent += len(piece)
            yield piece


def peak_mb(text: str, megabytes: float) -> float:
    """The traced peak (MB) while `megabytes` of text are streamed through the extractor, proposals dropped."""
    chars = int(megabytes * 1e6 / (len(text.encode("utf-8")) / len(text)))
    document = DocumentInfo(id="bench", name="bench", media_type="text/plain", sha256="-", chars=chars)
    tracemalloc.start()
    for _ in extract(document, _chunks(text, chars)):
        pass
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=2.0, help="size of the text in MB (UTF-8)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per figure; the median counts")
    parser.add_argument("--text", type=Path, nargs="*", default=[], help="documents to measure instead")
    parser.add_argument("--memory-mb", type=float, default=10.0, help="MB streamed for the memory peak")
    parser.add_argument("--quick", action="store_true", help="0.5 MB, 3 runs, 2 MB streamed")
    args = parser.parse_args()
    if args.quick:
        args.mb, args.runs, args.memory_mb = 0.5, 3, 2.0
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
    small, large = peak_mb(text, args.memory_mb / 10), peak_mb(text, args.memory_mb)
    label = f"memory: peak MB streaming {args.memory_mb:g} MB vs a tenth"
    print(f"{label:<44} {large:8.2f} {small:10.2f} {'tenth':<12} {large / small:6.2f}")


if __name__ == "__main__":
    main()
