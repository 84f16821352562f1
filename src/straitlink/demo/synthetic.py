"""A deterministic synthetic history generated from the published figures it is told to honour.

The primary source's figures (the seed bulletin's) come first and define the history's window; other figures
are honoured where they fit inside it without contradicting what is already honoured. The policy is written up
in docs/demo-data.md.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from straitlink.demo.allocate import Infeasible, Interval, allocate, apportion, nest
from straitlink.demo.synthetic_drugs import DrugCaseHistory, generate_drug_cases
from straitlink.demo.texts import CASE_SUMMARY, EXECUTION_NEEDS, GENERIC, PURPOSE, pick
from straitlink.demo.uses import GENERATOR, PROVENANCE, FigureUse, checked
from straitlink.domain.errors import MissingField
from straitlink.domain.figures import PublishedFigure
from straitlink.domain.parties import Party
from straitlink.domain.quantity import Qualifier
from straitlink.domain.records import Record, stable_id
from straitlink.domain.reference import RequestType
from straitlink.domain.requests import AssistanceRequest, RequestStatus, Urgency

__all__ = ["DEFAULT_SEED", "GENERATOR", "PROVENANCE", "FigureUse", "SyntheticHistory", "generate"]

DEFAULT_SEED = 20090625  # the day the Agreement took effect
# Requests are filed on working days; the rate grows gently over the years (relative to the window's start).
WEEKEND_WEIGHT = 0.05
GROWTH_PER_YEAR = 0.25
# Days from receipt to closing: a log-normal around these medians, by kind of assistance.
MEDIAN_DAYS = {
    RequestType.NOTIFICATION: 10,
    RequestType.INTELLIGENCE_EXCHANGE: 30,
    RequestType.DOCUMENT_SERVICE: 60,
    RequestType.EVIDENCE_COLLECTION: 120,
    RequestType.REPATRIATION: 150,
    RequestType.SENTENCED_PERSON_TRANSFER: 200,
}
LONGEST_DAYS = 540
COMPLETION_RATE = 0.85  # used only when no completed-by-type table is honoured
NOT_COMPLETED = ((RequestStatus.UNABLE, 6), (RequestStatus.WITHDRAWN, 3), (RequestStatus.REFUSED, 1))
# Catalogue agency ids by (kind, requesting party): who asks, who executes. A None agency is left unstated.
AGENCIES: dict[tuple[RequestType, Party], tuple[tuple[str | None, ...], tuple[str | None, ...]]] = {
    (RequestType.DOCUMENT_SERVICE, Party.TW): (
        (
            "judicial-yuan",
            "taipei-district-prosecutors",
            "new-taipei-district-prosecutors",
            "taichung-district-prosecutors",
            "kaohsiung-district-prosecutors",
            "taoyuan-district-prosecutors",
        ),
        ("spc-taiwan-office",),
    ),
    (RequestType.DOCUMENT_SERVICE, Party.CN): (("spc-taiwan-office", "spp"), ("moj", "judicial-yuan")),
    (RequestType.EVIDENCE_COLLECTION, Party.TW): (
        ("taipei-district-prosecutors", "kaohsiung-district-prosecutors", "mjib", "cib"),
        ("mps", "spp"),
    ),
    (RequestType.EVIDENCE_COLLECTION, Party.CN): (("spp", "mps"), ("moj", "tw-high-prosecutors")),
    (RequestType.REPATRIATION, Party.TW): (("cib", "mjib", "coast-guard"), ("mps",)),
    (RequestType.REPATRIATION, Party.CN): (("mps",), ("cib",)),
    (RequestType.INTELLIGENCE_EXCHANGE, Party.TW): (
        ("cib", "mjib", "coast-guard"),
        ("mps-criminal-investigation", "mps-narcotics"),
    ),
    (RequestType.INTELLIGENCE_EXCHANGE, Party.CN): (
        ("mps-criminal-investigation", "mps-narcotics"),
        ("cib", "mjib", "coast-guard"),
    ),
    (RequestType.NOTIFICATION, Party.TW): (("moj",), ("mps",)),
    (RequestType.NOTIFICATION, Party.CN): (("mps",), ("moj",)),
    # The catalogue has no mainland 司法部 (prisons); 公安部, which hands persons over across the Strait, stands in
    # as the executing agency the workflow's assign step needs.
    (RequestType.SENTENCED_PERSON_TRANSFER, Party.TW): (("moj",), ("mps",)),
    (RequestType.SENTENCED_PERSON_TRANSFER, Party.CN): ((None,), ("moj",)),
}
SUBJECTS: dict[RequestType, tuple[tuple[str, str], ...]] = {
    RequestType.DOCUMENT_SERVICE: (
        ("送達起訴書", "送达起诉书"),
        ("送達判決書", "送达判决书"),
        ("送達傳票", "送达传票"),
        ("送達民事裁定", "送达民事裁定"),
    ),
    RequestType.EVIDENCE_COLLECTION: (
        ("調取帳戶資料", "调取账户资料"),
        ("詢問證人", "询问证人"),
        ("調取通聯紀錄", "调取通话记录"),
    ),
    RequestType.REPATRIATION: (("緝捕遣返通緝犯", "缉捕遣返通缉犯"),),
    RequestType.INTELLIGENCE_EXCHANGE: (("詐騙集團情資", "诈骗集团情报"), ("毒品走私情資", "毒品走私情报")),
    RequestType.NOTIFICATION: (
        ("人身自由受限制通報", "人身自由受限制通报"),
        ("非病死通報", "非病死通报"),
        ("重要訊息通報", "重要讯息通报"),
    ),
    RequestType.SENTENCED_PERSON_TRANSFER: (("接返受刑人", "接返受刑人"),),
}


@dataclass
class SyntheticHistory:
    """The generated records and the account of which figures they honour."""

    requests: list[AssistanceRequest]
    drugs: DrugCaseHistory
    uses: list[FigureUse] = field(default_factory=list)

    @property
    def honoured(self) -> list[FigureUse]:
        """The figures the history honours."""
        return [u for u in self.uses if u.honoured]

    @property
    def not_honoured(self) -> list[FigureUse]:
        """The figures it leaves as published, each with the reason."""
        return [u for u in self.uses if not u.honoured]

    def records(self) -> list[Record]:
        """Every generated record, each kind after the kinds it refers to."""
        return [*self.drugs.cases, *self.drugs.persons, *self.drugs.seizures, *self.requests]


def generate(
    figures: Sequence[PublishedFigure],
    *,
    primary_source: str,
    seed_records: Sequence[Record] = (),
    seed: int = DEFAULT_SEED,
) -> SyntheticHistory:
    """The history over the primary source's requests.total period, honouring the figures it can."""
    primary: dict[str, PublishedFigure] = {}
    for f in figures:
        if f.source == primary_source:
            primary.setdefault(f.metric, f)
    total = primary.get("requests.total")
    if total is None or total.period_start is None:
        raise MissingField("figures", f"{primary_source} states no requests.total over a whole period")
    window = (total.period_start, total.period_end)
    uses: list[FigureUse] = []
    requests = _Requests(figures, total, window, random.Random(f"{seed}:requests"), uses).build()
    drugs = generate_drug_cases(figures, primary, seed_records, random.Random(f"{seed}:drugs"), uses)
    return SyntheticHistory(requests, drugs, uses)


def _day_weight(start: date) -> Callable[[date], float]:
    def weight(day: date) -> float:
        """Relative chance that a request is filed on this day."""
        trend = 1 + GROWTH_PER_YEAR * (day - start).days / 365.25
        return trend * (WEEKEND_WEIGHT if day.weekday() >= 5 else 1.0)

    return weight


class _Requests:
    """Assistance requests: how many on each day, of which kind and direction, and how far each got."""

    def __init__(
        self,
        figures: Sequence[PublishedFigure],
        total: PublishedFigure,
        window: tuple[date, date],
        rng: random.Random,
        uses: list[FigureUse],
    ) -> None:
        self.figures, self.total, self.window, self.rng, self.uses = figures, total, window, rng, uses
        self.done: int | None = None  # requests completed in the honoured table's period, once it is honoured

    def build(self) -> list[AssistanceRequest]:
        """Every request of the history, in filing order."""
        filed = self._filed_dates()
        table, table_period = self._table()
        cells = [
            (RequestType(f.metric.rsplit(".", 1)[1]), Party.TW if f.direction == "tw_to_cn" else Party.CN)
            for f in table
        ] or [(t, p) for t in SUBJECTS for p in Party]
        weights = [int(f.value) for f in table] or [1] * len(cells)
        inside = [i for i, d in enumerate(filed) if table_period and table_period[0] <= d <= table_period[1]]
        outside = [i for i, d in enumerate(filed) if not (table_period and table_period[0] <= d <= table_period[1])]
        cell_of: list[int] = [0] * len(filed)
        for group in (inside, outside):
            labels = [c for c, n in enumerate(apportion(len(group), weights)) for _ in range(n)]
            self.rng.shuffle(labels)
            for i, label in zip(group, labels, strict=True):
                cell_of[i] = label
        requests = self._requests(filed, [cells[k] for k in cell_of], table, table_period, inside, cell_of)
        self._check_completed_bounds(table_period)
        return requests

    def _filed_dates(self) -> list[date]:
        start, end = self.window
        root = Interval(start, end, int(self.total.value), self.total.id)
        self.uses.append(FigureUse.of(self.total, True, "primary figure: every synthetic request is filed in it"))
        accepted: list[Interval] = []
        bounds: list[PublishedFigure] = []
        others = [f for f in self.figures if f.metric == "requests.total" and f is not self.total]
        for f in sorted(others, key=lambda f: (f.source != self.total.source, f.period_end, f.id)):
            if f.direction not in ("both", None):
                self.uses.append(FigureUse.of(f, False, "only totals of both directions are honoured"))
            elif f.period_start is None or f.period_start < start or f.period_end > end:
                self.uses.append(FigureUse.of(f, False, f"its period is not inside the history {start}…{end}"))
            elif f.qualifier is not Qualifier.EXACT:
                bounds.append(f)
            else:
                interval = Interval(f.period_start, f.period_end, int(f.value), f.id)
                try:
                    nest(root, [*accepted, interval])
                except Infeasible as why:
                    self.uses.append(FigureUse.of(f, False, f"contradicts honoured figures: {why}"))
                    continue
                accepted.append(interval)
                self.uses.append(FigureUse.of(f, True, "count in its period met exactly"))
        per_day = allocate(nest(root, accepted), _day_weight(start), self.rng)
        filed = [d for d in sorted(per_day) for _ in range(per_day[d])]
        for f in bounds:
            assert f.period_start is not None
            count = sum(1 for d in filed if f.period_start <= d <= f.period_end)
            self.uses.append(checked(f, count))
        return filed

    def _table(self) -> tuple[list[PublishedFigure], tuple[date, date] | None]:
        """The one completed-by-type table honoured: the primary source's if any, else the earliest that fits."""
        kinds = {t.value for t in RequestType}
        cells = [
            f
            for f in self.figures
            if f.metric.startswith("requests.completed.")
            and f.metric.rsplit(".", 1)[1] in kinds
            and f.direction in ("tw_to_cn", "cn_to_tw")
        ]
        groups: dict[tuple[str, date | None, date], list[PublishedFigure]] = {}
        for f in cells:
            groups.setdefault((f.source, f.period_start, f.period_end), []).append(f)
        start, end = self.window
        chosen: list[PublishedFigure] = []
        for key in sorted(groups, key=lambda k: (k[0] != self.total.source, k[2], k[0])):
            group = groups[key]
            fits = key[1] is not None and start <= key[1] and key[2] <= end
            if not fits:
                reason = f"its period is not inside the history {start}…{end}"
            elif not all(f.qualifier is Qualifier.EXACT for f in group):
                reason = "not every cell is an exact count"
            elif chosen:
                reason = "another completed-by-type table is honoured"
            else:
                reason = ""
            if reason:
                self.uses += [FigureUse.of(f, False, reason) for f in group]
            else:
                chosen = group
        if not chosen:
            return [], None
        assert chosen[0].period_start is not None
        return chosen, (chosen[0].period_start, chosen[0].period_end)

    def _requests(
        self,
        filed: list[date],
        cells: list[tuple[RequestType, Party]],
        table: list[PublishedFigure],
        period: tuple[date, date] | None,
        inside: list[int],
        cell_of: list[int],
    ) -> list[AssistanceRequest]:
        rng, as_of = self.rng, self.window[1]
        sent = [d + timedelta(rng.randint(0, 2)) for d in filed]
        received = [d + timedelta(rng.randint(1, 6)) for d in sent]
        closed = [r + timedelta(_days_to_close(rng, c[0])) for r, c in zip(received, cells, strict=True)]
        completed: list[bool | None] = [None] * len(filed)  # None: decided at random below
        rate = COMPLETION_RATE
        if table and period is not None:
            rate = self._honour_table(table, period, inside, cell_of, received, closed, completed)
        out: list[AssistanceRequest] = []
        serial: dict[tuple[Party, int], int] = {}
        for n, (day, (rtype, party)) in enumerate(zip(filed, cells, strict=True)):
            done = completed[n] if completed[n] is not None else rng.random() < rate
            status = RequestStatus.COMPLETED if done else _weighted(rng, NOT_COMPLETED)
            got: date | None = received[n]
            shut: date | None = closed[n]
            went: date | None = sent[n]
            if closed[n] > as_of:  # the most recent requests are still being worked on
                shut = None
                status = rng.choice((RequestStatus.ASSIGNED, RequestStatus.IN_EXECUTION))
                if received[n] > as_of:
                    got, status = None, RequestStatus.SENT
                if sent[n] > as_of:
                    went, status = None, RequestStatus.FILED
            key = (party, day.year)
            serial[key] = serial.get(key, 0) + 1
            asking, doing = AGENCIES.get((rtype, party), ((None,), (None,)))
            hant, hans = rng.choice(SUBJECTS.get(rtype, (("請求", "请求"),)))
            # Drawn in the order the generator has always drawn them, so that the same seed gives the same history.
            urgency = Urgency.URGENT if rng.random() < 0.05 else Urgency.NORMAL
            asker = rng.choice(asking)
            executing = rng.choice(doing)
            # Only the workflow's assign step names the executing agency, and a refusal here comes before it.
            if status in (RequestStatus.FILED, RequestStatus.SENT, RequestStatus.REFUSED):
                executing = None
            subject = pick((hant, hans), party)
            out.append(
                AssistanceRequest(
                    id=stable_id("synthetic", "request", str(n + 1)),
                    provenance=PROVENANCE,
                    requesting_party=party,
                    type=rtype,
                    subject=subject,
                    status=status,
                    urgency=urgency,
                    requesting_agency=asker,
                    executing_agency=executing,
                    # Art. 13¶2: what every request states, so that each one could have been filed as it stands.
                    purpose=pick(PURPOSE.get(rtype, GENERIC), party),
                    matters=subject,
                    case_summary=pick(CASE_SUMMARY, party),
                    execution_needs=pick(EXECUTION_NEEDS.get(rtype, GENERIC), party),
                    requesting_ref=f"{party.value}{day.year}-{serial[key]:05d}",
                    requested_ref=f"{party.other.value}-R-{party.value}{day.year}-{serial[key]:05d}" if got else None,
                    filed_on=day,
                    sent_on=went,
                    received_on=got,
                    closed_on=shut,
                )
            )
        return out

    def _honour_table(
        self,
        table: list[PublishedFigure],
        period: tuple[date, date],
        inside: list[int],
        cell_of: list[int],
        received: list[date],
        closed: list[date],
        completed: list[bool | None],
    ) -> float:
        """Make exactly each cell's count complete by the table's end; the completion rate it implies."""
        rng, end = self.rng, period[1]
        done, closable_total, failures = 0, 0, []
        for cell, figure in enumerate(table):
            wanted = int(figure.value)
            members = [i for i in inside if cell_of[i] == cell]
            closable = [i for i in members if closed[i] <= end]
            for i in (i for i in members if closed[i] > end and received[i] <= end):
                if len(closable) >= wanted:
                    break
                closed[i] = received[i] + timedelta(rng.randint(0, (end - received[i]).days))
                closable.append(i)
            if len(closable) < wanted:
                failures.append(figure)
                continue
            chosen = set(rng.sample(closable, wanted))
            for i in closable:
                if i in chosen:
                    completed[i] = True
                elif rng.random() < 0.5:  # still in progress at the table's end, completed later
                    closed[i], completed[i] = end + timedelta(rng.randint(1, 120)), True
                else:
                    completed[i] = False
            done, closable_total = done + wanted, closable_total + len(closable)
        for f in table:
            how = "too few requests could close in time" if f in failures else "completed count met exactly"
            self.uses.append(FigureUse.of(f, f not in failures, how))
        self.done = None if failures else done
        return done / closable_total if closable_total else COMPLETION_RATE

    def _check_completed_bounds(self, period: tuple[date, date] | None) -> None:
        """All-types completed totals are checked against the honoured table's period, the one period known."""
        for f in self.figures:
            if f.metric != "requests.completed":
                continue
            if self.done is None or period is None:
                self.uses.append(FigureUse.of(f, False, "no completed-by-type table is honoured"))
            elif (f.period_start, f.period_end) != period or f.direction not in ("both", None):
                self.uses.append(FigureUse.of(f, False, "not the period of the honoured completed-by-type table"))
            else:
                self.uses.append(checked(f, self.done))


def _days_to_close(rng: random.Random, kind: RequestType) -> int:
    """Weeks to months after receipt: log-normal around the kind's median, within LONGEST_DAYS."""
    return min(LONGEST_DAYS, max(3, round(rng.lognormvariate(math.log(MEDIAN_DAYS.get(kind, 60)), 0.6))))


def _weighted(rng: random.Random, options: tuple[tuple[RequestStatus, int], ...]) -> RequestStatus:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]
