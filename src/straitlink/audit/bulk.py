"""The verifier's fast path: the chain read in ranges of entries, each range as one aggregated row.

Fetching one row per entry costs the driver more than hashing the entry does, so the database concatenates each
range (in seq order) into a few values: the bodies joined by newlines, the previous hashes and the hashes (on
SQLite, each entry's previous hash and hash together, one entry after the other), beside
how many entries it holds, its lowest and highest seq, and how many rows are malformed (a seq that is not an
integer, a hash that is not 32 bytes). A range is vouched for only if it holds exactly its entries (as many as its
seq span, seqs being unique integers within it), no malformed row, no body holding a newline (canonical bodies never
do), its first and last bodies are those entries', and every body hashes onto the one before it to its stored hash,
its stored previous hash being that one's. The chain itself proves the order: hashes link entries one way only.
Anything else, including what a tampered database could make look alike, is not judged here: the caller walks that
range entry by entry, which names the first bad entry and why.

A thread fetches the next ranges while the caller hashes: the database does its part (SQLite inside the driver
without Python's lock, PostgreSQL in its own process) beside the hashing, so the two add up to little more than
the hashing alone.
"""

from __future__ import annotations

import binascii
import contextlib
import hashlib
import queue
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from psycopg.abc import Buffer
from psycopg.adapt import Loader
from sqlalchemy import Engine

AHEAD = 4  # ranges fetched ahead of the hashing

# One flat aggregate over the range's index scan on SQLite: a subquery with ORDER BY would copy every row through a
# co-routine, doubling the cost. PostgreSQL needs the ORDER BY to feed its aggregates in seq order. Its results come
# as text, taken as the bytes the server sends (UTF-8 bodies, hex hashes): libpq hands text of this size over faster
# than binary results. PostgreSQL sends not the range's hashes and previous hashes but a sha256 of each run of them,
# which the verifier compares with the same over the hashes it computes: 64 bytes a range instead of 128 an entry.
# SQLite sends each entry's previous hash and hash as one run of pairs: one aggregate instead of two costs it a
# fifth less (each value an aggregate takes is copied once more).
_SQL = {
    "sqlite": "SELECT count(*), min(seq), max(seq), "
    "coalesce(sum(typeof(seq) <> 'integer' OR length(prev_hash) <> 32 OR length(hash) <> 32), 0), "
    "CAST(group_concat(body, char(10)) AS BLOB), NULL, "
    "CAST(group_concat(prev_hash || hash, '') AS BLOB) FROM audit_entry WHERE seq >= ? AND seq <= ?",
    "postgresql": "SELECT count(*), min(seq), max(seq), "
    "count(*) FILTER (WHERE octet_length(prev_hash) <> 32 OR octet_length(hash) <> 32), string_agg(body, E'\\n'), "
    "encode(sha256(string_agg(prev_hash, ''::bytea)), 'hex'), encode(sha256(string_agg(hash, ''::bytea)), 'hex') "
    "FROM (SELECT seq, body, prev_hash, hash FROM audit_entry WHERE seq >= %s AND seq <= %s ORDER BY seq) AS r",
}
# Entries per range: SQLite's cost hardly depends on it; libpq slows down on results much over a few megabytes.
SPAN = {"sqlite": 5_000, "postgresql": 2_000}


class _Bytes(Loader):
    """PostgreSQL text as the bytes the server sent, undecoded."""

    def load(self, data: Buffer) -> bytes:
        return bytes(data)


@dataclass(frozen=True)
class Batch:
    """One range first..last as the database aggregated it (None where the range holds no entry)."""

    first: int
    last: int
    count: int
    low: int | None  # the lowest and highest seq found
    high: int | None
    malformed: int  # rows whose seq is not an integer or whose hashes are not 32 bytes each
    bodies: bytes | None
    prevs: bytes | None  # each entry's previous hash, one after the other (or, digested, the sha256 of that)
    hashes: bytes | None  # each entry's hash, one after the other (or, digested, the sha256 of that; or, paired,
    # each entry's previous hash and hash, one entry after the other, with `prevs` unused)
    digested: bool = False
    paired: bool = False


def vouch(batch: Batch, prev: bytes, known: Mapping[int, bytes]) -> bytes | None:
    """The hash of the range's last entry if the range is whole and intact after `prev`; None when in doubt."""
    n = batch.last - batch.first + 1
    if (batch.count, batch.low, batch.high, batch.malformed) != (n, batch.first, batch.last, 0):
        return None
    if batch.bodies is None or batch.hashes is None or (batch.prevs is None and not batch.paired):
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
    if batch.paired:
        if b"".join(map(bytes.__add__, [prev, *digests[:-1]], digests)) != batch.hashes:
            return None
    elif batch.digested:
        if sha(joined).digest() != batch.hashes or sha(prev + joined[:-32]).digest() != batch.prevs:
            return None
    elif batch.prevs is None or joined != batch.hashes or batch.prevs[:32] != prev or batch.prevs[32:] != joined[:-32]:
        return None
    for seq, digest in known.items():
        if batch.first <= seq <= batch.last and digests[seq - batch.first] != digest:
            return None
    return h


def _fetch(cursor: Any, sql: str, first: int, last: int, *, hex_hashes: bool) -> Batch:
    cursor.execute(sql, (first, last))
    count, low, high, malformed, bodies, prevs, hashes = cursor.fetchone()
    if hex_hashes and prevs is not None and hashes is not None:
        prevs, hashes = binascii.a2b_hex(prevs), binascii.a2b_hex(hashes)
    paired = not hex_hashes
    return Batch(first, last, count, low, high, int(malformed), bodies, prevs, hashes, hex_hashes, paired)


def _read(engine: Engine, first: int, last: int, out: queue.Queue[Any], stop: threading.Event) -> None:
    try:
        with engine.connect() as conn:
            raw: Any = conn.connection.driver_connection
            cursor = raw.cursor()
            postgresql = conn.dialect.name == "postgresql"
            if postgresql:
                cursor.adapters.register_loader("text", _Bytes)
            sql, span = _SQL[conn.dialect.name], SPAN[conn.dialect.name]
            try:
                for lo in range(first, last + 1, span):
                    if stop.is_set():
                        break
                    out.put(_fetch(cursor, sql, lo, min(lo + span - 1, last), hex_hashes=postgresql))
            finally:
                cursor.close()
    except BaseException as exc:  # handed to the caller, which raises it
        out.put(exc)
    out.put(None)


def batches(engine: Engine, first: int, last: int) -> Iterator[Batch]:
    """The ranges of first..last in order, fetched ahead by a thread of their own."""
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
