"""Wording a Bulletin in one language: a Document of sections, paragraphs, tables and charts, ready to render.

Each sentence is a phrase (phrases.py) whose fields are filled from the bulletin's statistics and records;
the renderers (Markdown, HTML, DOCX, PDF) lay the same Document out and add no words or numbers of their own.
"""

from __future__ import annotations

from typing import Any

from straitlink.catalog import load_catalog
from straitlink.domain.cases import AgencyRole
from straitlink.domain.meetings import Meeting
from straitlink.domain.parties import Party
from straitlink.domain.quantity import Total, Unit
from straitlink.stats.bulletin.annex import AnnexWriter
from straitlink.stats.bulletin.charts import requests_chart, seizures_chart, words_year
from straitlink.stats.bulletin.document import (
    Block,
    ChartBlock,
    Document,
    Items,
    Paragraph,
    Section,
    TableBlock,
)
from straitlink.stats.bulletin.model import Bulletin
from straitlink.stats.bulletin.phrases import EN, ZH_TW
from straitlink.stats.bulletin.terms import Words
from straitlink.stats.listing import CaseDigest, IntelDigest, SeizureDigest
from straitlink.stats.model import AGREEMENT_IN_FORCE, BASES, Statistics

# The renderers take the Document's blocks from here.
__all__ = ["Block", "ChartBlock", "Document", "Items", "Paragraph", "Section", "TableBlock", "compose"]


class _Writer(AnnexWriter):
    def items(self, texts: list[str]) -> Items:
        """A numbered list; English items start with a capital even when they start with a date."""
        return Items(tuple(t if self.w.chinese else t[:1].upper() + t[1:] for t in texts))

    def __init__(self, bulletin: Bulletin, lang: str) -> None:
        self.b = bulletin
        self.w = Words(lang, load_catalog())
        self.sep = "，" if self.w.chinese else ", "
        self.stop = "。" if self.w.chinese else "."

    def say(self, key: str, **fields: Any) -> str:
        if self.w.lang == "en":
            return EN[key].format(**fields)
        template = ZH_TW[key] if self.w.lang == "zh-TW" else self.w.to_zh_cn(ZH_TW[key])
        return template.format(**fields)

    def total(self, t: Total) -> str:
        return self.w.total(t)

    def names(self, ids: list[str]) -> str:
        return self.w.join([self.w.agency(a) for a in ids])

    def the(self, name: str) -> str:
        """An agency named in running English takes the article: "the Ministry of Justice held…"."""
        return name if self.w.chinese or name.startswith("the ") else f"the {name}"

    def subjects(self, ids: list[str]) -> str:
        """Agencies as the subject or object of a sentence: each with its article in English."""
        return self.w.join([self.the(self.w.agency(a)) for a in ids])

    # --- sections --------------------------------------------------------------------------------------------

    def document(self) -> Document:
        p = self.b.period
        sections = [
            self.headline(),
            self.current(),
            self.cases(),
            self.intel(),
            self.meetings(),
            self.table(),
            self.charts(),
            self.annex(),
            self.notes(),
        ]
        subtitle = self.say("subtitle", start=self.w.date(p.start), end=self.w.date(p.end))
        return Document(self.w.lang, self.say("title"), subtitle, tuple(sections))

    def _requests(self, s: Statistics) -> dict[str, str]:
        r = s.requests
        rate = r.both.completion_rate
        return {
            "total": self.w.count(r.both.total),
            "tw": self.w.count(r.directions["tw_to_cn"].total),
            "cn": self.w.count(r.directions["cn_to_tw"].total),
            "completed": self.w.count(r.both.completed),
            "rate": self.w.number(rate) if rate is not None else "—",
        }

    def _drugs(self, s: Statistics) -> dict[str, str]:
        return {
            "cases": self.w.count(s.cases.joint_drug),
            "suspects": self.w.count(s.suspects.total),
            "caught": self.w.count(s.suspects.caught_in_act),
            "weight": self.total(s.seizures.total_weight_kg),
            "drugs": self.total(s.seizures.drugs_weight_kg),
            "precursors": self.total(s.seizures.precursors_weight_kg),
        }

    def headline(self) -> Section:
        h, end = self.b.headline, self.w.date(self.b.period.end)
        blocks = [Paragraph(self.say("headline_requests", agreement=self.w.date(AGREEMENT_IN_FORCE), end=end,
                                     **self._requests(h)))]  # fmt: skip
        days = h.requests.both.processing_days
        if days.median is not None and days.p90 is not None:
            median, p90 = self.w.number(days.median), self.w.number(days.p90)
            blocks.append(Paragraph(self.say("headline_processing", median=median, p90=p90)))
        blocks.append(Paragraph(self.say("headline_drugs", **self._drugs(h))))
        return Section(self.say("s_headline"), tuple(blocks))

    def current(self) -> Section:
        c, p = self.b.current, self.b.period
        span = {"start": self.w.date(p.start), "end": self.w.date(p.end)}
        blocks = [Paragraph(self.say("period_requests", **span, **self._requests(c)))]
        blocks.append(Paragraph(self.say("period_drugs", **self._drugs(c))))
        if c.operations.joint:
            personnel = self.total(c.operations.personnel)
            blocks.append(Paragraph(self.say("period_operations", operations=self.w.count(c.operations.joint),
                                             personnel=personnel)))  # fmt: skip
        i = c.intel
        blocks.append(Paragraph(self.say("period_intel", handovers=self.w.count(i.handovers),
                                         tw=self.w.count(i.by_direction["tw_to_cn"]),
                                         cn=self.w.count(i.by_direction["cn_to_tw"]))))  # fmt: skip
        m = c.meetings
        blocks.append(Paragraph(self.say("period_meetings", meetings=self.w.count(m.total),
                                         cross=self.w.count(m.cross_strait))))  # fmt: skip
        return Section(self.say("s_period"), tuple(blocks))

    def seized(self, s: SeizureDigest, *, when: str | None = None) -> str:
        """One seizure: 海洛因600塊（毛重229公斤） / 600 blocks of heroin (229 kg gross)."""
        counts = [self.w.quantity(q) for q in s.quantities if q.dimension.value != "mass"]
        masses = [self.w.quantity(q) for q in s.quantities if q.dimension.value == "mass"]
        lead, rest = (counts, masses) if counts else (masses[:1], masses[1:])
        drug = self.w.drug(s.drug)
        if self.w.chinese:
            text = drug + "、".join(lead) + (f"（{'、'.join(rest)}）" if rest else "")
            date = self.w.date(s.date) if s.date is not None else None
            return text + (f"（{date}）" if date and date != when else "")
        text = f"{', '.join(lead)} of {drug}" + (f" ({', '.join(rest)})" if rest else "")
        date = self.w.date(s.date) if s.date is not None else None
        return text + (f" ({date})" if date and date != when else "")

    def _places(self, ids: list[str]) -> str:
        return self.w.join([self.w.place(p) for p in dict.fromkeys(ids)])

    def case(self, c: CaseDigest) -> str:
        w, when = self.w, self.w.date(c.date)
        mine = {a: w.agency_party(a) for a in (x.agency for x in c.agencies)}
        directing = c.agencies_in(AgencyRole.DIRECTING)
        tw = [a for a in c.agencies_in(AgencyRole.PARTICIPATING) if mine[a] is not Party.CN]
        lead = [a for a in c.agencies_in(AgencyRole.LEADING) if mine[a] is Party.CN]
        cn = [a for a in c.agencies_in(AgencyRole.PARTICIPATING, AgencyRole.LEADING) if mine[a] is Party.CN]
        cn = [a for a in cn if a not in lead] or ([] if lead else cn)
        pieces = [when]
        if w.chinese:  # English leaves free text stored only in Chinese to the Chinese editions
            pieces.append(self.say("case_title", title=w.text(_inner_quotes(c.title))))
        if directing:
            pieces.append(self.say("case_directed", directing=self.names(directing), agencies=self.names(tw)))
        elif tw:
            pieces.append(self.names(tw))
        if lead and cn:
            pieces.append(self.say("case_with", lead=self.names(lead), agencies=self.names(cn)))
        elif cn or lead:
            pieces.append(self.say("case_with_plain", agencies=self.names(cn or lead)))
        if c.seizures:
            seized = w.join([self.seized(s, when=when) for s in c.seizures])
            if c.places:
                pieces.append(self.say("case_seized", place=self._places(list(c.places)), seized=seized))
            else:
                pieces.append(self.say("case_seized_noplace", seized=seized))
        if c.suspects:
            caught = self.say("case_caught", caught=w.count(c.caught_in_act)) if c.caught_in_act else ""
            pieces.append(self.say("case_suspects", suspects=w.count(c.suspects)) + caught)
        sentences = [self.sep.join(pieces) + self.stop]
        for op in c.operations:
            op_when, name = w.date(op.date), w.text(_inner_quotes(op.name))
            if op.personnel is not None:
                party = w.party(op.personnel_party) if op.personnel_party else ""
                sentences.append(self.say("case_operation", name=name, when=op_when, party=party,
                                          personnel=w.quantity(op.personnel)))  # fmt: skip
            elif w.chinese:
                sentences.append(self.say("case_operation_plain", name=name, when=op_when))
        for s in c.seizures:
            if s.doses is not None and s.mass is not None:
                doses = Total(s.doses.doses, Unit.DOSE, s.doses.qualifier, s.doses.upper, frozenset(), 1)
                sentences.append(self.say("case_doses", drug=w.drug(s.drug), weight=w.quantity(s.mass),
                                          doses=w.total(doses), factor=w.number(s.doses.factor_g)))  # fmt: skip
        return ("" if w.chinese else " ").join(sentences)

    def cases(self) -> Section:
        items = [self.case(c) for c in self.b.cases]
        blocks: list[Block] = [self.items(items)] if items else [Paragraph(self.say("no_cases"))]
        if self.b.cases_left_out:
            more, shown = self.w.count(self.b.cases_left_out), self.w.count(len(self.b.cases))
            blocks.append(Paragraph(self.say("cases_left_out", more=more, shown=shown)))
        return Section(self.say("s_cases"), tuple(blocks))

    def handover(self, i: IntelDigest) -> str:
        w = self.w
        when = w.date(i.date)
        provider = self.the(w.agency(i.provider_agency)) if i.provider_agency else w.party(i.provider_party)
        recipient = w.party(i.recipient_party)
        if not i.seizures:
            summary = w.text(i.summary) if w.chinese else ""
            return self.say("intel_plain", date=when, provider=provider, recipient=recipient, summary=summary)
        places = [s.place for s in i.seizures if s.place]
        where = self.say("intel_where", place=self._places(places)) if places else ""
        seized = w.join([self.seized(s, when=when) for s in i.seizures])
        found = self.say("intel_found", where=where, seized=seized)
        if i.suspects:
            found += self.say("intel_suspects", suspects=w.count(i.suspects))
        return self.say("intel_led", date=when, provider=provider, recipient=recipient, found=found)

    def intel(self) -> Section:
        items = [self.handover(i) for i in self.b.intel]
        blocks: list[Block] = [self.items(items)] if items else [Paragraph(self.say("no_intel"))]
        for key, o in self.b.current.intel.by_provider.items():
            if o.weight_by_drug:
                weights = self.w.join([self._drug_weight(d, t) for d, t in sorted(o.weight_by_drug.items())])
                phrase = "intel_summary_suspects" if o.suspects else "intel_summary"
                blocks.append(Paragraph(self.say(phrase, provider=self.the(self.w.provider(key)),
                                                 handovers=self.w.count(o.handovers), weights=weights,
                                                 suspects=self.w.count(o.suspects))))  # fmt: skip
        return Section(self.say("s_intel"), tuple(blocks))

    def _drug_weight(self, drug: str, t: Total) -> str:
        """K他命624公斤 / 624 kg of ketamine."""
        return f"{self.w.drug(drug)}{self.total(t)}" if self.w.chinese else f"{self.total(t)} of {self.w.drug(drug)}"

    def meeting(self, m: Meeting) -> str:
        w = self.w
        kind = f"kind_{m.kind.value}" + ("_plain" if m.kind.value == "liaison_coordination" and not m.sequence else "")
        places = self.say("meeting_where", places=self._places(m.places)) if m.places else ""
        who = self.say("meeting_who", participants=self.subjects(m.participants)) if m.participants else ""
        decided = ""
        if m.decisions and w.chinese:
            decided = self.say("meeting_decided", decisions="；".join(map(w.text, m.decisions)))
        elif m.decisions:
            decided = self.say("meeting_decided", decisions=w.count(len(m.decisions)))
        return self.say("meeting", date=w.date(m.date), host=self.the(w.agency(m.host)) if m.host else "",
                        kind=self.say(kind, sequence=m.sequence), title=w.text(_inner_quotes(m.title)), where=places,
                        who=who,
                        decided=decided)  # fmt: skip

    def meetings(self) -> Section:
        items = [self.meeting(m) for m in self.b.meetings]
        return Section(self.say("s_meetings"), (self.items(items),) if items else (Paragraph(self.say("no_meetings")),))

    def table(self) -> Section:
        s, w = self.b.current.seizures, self.w
        columns = tuple(self.say(f"col_{c}") for c in ("drug", "category", "seizures", "gross", "net", "unstated",
                                                        "counts", "weight", "doses"))  # fmt: skip
        rows = []
        for drug, d in sorted(s.by_drug.items(), key=lambda i: (i[1].category != "drug", w.drug(i[0]))):
            counts = w.join([w.total(t) for _, t in sorted(d.counts.items())]) or "—"
            doses = "—"
            if d.doses is not None:
                doses = w.total(Total(d.doses.doses, Unit.DOSE, d.doses.qualifier, d.doses.upper, frozenset(), 1))
            bases = [w.total(t) if t.count else "—" for t in (d.by_basis[b] for b in BASES)]
            gross, net, unstated = bases[0], bases[1], bases[2]
            rows.append((w.drug(drug), self.say(f"category_{d.category}"), w.count(d.count), gross, net, unstated,
                         counts, w.total(d.weight_kg), doses))  # fmt: skip
        for key, t in (("row_drugs", s.drugs_weight_kg), ("row_precursors", s.precursors_weight_kg),
                       ("row_all", s.total_weight_kg)):  # fmt: skip
            rows.append((self.say(key), "", w.count(t.count), "", "", "", "", w.total(t), ""))
        return Section(self.say("s_table"), (TableBlock(None, columns, tuple(rows), "seizures"),))

    def charts(self) -> Section:
        labels = {k: self.say(k) for k in ("tw_to_cn", "cn_to_tw", "axis_requests", "axis_kg", "axis_year")}
        yearly = self.b.yearly
        requests = requests_chart(yearly, self.w, self.say("chart_requests"), labels)
        seizures = seizures_chart(yearly, self.w, self.say("chart_seizures"), labels)
        assert yearly.breakdown is not None
        rows = yearly.breakdown.rows
        req_data = TableBlock(requests.title, (labels["axis_year"], labels["tw_to_cn"], labels["cn_to_tw"]), tuple(
            (words_year(self.w, r.key), self.w.count((r.requests or {}).get("tw_to_cn", 0)),
             self.w.count((r.requests or {}).get("cn_to_tw", 0))) for r in rows))  # fmt: skip
        drugs = sorted({d for r in rows for d in (r.weight_by_drug or {})})
        seize_data = TableBlock(seizures.title, (labels["axis_year"], *(self.w.drug(d) for d in drugs)), tuple(
            (words_year(self.w, r.key), *(self.total((r.weight_by_drug or {})[d]) if d in (r.weight_by_drug or {})
                                           else "—" for d in drugs)) for r in rows))  # fmt: skip
        return Section(self.say("s_charts"), (ChartBlock(requests, req_data), ChartBlock(seizures, seize_data)))

    def notes(self) -> Section:
        notes = [self.say("note_weight")]
        if any(d.doses for d in self.b.current.seizures.by_drug.values()):
            notes.append(self.say("note_doses"))
        notes.append(self.say("note_source"))
        if self.b.synthetic_records:
            notes.append(self.say("note_synthetic"))
        return Section(self.say("s_notes"), (Items(tuple(notes)),))


def _inner_quotes(title: str) -> str:
    """「」 inside a title that the bulletin itself puts in 「」 become 『』."""
    return title.replace("「", "『").replace("」", "』")


def compose(bulletin: Bulletin, lang: str) -> Document:
    """The bulletin worded in zh-TW, zh-CN or en."""
    return _Writer(bulletin, lang).document()
