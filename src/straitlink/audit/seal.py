"""Sealing the access log into the audit chain, and checking the seals.

Reads and refusals are logged as plain rows (`access_log`), one insert each, so that a busy office's reads never
queue on the chain head. A seal makes them as tamper-evident as the chain: it takes the rows written since the
last seal, in id order, hashes their canonical JSON, and appends ONE chain entry (`seal`) carrying the range,
the count and the digest; the rows then name that entry. Editing, deleting or inserting a sealed row changes
the digest, which `check_seals` recomputes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Engine, func, select, update

from straitlink.audit import log
from straitlink.audit.entries import AuditAction, Change
from straitlink.store.tables_access import AccessLogRow
from straitlink.store.tables_workflow import AuditEntryRow as E
from straitlink.store.uow import UnitOfWork

L = AccessLogRow
_COLUMNS = (L.id, L.at, L.username, L.action, L.record_kind, L.record_id, L.outcome, L.detail)
SEALER = "straitlink"


def digest(rows: list[Any]) -> str:
    """sha256 of the rows' canonical JSON lines, in id order."""
    h = hashlib.sha256()
    for row in rows:
        values = [row.id, row.at, row.username, row.action, row.record_kind, row.record_id, row.outcome, row.detail]
        h.update(json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n")
    return h.hexdigest()


@dataclass(frozen=True)
class Seal:
    seq: int | None  # the chain entry, None when nothing was waiting
    count: int
    first: int | None
    last: int | None

    def to_json(self) -> dict[str, Any]:
        return dict(vars(self))


def seal(engine: Engine, *, actor: str = SEALER) -> Seal:
    """Fold every unsealed access-log row into one chain entry; nothing to seal, nothing appended."""
    with UnitOfWork(engine) as uow:
        head = log.lock(uow)  # rows written after this wait for the next seal
        rows = list(uow.connection.execute(select(*_COLUMNS).where(L.sealed_by.is_(None)).order_by(L.id)))
        if not rows:
            return Seal(None, 0, None, None)
        first, last = int(rows[0].id), int(rows[-1].id)
        context = {"count": len(rows), "first": first, "last": last, "sha256": digest(rows)}
        seq = log.append(uow, head, [Change(actor, AuditAction.SEAL, "access_log", f"{first}-{last}", {}, context)])
        ids = [int(r.id) for r in rows]
        uow.connection.execute(update(L).where(L.id.in_(ids)).values(sealed_by=seq))
        uow.commit()
        return Seal(seq, len(rows), first, last)


@dataclass(frozen=True)
class SealProblem:
    seq: int
    reason: str


def check_seals(engine: Engine) -> list[SealProblem]:
    """Every seal entry's rows, recounted and rehashed; each one that no longer matches, with why."""
    problems = []
    marker = f'"action":"{AuditAction.SEAL.value}","kind":"access_log"'  # as entries.body writes it
    with UnitOfWork(engine) as uow:
        for seq, body in uow.connection.execute(select(E.seq, E.body).where(E.body.contains(marker)).order_by(E.seq)):
            entry = SimpleNamespace(seq=int(seq), context=json.loads(body)["context"])
            ctx = entry.context
            rows = list(uow.connection.execute(select(*_COLUMNS).where(L.sealed_by == entry.seq).order_by(L.id)))
            in_range = uow.connection.scalar(
                select(func.count()).select_from(L).where(L.id.between(ctx["first"], ctx["last"]))
            )
            if len(rows) != ctx["count"] or in_range != ctx["count"]:
                problems.append(SealProblem(entry.seq, f"{ctx['count']} rows sealed, {len(rows)} found"))
            elif digest(rows) != ctx["sha256"]:
                problems.append(SealProblem(entry.seq, "a sealed access-log row was changed"))
    return problems
