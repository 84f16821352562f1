"""`straitlink ingest FILE...`: propose the records a document tells, and store them with --accept."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy import inspect

from straitlink.cli.common import User, handles_errors, out, principal, print_json, progress_bar, state
from straitlink.domain.access import Permission
from straitlink.domain.dates import PartialDate
from straitlink.domain.errors import StoreUnavailable
from straitlink.ingest.accept import Accepted, accept, propose
from straitlink.ingest.extract import extract
from straitlink.ingest.proposals import Proposal, Result, merge_across
from straitlink.ingest.readers import Opened, open_document
from straitlink.services.access import require
from straitlink.services.session import unit_of_work


def _summary(p: Proposal) -> str:
    f = p.fields
    if p.kind == "seizure":
        amounts = ", ".join(f"{q['value']} {q['unit']}" for q in f["quantities"])
        return f"{f['drug']} {amounts}"
    if p.kind == "figure":
        return f"{f['metric']} = {f['value']} {f['unit']} ({f['qualifier']})"
    if p.kind == "meeting":
        return f"{f['kind']}: {f['title']}"
    if p.kind in ("agency", "place"):
        return f"{f.get('id') or 'NEW'} {f['name']}"
    if p.kind == "vessel":
        return f"{f['name']} ({f.get('flag_state') or '?'})"
    for name in ("title", "name", "summary"):
        if f.get(name):
            return str(f[name])
    return ", ".join(f"{k}={v}" for k, v in f.items() if v not in (None, [], ""))[:60]


def _table(result: Result) -> Table:
    doc = result.document
    table = Table("kind", "what", "date", "span", "conf.", "unresolved", title=f"{doc.name}: {doc.title}")
    for p in result.proposals:
        when = p.fields.get("date") or p.fields.get("opened_on")
        shown = when["roc"] if isinstance(when, dict) else (p.fields.get("period_end") or "")
        table.add_row(
            p.kind,
            _summary(p)[:60],
            str(shown),
            f"{p.span.start}-{p.span.end}",
            f"{p.confidence:.2f}",
            "; ".join(p.unresolved)[:80],
        )
    return table


def _read(files: list[Path], date: PartialDate | None, quiet: bool) -> tuple[list[Opened], list[Result]]:
    opened = [open_document(f) for f in files]  # every file checked before anything is proposed
    results = []
    with progress_bar(not quiet and len(opened) > 1) as progress:
        for i, doc in enumerate(opened):
            proposals = list(extract(doc.info, doc.chunks(), date=date))
            results.append(Result(doc.info, proposals))
            if progress is not None:
                progress("ingesting", i + 1, len(opened))
    return opened, merge_across(results)


def register(app: typer.Typer) -> None:
    @app.command("ingest")
    @handles_errors
    def ingest(
        ctx: typer.Context,
        files: Annotated[list[Path], typer.Argument(help="Documents: .txt, .md, .html, .docx or .pdf")],
        accept_all: Annotated[bool, typer.Option("--accept", help="Store every new proposal as a record")] = False,
        date: Annotated[
            str | None, typer.Option("--date", help="The documents' date when the text does not give it")
        ] = None,
        user: User = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the proposals as JSON")] = False,
    ) -> None:
        """Propose the records each document tells, with the span each came from; --accept stores them."""
        document_date = PartialDate.parse(date, field="date") if date is not None else None
        opened, results = _read(files, document_date, as_json)
        engine = state(ctx).engine()
        if not inspect(engine).has_table("source_document"):
            raise StoreUnavailable("database: not initialised; run `straitlink init` first", field="database")
        acting = principal(ctx, user)
        require(engine, acting, Permission.INGEST, "ingest documents")
        who = acting.username
        accepted: Accepted | None = None
        with unit_of_work(engine) as uow:
            propose(uow, results, actor=who)
            if accept_all:
                texts = {doc.info.id: doc.text() for doc in opened}
                # The known proposals too: the stored document cites the records they tell of again.
                batch = [(r.document, texts[r.document.id], r.proposals + r.known_proposals) for r in results]
                accepted = accept(uow, batch, actor=who)
        if as_json:
            data: dict[str, Any] = results[0].to_json() if len(results) == 1 else {"documents": []}
            if len(results) > 1:
                data["documents"] = [r.to_json() for r in results]
            if accepted is not None:
                data["accepted"] = accepted.to_json()
            print_json(data)
            return
        for result in results:
            out.print(_table(result))
            for warning in result.document.warnings:
                out.print(f"  warning: {warning}")
            if result.known or result.merged:
                out.print(f"  {result.known} already stored, {result.merged} told by an earlier document")
        if accepted is not None:
            stored = ", ".join(f"{n} {k}" for k, n in sorted(accepted.stored.items())) or "nothing new"
            out.print(f"accepted: {stored}")
            for line in accepted.skipped:
                out.print(f"  not stored: {line}")
