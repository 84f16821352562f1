"""The extractor: a document's text in, proposals out, block by block so that any size fits in bounded memory.

For each block (normalise.blocks) it splits sentences, finds names, dates and quantities once, and lets each
reader (seizures, meetings, figures) propose what the sentence tells. What one sentence leaves for the next (the
year last written, the intel provider, a list of cross-strait cases) lives in DateContext and DocState. The same
event told twice in one document is proposed once, with the first telling's span.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from straitlink.domain.dates import PartialDate
from straitlink.domain.parties import Party
from straitlink.domain.quantity import Unit
from straitlink.ingest import english, figures, meetings, repatriations, seizures, tables
from straitlink.ingest.dates import DateContext, header_date
from straitlink.ingest.folding import Folded, to_simplified
from straitlink.ingest.gazetteer import Gazetteer, Mention, default_gazetteer
from straitlink.ingest.normalise import blocks
from straitlink.ingest.proposals import DocumentInfo, Proposal
from straitlink.ingest.sentences import CROSS, HANDOVER, REPATRIATE, DocState, Sentence, cue, split

_SELF = cue("本署|本局|本部|本处|本厅|本队|本院|本会")  # the issuing agency, naming itself
# Distinct events a document's reading remembers to fold repeated tellings into the first; past this many (a
# very long archive) repeats are proposed again rather than memory growing without bound.
_MAX_SEEN = 20_000


def script_of(sample: str) -> str | None:
    """zh-Hant when the text has characters Simplified script writes otherwise, zh-Hans when it has none."""
    cjk = "".join(ch for ch in sample if "\u4e00" <= ch <= "\u9fff")
    if len(cjk) < 4:
        return None
    changed = sum(1 for a, b in zip(cjk, to_simplified(cjk), strict=True) if a != b)
    return "zh-Hant" if changed / len(cjk) > 0.02 else "zh-Hans"


def title_of(block: Folded) -> str:
    """The first line, with a subtitle set off by dashes (─檢警強打兩岸毒品犯罪，成效顯著─) joined to it."""
    lines, pos = [], 0
    for line in block.text.split("\n"):
        if line.strip():
            lines.append((pos, pos + len(line)))
        pos += len(line) + 1
        if len(lines) == 2:
            break
    if not lines:
        return ""
    title = block.clean(*lines[0])
    if len(lines) == 2 and block.text[lines[1][0]] in "─—-–":
        title += block.clean(*lines[1])
    return title.strip("# ")[:120]


def _title_end(block: Folded) -> int:
    """Where the head of the document ends: its first lines (issuer, date, headline; at most three) up to the
    first line that ends a sentence, which is the body's."""
    end, heads, pos = 0, 0, 0
    for line in block.text.split("\n"):
        stop = pos + len(line)
        stripped = line.strip()
        if stripped:
            if stripped[-1] in "。！？!?；;" or heads == 3:
                break
            heads, end = heads + 1, stop
        pos = stop + 1
    return end


class Extractor:
    """Reads one document: feed it its blocks in order; the document's info is filled in as it reads."""

    def __init__(
        self, document: DocumentInfo, *, date: PartialDate | None = None, gazetteer: Gazetteer | None = None
    ) -> None:
        self.doc = document
        self.gazetteer = gazetteer or default_gazetteer()
        self.dates = DateContext(document=date)
        self.state = DocState()
        self.paragraph = 0
        self.started = False
        self.title_end = 0
        self.seen: dict[str, Proposal] = {}
        self.body_grams: dict[str, Decimal] = {}  # per drug, the weight the body's seizures add up to
        self.told_by_headline: dict[str, Proposal] = {}  # by a key without the date (_loose_key)
        # A headline's proposals wait for the end of the first block: the body may replace them (a fuller
        # telling) or withdraw them (a forum the other side did not attend is no meeting of the mechanism).
        self.deferred: list[Proposal] = []
        self.denied_meetings: set[str] = set()

    def _start(self, block: Folded) -> None:
        self.started = True
        if self.doc.language is None:
            self.doc.language = script_of(block.original[:4000])
        if self.doc.party is None and self.doc.language is not None:
            self.doc.party = Party.TW if self.doc.language == "zh-Hant" else Party.CN
        self.state.party = self.doc.party
        # The date the user gives first: a mirror page's head may carry the date it was copied, not published.
        found = header_date(block.text) if self.dates.document is None else None
        if found is not None:
            self.dates = DateContext(document=found)
        self.doc.published_on = self.dates.document
        title = title_of(block)
        self.doc.title = self.doc.title or title
        self.title_end = _title_end(block)
        issuers = [m for m in self.gazetteer.find(block.text, 0, self.title_end) if m.kind == "agency"]
        self.state.issuer = issuers[0] if issuers else None
        self.state.doc_joint = bool(
            CROSS.search(block.text, 0, self.title_end) or "联手" in block.text[: self.title_end]
        )

    def feed(self, block: Folded) -> Iterator[Proposal]:
        if not block.text.strip():
            return
        if not self.started:
            self._start(block)
        found_tables = tables.find(block)
        for sentence, paragraph in split(block, self.gazetteer, self.dates, self.paragraph):
            self.paragraph = paragraph
            table = next((t for t in found_tables if t.start <= sentence.start < t.end), None) if found_tables else None
            if table is not None:
                if not table.emitted:
                    # A caption whose lines the table took in: 「（統計至111年3月底）」 dates its cells.
                    self.state.as_of = (
                        figures.cutoff_in(block.text[table.start : table.end]) or self.state.as_of
                    )  # a table's cells are read as one table, not as sentences
                    table.emitted = True
                    yield from self._deliver(tables.read(table, block, self.state, self.dates.document), False)
                continue
            yield from self._sentence(sentence)
        self.doc.year = self.dates.year
        if self.deferred:
            deferred, self.deferred = self.deferred, []
            dropped = {
                p.fields["case"] for p in deferred if p.kind == "repatriation" and repatriations.retold(p, self.state)
            }
            dropped |= {p.fields["case"] for p in deferred if p.kind == "seizure" and self._summed(p)}
            for p in deferred:
                if p.weak and p.kind == "meeting" and p.fields["kind"] in self.denied_meetings:
                    continue
                if p.id in dropped or (p.kind in ("repatriation", "seizure") and p.fields["case"] in dropped):
                    continue  # a headline's sum of what the body tells (「本月兩批共14人」, 「查獲…逾百公斤」)
                yield p

    def _summed(self, headline: Proposal) -> bool:
        """Whether a headline's undated seizure sums the body's seizures of its drug (80 kg and 35.6 kg told,
        「逾百公斤」 in the headline): no seizure of its own."""
        f = headline.fields
        grams = _grams(f["quantities"][0]) if f["quantities"] else None
        body = self.body_grams.get(f["drug"])
        if f["date"] is not None or grams is None or body is None:
            return False
        return grams == body or (f["quantities"][0]["qualifier"] != "exact" and grams <= body)

    def _sentence(self, s: Sentence) -> Iterator[Proposal]:
        self.state.begin(s)
        if self.state.issuer is not None and s.has(_SELF):
            s.mentions = sorted([*s.mentions, *self._self_mentions(s)], key=lambda m: m.start)
        year = self.dates.year
        found: list[Proposal] = []
        # A sentence of totals counts persons; it does not tell of an arrest or a repatriation.
        totals = bool(s.quantities or figures.has_zero(s)) and figures.has_period(s, self.state)
        try:
            if s.quantities or s.has(HANDOVER) or seizures.tells_more(s, self.state):
                found = seizures.read(s, self.gazetteer, self.state, year, totals=totals)
            if meetings.mentioned(s):
                found += meetings.read(s, self.gazetteer, year, self.denied_meetings)
            if totals:
                found += figures.read(s, self.state, self.dates.document, _used_quantities(s, found))
            if s.quantities and any(q.unit is Unit.DOSE for q in s.quantities):
                seized = [p for p in found if p.kind == "seizure"]
                if not seized and self.state.last_told is not None:
                    seized = self.state.last_told[1]
                found += figures.doses(s, seized)
            # The cheap test first: few sentences hold a repatriation word at all.
            if not totals and s.has(REPATRIATE) and not any(p.kind in ("seizure", "arrest") for p in found):
                found += repatriations.read(s, self.gazetteer, self.state, year)
        finally:
            self.state.end(s, had_events=bool(found) and any(p.kind in ("seizure", "arrest", "case") for p in found))
        found += self._mentions(s)
        figures.note_cutoff(s, self.state)
        yield from self._deliver(found, s.block.base == 0 and s.start < self.title_end)

    def _deliver(self, found: list[Proposal], headline: bool) -> Iterator[Proposal]:
        """The proposals not told before in this document; a headline's telling gives way to the body's."""
        for proposal in found:
            proposal.document = self.doc.id
            proposal.weak = headline
            earlier = self.seen.get(proposal.key)
            if earlier is None and not headline and self.told_by_headline:
                told = self.told_by_headline.pop(_loose_key(proposal), None)
                if told is not None and told.weak:
                    # The headline told it without a date (or a seizure to anchor its intel): the body's
                    # telling is the record, under the body's key, which references to it already use.
                    told.replace_with(proposal)
                    told.key = proposal.key
                    self.seen[proposal.key] = told
                    continue
            if headline and earlier is None:
                loose = _loose_key(proposal)
                told = self.told_by_headline.get(loose)
                if told is not None and told.weak:
                    # Told twice in the head (a page's <title> and its <h1>): one event, the fuller telling.
                    told.replace_with(proposal)
                    told.key = proposal.key
                    self.seen[proposal.key] = told
                    continue
                self.told_by_headline[loose] = proposal
            if earlier is not None:
                if earlier.weak and not headline:
                    earlier.replace_with(proposal)  # a headline is a summary; the body's telling is the record
                else:
                    earlier.absorb(proposal)
                continue
            if len(self.seen) < _MAX_SEEN:
                self.seen[proposal.key] = proposal
            if proposal.kind == "seizure" and not headline and proposal.fields["quantities"]:
                grams = _grams(proposal.fields["quantities"][0])
                if grams is not None and len(self.body_grams) < 100:
                    drug = proposal.fields["drug"]
                    self.body_grams[drug] = self.body_grams.get(drug, Decimal(0)) + grams
            if headline:
                self.deferred.append(proposal)
                continue
            yield proposal

    def _self_mentions(self, s: Sentence) -> list[Mention]:
        """「本署檢察官指揮」 in a release of 屏東地檢署 names 屏東地檢署."""
        issuer = self.state.issuer
        assert issuer is not None
        taken = [(m.start, m.end) for m in s.mentions]
        return [
            Mention("agency", issuer.id, m.start(), m.end(), issuer.party, issuer.parent)
            for m in s.find(_SELF)
            if not any(a < m.end() and m.start() < b for a, b in taken)
        ]

    def _mentions(self, s: Sentence) -> list[Proposal]:
        """Agencies, places and vessels the sentence names, each proposed once per document."""
        out = []
        for m in s.mentions:
            if m.kind == "drug" or f"{m.kind}|{m.id}" in self.seen:
                continue  # named before in this document: its first mention is its span
            fields: dict[str, Any] = {"id": m.id, "name": s.clean(m.start, m.end), "new": False}
            fields["party"] = m.party.value if m.party else None
            out.append(Proposal(m.kind, f"{m.kind}|{m.id}", fields, s.span(m.start, m.end), 0.95))
        for n in s.new_agencies:
            if f"agency|new|{n.name}" in self.seen:
                continue
            fields = {"id": None, "name": s.clean(n.start, n.end), "new": True, "kind": n.kind.value}
            fields["party"] = n.party.value if n.party else None
            unresolved = ["id: not in the catalogue; proposed as a new catalogue entry"]
            if n.party is None:
                unresolved.append("party: the name does not say which side")
            out.append(Proposal("agency", f"agency|new|{n.name}", fields, s.span(n.start, n.end), 0.6, unresolved))
        for v in s.vessels:
            if f"vessel|{v.name}" in self.seen:
                continue
            fields = {
                "name": s.clean(*v.name_at),
                "flag_state": s.clean(*v.flag_at) if v.flag_at else None,
                "kind": s.clean(*v.kind_at) if v.kind_at else None,
            }
            out.append(Proposal("vessel", f"vessel|{v.name}", fields, s.span(v.start, v.end), 0.85))
        return out


_DATE_PART = re.compile(r"\|[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _loose_key(p: Proposal) -> str:
    """What a headline's telling shares with the body's: the key without its date, an intel's provider side."""
    if p.kind == "intel":
        return f"intel|{p.fields.get('provider_party')}"
    if p.kind == "meeting":
        return f"meeting|{p.fields['kind']}"  # a headline names the meeting its body tells, often without its number
    return _DATE_PART.sub("", p.key)


def _used_quantities(s: Sentence, found: list[Proposal]) -> set[int]:
    """Offsets of quantities a seizure, an arrest or an operation already stands on."""
    used: set[int] = set()
    holders = [p for p in found if p.kind in ("seizure", "arrest", "operation")]
    if not holders:
        return used  # nothing stands on a quantity: no spans to map back to the original
    spans = [s.block.span(q.start, q.end) for q in s.quantities]
    for p in holders:
        for q, (a, b) in zip(s.quantities, spans, strict=True):
            if p.span.start <= a and b <= p.span.end:
                used.add(q.start)
    if any(p.kind == "seizure" for p in found):
        _, _, suspect_quantities = seizures.suspects(s)
        used |= {q.start for q in suspect_quantities}
    return used


def extract(
    document: DocumentInfo,
    chunks: Iterable[str],
    *,
    date: PartialDate | None = None,
    gazetteer: Gazetteer | None = None,
) -> Iterator[Proposal]:
    """Every proposal the document's text gives, in order; the text may come in chunks of any size. English
    is read by its own reader; a text in another language gets a warning naming it and no proposal."""
    head, rest = _sample(chunks)
    language = english.language_of(head)
    if language == "en":
        yield from english.extract(document, rest, date=date)
        return
    if language is not None:
        document.language = language
        name = english.NOT_READ.get(language, "neither Chinese nor English")
        document.warnings.append(f"language: the text is in {name} ({language}); only Chinese and English are read")
        return
    extractor = Extractor(document, date=date, gazetteer=gazetteer)
    for block in blocks(rest):
        yield from extractor.feed(block)


def _sample(chunks: Iterable[str], size: int = 4000) -> tuple[str, Iterator[str]]:
    """The text's first characters (at least `size` when it has them), and every chunk, those read included."""
    iterator = iter(chunks)
    taken: list[str] = []
    length = 0
    while length < size:
        chunk = next(iterator, None)
        if chunk is None:
            break
        taken.append(chunk)
        length += len(chunk)
    return "".join(taken)[:size], itertools.chain(taken, iterator)


_TO_GRAMS = {"kg": Decimal(1000), "t": Decimal(1_000_000), "g": Decimal(1)}


def _grams(quantity: dict[str, str]) -> Decimal | None:
    """A quantity's weight in grams, None for a count (blocks, tablets)."""
    factor = _TO_GRAMS.get(quantity["unit"])
    return Decimal(quantity["value"]) * factor if factor is not None else None
