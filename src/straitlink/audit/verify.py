"""Walking the chain: every entry present, in order, linked to the one before it, and matching its hash.

The walk stops at the first bad entry and names it. It reads the entries in ranges, each aggregated by the database
into one row (straitlink.audit.bulk), and hashes each body onto the previous hash; a range that does not check out
as a whole is walked again entry by entry, from (seq, previous hash, hash, body as bytes) rows, to name the first
bad entry. Each entry stores its predecessor's hash, so a long log can also be checked in ranges by several
processes at once: each range is checked on its own, then each range's first entry must link to the last of the
range before.

Beside the walk, the stored records are checked against the digest the last entry carries
(straitlink.audit.consistency): the chain proves what the entries say, the digest that the records are what they
say.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, select

from straitlink.audit import bulk, consistency
from straitlink.audit.entries import GENESIS
from straitlink.store.tables_workflow import AuditEntryRow

E = AuditEntryRow
Row = tuple[int, bytes, bytes, bytes]  # (seq, prev_hash, hash, body as UTF-8 bytes)
CHUNK = 20_000
PARALLEL_FROM = 200_000  # entries; fewer are checked in this process
# Each walking process keeps about two CPUs busy: its hashing, and its reader thread with the database beside it.
CPUS_PER_WALK = 2
_SQL = {
    "sqlite": "SELECT seq, prev_hash, hash, CAST(body AS BLOB) FROM audit_entry "
    "WHERE seq >= ? AND seq <= ? ORDER BY seq",
    "postgresql": "SELECT seq, prev_hash, hash, convert_to(body, 'UTF8') FROM audit_entry "
    "WHERE seq >= %s AND seq <= %s ORDER BY seq",
}


@dataclass(frozen=True)
class Problem:
    seq: int
    reason: str
    record: dict[str, Any] | None = None  # the stored record that differs from its audit entries: kind, id, field


@dataclass(frozen=True)
class Report:
    """The outcome of one walk: how far it got and the first problem, if any."""

    checked: int
    last_seq: int
    last_hash: bytes
    head_seq: int | None
    problem: Problem | None
    workers: int = 1

    @property
    def ok(self) -> bool:
        return self.problem is None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "ok": self.ok,
            "checked": self.checked,
            "last_seq": self.last_seq,
            "last_hash": self.last_hash.hex(),
            "head_seq": self.head_seq,
        }
        if self.problem is not None and self.problem.record is not None:
            out["first_bad_record"] = self.problem.record
            out["reason"] = self.problem.reason
        elif self.problem is not None:
            out["first_bad_entry"] = self.problem.seq
            out["reason"] = self.problem.reason
        return out


def _diagnose(seq: int, expected: int, prev_col: bytes, prev: bytes, stored: bytes, text: bytes) -> Problem:
    if seq != expected:
        return Problem(expected, f"entry {expected} is missing: the log goes from {expected - 1} to {seq} (removed)")
    if bytes(prev_col) != prev:
        return Problem(seq, f"entry {seq} does not link to entry {seq - 1} (inserted, removed or reordered)")
    if not bytes(text).startswith(b'{"seq":%d,' % seq):
        return Problem(seq, f"entry {seq} holds the content of another entry (reordered or inserted)")
    return Problem(seq, f"entry {seq} does not match its hash (altered)")


def walk(
    chunks: Iterable[list[Row]],
    *,
    start_seq: int = 1,
    start_hash: bytes = GENESIS,
    known: Mapping[int, bytes] | None = None,
) -> tuple[int, bytes, int, Problem | None]:
    """Check rows in seq order from `start_seq` (linked to `start_hash`): (last seq, last hash, count, problem)."""
    sha = hashlib.sha256
    expected, prev, count = start_seq, start_hash, 0
    known = known or {}
    for chunk in chunks:
        for seq, prev_col, stored, text in chunk:
            if seq == expected and prev_col == prev:
                digest = sha(prev + text).digest()
                if digest == stored:
                    if known and known.get(seq, digest) != digest:
                        return (
                            expected - 1,
                            prev,
                            count,
                            Problem(seq, f"entry {seq} differs from the signed checkpoint"),
                        )
                    prev, expected, count = digest, expected + 1, count + 1
                    continue
            return expected - 1, prev, count, _diagnose(seq, expected, prev_col, prev, stored, text)
    return expected - 1, prev, count, None


def stored_rows(conn: Connection, *, first: int = 1, last: int | None = None) -> Iterator[list[Row]]:
    """The stored entries first..last in order, in chunks, read through the driver's own cursor (for speed)."""
    raw: Any = conn.connection.driver_connection
    params = (first, last if last is not None else 2**62)
    if conn.dialect.name == "postgresql":
        cursor = raw.cursor(name="straitlink_audit_walk", binary=True)  # streamed from the server
    else:
        cursor = raw.cursor()
    try:
        cursor.execute(_SQL[conn.dialect.name], params)
        while chunk := cursor.fetchmany(CHUNK):
            yield chunk
    finally:
        cursor.close()


def walk_stored(
    engine: Engine, first: int, last: int, *, start_hash: bytes, known: Mapping[int, bytes] | None = None
) -> tuple[int, bytes, int, Problem | None]:
    """Check the stored entries first..last as `walk` does, range by range; a range in doubt entry by entry."""
    known = known or {}
    prev, count = start_hash, 0
    for batch in bulk.batches(engine, first, last, known):
        digest = bulk.vouch(batch, prev, known)
        if digest is None:
            with engine.connect() as conn:
                done, prev, walked, problem = walk(
                    stored_rows(conn, first=batch.first, last=last), start_seq=batch.first, start_hash=prev, known=known
                )
            return done, prev, count + walked, problem
        prev, count = digest, count + batch.last - batch.first + 1
    return max(last, first - 1), prev, count, None


def _walk_range(url: str, first: int, last: int, known: dict[int, bytes]) -> tuple[bytes | None, Any]:
    """In a worker process: walk first..last on its own; (prev hash of its first entry, walk result)."""
    from straitlink.store.db import make_engine

    engine = make_engine(url, check=False)
    try:
        with engine.connect() as conn:
            row = conn.execute(select(E.prev_hash).where(E.seq == first)).first()
            if row is None:
                return None, (first - 1, b"", 0, Problem(first, f"entry {first} is missing (removed)"))
            start_hash = bytes(row.prev_hash)
        return start_hash, walk_stored(engine, first, last, start_hash=start_hash, known=known)
    finally:
        engine.dispose()


def _walk_parallel(
    engine: Engine, first: int, last: int, start_hash: bytes, known: dict[int, bytes], workers: int
) -> tuple[int, bytes, int, Problem | None]:
    size = -(-(last - first + 1) // workers)
    ranges = [(lo, min(lo + size - 1, last)) for lo in range(first, last + 1, size)]
    url = engine.url.render_as_string(hide_password=False)
    # Forked from a clean server process: a fork of this one could inherit a lock held by the records' reader thread.
    with ProcessPoolExecutor(max_workers=len(ranges), mp_context=multiprocessing.get_context("forkserver")) as pool:
        results = list(pool.map(_walk_range, [url] * len(ranges), *zip(*ranges, strict=True), [known] * len(ranges)))
    count, prev, done = 0, start_hash, first - 1
    for (lo, hi), (linked_to, (range_last, range_hash, range_count, problem)) in zip(ranges, results, strict=True):
        if linked_to is not None and linked_to != prev:
            return (
                done,
                prev,
                count,
                Problem(lo, f"entry {lo} does not link to entry {lo - 1} (inserted, removed or reordered)"),
            )
        if problem is not None:
            if range_count == 0:  # nothing good in this range: the walk ends where the last range did
                return done, prev, count, problem
            return range_last, range_hash, count + range_count, problem
        count, prev, done = count + range_count, range_hash, range_last
        if range_last < hi:  # the range ended early: its last entries are missing
            return done, prev, count, Problem(range_last + 1, f"entry {range_last + 1} is missing (removed)")
    return done, prev, count, None


def verify_stored(
    engine: Engine,
    *,
    checkpoint: tuple[int, bytes] | None = None,
    workers: int | None = None,
    records: bool = True,
) -> Report:
    """Walk the stored chain; with a checkpoint (seq, hash), entries up to it may have been archived.

    With `records`, also check that the stored records are what the last entry's digest says they became.
    """
    reader = consistency.state_reader(engine) if records else None
    try:
        if reader is not None:
            first, last, head_seq, head_hash = reader.bounds()
        else:
            with engine.connect() as conn:
                # One statement, so one snapshot: entries appended meanwhile are neither walked nor expected.
                first, last, head_seq, head_hash = conn.execute(consistency.BOUNDS).one()
        report = _walk_bounded(engine, first, last, head_seq, head_hash, checkpoint, workers)
        if report.problem is None and reader is not None:
            mismatch = consistency.check(engine, reader.result(), report.last_seq, report.last_hash)
            if mismatch is not None:
                problem = Problem(report.last_seq, mismatch.reason, mismatch.record)
                return Report(
                    report.checked, report.last_seq, report.last_hash, report.head_seq, problem, report.workers
                )
        return report
    finally:
        if reader is not None:
            reader.close()


def _walk_bounded(
    engine: Engine,
    first: int | None,
    last: int | None,
    head_seq: int | None,
    head_hash: Any,
    checkpoint: tuple[int, bytes] | None,
    workers: int | None,
) -> Report:
    start_seq, start_hash, known = 1, GENESIS, {}
    if checkpoint is not None:
        cp_seq, cp_hash = checkpoint
        if first is not None and first > 1 and first == cp_seq + 1:
            start_seq, start_hash = first, cp_hash  # entries up to the checkpoint were archived
        else:
            known = {cp_seq: cp_hash}
    end = max(last or 0, start_seq - 1)
    if workers is None:
        workers = min((os.cpu_count() or 1) // CPUS_PER_WALK, 8) if end - start_seq + 1 >= PARALLEL_FROM else 1
    if workers > 1 and end - start_seq + 1 >= 2 * workers:
        last_seq, last_hash, count, problem = _walk_parallel(engine, start_seq, end, start_hash, known, workers)
    else:
        workers = 1
        last_seq, last_hash, count, problem = walk_stored(engine, start_seq, end, start_hash=start_hash, known=known)
    if problem is None and checkpoint is not None and checkpoint[0] > last_seq:
        problem = Problem(
            last_seq + 1, f"entry {last_seq + 1} is missing: the signed checkpoint covers {checkpoint[0]} (removed)"
        )
    head_seq = int(head_seq) if head_seq is not None else None
    if problem is None:
        problem = _check_head(head_seq, head_hash, last_seq, last_hash)
    return Report(count, last_seq, last_hash, head_seq, problem, workers)


def _check_head(head_seq: int | None, head_hash: Any, last: int, last_hash: bytes) -> Problem | None:
    if head_seq is None:
        return Problem(last + 1, "the chain head is missing (removed)")
    if head_seq > last:
        return Problem(last + 1, f"entry {last + 1} is missing: the head records {head_seq} entries (removed)")
    if head_seq < last:
        return Problem(head_seq + 1, f"entry {head_seq + 1} is beyond the chain head (inserted)")
    if bytes(head_hash) != last_hash:
        return Problem(last, f"the chain head does not match entry {last} (altered)")
    return None
