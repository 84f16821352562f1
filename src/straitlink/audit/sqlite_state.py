"""SQLite: the stored records' digest summed from the tables, in this process or in a process of its own.

`audit verify` walks the chain and sums the records' digest at the same time. Both are mostly hashing of small
values, which holds Python's lock: in one process the two take turns, so on SQLite the records are summed in a
child process beside the walk (`python -m straitlink.audit.sqlite_state`, started by straitlink.audit.consistency).
This module imports the standard library only, so the child starts in tens of milliseconds instead of the second
the application's imports take. The child reads in one read transaction, so one snapshot: the log's bounds and head
(written out at once, so the walk can start), then the last entry and every covered table (straitlink.audit.state
builds the statements), and writes the sum.
"""

from __future__ import annotations

import array
import hashlib
import json
import queue
import sqlite3
import sys
import threading
from collections.abc import Iterable, Iterator
from typing import Any

MODULUS = 2**256
SPAN = 5_000  # rows per range read at once
_MAX_ROWID = 2**63 - 1
_DIGEST = type(hashlib.sha256()).digest
_AHEAD = 4  # ranges read ahead of the hashing


def digests_sum(digests: bytes) -> int:
    """The sum of 32-byte big-endian numbers given one after the other."""
    words = array.array("Q", digests)
    if sys.byteorder == "little":
        words.byteswap()
    return (sum(words[0::4]) << 192) + (sum(words[1::4]) << 128) + (sum(words[2::4]) << 64) + sum(words[3::4])


# Every row is prefixed, hashed and its digest taken by map over C functions: no Python bytecode runs per row, so
# the records cost the verifier about the hashing itself (a Python loop doing the same costs half as much again).
def texts_sum(texts: Iterable[bytes], prefix: bytes = b"") -> int:
    """The sum of the elements of rows given by their canonical texts (each after `prefix`)."""
    prefixed = map(prefix.__add__, texts) if prefix else texts
    return digests_sum(b"".join(map(_DIGEST, map(hashlib.sha256, prefixed))))


def ranges(cursor: Any, read: dict[str, Any]) -> Iterator[list[bytes]]:
    """A table's canonical texts a range of rowids at a time.

    SQLite joins each range's texts in C, separated by a character no canonical text holds (a newline: JSON escapes
    it), which costs less than handing each row to Python. Should a range split into more texts than it has rows
    anyway, it is read again a row at a time (`rows_sql`). The next range starts at the next rowid there is, past
    any gap.
    """
    table, separator = read["table"], read["separator"].encode()
    after = f"SELECT min(rowid) FROM {table} WHERE rowid > ?"
    first = cursor.execute(f"SELECT min(rowid) FROM {table}").fetchone()[0]
    while first is not None:
        last = min(first + SPAN - 1, _MAX_ROWID)
        joined, count = cursor.execute(read["sql"], (first, last)).fetchone()  # `first` is a row: never NULL
        texts = joined.split(separator)
        yield texts if len(texts) == count else [text for (text,) in cursor.execute(read["rows_sql"], (first, last))]
        first = cursor.execute(after, (last,)).fetchone()[0] if last < _MAX_ROWID else None


def table_sum(cursor: Any, read: dict[str, Any]) -> int:
    """One table's elements: by ranges of rowids, or, with parameters, in one query (a `reads` item below)."""
    return sum(texts_sum(texts, read["prefix"].encode()) for _, texts in _texts_of(cursor, [read]))


def _ahead(items: Iterator[Any]) -> Iterator[Any]:
    """The items, produced by a thread of their own a few ahead (SQLite works without Python's lock)."""
    out: queue.Queue[Any] = queue.Queue(maxsize=_AHEAD)
    done = object()

    def produce() -> None:
        try:
            for item in items:
                out.put(item)
        except BaseException as exc:  # handed to the consumer, which raises it
            out.put(exc)
        out.put(done)

    threading.Thread(target=produce, name="audit-state-read", daemon=True).start()
    while (item := out.get()) is not done:
        if isinstance(item, BaseException):
            raise item
        yield item


def _texts_of(cursor: Any, reads: list[dict[str, Any]]) -> Iterator[tuple[bytes, list[bytes]]]:
    """(prefix, texts) of each table's rows in turn, a range at a time."""
    for read in reads:
        prefix = read["prefix"].encode()
        if read["params"]:
            yield prefix, [text for (text,) in cursor.execute(read["sql"], read["params"]).fetchall()]
        else:
            yield from ((prefix, texts) for texts in ranges(cursor, read))


def _say(value: Any) -> None:
    sys.stdout.write(json.dumps(value) + "\n")
    sys.stdout.flush()


def main() -> None:
    """The child: one job (JSON on standard input), its bounds line and then its result line on standard output."""
    job = json.loads(sys.stdin.readline())
    conn = sqlite3.connect(job["path"], isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {int(job['busy_ms'])}")
    conn.execute("BEGIN")  # one read transaction: everything below from one snapshot
    low, high, head_seq, head_hash = conn.execute(job["bounds"]).fetchone()
    _say([low, high, head_seq, bytes(head_hash).hex() if head_hash is not None else None])
    last: list[Any] = [None, None]
    if high is not None:
        prev, body = conn.execute(job["last"], (high,)).fetchone()
        last = [bytes(prev).hex(), str(body)]
    total = sum(texts_sum(texts, prefix) for prefix, texts in _ahead(_texts_of(conn.cursor(), job["reads"])))
    conn.rollback()
    _say({"stored": str(total % MODULUS), "last": last})


if __name__ == "__main__":
    main()
