"""Synthetic joint drug cases, suspects and seizures that complete the seed's to the published totals."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from straitlink.demo.allocate import apportion
from straitlink.demo.uses import PROVENANCE, FigureUse
from straitlink.domain.cases import AgencyParticipation, AgencyRole, Case, CaseKind, Person, PersonRole
from straitlink.domain.dates import PartialDate
from straitlink.domain.figures import PublishedFigure
from straitlink.domain.parties import Party
from straitlink.domain.quantity import Basis, Qualifier, Quantity, Unit
from straitlink.domain.records import Record, stable_id
from straitlink.domain.seizures import Seizure

CASES, SUSPECTS, WEIGHT = "cases.joint_drug", "suspects.total", "seizures.total_weight_kg"
# Catalogue drug ids with their relative frequency in synthetic seizures and the name used in case titles.
DRUGS = (
    ("ketamine", 45, "K他命"),
    ("methamphetamine", 20, "甲基安非他命"),
    ("heroin", 12, "海洛因"),
    ("ephedrine", 10, "麻黃素"),
    ("pseudoephedrine", 5, "假麻黃鹼"),
    ("mdma", 4, "搖頭丸"),
    ("cannabis", 4, "大麻"),
)
# Catalogue places where each side seizes, with the prosecutors office (Taiwan) or the leading agency (mainland).
TW_PLACES = (
    ("kaohsiung-port", "高雄港", "kaohsiung-district-prosecutors"),
    ("keelung-port", "基隆港", "keelung-district-prosecutors"),
    ("taichung-port", "臺中港", "taichung-district-prosecutors"),
    ("taoyuan-airport", "桃園機場", "taoyuan-district-prosecutors"),
    ("tainan", "臺南市", "tainan-district-prosecutors"),
    ("pingtung", "屏東縣", "pingtung-district-prosecutors"),
    ("penghu", "澎湖縣", "penghu-district-prosecutors"),
    ("kinmen", "金門縣", "kinmen-district-prosecutors"),
)
CN_PLACES = (
    ("xiamen", "廈門市", "fj-narcotics-corps"),
    ("quanzhou", "泉州市", "fj-narcotics-corps"),
    ("zhangzhou", "漳州市", "fj-border-corps"),
    ("fuzhou", "福州市", "fj-narcotics-corps"),
    ("shenzhen", "深圳市", "gd-narcotics"),
    ("guangzhou", "廣州市", "gd-narcotics"),
)
TW_UNITS = ("cib", "mjib", "coast-guard", "tw-customs")
CN_UNITS = ("mps-narcotics", "fj-narcotics-corps", "gd-narcotics", "fj-border-corps")


@dataclass
class DrugCaseHistory:
    """The synthetic joint drug cases with their suspects and seizures."""

    cases: list[Case] = field(default_factory=list)
    persons: list[Person] = field(default_factory=list)
    seizures: list[Seizure] = field(default_factory=list)


def seizure_mass_kg(seizure: Seizure) -> Decimal:
    """The one mass a seizure counts with: net if stated, else gross, else unstated; 0 if it states no mass."""
    masses = seizure.mass()
    for basis in (Basis.NET, Basis.GROSS, Basis.UNSTATED):
        for q in masses:
            if q.basis is basis:
                return q.to(Unit.KG).value
    return Decimal(0)


def at_least_ceiling(value: int) -> int:
    """The narrowest reading of "value餘": below value plus one unit of the digit after the last one stated."""
    zeros = len(str(value)) - len(str(value).rstrip("0"))
    return value + (10 ** (zeros - 1) if zeros else 1)


def generate_drug_cases(
    figures: Sequence[PublishedFigure],
    primary: dict[str, PublishedFigure],
    seed_records: Sequence[Record],
    rng: random.Random,
    uses: list[FigureUse],
) -> DrugCaseHistory:
    """Cases, suspects and seizures so that seed plus synthetic meet the primary source's drug totals."""
    count = primary.get(CASES)
    history = DrugCaseHistory()
    for f in figures:
        if f.metric in (CASES, SUSPECTS) and f is not primary.get(f.metric):
            uses.append(FigureUse.of(f, False, "the primary source's figure for this metric is the one honoured"))
    if count is None:
        return history
    start, end = count.period_start or date.min, count.period_end
    seed_cases = [
        r
        for r in seed_records
        if isinstance(r, Case)
        and r.kind is CaseKind.DRUGS
        and r.joint
        and r.opened_on is not None
        and r.opened_on.within(start, end)
    ]
    in_seed = {c.id for c in seed_cases}
    n_cases = int(count.value) - len(seed_cases)
    uses.append(FigureUse.of(count, n_cases >= 0, f"{max(n_cases, 0)} synthetic + {len(seed_cases)} seed cases"))
    n_cases = max(n_cases, 0)
    suspects_fig = primary.get(SUSPECTS)
    seed_suspects = sum(
        1 for r in seed_records if isinstance(r, Person) and r.case in in_seed and r.role is PersonRole.SUSPECT
    )
    n_suspects = int(suspects_fig.value) - seed_suspects if suspects_fig else 0
    if suspects_fig is not None:
        ok = n_suspects >= 0
        uses.append(FigureUse.of(suspects_fig, ok, f"{max(n_suspects, 0)} synthetic + {seed_suspects} seed suspects"))
    seed_seizures = [r for r in seed_records if isinstance(r, Seizure) and r.case in in_seed]
    total_kg, last_day = _weight_target(figures, primary.get(WEIGHT), seed_seizures, (start, end), n_cases, rng, uses)
    if n_cases == 0:
        return history
    dates = sorted(start + timedelta(rng.randint(0, (last_day - start).days)) for _ in range(n_cases))
    suspects = _spread(max(n_suspects, 0), n_cases, rng)
    for n, day in enumerate(dates, start=1):
        # Every seizure weighs at least 1 kg, so a small total caps how many drugs a case may seize.
        spare = total_kg - len(history.seizures) - (n_cases - n)
        _one_case(history, n, day, suspects[n - 1], max(1, spare), rng)
    raw = [max(1, round(1000 * rng.lognormvariate(math.log(30), 1.0))) for _ in history.seizures]
    masses = [1 + share for share in apportion(total_kg - len(raw), raw)]
    history.seizures = [_weighed(s, kg, rng) for s, kg in zip(history.seizures, masses, strict=True)]
    return history


def _weight_target(
    figures: Sequence[PublishedFigure],
    weight: PublishedFigure | None,
    seed_seizures: list[Seizure],
    period: tuple[date, date],
    n_cases: int,
    rng: random.Random,
    uses: list[FigureUse],
) -> tuple[int, date]:
    """Whole kilograms the synthetic seizures add up to, and the last day they may fall on."""
    start, end = period
    floor_min, last_day = n_cases, end  # every synthetic case seizes at least 1 kg
    seed_kg = sum((seizure_mass_kg(s) for s in seed_seizures), Decimal(0))
    if weight is None:
        return max(floor_min, 100 * n_cases), last_day
    value = int(weight.value)
    low, high = value, value + 1
    if weight.qualifier is Qualifier.AT_LEAST:
        high = at_least_ceiling(value)
    elif weight.qualifier is Qualifier.APPROX:
        low, high = math.floor(value * 0.95), math.ceil(value * 1.05)
    low_kg, high_kg = max(math.ceil(low - seed_kg), floor_min), math.ceil(high - seed_kg) - 1
    for f in figures:
        if f.metric != WEIGHT or f is weight:
            continue
        cumulative = f.period_start == start and start <= f.period_end <= end and f.direction in ("both", None)
        if not cumulative or f.qualifier is Qualifier.APPROX:
            uses.append(FigureUse.of(f, False, f"only lower bounds counted from {start} are honoured"))
            continue
        before = sum(
            (seizure_mass_kg(s) for s in seed_seizures if s.date and s.date.latest() <= f.period_end), Decimal(0)
        )
        needed = math.ceil(f.value - before)
        if needed > high_kg:
            uses.append(FigureUse.of(f, False, f"would need {needed} kg more by {f.period_end}, beyond the total"))
            continue
        low_kg, last_day = max(low_kg, needed), min(last_day, f.period_end)
        uses.append(FigureUse.of(f, True, f"lower bound met: synthetic cases fall on or before {f.period_end}"))
    ok = low_kg <= high_kg
    total = rng.randint(low_kg, high_kg) if ok else low_kg
    shown = f"{total} kg synthetic + {seed_kg} kg seed (target [{low}, {high}) kg)"
    uses.append(FigureUse.of(weight, ok, shown))
    return total, last_day


def _spread(total: int, n: int, rng: random.Random) -> list[int]:
    """total suspects over n cases: one each when there are enough, the rest at random."""
    base = 1 if total >= n else 0
    counts = [base] * n
    for i in rng.choices(range(n), k=total - base * n):
        counts[i] += 1
    return counts


def _pick_drugs(rng: random.Random, k: int) -> list[tuple[str, int, str]]:
    pool = list(DRUGS)
    picked = []
    for _ in range(k):
        choice = rng.choices(pool, weights=[w for _, w, _ in pool])[0]
        picked.append(choice)
        pool.remove(choice)
    return picked


def _one_case(history: DrugCaseHistory, n: int, day: date, suspects: int, most_drugs: int, rng: random.Random) -> None:
    tw_led = rng.random() < 0.5
    place, place_name, lead = rng.choice(TW_PLACES if tw_led else CN_PLACES)
    drugs = _pick_drugs(rng, min(most_drugs, rng.choices((1, 2, 3), weights=(70, 25, 5))[0]))
    if tw_led:
        agencies = [
            AgencyParticipation(lead, AgencyRole.DIRECTING),
            AgencyParticipation(rng.choice(TW_UNITS), AgencyRole.PARTICIPATING),
            AgencyParticipation(rng.choice(CN_UNITS), AgencyRole.PARTICIPATING),
        ]
    else:
        agencies = [
            AgencyParticipation(lead, AgencyRole.LEADING),
            AgencyParticipation(rng.choice(TW_UNITS[:3]), AgencyRole.INTEL_PROVIDER),
        ]
    case = Case(
        id=stable_id("synthetic", "case", str(n)),
        provenance=PROVENANCE,
        title=f"{place_name}{'、'.join(name for _, _, name in drugs)}走私案",
        kind=CaseKind.DRUGS,
        joint=True,
        opened_on=PartialDate(day.year, day.month, day.day),
        agencies=agencies,
        places=[place],
    )
    history.cases.append(case)
    home = Party.TW if tw_led else Party.CN
    for k in range(1, suspects + 1):
        history.persons.append(
            Person(
                id=stable_id("synthetic", "person", str(n), str(k)),
                provenance=PROVENANCE,
                case=case.id,
                role=PersonRole.SUSPECT,
                caught_in_act=rng.random() < 0.25,
                label=f"嫌犯{k}",
                nationality=home if rng.random() < 0.7 else home.other,
            )
        )
    for drug, _, _ in drugs:
        history.seizures.append(
            Seizure(
                id=stable_id("synthetic", "seizure", str(n), drug),
                provenance=PROVENANCE,
                drug=drug,
                quantities=[Quantity(Decimal(1), Unit.KG)],
                date=case.opened_on,
                place=place,
                case=case.id,
            )
        )


def _weighed(seizure: Seizure, kg: int, rng: random.Random) -> Seizure:
    """The seizure with its final mass; one in four states a gross weight beside the net one."""
    quantities = [Quantity(Decimal(kg), Unit.KG)]
    if rng.random() < 0.25:
        gross = kg + max(1, round(kg * 0.05))
        quantities = [Quantity(Decimal(kg), Unit.KG, Basis.NET), Quantity(Decimal(gross), Unit.KG, Basis.GROSS)]
    return Seizure(
        id=seizure.id,
        provenance=seizure.provenance,
        drug=seizure.drug,
        quantities=quantities,
        date=seizure.date,
        place=seizure.place,
        case=seizure.case,
    )
