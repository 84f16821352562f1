"""The verifier's fast path: the chain read in ranges of entries, each range as one aggregated row.

Fetching one row per entry costs the driver more than hashing the entry does, so the database concatenates each
range (in seq order) into a few values: the seq numbers relative to the range, the bodies joined by newlines, the
previous hashes and the hashes. A range is vouched for only if these show every entry of the range present in
order, hashes of 32 bytes, no body holding a newline (canonical bodies never do), and every body hashing onto the
one before it to its stored hash. Anything else, including what a tampered database could make look alike, is
not judged here: the caller walks that range entry by entry, which names the first bad entry and why.

A thread fetches the next ranges while the caller hashes: the database does its part (SQLite inside the driver
without Python's lock, PostgreSQL in its own process) beside the hashing, so the two add up to little more than
the hashing alone.
"""

from __future__ import annotations

import contextlib
import hashlib
import queue
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from psycopg.types.string import ByteaBinaryLoader
from sqlalchemy import Engine

SPAN = 5_000  # entries per range: about 2 MB, small enough to stay in the CPU's caches on the way
AHEAD = 4  # ranges fetched ahead of the hashing

# The inner ORDER BY feeds the aggregates in seq order. `order` lists each entry's seq relative to the range, and
# leaves out an entry whose hashes are not 32 bytes each; so it shows that every entry is there, in order, and that
# the hashes can be cut apart at fixed offsets: nothing rests on the database's choice of plan unchecked.
# PostgreSQL's text results are taken as the bytes the server sends (UTF-8): no conversion of a whole range.
_SQL = {
    "sqlite": "SELECT CAST(group_concat(CASE WHEN length(prev_hash) = 32 AND length(hash) = 32 THEN seq - ? END, ',') "
    "AS BLOB), CAST(group_concat(body, char(10)) AS BLOB), CAST(group_concat(prev_hash || hash, '') AS BLOB) "
    "FROM (SELECT seq, body, prev_hash, hash FROM audit_entry WHERE seq >= ? AND seq <= ? ORDER BY seq)",
    "postgresql": "SELECT string_agg(CASE WHEN length(prev_hash) = 32 AND length(hash) = 32 "
    "THEN (seq - %s)::text END, ','), string_agg(body, E'\\n'), string_agg(prev_hash || hash, ''::bytea) "
    "FROM (SELECT seq, body, prev_hash, hash FROM audit_entry WHERE seq >= %s AND seq <= %s ORDER BY seq) AS r",
}


@dataclass(frozen=True)
class Batch:
    """One range first..last as the database aggregated it (None where the range holds no entry)."""

    first: int
    last: int
    order: bytes | None
    bodies: bytes | None
    hashes: bytes | None  # each entry's previous hash and hash, one after the other


@lru_cache(maxsize=4)
def _order(n: int) -> bytes:
    return ",".join(map(str, range(n))).encode()


def vouch(batch: Batch, prev: bytes, known: Mapping[int, bytes]) -> bytes | None:
    """The hash of the range's last entry if the range is whole and intact after `prev`; None when in doubt."""
    n = batch.last - batch.first + 1
    if batch.order != _order(n) or batch.bodies is None or batch.hashes is None:
        return None
    bodies = batch.bodies.split(b"\n")
    if len(bodies) != n:
        return None
    sha = hashlib.sha256
    h = prev
    digests = [h := sha(h + body).digest() for body in bodies]
    pairs: list[bytes] = [b""] * (2 * n)
    pairs[0] = prev
    pairs[2::2] = digests[:-1]
    pairs[1::2] = digests
    if b"".join(pairs) != batch.hashes:
        return None
    for seq, digest in known.items():
        if batch.first <= seq <= batch.last and digests[seq - batch.first] != digest:
            return None
    return h


def _fetch(cursor: Any, sql: str, first: int, last: int) -> Batch:
    cursor.execute(sql, (first, first, last))
    order, bodies, hashes = cursor.fetchone()
    return Batch(first, last, order, bodies, hashes)


def _read(engine: Engine, first: int, last: int, out: queue.Queue[Any], stop: threading.Event) -> None:
    try:
        with engine.connect() as conn:
            raw: Any = conn.connection.driver_connection
            if conn.dialect.name == "postgresql":
                cursor = raw.cursor(binary=True)
                cursor.adapters.register_loader("text", ByteaBinaryLoader)
            else:
                cursor = raw.cursor()
            sql = _SQL[conn.dialect.name]
            try:
                for lo in range(first, last + 1, SPAN):
                    if stop.is_set():
                        break
                    out.put(_fetch(cursor, sql, lo, min(lo + SPAN - 1, last)))
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
