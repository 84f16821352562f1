"""Loading the demo: the seed bulletin's world, the published figures and the synthetic history, at once.

The synthetic requests come with their workflow (straitlink.demo.history), and every record, reply and document the
load adds gets its `create` audit entry, chained after the head the load locks before its first write.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from time import perf_counter
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import BindParameter, Engine, Table, bindparam, inspect, select
from sqlalchemy.orm import Session

from straitlink.audit import log as audit_log
from straitlink.audit.entries import AuditAction, Change, diff, timestamp
from straitlink.catalog import load_catalog
from straitlink.catalog.markings import default_marking
from straitlink.codec import encode
from straitlink.demo.figures import build_figures
from straitlink.demo.history import ACTOR, DemoWorkflow, build_workflow
from straitlink.demo.history_store import (
    append_entries,
    created,
    next_step_id,
    reply_changes,
    store_replies,
    store_steps,
)
from straitlink.demo.seed import DOCUMENT_ID, SeedWorld, build_seed
from straitlink.demo.synthetic import DEFAULT_SEED, SyntheticHistory, generate
from straitlink.demo.uses import FigureUse
from straitlink.domain.errors import Conflict, UnknownReference
from straitlink.domain.marking import PUBLISHED
from straitlink.domain.parties import Party
from straitlink.domain.provenance import ProvenanceKind
from straitlink.domain.records import Record
from straitlink.domain.requests import AssistanceRequest
from straitlink.services.documents import FileStore
from straitlink.services.kinds import CATALOG_TABLES, KINDS, referenced_values
from straitlink.services.transfer_workflow import bulk_insert
from straitlink.store import mapping, search
from straitlink.store import tables as t
from straitlink.store.mapper import Mapper, put_marking, put_provenance
from straitlink.store.uow import UnitOfWork

Progress = Callable[[str, int, int], None]
# Bounded so statements stay small and a progress bar moves during the bulk insert.
_ID_CHUNK = 5000
_INSERT_CHUNK = 5000
REQUEST = cast(Table, t.AssistanceRequestRow.__table__)


@dataclass
class DemoReport:
    """What a demo load added per kind, what it found already stored, and which figures the history honours."""

    seed: int
    added: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    uses: list[FigureUse] = field(default_factory=list)
    seconds: float = 0.0
    # What the load added besides records: history steps, replies, documents, stored files, audit entries.
    workflow: dict[str, int] = field(default_factory=dict)

    @property
    def honoured(self) -> list[FigureUse]:
        """The figures the synthetic history honours."""
        return [u for u in self.uses if u.honoured]

    @property
    def not_honoured(self) -> list[FigureUse]:
        """The figures it leaves as published, each with the reason."""
        return [u for u in self.uses if not u.honoured]

    def to_json(self) -> dict[str, Any]:
        """The report as a JSON object."""
        return {
            "seed": self.seed,
            "seconds": round(self.seconds, 3),
            "added": self.added,
            "skipped": self.skipped,
            "workflow": self.workflow,
            "figures": {
                "honoured": [u.to_json() for u in self.honoured],
                "not_honoured": [u.to_json() for u in self.not_honoured],
            },
        }

    def summary(self) -> str:
        """A few lines for a terminal."""
        added = ", ".join(f"{n} {kind}" for kind, n in self.added.items() if n) or "nothing"
        lines = [f"demo loaded in {self.seconds:.1f} s (seed {self.seed}): added {added}"]
        if any(self.workflow.values()):
            lines.append("with " + ", ".join(f"{n} {what.replace('_', ' ')}" for what, n in self.workflow.items()))
        if any(self.skipped.values()):
            skipped = ", ".join(f"{n} {kind}" for kind, n in self.skipped.items() if n)
            lines.append(f"already stored, left as they were: {skipped}")
        lines.append(f"published figures honoured by the synthetic history: {len(self.honoured)}")
        lines += [f"  {u.metric} {u.value} ({u.period}): {u.how}" for u in self.honoured]
        lines.append(f"not honoured (kept as published, for reconciliation): {len(self.not_honoured)}")
        lines += [f"  {u.metric} {u.value} ({u.period}): {u.how}" for u in self.not_honoured]
        return "\n".join(lines)


def load_demo(
    engine: Engine,
    *,
    progress: Progress | None = None,
    seed: int = DEFAULT_SEED,
    files: FileStore | None = None,
    party: Party = Party.TW,
) -> DemoReport:
    """Store the demo data set in one transaction; records already stored (by id) are left alone.

    `files` is where the demo's documents are stored (without one, their rows are recorded but not their content);
    `party` is this instance's side, which decides the documents that came from the other side (Art. 17).
    """
    # The load allocates millions of objects and frees none of them as cycles: each pass of the cyclic collector
    # would walk them all again for nothing (a tenth of the load's time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _load(engine, tell=progress or (lambda stage, done, total: None), seed=seed, files=files, party=party)
    finally:
        if collecting:
            gc.enable()


def _load(engine: Engine, *, tell: Progress, seed: int, files: FileStore | None, party: Party) -> DemoReport:
    started = perf_counter()
    tell("generating", 0, 1)
    world = build_seed()
    documents, figures = build_figures()
    history = generate([*world.figures, *figures], primary_source=DOCUMENT_ID, seed_records=world.records(), seed=seed)
    check_catalogue(world, history)
    tell("generating", 1, 1)
    batches: list[tuple[Mapper[Any, Any], Sequence[Record]]] = [
        (mapping.DOCUMENTS, [world.document, *documents]),
        (mapping.CASES, [*world.cases, *history.drugs.cases]),
        (mapping.OPERATIONS, world.operations),
        (mapping.PERSONS, [*world.persons, *history.drugs.persons]),
        (mapping.SEIZURES, [*world.seizures, *history.drugs.seizures]),
        (mapping.INTEL, world.intel),
        (mapping.OUTCOMES, world.outcomes),
        (mapping.MEETINGS, world.meetings),
        (mapping.FIGURES, [*world.figures, *figures]),
    ]
    for mapper, records in [*batches, (mapping.REQUESTS, history.requests)]:
        mark(mapper.kind, records)
    report = DemoReport(seed=seed, uses=history.uses)
    with UnitOfWork(engine) as uow:
        head = audit_log.lock(uow)  # before the first write, as every audited change
        _refuse_twin_bulletin(uow.session, world)
        created_records: list[tuple[str, Record]] = []
        for mapper, records in batches:
            fresh = _fresh(uow.session, mapper, records, report)
            created_records += [(mapper.kind, r) for r in fresh]
            repo = uow.repo(mapper)
            for n, record in enumerate(fresh, start=1):
                repo.add(record)
                if n % 100 == 0:
                    tell(mapper.kind, n, len(fresh))
            # Flushing kind by kind keeps every row's references stored before it.
            uow.flush()
            tell(mapper.kind, len(fresh), len(fresh))
        requests = _fresh(uow.session, mapping.REQUESTS, history.requests, report)
        _insert_requests(uow.session, requests, tell)
        recorded_at = timestamp()
        workflow = build_workflow(
            requests, seed=seed, first_step_id=next_step_id(uow), party=party, recorded_at=recorded_at
        )
        store_steps(uow.connection, workflow, tell)
        store_replies(uow, workflow, files=files, recorded_at=recorded_at, tell=tell)
        changes = _audit_changes(created_records, requests, workflow)
        if changes:
            uow.flush()
            delta = audit_log.created(uow.connection, changes)  # the rows it added, read back as stored
            append_entries(uow, head, audit_log.chain(head, changes, delta=delta), tell)
        report.workflow = {
            "history_steps": len(workflow.steps),
            "replies": len(workflow.replies),
            "documents": len(workflow.documents),
            "audit_entries": len(changes),
        }
        uow.commit()
    report.seconds = perf_counter() - started
    return report


def _audit_changes(
    added: list[tuple[str, Record]], requests: list[AssistanceRequest], workflow: DemoWorkflow
) -> list[Change]:
    """One `create` entry per record, reply and document the load adds, as `straitlink add` would write it."""
    context = {"load": "demo"}
    create = AuditAction.CREATE
    changes = [Change(ACTOR, create, kind, r.id, diff(None, encode(r)), context) for kind, r in added]
    steps, kind = workflow.steps_of, mapping.REQUESTS.kind
    # `created` gives what diff(None, …) gives, without comparing each of 45,000 requests' fields with nothing.
    changes += [
        Change(ACTOR, create, kind, r.id, created(encode(r)), {**context, "steps": steps[r.id]}) for r in requests
    ]
    return changes + reply_changes(workflow, ACTOR, context)


def _fresh(session: Session, mapper: Mapper[Any, Any], records: Sequence[Record], report: DemoReport) -> list[Any]:
    """The records whose id is not stored yet (looked up in bulk), counted in the report."""
    ids = [r.id for r in records]
    stored: set[str] = set()
    for i in range(0, len(ids), _ID_CHUNK):
        # Inline literals, not bound parameters: PostgreSQL then hashes the list instead of comparing every row with
        # every id, which on a freshly loaded (unanalysed) table is quadratic.
        wanted: BindParameter[str] = bindparam("ids", ids[i : i + _ID_CHUNK], expanding=True, literal_execute=True)
        stored.update(session.scalars(select(mapper.row.id).where(mapper.row.id.in_(wanted))))
    fresh = [r for r in records if r.id not in stored]
    report.added[mapper.kind] = len(fresh)
    report.skipped[mapper.kind] = len(records) - len(fresh)
    return fresh


def mark(kind: str, records: Sequence[Record]) -> None:
    """Published records (told by a document) are public; synthetic ones get their kind's default marking."""
    default = default_marking(kind)
    for record in records:
        record.marking = PUBLISHED if record.provenance.kind is ProvenanceKind.DOCUMENT else default


def _refuse_twin_bulletin(session: Session, world: SeedWorld) -> None:
    """The bulletin stored under another id would make its seed records point at nothing; say so plainly."""
    doc = world.document
    other = session.scalar(
        select(t.SourceDocumentRow.id).where(t.SourceDocumentRow.sha256 == doc.sha256, t.SourceDocumentRow.id != doc.id)
    )
    if other is not None:
        raise Conflict(
            f"the seed bulletin is already stored as document {other!r}; the demo needs it as {doc.id!r}",
            field="document",
            value=other,
        )


def _insert_requests(session: Session, requests: list[AssistanceRequest], tell: Progress) -> None:
    """Tens of thousands of rows, built as the mapper builds any row, inserted by the driver's fastest way."""
    columns = [attr.key for attr in inspect(t.AssistanceRequestRow).column_attrs]
    tell("request", 0, len(requests))
    for i in range(0, len(requests), _INSERT_CHUNK):
        rows = [_row_values(mapping.REQUESTS, r, columns) for r in requests[i : i + _INSERT_CHUNK]]
        bulk_insert(session.connection(), REQUEST, rows)
        search.index_records(session.connection(), "request", requests[i : i + _INSERT_CHUNK])
        tell("request", min(i + _INSERT_CHUNK, len(requests)), len(requests))


def _row_values(mapper: Mapper[Any, Any], record: Record, columns: list[str]) -> dict[str, Any]:
    """The column values mapper.to_row would set, written onto a plain object: ORM rows cost 10x more to fill."""
    row: Any = SimpleNamespace(id=record.id, version=record.version)
    put_provenance(row, record.provenance)
    put_marking(row, record.marking)
    mapper.fill(record, row)
    return {key: getattr(row, key, None) for key in columns}


def check_catalogue(world: SeedWorld, history: SyntheticHistory) -> None:
    """UnknownReference for the first agency, drug, place or request type id the catalogue lacks."""
    catalog = load_catalog()
    known = {
        "agency": {a.id for a in catalog.agencies},
        "drug": {d.id for d in catalog.drugs},
        "place": {p.id for p in catalog.places},
        "request_type": {r.id.value for r in catalog.request_types},
    }
    by_record = {k.mapper.record: k for k in KINDS}
    small = [r for r in [*world.records(), *history.records()] if not isinstance(r, AssistanceRequest)]
    for record in small:
        kind = by_record[type(record)]
        data = encode(record)
        for path, target in kind.references:
            if target in CATALOG_TABLES:
                _known(known[target], referenced_values(data, path), target)
    # Requests are many and alike: their distinct ids are checked once.
    for name, target in (("requesting_agency", "agency"), ("executing_agency", "agency"), ("type", "request_type")):
        values = sorted({str(getattr(r, name)) for r in history.requests if getattr(r, name) is not None})
        _known(known[target], [(name, v) for v in values], target)


def _known(ids: set[str], pairs: Iterable[tuple[str, Any]], target: str) -> None:
    for where, value in pairs:
        if str(value) not in ids:
            raise UnknownReference(where, value, target.replace("_", " "))
