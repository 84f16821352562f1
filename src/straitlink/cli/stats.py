"""`straitlink stats|reconcile|bulletin`: effectiveness statistics, reconciliation and bulletins."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from straitlink.cli.common import NoSynthetic, allow, err, handles_errors, out, print_json, state
from straitlink.domain.access import Permission
from straitlink.domain.dates import PartialDate
from straitlink.domain.errors import InvalidValue, MissingField
from straitlink.domain.quantity import canonical
from straitlink.services.records import today_utc8
from straitlink.services.session import unit_of_work
from straitlink.stats import rollup_check
from straitlink.stats.explain import explain_figure
from straitlink.stats.export import FORMATS, write_tables
from straitlink.stats.model import DIMENSIONS, report_period
from straitlink.stats.reconcile import Reconciliation, reconcile
from straitlink.stats.service import compute_statistics
from straitlink.stats.tables import StatTable, statistics_tables, table_named

FROM_HELP = "Period start, ISO or ROC (98-06-25, 102年1月1日); default the Agreement's start, 2009-06-25"
TO_HELP = "Period end, ISO or ROC (102-11-30, 102年11月30日); a month or year means its last day; default today"
EXPLAIN_ROWS = 50
ROLLUPS_DIFFER_EXIT = 1  # the rollups are not what the raw rows add up to (bad input exits 2, like every command)


def rich_table(table: StatTable) -> Table:
    shown = Table(*table.columns, title=table.title)
    for row in table.rows:
        shown.add_row(*("" if c is None else canonical(c) if not isinstance(c, str | int) else str(c) for c in row))
    return shown


def register(app: typer.Typer) -> None:
    @app.command("stats")
    @handles_errors
    def stats(
        ctx: typer.Context,
        start: Annotated[str | None, typer.Option("--from", help=FROM_HELP)] = None,
        end: Annotated[str | None, typer.Option("--to", help=TO_HELP)] = None,
        by: Annotated[str | None, typer.Option(help=f"Break down by: {'|'.join(DIMENSIONS)}")] = None,
        no_synthetic: NoSynthetic = False,
        explain: Annotated[
            str | None, typer.Option("--explain", metavar="FIGURE", help="List the records behind one figure")
        ] = None,
        limit: Annotated[int | None, typer.Option(help="With --explain: list at most this many records")] = None,
        fmt: Annotated[str | None, typer.Option("--format", help="Export: csv (one table) or xlsx (all)")] = None,
        table: Annotated[str, typer.Option(help="With --format csv: the table to export")] = "figures",
        output: Annotated[Path | None, typer.Option("--output", "-o", help="File to export to")] = None,
        as_json: Annotated[
            bool, typer.Option("--json", help="The statistics JSON document (docs/statistics.md)")
        ] = False,
        verify_rollups: Annotated[
            bool, typer.Option("--verify-rollups", help="Recount the rollups from the raw rows; exit 1 on a difference")
        ] = False,
    ) -> None:
        """Effectiveness statistics for a period: requests, joint cases, suspects, seizures, intel, meetings."""
        reader = allow(ctx, Permission.STATS_READ, "read statistics")
        if verify_rollups:
            with unit_of_work(state(ctx).engine()) as uow:
                _print_rollup_check(rollup_check.verify_rollups(uow), as_json)
            return
        low, high = report_period(start, end, today_utc8())
        with unit_of_work(state(ctx).engine()) as uow:
            if explain is not None:
                shown = limit if limit is not None else (None if as_json else EXPLAIN_ROWS)
                result = explain_figure(
                    uow, explain, start=low, end=high, exclude_synthetic=no_synthetic, limit=shown, reader=reader
                )
                _print_explanation(result.to_json(), as_json)
                return
            figures = compute_statistics(uow, start=low, end=high, by=by, exclude_synthetic=no_synthetic)
        if fmt is not None:
            if fmt not in FORMATS:
                raise InvalidValue("format", fmt, f"expected one of {', '.join(FORMATS)}")
            if output is None:
                raise MissingField("output", f"is required with --format {fmt}: give -o FILE")
            chosen = [table_named(figures, table)] if fmt == "csv" else statistics_tables(figures)
            write_tables(chosen, output, fmt)
            out.print(f"wrote {output}")
            return
        if as_json:
            print_json(figures.to_json())
            return
        out.print(f"period {low.isoformat()} … {high.isoformat()}" + (" (synthetic records left out)" * no_synthetic))
        for t in statistics_tables(figures):
            if t.name != "figures" and t.rows:
                out.print(rich_table(t))
        s = figures
        out.print(
            f"joint drug cases {s.cases.joint_drug} (joint cases {s.cases.joint}), suspects {s.suspects.total} "
            f"(caught in the act {s.suspects.caught_in_act}), operations {s.operations.joint}, "
            f"meetings {s.meetings.total}"
        )

    @app.command("reconcile")
    @handles_errors
    def reconcile_(
        ctx: typer.Context,
        start: Annotated[str | None, typer.Option("--from", help="Only figures whose period ends on or after")] = None,
        end: Annotated[str | None, typer.Option("--to", help="Only figures whose period ends on or before")] = None,
        no_synthetic: NoSynthetic = False,
        as_json: Annotated[bool, typer.Option("--json", help="JSON instead of tables")] = False,
    ) -> None:
        """Each published figure beside the computed one: match, within the qualifier, discrepancy, not computable."""
        allow(ctx, Permission.STATS_READ, "reconcile published figures")
        low = PartialDate.parse(start, field="from").earliest() if start else None
        high = PartialDate.parse(end, field="to").latest() if end else None
        with unit_of_work(state(ctx).engine()) as uow:
            result = reconcile(uow, start=low, end=high, exclude_synthetic=no_synthetic)
        if as_json:
            print_json(result.to_json())
        else:
            _print_reconciliation(result)

    @app.command("bulletin")
    @handles_errors
    def bulletin(
        ctx: typer.Context,
        start: Annotated[str | None, typer.Option("--from", help=FROM_HELP)] = None,
        end: Annotated[str | None, typer.Option("--to", help=TO_HELP)] = None,
        lang: Annotated[str, typer.Option("--lang", help="zh-TW, zh-CN or en")] = "zh-TW",
        fmt: Annotated[str, typer.Option("--format", help="md, html, docx or pdf")] = "md",
        output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write")] = None,
        no_synthetic: NoSynthetic = False,
    ) -> None:
        """An effectiveness bulletin in the Ministry's style, every number from the statistics service."""
        allow(ctx, Permission.BULLETINS_PRODUCE, "produce bulletins")
        from straitlink.stats.bulletin import write_bulletin

        low, high = report_period(start, end, today_utc8())
        if output is None:
            raise InvalidValue("output", None, "-o FILE is required")
        with unit_of_work(state(ctx).engine()) as uow:
            write_bulletin(uow, start=low, end=high, lang=lang, fmt=fmt, path=output, exclude_synthetic=no_synthetic)
        out.print(f"wrote {output}")


def _print_rollup_check(check: rollup_check.RollupCheck, as_json: bool) -> None:
    if as_json:
        print_json(check.to_json())
    elif check.ok:
        out.print(f"rollups match the raw rows ({sum(check.rows.values())} rows in {len(check.rows)} tables)")
    else:
        table = Table("rollup", "key", "stored", "recounted", title="rollups that differ from the raw rows")
        for d in check.differences[:EXPLAIN_ROWS]:
            key = ", ".join(f"{k}={v}" for k, v in d.key.items())
            table.add_row(d.table, key, str(d.stored), str(d.recounted))
        out.print(table)
        err.print(f"[red]rollups differ:[/red] {len(check.differences)} keys", markup=True, highlight=False)
    if not check.ok:
        raise typer.Exit(ROLLUPS_DIFFER_EXIT)


def _print_explanation(data: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(data)
        return
    figure = data["figure"]
    shown = f"{figure['value']} {figure['unit']} ({figure['qualifier']})" if figure else "(no such figure this period)"
    counts = ", ".join(f"{n} {kind}" for kind, n in data["counts"].items())
    out.print(f"{data['key']} = {shown}, from {counts}")
    table = Table("kind", "id", "date", "record", "provenance", "source", title=f"records behind {data['key']}")
    for r in data["records"]:
        p = r["provenance"]
        where = p.get("quote") or p.get("generator") or p.get("user") or p.get("peer_message") or ""
        source = (r["source"] or {}).get("title") or ""
        date_text = (r["date"] or {}).get("roc") or (r["date"] or {}).get("iso") or ""
        table.add_row(r["kind"], r["id"][:8], date_text, r["summary"], f"{p['kind']}: {where}"[:80], source)
    out.print(table)
    listed = len(data["records"])
    total = sum(data["counts"].values()) - data["hidden"]
    if listed < total:
        out.print(f"… {total - listed} more; --limit N or --json lists them")
    if data["hidden"]:
        out.print(f"{data['hidden']} more are above your clearance or outside your agency's cases")


def _print_reconciliation(result: Reconciliation) -> None:
    table = Table("verdict", "metric", "period", "dir", "published", "computed", "diff", "source", "why")
    for row in result.rows:
        j = row.to_json()
        pub = j["published"]
        published = f"{_mark(pub['qualifier'])}{pub['value']} {pub['unit']}"
        computed = j["computed"]
        shown = f"{_mark(computed['qualifier'])}{computed['value']} {computed['unit']}" if computed else ""
        period_text = f"{j['period']['start']}…{j['period']['end']}"
        source = row.source.get("publisher") or row.source.get("title") or row.source["id"]
        table.add_row(
            row.verdict.value, row.figure.metric, period_text, row.figure.direction or "", published, shown,
            j["difference"] or "", str(source)[:30], row.reason,
        )  # fmt: skip
    out.print(table)
    out.print(", ".join(f"{n} {verdict}" for verdict, n in result.counts().items()))
    if result.contradictions:
        contra = Table("metric", "dir", "figures side by side", "why", title="Published figures that contradict")
        for c in result.contradictions:
            sides = "\n".join(
                f"{_mark(str(f.qualifier))}{canonical(f.value)} {f.unit} to {f.period_end.isoformat()} — "
                f"{s.get('publisher') or s.get('title')} {s.get('url') or ''}"
                for f, s in zip(c.figures, c.sources, strict=True)
            )
            contra.add_row(c.metric, c.direction or "", sides, c.reason)
        out.print(contra)


def _mark(qualifier: str) -> str:
    return {"at_least": "≥", "approx": "≈", "range": "~"}.get(qualifier, "")
