"""Rows at scale for the benchmarks: requests, joint and other cases, suspects, seizures and their quantities.

Reusable by every benchmark:

    counts = generate(folder, scale=0.01)          # deterministic CSV files, one per table (cached)
    load_sql(engine, folder)                       # into a database built by the migrations (SQLite or PostgreSQL)
    load_duckdb(connection, folder)                # the same raw rows into DuckDB, for a reference

Scale 1 is 1,000,000 requests, 100,000 cases (about 250,000 persons) and 1,000,000 seizures (about 1,300,000
quantities) over the ten years 2014-2023. Requests name their requesting agency, cases one to three agencies of
either side and up to two places, and most seizures the place seized (so breakdowns by agency and place have
something to count). Rows are written and loaded with a progress bar on stderr.
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy import Engine

START = date(2014, 1, 1)
YEARS = 10
FULL = {"requests": 1_000_000, "cases": 100_000, "seizures": 1_000_000}
DRUGS = (("ketamine", 30), ("methamphetamine", 25), ("heroin", 15), ("mdma", 8), ("cannabis", 7),
         ("ephedrine", 8), ("pseudoephedrine", 4), ("cocaine", 3))  # fmt: skip
TYPES = (("document_service", 70), ("notification", 10), ("intelligence_exchange", 8), ("evidence_collection", 6),
         ("repatriation", 4), ("investigative_assistance", 2))  # fmt: skip
STATUSES = (("completed", 80), ("unable", 5), ("withdrawn", 3), ("refused", 2), ("in_execution", 6), ("assigned", 4))
CLOSED = {"completed", "unable", "withdrawn", "refused"}
KINDS = (("drugs", 60), ("fraud", 30), ("smuggling", 5), ("other", 5))
PROVENANCE = (("synthetic", 80), ("user", 20))
AGENCIES = {
    "TW": ("moj", "tw-high-prosecutors", "mjib", "cib", "coast-guard", "tw-customs", "npa"),
    "CN": ("mps", "mps-narcotics", "mps-criminal-investigation", "fj-border-corps", "gd-psd", "gz-psb"),
}
CASE_ROLES = ("directing", "leading", "participating", "participating")
PLACES = (
    "taipei",
    "kaohsiung",
    "taoyuan-airport",
    "kaohsiung-port",
    "keelung-port",
    "taichung-port",
    "kinmen",
    "xiamen",
    "fuzhou",
    "guangzhou",
    "shenzhen",
    "dongshan",
    "taiwan-strait",
    "golden-triangle",
)

# Table → columns, in the order the CSV files hold them. Booleans are 1/0, lists "[]".
COLUMNS: dict[str, tuple[str, ...]] = {
    "legal_case": ("id", "version", "prov_kind", "prov_user", "prov_generator", "title", "kind", "joint",
                   "date_earliest", "date_latest", "date_precision"),
    "case_agency": ("case_id", "position", "agency", "role"),
    "case_place": ("case_id", "position", "place"),
    "person": ("id", "version", "prov_kind", "prov_user", "prov_generator", "case_id", "role", "caught_in_act"),
    "seizure": ("id", "version", "prov_kind", "prov_user", "prov_generator", "drug", "case_id", "place",
                "containers", "date_earliest", "date_latest", "date_precision"),
    "seizure_quantity": ("seizure", "position", "value", "upper", "unit", "basis", "qualifier"),
    "assistance_request": ("id", "version", "prov_kind", "prov_user", "prov_generator", "requesting_party",
                           "requesting_agency", "type", "subject", "status", "urgency", "filed_on", "sent_on",
                           "received_on", "closed_on"),
}  # fmt: skip
BOOLEAN = {("legal_case", "joint"), ("person", "caught_in_act")}
INTEGER = {"version", "position"}
# Bumped when the generated rows change, so that a cached folder of an older layout is generated again.
LAYOUT = 2
Step = Callable[[str, int, int], None]
err = Console(stderr=True)


@dataclass(frozen=True)
class Counts:
    requests: int
    cases: int
    persons: int
    seizures: int
    quantities: int


@contextmanager
def progress_bar() -> Iterator[Step]:
    """A progress callback (stage, done, total) drawing bars on stderr."""
    columns = (TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=False) as bar:
        tasks: dict[str, Any] = {}

        def step(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield step


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([w[0] for w in weighted], weights=[w[1] for w in weighted])[0]


def _provenance(rng: random.Random) -> tuple[str, str, str]:
    kind = _pick(rng, PROVENANCE)
    return (kind, "bench" if kind == "user" else "", "bench" if kind == "synthetic" else "")


def generate(folder: Path, *, scale: float = 1.0, seed: int = 1, step: Step | None = None) -> Counts:
    """Write the CSV files into `folder` (skipped when a previous run left them for the same scale and seed)."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = folder / f"done-{scale}-{seed}-v{LAYOUT}.txt"
    if stamp.exists():
        return Counts(*map(int, stamp.read_text().split()))
    tell = step or (lambda *_: None)
    rng = random.Random(seed)
    n_requests, n_cases, n_seizures = (max(1, round(FULL[k] * scale)) for k in ("requests", "cases", "seizures"))
    days = (date(START.year + YEARS, 1, 1) - START).days
    case_days: list[date] = []
    persons = quantities = 0
    with (
        _writer(folder, "legal_case") as cases,
        _writer(folder, "person") as people,
        _writer(folder, "case_agency") as agencies,
        _writer(folder, "case_place") as places,
    ):
        for n in range(n_cases):
            when = START + timedelta(rng.randrange(days))
            case_days.append(when)
            kind = _pick(rng, KINDS)
            cases.writerow((f"c{n}", 1, *_provenance(rng), f"case {n}", kind, int(rng.random() < 0.7), when, when,
                            "day"))  # fmt: skip
            named = rng.sample(AGENCIES["TW"], 1) + rng.sample(AGENCIES["CN"], rng.choice((0, 1, 2)))
            for position, agency in enumerate(named):
                agencies.writerow((f"c{n}", position, agency, CASE_ROLES[min(position, 3)]))
            for position, place in enumerate(rng.sample(PLACES, rng.choice((0, 1, 1, 2)))):
                places.writerow((f"c{n}", position, place))
            for k in range(rng.choice((0, 1, 2, 3, 4, 5))):
                role = "suspect" if rng.random() < 0.95 else "witness"
                people.writerow((f"p{n}-{k}", 1, *_provenance(rng), f"c{n}", role, int(rng.random() < 0.25)))
                persons += 1
            if n % 10_000 == 0:
                tell("generating cases", n, n_cases)
    tell("generating cases", n_cases, n_cases)
    with _writer(folder, "seizure") as seizures, _writer(folder, "seizure_quantity") as amounts:
        for n in range(n_seizures):
            case = rng.randrange(n_cases)
            when = min(case_days[case] + timedelta(rng.randrange(30)), START + timedelta(days - 1))
            place = rng.choice(PLACES) if rng.random() < 0.9 else ""
            seizures.writerow((f"s{n}", 1, *_provenance(rng), _pick(rng, DRUGS), f"c{case}", place, "[]", when, when,
                               "day"))  # fmt: skip
            for position, row in enumerate(_quantities(rng)):
                amounts.writerow((f"s{n}", position, *row))
                quantities += 1
            if n % 50_000 == 0:
                tell("generating seizures", n, n_seizures)
    tell("generating seizures", n_seizures, n_seizures)
    with _writer(folder, "assistance_request") as requests:
        for n in range(n_requests):
            filed = START + timedelta(rng.randrange(days))
            sent = filed + timedelta(rng.randrange(3))
            received = sent + timedelta(1 + rng.randrange(6))
            status = _pick(rng, STATUSES)
            closed = received + timedelta(max(1, round(rng.lognormvariate(math.log(45), 0.7))))
            party = "TW" if rng.random() < 0.85 else "CN"
            agency = rng.choice(AGENCIES[party]) if rng.random() < 0.95 else ""
            requests.writerow((f"r{n}", 1, *_provenance(rng), party, agency, _pick(rng, TYPES), "bench", status,
                               "normal", filed, sent, received, closed if status in CLOSED else ""))  # fmt: skip
            if n % 50_000 == 0:
                tell("generating requests", n, n_requests)
    tell("generating requests", n_requests, n_requests)
    counts = Counts(n_requests, n_cases, persons, n_seizures, quantities)
    stamp.write_text(" ".join(str(v) for v in counts.__dict__.values()))
    return counts


def _quantities(rng: random.Random) -> list[tuple[Any, ...]]:
    """value, upper, unit, basis, qualifier: one mass (70 %), gross and net (20 %), or blocks and gross (10 %)."""
    kg = round(rng.lognormvariate(math.log(20), 1.2), 3)
    qualifier = "at_least" if rng.random() < 0.03 else "approx" if rng.random() < 0.02 else "exact"
    roll = rng.random()
    if roll < 0.7:
        unit, value = ("g", round(kg * 1000, 1)) if rng.random() < 0.1 else ("kg", kg)
        return [(value, "", unit, rng.choice(("unstated", "gross", "net")), qualifier)]
    if roll < 0.9:
        return [(kg, "", "kg", "gross", qualifier), (round(kg * 0.9, 3), "", "kg", "net", "exact")]
    return [(rng.randrange(1, 900), "", "block", "unstated", "exact"), (kg, "", "kg", "gross", "exact")]


@contextmanager
def _writer(folder: Path, table: str) -> Iterator[Any]:
    with (folder / f"{table}.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS[table])
        yield writer


def load_sql(engine: Engine, folder: Path, *, step: Step | None = None) -> None:
    """Load the CSV files into a database at the head revision (catalogue loaded): COPY on PostgreSQL."""
    tell = step or (lambda *_: None)
    order = ("legal_case", "case_agency", "case_place", "person", "seizure", "seizure_quantity", "assistance_request")
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for table in order:
            path = folder / f"{table}.csv"
            total = sum(1 for _ in path.open(encoding="utf-8")) - 1
            if engine.dialect.name == "postgresql":
                _copy(cursor, table, path, total, tell)
            else:
                _insert(cursor, table, path, total, tell)
            raw.commit()
        cursor.close()
    finally:
        raw.close()
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    else:
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")


def _copy(cursor: Any, table: str, path: Path, total: int, tell: Step) -> None:
    columns = ", ".join(COLUMNS[table])
    done = 0
    with (
        cursor.copy(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
        path.open("rb") as handle,
    ):
        for block in iter(lambda: handle.read(1 << 20), b""):
            copy.write(block)
            done += block.count(b"\n")
            tell(f"loading {table}", min(done, total), total)
    tell(f"loading {table}", total, total)


def _insert(cursor: Any, table: str, path: Path, total: int, tell: Step) -> None:
    names = COLUMNS[table]
    convert = [_converter(table, name) for name in names]
    statement = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"
    with path.open(encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        batch: list[tuple[Any, ...]] = []
        done = 0
        for row in reader:
            batch.append(tuple(f(v) for f, v in zip(convert, row, strict=True)))
            if len(batch) == 20_000:
                cursor.executemany(statement, batch)
                done += len(batch)
                batch.clear()
                tell(f"loading {table}", done, total)
        cursor.executemany(statement, batch)
    tell(f"loading {table}", total, total)


def _converter(table: str, name: str) -> Callable[[str], Any]:
    if (table, name) in BOOLEAN or name in INTEGER:
        return lambda v: int(v) if v else None
    if name in ("value", "upper"):
        return lambda v: float(v) if v else None
    return lambda v: v or None


DUCKDB_TYPES = {"joint": "BOOLEAN", "caught_in_act": "BOOLEAN", "version": "INTEGER", "position": "INTEGER",
                "value": "DECIMAL(20,6)", "upper": "DECIMAL(20,6)", "date_earliest": "DATE", "date_latest": "DATE",
                "filed_on": "DATE", "sent_on": "DATE", "received_on": "DATE", "closed_on": "DATE"}  # fmt: skip


def load_duckdb(connection: Any, folder: Path) -> None:
    """The same raw rows as DuckDB tables of the same names."""
    for table, names in COLUMNS.items():
        types = ", ".join(f"'{n}': '{DUCKDB_TYPES.get(n, 'VARCHAR')}'" for n in names)
        path = str(folder / f"{table}.csv").replace("'", "''")
        connection.execute(
            f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM read_csv('{path}', header = true, "
            f"columns = {{{types}}}, nullstr = '')"
        )
