"""The bulletin's annex: every published figure beside the figure computed for it, in the bulletin's own words.

Metric names come from the language's term table, sources by the outlet's published name, periods as the source
states them; one statement published by several sources is one row naming them all.
"""

from __future__ import annotations

import re
from typing import Any

from straitlink.domain.dates import Part, PartialDate
from straitlink.domain.errors import InvalidValue
from straitlink.domain.quantity import Unit
from straitlink.stats.bulletin.document import Block, Paragraph, Section, TableBlock
from straitlink.stats.bulletin.model import Bulletin
from straitlink.stats.bulletin.terms import Words
from straitlink.stats.reconcile import Reconciled, Verdict


class AnnexWriter:
    """Words the annex; mixed into the bulletin's writer, which gives it the words, the bulletin and its phrases."""

    w: Words
    b: Bulletin

    def say(self, key: str, **fields: Any) -> str:
        raise NotImplementedError

    def annex(self) -> Section:
        rec = self.b.reconciliation
        if not rec.rows:
            return Section(self.say("s_annex"), (Paragraph(self.say("annex_none")),), "annex")
        # One statement published by several sources (the Ministry's bulletin and its Japanese edition) is one row,
        # naming every source: the reader sees one figure with one verdict.
        merged: dict[tuple[str, ...], list[str]] = {}
        verdicts: dict[tuple[str, ...], str] = {}
        for r in rec.rows:
            row = self.reconciled(r)
            merged.setdefault(row[:-1], [])
            verdicts[row[:-1]] = str(r.verdict)
            if row[-1] not in merged[row[:-1]]:
                merged[row[:-1]].append(row[-1])
        n = {str(v): 0 for v in Verdict}
        for verdict in verdicts.values():
            n[verdict] += 1
        blocks: list[Block] = [
            Paragraph(self.say("annex_intro")),
            Paragraph(self.say("annex_counts", match=n["match"], within=n["within_qualifier"],
                               discrepancy=n["discrepancy"], not_computable=n["not_computable"])),
        ]  # fmt: skip
        columns = tuple(self.say(f"col_{c}") for c in ("metric", "period", "direction", "published", "computed",
                                                        "difference", "verdict", "source"))  # fmt: skip
        sep = "；" if self.w.chinese else "; "
        rows = tuple((*row, sep.join(sorted(srcs, key=lambda s: (s.isascii(), s)))) for row, srcs in merged.items())
        blocks.append(TableBlock(None, columns, rows, "annex"))
        if rec.contradictions:
            contradictions = []
            for c in rec.contradictions:
                sep, side = ("；", "{}（{}，{}）") if self.w.chinese else ("; ", "{} ({}, {})")
                sides = sep.join(side.format(self.published(f), self.w.date(f.period_end), self._source(s))
                                 for f, s in zip(c.figures, c.sources, strict=True))  # fmt: skip
                contradictions.append((self._metric(c.figures[0]), sides, self.say(f"contradiction_{c.code}")))
            cols = (self.say("col_metric"), self.say("col_published"), self.say("col_reason"))
            blocks.append(TableBlock(self.say("s_contradictions"), cols, tuple(contradictions), "contradictions"))
        return Section(self.say("s_annex"), tuple(blocks), "annex")

    def _metric(self, f: Any) -> str:
        """The metric in the bulletin's own vocabulary; a key it has no name for falls back to the source's words."""
        named = self.w.metric(f.metric)
        if named is not None:
            return named.name
        if self.w.chinese:
            return self.w.text(f.label)
        return re.sub(r"\s*\[[^]]*\]", "", f.label_en or "") or f.metric

    def _source(self, s: dict[str, Any]) -> str:
        return self.w.source(str(s.get("publisher") or s.get("title") or s.get("id")))

    def _unit_word(self, f: Any) -> str | None:
        named = self.w.metric(f.metric)
        return named.unit if named is not None else None

    def published(self, f: Any) -> str:
        unit = f.unit if isinstance(f.unit, Unit) else Unit(f.unit)
        return self.w.amount(f.value, f.qualifier, None, unit, word=self._unit_word(f))

    def _period(self, period: tuple[Any, Any]) -> str:
        """A period as a source states it: 102年, 102年5月底, 102年8月7日, or from one day to another."""
        stated = _as_stated(*period)
        if stated is not None:
            return self.w.date(stated)
        return self.w.date(period[0]) + self.say("period_to") + self.w.date(period[1])

    def reconciled(self, r: Reconciled) -> tuple[str, ...]:
        w, f = self.w, r.figure
        period = self._period(r.period)
        direction = self.say(f"dir_{f.direction}") if f.direction in ("tw_to_cn", "cn_to_tw", "both") else "—"
        computed = difference = "—"
        if r.computed is not None:
            c = r.computed
            # A computed count is shown in the published figure's unit (234人 beside 234人, not 234件).
            unit = {"count": f.unit, "kg": Unit.KG, "dose": Unit.DOSE, "person": Unit.PERSON}.get(c.unit)
            unit = unit or (Unit(c.unit) if c.unit in {u.value for u in Unit} else None)
            word = self._unit_word(f) or ("%" if c.unit == "percent" else None)
            computed = w.amount(c.value, c.qualifier, c.upper, unit or Unit.ITEM, word=word) if (
                unit or word) else w.number(c.value)  # fmt: skip
        if r.difference is not None and r.difference != 0:
            difference = ("+" if r.difference > 0 else "−") + w.number(abs(r.difference))
        verdict = self.say(f"verdict_{r.verdict.value}")
        if r.code.endswith("_held") or r.code in ("direction_unstated", "units_differ"):
            verdict += f"（{self.say('reason_' + r.code)}）" if w.chinese else f" ({self.say('reason_' + r.code)})"
        return (self._metric(f), period, direction, self.published(f), computed, difference, verdict,
                self._source(r.source))  # fmt: skip


def _as_stated(start: Any, end: Any) -> PartialDate | None:
    """The one year, month, part of a month or day that spans exactly start..end, if there is one."""
    candidates = [PartialDate(start.year)]
    if start.month == end.month and start.year == end.year:
        candidates += [PartialDate(start.year, start.month), PartialDate(start.year, start.month, start.day)]
        # 「5月底」 before 「5月下旬」: the same days, but the Ministry writes the former.
        parts = sorted((p for p in Part if _month_part(p)), key=lambda p: p is not Part.END)
        candidates += [PartialDate(start.year, start.month, part=p) for p in parts]
    return next((c for c in candidates if (c.earliest(), c.latest()) == (start, end)), None)


def _month_part(part: Part) -> bool:
    try:
        PartialDate(2013, 5, part=part)
    except InvalidValue:
        return False
    return True
