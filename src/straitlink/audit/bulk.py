"""The verifier's fast path: the chain read in ranges of entries, each range as one aggregated row.

Fetching one row per entry costs the driver more than hashing the entry does, so on SQLite the database concatenates
each range (in seq order) into a few values: the bodies joined by newlines, and each entry's previous hash and hash
together, one entry after the other, beside
how many entries it holds, its lowest and highest seq, and how many rows are malformed (a seq that is not an
integer, a hash that is not 32 bytes). A range is vouched for only if it holds exactly its entries (as many as its
seq span, seqs being unique integers within it), no malformed row, no body holding a newline (canonical bodies never
do), its first and last bodies are those entries', and every body hashes onto the one before it to its stored hash,
its stored previous hash being that one's. The chain itself proves the order: hashes link entries one way only.
Anything else, including what a tampered database could make look alike, is not judged here: the caller walks that
range entry by entry, which names the first bad entry and why.

A thread fetches the next ranges while the caller hashes: SQLite does its part inside the driver without Python's
lock, beside the hashing, so the two add up to little more than the hashing alone.

PostgreSQL has sha256 built in (from version 11), so there the server checks each range itself and sends only the
verdict: how many entries it holds, its lowest and highest seq, how many are bad (a hash not 32 bytes, a hash that is
not the sha256 of its previous hash and body, a previous hash that is not the hash of the entry before it in the
range, a first or last body not carrying its number), the first entry's previous hash and the last one's hash. The
client links each range to the one before it. Two connections check ranges at once, so the hashing runs on the
server's CPUs and no entry crosses the wire: the verifier's own process hardly works at all.
"""

from __future__ import annotations

import array
import contextlib
import hashlib
import itertools
import queue
import threading
from collections import deque
from collections.abc import Collection, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

AHEAD = 4  # ranges fetched ahead of the hashing

# SQLite: one flat aggregate over the range's index scan (a subquery with ORDER BY would copy every row through a
# co-routine, doubling the cost). Each entry's previous hash and hash come as one run of pairs: one aggregate
# instead of two costs it a fifth less (each value an aggregate takes is copied once more).
_SQL = (
    "SELECT count(*), min(seq), max(seq), "
    "coalesce(sum(typeof(seq) <> 'integer' OR length(prev_hash) <> 32 OR length(hash) <> 32), 0), "
    "CAST(group_concat(body, char(10)) AS BLOB), "
    "CAST(group_concat(prev_hash || hash, '') AS BLOB) FROM audit_entry WHERE seq >= ? AND seq <= ?"
)
# PostgreSQL: the range checked by the server. A NULL anywhere in a row's checks makes it count as bad (IS NOT
# FALSE). The subquery's ORDER BY (the primary key's index scan) feeds the aggregates in seq order, so the run of
# previous hashes after the first is the run of hashes before the last when every entry links to the one before
# it; each hash being 32 bytes, the runs line up entry by entry. (A window's lag over the same rows cost the server
# a tenth more.) Should the rows come in another order, the range does not check out and is walked entry by entry.
_RUN = "string_agg(hash, ''::bytea)"
_PREVS = "string_agg(prev_hash, ''::bytea)"
_CHECKED_SQL = (
    "SELECT count(*), min(seq), max(seq), count(*) FILTER (WHERE (octet_length(prev_hash) <> 32 "
    "OR octet_length(hash) <> 32 OR hash <> sha256(prev_hash || convert_to(body, 'UTF8')) "
    "OR ((seq = %(first)s OR seq = %(last)s) AND NOT starts_with(body, '{\"seq\":' || seq || ','))) IS NOT FALSE), "
    f"substring({_PREVS} from 33) = substring({_RUN} for CAST(32 * (count(*) - 1) AS integer)), "
    f"substring({_PREVS} for 32), substring({_RUN} from CAST(32 * (count(*) - 1) + 1 AS integer)), "
    "string_agg(hash, ''::bytea) FILTER (WHERE seq = ANY(CAST(%(known)s AS bigint[]))) "
    "FROM (SELECT seq, body, prev_hash, hash FROM audit_entry WHERE seq >= %(first)s AND seq <= %(last)s "
    "ORDER BY seq) AS r"
)
# Entries per range: SQLite's cost hardly depends on it; PostgreSQL's checked ranges send a few values each, and
# fewer, longer ranges cost it less per entry than many short ones.
SPAN = {"sqlite": 5_000, "postgresql": 25_000}
READERS = 2  # PostgreSQL: connections checking ranges at once (the machine's two CPUs; more only queue)


@dataclass(frozen=True)
class Batch:
    """SQLite: one range first..last as the database aggregated it (None where the range holds no entry)."""

    first: int
    last: int
    count: int
    low: int | None  # the lowest and highest seq found
    high: int | None
    malformed: int  # rows whose seq is not an integer or whose hashes are not 32 bytes each
    bodies: bytes | None
    pairs: bytes | None  # each entry's previous hash and hash, one entry after the other


@dataclass(frozen=True)
class Checked:
    """PostgreSQL: one range first..last as the server checked it."""

    first: int
    last: int
    count: int
    low: int | None
    high: int | None
    bad: int  # entries failing a check (see _CHECKED_SQL)
    linked: bool | None  # whether each entry's previous hash is the hash of the entry before it in the range
    first_prev: bytes | None  # the previous hash of entry `first`, and the hash of entry `last`
    last_hash: bytes | None
    marked: bytes | None  # the hashes of the entries asked for (a signed checkpoint's), in seq order


def _vouch_checked(batch: Checked, prev: bytes, known: Mapping[int, bytes]) -> bytes | None:
    n = batch.last - batch.first + 1
    if (batch.count, batch.low, batch.high, batch.bad, batch.linked) != (n, batch.first, batch.last, 0, True):
        return None
    if batch.first_prev is None or bytes(batch.first_prev) != prev or batch.last_hash is None:
        return None
    marked = b"".join(known[seq] for seq in sorted(known) if batch.first <= seq <= batch.last)
    if bytes(batch.marked or b"") != marked:
        return None
    return bytes(batch.last_hash)


def _words(data: bytes) -> array.array[int]:
    return array.array("Q", data)


def vouch(batch: Batch | Checked, prev: bytes, known: Mapping[int, bytes]) -> bytes | None:
    """The hash of the range's last entry if the range is whole and intact after `prev`; None when in doubt."""
    if isinstance(batch, Checked):
        return _vouch_checked(batch, prev, known)
    n = batch.last - batch.first + 1
    if (batch.count, batch.low, batch.high, batch.malformed) != (n, batch.first, batch.last, 0):
        return None
    if batch.bodies is None or batch.pairs is None or len(batch.pairs) != 64 * n:
        return None
    bodies = batch.bodies.split(b"\n")
    if len(bodies) != n or not bodies[0].startswith(b'{"seq":%d,' % batch.first):
        return None
    if not bodies[-1].startswith(b'{"seq":%d,' % batch.last):
        return None
    sha = hashlib.sha256
    h = prev
    digests = [h := sha(h + body).digest() for body in bodies]
    joined = b"".join(digests)
    # Each entry's 64 bytes are 8 words: its previous hash's 4, then its hash's 4. Compared as strided slices of
    # words (C loops) instead of building each pair: a fifth of the walk's own work less.
    pairs, hashes, prevs = _words(batch.pairs), _words(joined), _words(prev + joined[:-32])
    for k in range(4):
        if pairs[k::8] != prevs[k::4] or pairs[4 + k :: 8] != hashes[k::4]:
            return None
    for seq, digest in known.items():
        if batch.first <= seq <= batch.last and digests[seq - batch.first] != digest:
            return None
    return h


def _fetch(cursor: Any, first: int, last: int) -> Batch:
    cursor.execute(_SQL, (first, last))
    count, low, high, malformed, bodies, pairs = cursor.fetchone()
    return Batch(first, last, count, low, high, int(malformed), bodies, pairs)


def _read(engine: Engine, first: int, last: int, out: queue.Queue[Any], stop: threading.Event) -> None:
    try:
        with engine.connect() as conn:
            raw: Any = conn.connection.driver_connection
            cursor = raw.cursor()
            span = SPAN["sqlite"]
            try:
                for lo in range(first, last + 1, span):
                    if stop.is_set():
                        break
                    out.put(_fetch(cursor, lo, min(lo + span - 1, last)))
            finally:
                cursor.close()
    except BaseException as exc:  # handed to the caller, which raises it
        out.put(exc)
    out.put(None)


def _checked(engine: Engine, first: int, last: int, known: Collection[int]) -> Iterator[Checked]:
    """PostgreSQL: the ranges of first..last in order, each checked by the server, READERS at a time."""
    span = SPAN["postgresql"]
    ranges = ((lo, min(lo + span - 1, last)) for lo in range(first, last + 1, span))
    local = threading.local()
    opened: list[Any] = []
    lock = threading.Lock()

    def check(lo: int, hi: int) -> Checked:
        cursor = getattr(local, "cursor", None)
        if cursor is None:
            conn = engine.connect()
            with lock:
                opened.append(conn)
            raw: Any = conn.connection.driver_connection
            cursor = local.cursor = raw.cursor()
        marks = sorted(seq for seq in known if lo <= seq <= hi)
        cursor.execute(_CHECKED_SQL, {"first": lo, "last": hi, "known": marks})
        count, low, high, bad, linked, first_prev, last_hash, marked = cursor.fetchone()
        return Checked(lo, hi, count, low, high, int(bad), linked, first_prev, last_hash, marked)

    pool = ThreadPoolExecutor(max_workers=READERS, thread_name_prefix="audit-verify")
    pending: deque[Future[Checked]] = deque(pool.submit(check, *r) for r in itertools.islice(ranges, AHEAD))
    try:
        while pending:
            batch = pending.popleft().result()
            if (following := next(ranges, None)) is not None:
                pending.append(pool.submit(check, *following))
            yield batch
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        for conn in opened:
            conn.close()


def batches(engine: Engine, first: int, last: int, known: Collection[int] = ()) -> Iterator[Batch | Checked]:
    """The ranges of first..last in order, fetched ahead by a thread of their own (on PostgreSQL, checked by the
    server, `known` entries' hashes sent too)."""
    if engine.dialect.name == "postgresql":
        yield from _checked(engine, first, last, known)
        return
    out: queue.Queue[Any] = queue.Queue(maxsize=AHEAD)
    stop = threading.Event()
    reader = threading.Thread(target=_read, args=(engine, first, last, out, stop), name="audit-verify", daemon=True)
    reader.start()
    try:
        while (item := out.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while reader.is_alive():  # let a reader blocked on a full queue see the stop
            with contextlib.suppress(queue.Empty):
                out.get(timeout=0.1)
        reader.join()
