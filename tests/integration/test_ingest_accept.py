"""Accepting proposals on SQLite and PostgreSQL: the seed bulletin's records, provenance, and no duplicates."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from straitlink.audit import log as audit_log
from straitlink.audit.verify import verify_stored
from straitlink.codec import encode
from straitlink.domain.dates import PartialDate
from straitlink.domain.figures import SourceDocument
from straitlink.domain.seizures import Seizure
from straitlink.ingest.accept import accept, propose
from straitlink.ingest.extract import extract
from straitlink.ingest.proposals import Result, merge_across
from straitlink.ingest.readers import Opened, open_document
from straitlink.services.records import suspects_by_case, today_utc8
from straitlink.store import mapping
from straitlink.store.uow import UnitOfWork

DATA = Path(__file__).resolve().parent.parent / "data" / "ingest"
SEED = DATA / "moj-2013-cross-strait-drugs.txt"
USER = "analyst-1"


def _read(*paths: Path) -> tuple[list[Opened], list[Result]]:
    opened = [open_document(p) for p in paths]
    results = [Result(o.info, list(extract(o.info, o.chunks()))) for o in opened]
    return opened, merge_across(results)


def _accept(engine: Engine, *paths: Path) -> tuple[list[Result], Any]:
    opened, results = _read(*paths)
    with UnitOfWork(engine) as uow:
        propose(uow, results, actor=USER)
        report = accept(
            uow, [(o.info, o.text(), r.proposals) for o, r in zip(opened, results, strict=True)], actor=USER
        )
    return results, report


def _seizure_facts(uow: UnitOfWork, seizures: list[Seizure]) -> list[tuple[Any, ...]]:
    """What the demo's seed and an ingest must agree on: drug, quantities, date, place and suspects."""
    suspects = suspects_by_case(uow, [s.case for s in seizures if s.case])
    facts = []
    for s in seizures:
        data = encode(s)
        count = suspects.get(s.case, {"total": 0})["total"] if s.case else 0
        facts.append((data["drug"], str(data["quantities"]), str(data["date"]), data["place"], count))
    return sorted(facts)


def test_accepting_the_seed_bulletin_reproduces_the_demo_seed(engine: Engine) -> None:
    from straitlink.demo.seed import build_seed

    _accept(engine, SEED)
    world = build_seed()
    with UnitOfWork(engine) as uow:
        stored = uow.repo(mapping.SEIZURES).list()
        got = _seizure_facts(uow, stored)
    # The seed's records, stored in a database of their own, give the facts to compare with.
    expected = []
    for s in world.seizures:
        count = sum(1 for p in world.persons if p.case == s.case)
        data = encode(s)
        expected.append((data["drug"], str(data["quantities"]), str(data["date"]), data["place"], count))
    assert got == sorted(expected)
    with UnitOfWork(engine) as uow:
        figures = {(f.metric, f.value, f.unit.value, f.qualifier.value) for f in uow.repo(mapping.FIGURES).list()}
        meetings = {(m.kind.value, m.date, m.sequence) for m in uow.repo(mapping.MEETINGS).list()}
    # Ingestion proposes the bulletin's headline figures; the figures of its other sentences (what each case seized,
    # its suspects and personnel, the Golden Triangle's background) are the records compared above, or background.
    from straitlink.demo.bulletin import seed_id
    from straitlink.demo.seed_events import STATED

    stated = {seed_id("figure", key) for key, *_ in STATED}
    headline = {(f.metric, f.value, f.unit.value, f.qualifier.value) for f in world.figures if f.id not in stated}
    assert headline == figures
    assert {(m.kind.value, m.date, m.sequence) for m in world.meetings} == meetings


def test_records_cite_the_stored_document_by_span(engine: Engine) -> None:
    results, report = _accept(engine, SEED)
    assert report.stored["seizure"] == 7 and not report.skipped
    with UnitOfWork(engine) as uow:
        (document,) = uow.repo(mapping.DOCUMENTS).list()
        assert isinstance(document, SourceDocument)
        assert document.sha256 == results[0].document.sha256
        assert document.text == SEED.read_text(encoding="utf-8")
        for kind in (mapping.SEIZURES, mapping.CASES, mapping.MEETINGS, mapping.FIGURES, mapping.INTEL):
            for record in uow.repo(kind).list():
                p = record.provenance
                assert p.document == document.id
                assert p.span is not None and document.text[p.span[0] : p.span[1]] == p.quote


def test_ingesting_the_same_document_twice_proposes_nothing_new(engine: Engine) -> None:
    _accept(engine, SEED)
    results, report = _accept(engine, SEED)
    assert results[0].proposals == [] and results[0].known > 0
    assert report.stored == {} and report.known == 0
    with UnitOfWork(engine) as uow:
        assert uow.repo(mapping.SEIZURES).count() == 7
        assert uow.repo(mapping.DOCUMENTS).count() == 1


def test_one_event_told_by_two_outlets_in_two_scripts_is_stored_once(engine: Engine) -> None:
    results, _ = _accept(engine, SEED, DATA / "cn-news-2013-dongshan.txt")
    seed_doc, other_doc = (r.document.id for r in results)
    dongshan = next(p for p in results[0].proposals if p.kind == "seizure" and p.fields["place"] == "dongshan")
    assert {s.document for s in dongshan.also} == {other_doc}
    assert results[1].merged > 0
    with UnitOfWork(engine) as uow:
        assert uow.repo(mapping.DOCUMENTS).count() == 2
        stored = [s for s in uow.repo(mapping.SEIZURES).list() if s.place == "dongshan"]
    assert len(stored) == 1 and stored[0].provenance.document == seed_doc


def test_what_the_demo_already_holds_is_recognised(engine: Engine) -> None:
    from straitlink.demo.seed import build_seed

    with UnitOfWork(engine) as uow:
        for record in build_seed().records():
            uow.repo(mapping.BY_KIND[_kind(record)]).add(record)
        uow.commit()
    results, _ = _accept(engine, SEED)
    new = [p.kind for p in results[0].proposals]
    assert new == [], new
    with UnitOfWork(engine) as uow:
        assert uow.repo(mapping.SEIZURES).count() == 7
        assert uow.repo(mapping.DOCUMENTS).count() == 1


def _kind(record: Any) -> str:
    return next(m.kind for m in mapping.ALL if isinstance(record, m.record))


def test_a_proposal_that_cannot_be_stored_is_reported_and_the_rest_go_in(engine: Engine) -> None:
    opened, results = _read(DATA / "tw-moj-2012-stats-note.txt")
    broken = next(p for p in results[0].proposals if p.kind == "figure")
    broken.fields["period_end"] = None
    with UnitOfWork(engine) as uow:
        propose(uow, results, actor=USER)
        report = accept(uow, [(opened[0].info, opened[0].text(), results[0].proposals)], actor=USER)
    assert len(report.skipped) == 1 and "period_end" in report.skipped[0]
    assert report.stored["figure"] == 7
    with UnitOfWork(engine) as uow:
        assert uow.repo(mapping.FIGURES).count() == 7


@pytest.mark.parametrize("name", ["tw-news-2013-repatriation.txt", "cn-news-2012-fraud.txt"])
def test_arrests_and_repatriations_become_persons_of_a_case(engine: Engine, name: str) -> None:
    _accept(engine, DATA / name)
    with UnitOfWork(engine) as uow:
        persons = uow.repo(mapping.PERSONS).list()
        cases = {c.id for c in uow.repo(mapping.CASES).list()}
    assert persons and {p.case for p in persons} <= cases


def _created_entries(engine: Engine) -> list[tuple[str, str]]:
    with UnitOfWork(engine) as uow:
        found = [(e.kind, e.record_id) for e in audit_log.entries(uow, limit=100_000) if e.action == "create"]
    return found


def test_accepting_appends_one_create_entry_per_record_and_the_records_verify(engine: Engine) -> None:
    _, report = _accept(engine, SEED)
    entries = _created_entries(engine)
    assert len(entries) == len(set(entries)) == sum(report.stored.values()) + len(report.documents)
    with UnitOfWork(engine) as uow:
        stored = {(m.kind, r.id) for m in mapping.ALL for r in uow.repo(m).list()}
    assert set(entries) == stored
    assert verify_stored(engine).ok
    _accept(engine, SEED, DATA / "cn-news-2013-dongshan.txt")  # a second accept adds only what is new, audited
    assert len(_created_entries(engine)) == len(set(_created_entries(engine)))
    assert verify_stored(engine).ok


# A release and three later news reports of the same port (issue #14, item 8): the release's 甲基安非他命 and the
# news's 安非他命 are one drug (docs/ingest.md), so the second report is one more source of the stored seizure.
RELEASE = (
    "海巡署臺中查緝隊查獲甲基安非他命\n海洋委員會海巡署　發布日期：107-07-05\n\n"
    "本署臺中查緝隊於107年7月3日在臺中港查獲漁船夾藏甲基安非他命50公斤，逮捕船長等2人。\n"
)
LATER = "（中央社記者陳大文台中{day}日電）海巡署今天表示，臺中查緝隊{seized}日在臺中港查獲漁船夾藏安非他命{kg}公斤。\n"


def _report(tmp_path: Path, name: str, text: str, day: int | None = None) -> tuple[Opened, Result]:
    from straitlink.domain.dates import PartialDate

    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    opened = open_document(path)
    given = PartialDate.parse(f"2018-07-{day:02d}") if day else None
    return opened, Result(opened.info, list(extract(opened.info, opened.chunks(), date=given)))


def _accept_as_the_cli_does(engine: Engine, opened: Opened, result: Result) -> Any:
    with UnitOfWork(engine) as uow:
        propose(uow, [result], actor=USER)
        return accept(uow, [(opened.info, opened.text(), result.proposals + result.known_proposals)], actor=USER)


def _seizures(engine: Engine) -> list[dict[str, Any]]:
    with UnitOfWork(engine) as uow:
        return [encode(s) for s in uow.repo(mapping.SEIZURES).list()]


def test_a_later_report_of_a_stored_seizure_becomes_its_source(engine: Engine, tmp_path: Path) -> None:
    _accept_as_the_cli_does(engine, *_report(tmp_path, "release.txt", RELEASE))
    (stored,) = _seizures(engine)
    opened, result = _report(tmp_path, "news.txt", LATER.format(day=5, seized=3, kg=50), day=5)
    report = _accept_as_the_cli_does(engine, opened, result)
    assert result.known >= 1 and not [p for p in result.proposals if p.kind == "seizure"]
    assert report.stored.get("seizure") is None and report.cited >= 1
    assert [s["id"] for s in _seizures(engine)] == [stored["id"]]  # no second record
    with UnitOfWork(engine) as uow:
        news = uow.repo(mapping.DOCUMENTS).get(opened.info.id)
    cited = {c.record: c for c in news.cites}
    assert stored["id"] in cited and cited[stored["id"]].kind == "seizure"
    assert "安非他命50公斤" in (cited[stored["id"]].quote or "")  # the news's own words, the release's record
    span = cited[stored["id"]].span
    assert span is not None and opened.text()[span[0] : span[1]] == cited[stored["id"]].quote
    assert stored["provenance"]["document"] != opened.info.id  # the record keeps its first source
    assert verify_stored(engine).ok  # the citations are in the audited state


def test_a_conflicting_figure_is_flagged_not_stored_and_another_day_is_another_seizure(
    engine: Engine, tmp_path: Path
) -> None:
    _accept_as_the_cli_does(engine, *_report(tmp_path, "release.txt", RELEASE))
    (stored,) = _seizures(engine)
    opened, result = _report(tmp_path, "correction.txt", LATER.format(day=6, seized=3, kg=48), day=6)
    report = _accept_as_the_cli_does(engine, opened, result)
    (conflict,) = [p for p in result.proposals if p.kind == "seizure"]
    assert conflict.status == "conflict"
    assert any(note.startswith("quantities:") and stored["id"] in note for note in conflict.unresolved)
    assert report.stored.get("seizure") is None
    assert len(_seizures(engine)) == 1
    opened, result = _report(tmp_path, "later.txt", LATER.format(day=17, seized=16, kg=50), day=17)
    _accept_as_the_cli_does(engine, opened, result)
    days = sorted(s["date"]["iso"] for s in _seizures(engine))
    assert days == ["2018-07-03", "2018-07-16"]  # equal amounts on different days: two seizures


def test_citations_are_exported_with_their_document(engine: Engine, tmp_path: Path) -> None:
    from straitlink.services.transfer import export_database, parse_export

    _accept_as_the_cli_does(engine, *_report(tmp_path, "release.txt", RELEASE))
    opened, result = _report(tmp_path, "news.txt", LATER.format(day=5, seized=3, kg=50), day=5)
    _accept_as_the_cli_does(engine, opened, result)
    with UnitOfWork(engine) as uow:
        data = parse_export(export_database(uow))
    (news,) = [d for d in data["records"]["document"] if d["id"] == opened.info.id]
    assert {c["kind"] for c in news["cites"]} == {"seizure", "case"}  # the seizure, and its case stored with it


def test_a_date_read_as_after_today_is_not_stored(engine: Engine) -> None:
    """A seizure dated in a year that has not come (a misread 2099) is skipped and reported, as it is refused when
    typed in; a publication date that has not come is left off the document, which is still stored."""
    opened, results = _read(SEED)
    first = next(p for p in results[0].proposals if p.kind == "seizure")
    first.fields["date"] = PartialDate(2099, 3, 1).to_json()
    info = replace(opened[0].info, published_on=PartialDate(2099, 3, 2))
    with UnitOfWork(engine) as uow:
        propose(uow, results, actor=USER)
        report = accept(uow, [(info, opened[0].text(), results[0].proposals)], actor=USER)
    assert [s for s in report.skipped if s.startswith("seizure")] == [
        f"seizure {first.id}: date: '2099-03-01' is not valid: after today ({today_utc8().isoformat()})"
    ]
    assert any("published_on '2099-03-02' is after today" in s for s in report.skipped)
    assert report.stored["seizure"] == 6
    with UnitOfWork(engine) as uow:
        assert uow.repo(mapping.SEIZURES).count() == 6
        assert uow.repo(mapping.DOCUMENTS).get(info.id).published_on is None
    assert verify_stored(engine).ok
