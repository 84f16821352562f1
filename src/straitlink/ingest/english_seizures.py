"""Seizures in English reports (CNA/Focus Taiwan, Taipei Times, Xinhua, China Daily): a quantity of a drug the
catalogue names, in a sentence that seizes, with its date, place, suspects, its case and the intelligence told
beside it.

"seized 512 kilograms of methamphetamine ... off Penghu County on Nov. 3", "found 36kg of heroin and 120kg of
ketamine", "12,000 ecstasy tablets", "another 7 kg of the drug" (the drug last seized). The date nearest the
quantity dates it, passing over a dispatch's dateline and the day something was said ("said Friday"); relative
words (last month) count from the dispatch's date. The place is the one the seizure happened in (after "in",
"at", "off"), not where the drugs came from ("shipped from Hong Kong"). Words are data
(vocabulary/english_seizures.yaml); drug and place names come from the catalogue.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from straitlink.domain.dates import PartialDate
from straitlink.domain.parties import Party
from straitlink.domain.quantity import Qualifier, Quantity, Unit
from straitlink.ingest.english_dates import DATE, DATELINE, relative, resolve
from straitlink.ingest.gazetteer import Gazetteer, default_gazetteer
from straitlink.ingest.proposals import Proposal, Span
from straitlink.ingest.vocabulary import load

_UNITS = {"kg": Unit.KG, "t": Unit.T, "g": Unit.G, "tablet": Unit.TABLET, "packet": Unit.PACKET}
_GRAMS = {Unit.KG: 1000, Unit.T: 1_000_000, Unit.G: 1}
_PLACE_SUFFIXES = (" City", " County", " Province", " (Matsu)", " Islands", " International Airport")
_NOT_PLACES = {"tw", "cn"}  # the parties: "Taiwan police" names a side, not where something was seized
_OF = re.compile(r"\s+of\s+", re.IGNORECASE)
_LOCATED = re.compile(r"(?:\b(?:from|to|via|for|into|toward|towards)\s+(?:the\s+)?)$", re.IGNORECASE)


def _span(text: str, a: int, b: int) -> Span:
    """The sentence text[a:b] without the spaces around it, as a span quoting the original exactly."""
    a += len(text[a:b]) - len(text[a:b].lstrip())
    b -= len(text[a:b]) - len(text[a:b].rstrip())
    return Span(a, b, text[a:b])


def _words(words: Iterable[str]) -> str:
    return "|".join(sorted({re.escape(w.lower()) for w in words}, key=len, reverse=True))


def _pattern(words: Iterable[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])(?:" + _words(words) + r")(?![\w-])", re.IGNORECASE)


@dataclass(frozen=True)
class _Vocabulary:
    quantity: re.Pattern[str]
    numbers: dict[str, int]
    units: dict[str, Unit]
    drug: re.Pattern[str]
    drugs: dict[str, str]
    same_drug: re.Pattern[str]
    describing: re.Pattern[str]
    seize: re.Pattern[str]
    said: re.Pattern[str]
    arrest: re.Pattern[str]
    persons: re.Pattern[str]
    leader: re.Pattern[str]
    joint: re.Pattern[str]
    intel: re.Pattern[str]
    given: re.Pattern[str]
    received: re.Pattern[str]
    parties: dict[str, Party]
    party: str
    directing: re.Pattern[str]
    place: re.Pattern[str]
    places: dict[str, str]
    agency: re.Pattern[str]
    agencies: dict[str, str]
    qualifiers: dict[str, Qualifier]
    qualifier: re.Pattern[str]


@functools.cache
def _vocabulary(gazetteer: Gazetteer) -> _Vocabulary:
    data = load("english_seizures.yaml")
    common = load("english.yaml")
    numbers = {str(k).lower(): int(v) for k, v in common["numbers"].items() if k not in ("a", "an")}
    units = {w.lower(): _UNITS[u] for u, words in data["units"].items() for w in words}
    number = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?|" + _words(numbers)
    # "512 kilograms", "36kg", "12,000 ecstasy tablets" (up to two words between a count and its unit).
    quantity = re.compile(
        rf"(?<![\w$.,])(?P<n>{number})(?:\s+(?P<mult>million|thousand))?\s*(?P<words>(?:[A-Za-z-]+\s+){{0,2}}?)"
        rf"(?P<unit>{_words(units)})(?![\w-])",
        re.IGNORECASE,
    )
    catalog = gazetteer.catalog
    drugs: dict[str, str] = {}
    for d in catalog.drugs:
        for name in (d.name_en, *d.aliases):
            if name.isascii() and len(name) > 3:  # "ice", "coke": common English words, never a drug alone
                drugs.setdefault(name.lower(), d.id)
    for drug_id, names in data["drugs"].items():
        for name in names:
            drugs[name.lower()] = drug_id
    places: dict[str, str] = {}
    for p in catalog.places:
        if p.id in _NOT_PLACES:
            continue
        for name in (p.name_en, *p.aliases):
            if not name.isascii():
                continue
            places.setdefault(name.lower(), p.id)
            for suffix in _PLACE_SUFFIXES:
                if name.endswith(suffix):
                    places.setdefault(name[: -len(suffix)].lower(), p.id)
            if name.startswith("Port of "):
                places.setdefault(name[8:].lower() + " port", p.id)  # Port of Keelung, Keelung Port
    agencies = {a.name_en.lower(): a.id for a in catalog.agencies if a.name_en}
    parties = {w.lower(): Party(side) for side, words in data["parties"].items() for w in words}
    qualifiers = {w: Qualifier(q) for q, words in common["qualifiers"].items() for w in words}
    return _Vocabulary(
        quantity=quantity,
        numbers=numbers,
        units=units,
        drug=_pattern(drugs),
        drugs=drugs,
        same_drug=_pattern(data["same_drug"]),
        describing=re.compile(r"(?:(?:" + _words(data["describing"]) + r")\s+){1,2}", re.IGNORECASE),
        seize=_pattern(data["seize"]),
        said=re.compile(r"(?:" + _words(data["said"]) + r")\s+(?:on\s+|last\s+)?$", re.IGNORECASE),
        arrest=_pattern(data["arrest"]),
        persons=re.compile(
            rf"(?<![\w$.,])(?P<n>[0-9]+|{_words(numbers)})\s+(?:[A-Za-z-]+\s+){{0,2}}?(?:{_words(data['persons'])})\b",
            re.IGNORECASE,
        ),
        leader=re.compile(r"\b(?:" + _words(data["leader"]) + r")\b[^,.;]{0,40}?\band\s+$", re.IGNORECASE),
        joint=_pattern(data["joint"]),
        intel=_pattern(data["intel"]),
        given=_pattern(data["given"]),
        received=_pattern(data["received"]),
        parties=parties,
        party=r"(?:the\s+)?(?P<party>" + _words(parties) + r")\b",
        directing=_pattern(data["directing"]),
        place=_pattern(places),
        places=places,
        agency=_pattern(agencies),
        agencies=agencies,
        qualifiers=qualifiers,
        qualifier=re.compile(r"(?P<q>" + _words(qualifiers) + r")\s+(?:of\s+)?$", re.IGNORECASE),
    )


@dataclass
class State:
    """What later sentences of an English report need from earlier ones."""

    drug: str | None = None  # the drug last seized, for "another 7 kg of the drug"
    joint: bool = False  # a sentence told that the two sides acted together
    case: Proposal | None = None  # the last case, for a sentence naming who directs it
    seizures: list[Proposal] = field(default_factory=list)  # its seizures, for "seized the drugs in Xiamen on …"
    seen: set[str] = field(default_factory=set)


@dataclass
class _Found:
    start: int
    end: int
    drug: str
    quantity: dict[str, str]
    grams: str


def _value(raw: str, vocabulary: _Vocabulary) -> Decimal:
    raw = raw.lower()
    return Decimal(raw.replace(",", "")) if raw[0].isdigit() else Decimal(vocabulary.numbers[raw])


def _quantities(text: str, a: int, b: int, state: State, vocabulary: _Vocabulary) -> list[_Found]:
    found = []
    for m in vocabulary.quantity.finditer(text, a, b):
        unit = vocabulary.units[m["unit"].lower()]
        if m["unit"].lower() == "g" and text[m.end("n") : m.start("unit")] != "":
            continue  # a lone "g" is a unit only written against its number (500g)
        drug = _drug_of(text, m, b, state, vocabulary)
        if drug is None:
            continue
        value = _value(m["n"], vocabulary)
        if m["mult"]:
            value *= 1_000_000 if m["mult"].lower() == "million" else 1000
        before = vocabulary.qualifier.search(text, max(a, m.start() - 20), m.start())
        qualifier = vocabulary.qualifiers[before["q"].lower()] if before else Qualifier.EXACT
        grams = f"{(value * _GRAMS[unit]).normalize():f}g" if unit in _GRAMS else f"{value.normalize():f}{unit}"
        quantity = Quantity(value, unit, qualifier=qualifier).to_json()
        found.append(_Found(m.start(), m.end(), drug, quantity, grams))
    return found


def _drug_of(text: str, m: re.Match[str], b: int, state: State, vocabulary: _Vocabulary) -> str | None:
    """The drug a quantity is of: "kg of heroin", "ecstasy tablets", "heroin weighing 209 kg", "of the drug"."""
    between = vocabulary.drug.search(m["words"]) if m["words"] else None
    if between is not None:
        return vocabulary.drugs[between.group().lower()]
    of = _OF.match(text, m.end(), b)
    if of is not None:
        if vocabulary.same_drug.match(text, of.end(), b):
            return state.drug
        described = vocabulary.describing.match(text, of.end(), b)
        after = vocabulary.drug.match(text, described.end() if described else of.end(), b)
        if after is not None:
            return vocabulary.drugs[after.group().lower()]
    before = text[max(0, m.start() - 40) : m.start()]
    gap = re.search(r"(?P<drug>[A-Za-z-]+(?:\s+[A-Za-z-]+)?)\s*(?:\(|weighing|totall?ing|amounting to|of)?\s*$", before)
    if gap is not None:
        name = vocabulary.drug.search(gap["drug"])
        if name is not None and gap["drug"].lower().endswith(name.group().lower()):
            return vocabulary.drugs[name.group().lower()]
    return None


def _when(text: str, a: int, b: int, near: int, today: PartialDate | None, vocabulary: _Vocabulary) -> Any:
    """The date nearest the quantity that is neither the dispatch's dateline nor the day something was said."""
    candidates: list[tuple[int, PartialDate]] = []
    for m in DATE.finditer(text, a, b):
        if m["end"] or re.match(r"\s*\(", text[m.end() : m.end() + 3]):
            continue  # "BEIJING, June 3 (Xinhua)": the dateline
        if vocabulary.said.search(text, max(a, m.start() - 16), m.start()):
            continue
        found = resolve(m, today, after=False)
        if found is not None:
            candidates.append((abs(m.start() - near), found))
    for start, _, found in relative(text, a, b, today):
        if not vocabulary.said.search(text, max(a, start - 16), start):
            candidates.append((abs(start - near), found))
    return min(candidates, key=lambda x: x[0])[1] if candidates else None


def _place(text: str, a: int, b: int, first: int, gazetteer: Gazetteer, vocabulary: _Vocabulary) -> str | None:
    """Where the sentence's seizures were made: the first place after the first quantity, else the last before
    it (the city rather than its province: "in Xiamen, Fujian province"); never a place of origin or destination."""
    filed = [m.span() for m in DATELINE.finditer(text, a, b)]  # "FUZHOU, March 20 (Xinhua)": where it was written
    found = [
        (m.start(), vocabulary.places[m.group().lower()])
        for m in vocabulary.place.finditer(text, a, b)
        if not _LOCATED.search(text[max(a, m.start() - 12) : m.start()])
        and not any(x <= m.start() < y for x, y in filed)
    ]
    after = [p for start, p in found if start > first]
    if after:
        return after[0]
    before = [p for start, p in found if start < first]
    if not before:
        return None
    last = before[-1]
    if len(before) > 1 and gazetteer.is_ancestor("place", last, before[-2]):
        return before[-2]
    return last


def _suspects(text: str, a: int, b: int, vocabulary: _Vocabulary) -> int | None:
    """Persons counted in a sentence that arrests (nine suspects; the captain and four crew members: five)."""
    if not vocabulary.arrest.search(text, a, b):
        return None
    for m in vocabulary.persons.finditer(text, a, b):
        count = int(_value(m["n"], vocabulary))
        leader = vocabulary.leader.search(text[max(a, m.start() - 60) : m.start()])
        return count + (1 if leader else 0)
    return None


def intel(text: str, a: int, b: int) -> Party | None:
    """The side that provided intelligence a sentence tells of, if it tells of one."""
    vocabulary = _vocabulary(default_gazetteer())
    cue = vocabulary.intel.search(text, a, b)
    if cue is None:
        return None
    sentence = text[a:b]
    side = vocabulary.party
    provided = re.search(rf"\b(?:from|by)\s+{side}", sentence[cue.end() - a :], re.IGNORECASE)
    if provided is not None:
        return vocabulary.parties[provided["party"].lower()]
    for m in re.finditer(rf"\b{side}", sentence, re.IGNORECASE):
        words = sentence[m.end() : m.end() + 40].lower().split()[:4]
        if any(vocabulary.given.fullmatch(w) for w in words[:3]):
            return vocabulary.parties[m["party"].lower()]
        for i, w in enumerate(words[:3]):
            if w in ("were", "was") and i + 1 < len(words) and vocabulary.received.match(" ".join(words[i + 1 :])):
                return vocabulary.parties[m["party"].lower()].other
    return None


def read(text: str, a: int, b: int, today: PartialDate | None, state: State, year: int | None) -> list[Proposal]:
    """The seizures, case and intelligence hand-over one sentence of an English report tells."""
    gazetteer = default_gazetteer()
    vocabulary = _vocabulary(gazetteer)
    provider = intel(text, a, b)
    joint = vocabulary.joint.search(text, a, b) is not None or provider is not None
    out: list[Proposal] = []
    seized = _quantities(text, a, b, state, vocabulary) if vocabulary.seize.search(text, a, b) else []
    if provider is not None:
        # A date beside a seizure is the seizure's: a hand-over is dated only in a sentence that seizes nothing.
        cue = vocabulary.intel.search(text, a, b)
        seizes = vocabulary.seize.search(text, a, b) is not None
        told = None if seizes or cue is None else _when(text, a, b, cue.start(), today, vocabulary)
        agency = _providing_agency(text, a, b, provider, gazetteer, vocabulary)
        out.append(_intel(text, a, b, provider, seized[0].drug if seized else None, agency, told))
    if not seized:
        state.joint = state.joint or joint
        _direct(text, a, b, state, vocabulary)
        _more_of_last(text, a, b, today, state, gazetteer, vocabulary)
        return out
    when = _when(text, a, b, seized[0].start, today, vocabulary)
    place = _place(text, a, b, seized[0].start, gazetteer, vocabulary)
    count = _suspects(text, a, b, vocabulary)
    proposals = []
    for f in seized:
        key = f"seizure|{f.drug}|{f.grams}|{(when.year if when else year) or ''}"
        if when is not None and when.day is not None:
            key += f"|{when.iso}"
        if key in state.seen:
            continue
        state.seen.add(key)
        unresolved = [] if when else ["date: the text gives no date for this seizure"]
        fields: dict[str, Any] = {
            "drug": f.drug,
            "quantities": [f.quantity],
            "date": when.to_json() if when else None,
            "place": place,
            "case": None,
            "operation": None,
            "description": text[f.start : f.end],
            "containers": [],
            "suspects": count,
            "caught_in_act": False,
        }
        proposals.append(
            Proposal("seizure", key, fields, Span(f.start, f.end, text[f.start : f.end]), 0.85, unresolved)
        )
        state.drug = f.drug
    if not proposals:
        return out
    case = _case(text, a, b, proposals, joint or state.joint, vocabulary)
    state.case, state.seizures = case, proposals
    for p in proposals:
        p.fields["case"] = case.id
    return [case, *proposals, *out]


def _case(text: str, a: int, b: int, seized: list[Proposal], joint: bool, vocabulary: _Vocabulary) -> Proposal:
    key = "case|" + seized[0].key
    agencies = _directing(text, a, b, vocabulary)
    places = list(dict.fromkeys(p.fields["place"] for p in seized if p.fields["place"]))
    fields = {
        "title": text[a:b].strip()[:80],
        "kind": "drug",
        "joint": joint,
        "opened_on": seized[0].fields["date"],
        "summary": None,
        "agencies": agencies,
        "places": places,
    }
    return Proposal("case", key, fields, _span(text, a, b), 0.7)


def _directing(text: str, a: int, b: int, vocabulary: _Vocabulary) -> list[dict[str, str]]:
    if not vocabulary.directing.search(text, a, b):
        return []
    return [
        {"agency": vocabulary.agencies[m.group().lower()], "role": "directing"}
        for m in vocabulary.agency.finditer(text, a, b)
        if "prosecutors" in m.group().lower()
    ][:1]


def _more_of_last(
    text: str, a: int, b: int, today: PartialDate | None, state: State, gazetteer: Gazetteer, vocabulary: _Vocabulary
) -> None:
    """A sentence telling when and where the drugs just told were seized ("police … seized the drugs in Xiamen on
    March 5"): the date and place the seizures and their case lack."""
    verb = vocabulary.seize.search(text, a, b)
    if verb is None or state.case is None or not vocabulary.same_drug.search(text, verb.end(), b):
        return
    when = _when(text, a, b, verb.end(), today, vocabulary)
    place = _place(text, a, b, verb.end(), gazetteer, vocabulary)
    for p in state.seizures:
        if when is not None and p.fields["date"] is None:
            p.fields["date"] = when.to_json()
            p.unresolved[:] = [u for u in p.unresolved if not u.startswith("date:")]
        if place is not None and p.fields["place"] is None:
            p.fields["place"] = place
    case = state.case.fields
    case["opened_on"] = case["opened_on"] or next((p.fields["date"] for p in state.seizures if p.fields["date"]), None)
    case["places"] = case["places"] or list(
        dict.fromkeys(p.fields["place"] for p in state.seizures if p.fields["place"])
    )


def _direct(text: str, a: int, b: int, state: State, vocabulary: _Vocabulary) -> None:
    """A sentence after a seizure naming the prosecutors who direct its investigation."""
    if state.case is None:
        return
    for role in _directing(text, a, b, vocabulary):
        if all(r["agency"] != role["agency"] for r in state.case.fields["agencies"]):
            state.case.fields["agencies"].append(role)


def _providing_agency(
    text: str, a: int, b: int, provider: Party, gazetteer: Gazetteer, vocabulary: _Vocabulary
) -> str | None:
    """The providing side's agency the sentence names ("intelligence provided by China's Ministry of Public
    Security"), if it names one of that side."""
    for m in vocabulary.agency.finditer(text, a, b):
        agency = vocabulary.agencies[m.group().lower()]
        if gazetteer.party_of("agency", agency) is provider:
            return agency
    return None


def _intel(
    text: str, a: int, b: int, provider: Party, anchor: str | None, agency: str | None, told: PartialDate | None
) -> Proposal:
    fields = {
        "provider_party": provider.value,
        "provider_agency": agency,
        "recipient_party": provider.other.value,
        "date": told.to_json() if told is not None else None,
        "summary": text[a:b].strip(),
        "classification": "restricted",
    }
    unresolved = [] if agency else ["provider_agency: the text names the side, not the agency"]
    unresolved += [] if told else ["date: the text gives no date"]
    key = f"intel|{provider.value}|{anchor or text[a:b].strip()[:24]}"
    return Proposal("intel", key, fields, _span(text, a, b), 0.75, unresolved)
