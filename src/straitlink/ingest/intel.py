"""Intelligence hand-overs (提供情資, 通報線索) and what they led to (循線查獲).

The provider is the agency written right before the verb (「大陸公安部提供之情資」), else the sentence's subject
(「行政院海岸巡防署…提供陸方情資」), else a side-word (「整合陸方提供情資」), else whoever provided last
(「再度提供陸方情資」). An agency after 向/給 receives. A hand-over is dated by the nearest date before its verb
unless another event (指揮, a seizure) stands between them; work merely "based on" intel (依據陸方情資) names a
provider but dates no hand-over. What the same sentence then seizes is the hand-over's outcome; a hand-over that
names a ship (「笙宏號」走私毒品案之情資) waits for the case that seizes that ship.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from straitlink.domain.parties import Party
from straitlink.ingest.gazetteer import Mention
from straitlink.ingest.proposals import Proposal
from straitlink.ingest.sentences import (
    INTEL,
    PARTY_WORDS,
    PROVIDE,
    SEIZE,
    DocState,
    Sentence,
    agency_mentions,
    cue,
)

_TO = ("向", "给", "对")
_BASED = re.compile(r"依据|根据|依照|整合")  # the intel was the basis of an action, which the date is of
_RECEIVED = re.compile(r"接获|获得|收到")  # the intel was received: a hand-over, dated as such
_OTHER_EVENT = re.compile(rf"指挥|召开|举办|{SEIZE.pattern}")
_NAMED_CASE = re.compile(r"[」』”]?[^,，。；;、「」]{0,10}?案")


@dataclass(frozen=True, slots=True)
class Handover:
    """Where the sentence hands intel over, and between whom."""

    verb: int
    end: int  # end of the intel word
    party: Party | None
    agency: str | None
    recipient: Party | None
    handed: bool  # False when the text only says the work was based on it


def _provider(s: Sentence, a: int, b: int) -> Mention | None:
    candidates = [m for m in agency_mentions(s, a, b) if s.at(max(s.start, m.start - 1), m.start) not in _TO]
    near = [m for m in candidates if b - m.end <= 3]
    return near[-1] if near else (candidates[0] if candidates else None)


def _side_place(s: Sentence, lo: int, hi: int, provider: Mention | None) -> Party | None:
    """The side a provider is named by when it is no catalogued agency: 「台灣調查部門通報」 → TW."""
    sides = [m for m in s.kinds("place") if lo <= m.start and m.end <= hi and m.id in ("tw", "cn")]
    if sides and (provider is None or sides[-1].start > provider.end):
        return sides[-1].party
    return None


# 「將此訊息通報我方…」, 「將相關情資提供大陸…」: the noun before the verb, after 將/把.
_NOUN_FIRST = re.compile(
    r"(?:将|把)(?:此|该|相关|上述|这些|这一|该项|此一|有关|前述)?(?:一条|一项|一批)?[^,，。；;]{0,6}?"
    r"(?:情资|情报|线索|讯息|资讯|信息|消息|结果)(?P<verb>通报|提供|转交|告知|回报|通知|移交|交给|交付)"
)
# 「該案線索係台灣警方提供」: the noun, then who provided it.
_PROVIDED_BY = re.compile(
    r"(?:情资|情报|线索|讯息|资讯)(?:系|由|是|为|乃|均由)(?P<who>[^,，。；;]{1,12}?)(?:所|主动)?(?P<verb>提供|通报|转交)"
)
# 「回報陸方」, 「通報海巡署」: a notice given straight to a side or an agency (not 「向…通報了…情況」).
_NOTICE = cue("通报|通知|回报|告知")
# 「接獲陸方通知」, 「接獲大陸公安部通報」, 「經大陸公安部通知得知」: a notice received, from whoever is named between.
_RECEIVED_NOTICE = re.compile(r"(?:接获|接到|收到|获|经)(?P<who>[^,，。；;]{1,14}?)(?:的|之)?(?:通报|通知)")


def _subject(s: Sentence, before: int) -> Mention | None:
    """The agency an action is told of: one named in its own clause, else the sentence's subject (the first
    agency named), never a recipient after 向/給."""
    candidates = [m for m in agency_mentions(s, s.start, before) if s.at(max(s.start, m.start - 1), m.start) not in _TO]
    clause_start = s.clause(before)[0]
    own = [m for m in candidates if m.start >= clause_start]
    return own[-1] if own else (candidates[0] if candidates else None)


def _recipient(s: Sentence, pos: int, state: DocState) -> Party | None:
    """The side a notice goes to, named right after its verb (陸方, 我方法務部調查局, 海巡署)."""
    text = s.block.text
    pos += 1 if text.startswith(("给", "予"), pos) else 0
    for word, party in PARTY_WORDS.items():
        if text.startswith(word, pos):
            return party
    if text.startswith("我方", pos):
        return state.party
    named = next((m for m in s.mentions if m.start == pos and m.kind in ("agency", "place")), None)
    return named.party if named is not None else None


def _notices(s: Sentence, state: DocState, taken: set[int]) -> list[Handover]:
    """Hand-overs told without an intel word before their verb: noun first, a notice given, one received."""
    found: list[Handover] = []
    text = s.block.text
    for m in s.find(_NOUN_FIRST):
        verb = m.start("verb")
        if verb in taken:
            continue
        taken.add(verb)
        provider = _subject(s, m.start())
        to = _recipient(s, m.end(), state)
        party = provider.party if provider is not None else (to.other if to is not None else None)
        found.append(Handover(verb, m.end(), party, provider.id if provider else None, to, True))
    for m in s.find(_PROVIDED_BY):
        verb = m.start("verb")
        lo, hi = m.start("who"), m.end("who")
        named = agency_mentions(s, lo, hi)
        party = s.party_word(lo, hi) or (named[-1].party if named else None) or _side_place(s, lo, hi, None)
        if verb in taken or party is None:
            continue
        taken.add(verb)
        agency = named[-1].id if named and named[-1].party is party else None
        found.append(Handover(verb, m.end(), party, agency, party.other, True))
    for m in s.find(_RECEIVED_NOTICE):
        if m.start() in taken:
            continue
        lo, hi = m.start("who"), m.end("who")
        named = [a for a in agency_mentions(s, lo, hi)]
        party = s.party_word(lo, hi) or (named[-1].party if named else None) or _side_place(s, lo, hi, None)
        if party is None:
            continue
        taken.add(m.start())
        agency = named[-1].id if named and named[-1].party is party else None
        found.append(Handover(m.start(), m.end(), party, agency, party.other, True))
    for m in s.find(_NOTICE):
        if m.start() in taken or text[m.start() - 1 : m.start()] in ("接", "获", "到"):
            continue
        to = _recipient(s, m.end(), state)
        if to is None:
            continue
        provider = _subject(s, m.start())
        party = provider.party if provider is not None else (state.party if to is not state.party else None)
        if party is None or party is to:
            continue
        taken.add(m.start())
        found.append(Handover(m.start(), m.end(), party, provider.id if provider else None, to, True))
    return found


def _before_recipient(s: Sentence, lo: int, verb: int, recipient: Party | None) -> tuple[int, Party | None]:
    """Where the provider's words end, and the recipient: 「台灣方面…向大陸警方通報相關線索」 names the side it went
    to between 向 and the verb, and the provider before 向 (not the side nearest the verb)."""
    near = max(lo, verb - 10)
    at = max(s.at(near, verb).rfind(word) for word in _TO)
    if at < 0:
        return verb, recipient
    to = near + at
    named = next((m.party for m in agency_mentions(s, to, verb) if m.party is not None), None)
    side = s.party_word(to, verb) or named
    return (to, recipient or side) if side is not None else (verb, recipient)


def find(s: Sentence, state: DocState) -> list[Handover]:
    """Every hand-over the sentence tells, in order."""
    found = []
    for m in s.find(INTEL):
        a, _ = s.clause(m.start())
        verbs = s.find(PROVIDE, max(s.start, a - 30), m.start())
        according = s.find(_BASED, max(s.start, m.start() - 24), m.start())
        based = bool(according) and (not verbs or according[-1].end() <= verbs[-1].start())
        if not verbs and not according:
            according = s.find(_RECEIVED, max(s.start, m.start() - 16), m.start())
        if verbs:
            # 「X根據台灣調查部門通報的情報」: the provider is named after 根據; X only received it.
            lo = according[-1].end() if based else s.start
            verb, hi = verbs[-1].start(), verbs[-1].start()
            recipient = s.party_word(verbs[-1].end(), m.start())
            hi, recipient = _before_recipient(s, lo, hi, recipient)
        else:
            if not according:
                continue
            verb, lo, hi = according[-1].start(), according[-1].end(), m.start()
            recipient = None
        provider = _provider(s, lo, hi)
        party = s.party_word(max(lo, hi - 6), hi) or _side_place(s, lo, hi, provider)
        agency = None
        if provider is not None and (party is None or provider.end >= hi - 3):
            if not _side_place(s, lo, hi, provider):
                agency, party = provider.id, provider.party
        elif party is None and state.last_provider is not None and verbs:
            party, agency = state.last_provider
        if party is None and recipient is not None:
            party = recipient.other
        if recipient is None and party is not None:
            recipient = party.other
        found.append(Handover(verb, m.end(), party, agency, recipient, not based))
        state.last_provider = (party, agency)
    taken = {h.verb for h in found}
    more = _notices(s, state, taken)
    return sorted([*found, *more], key=lambda h: h.verb) if more else found


def proposals(
    s: Sentence,
    state: DocState,
    handovers: list[Handover],
    case_id: str | None,
    seizures: list[Proposal],
    year: int | None,
    *,
    earlier: bool = False,
) -> list[Proposal]:
    """An intel proposal per hand-over with a known provider, and an outcome for what it led to: what the
    sentence seizes after it, or with `earlier`, the case a sentence before told (「本案係陸方提供之線索」)."""
    out: list[Proposal] = []
    for h in handovers:
        if h.party is None:
            continue
        a, _ = s.clause(h.verb)
        when = s.date_before(h.verb) if h.handed else None
        if when is not None and s.has(_OTHER_EVENT, when.end, h.verb):
            when = None  # the date is the directing's or the seizure's, written before the hand-over
        later = seizures if earlier else [p for p in seizures if p.span.start >= s.block.span(h.verb, h.verb + 1)[0]]
        anchor = later[0].key if later else f"{when.date.iso if when and when.date else year}|{s.text[:24]}"
        fields = {
            "provider_party": h.party.value,
            "provider_agency": h.agency,
            "recipient_party": (h.recipient or h.party.other).value,
            "date": when.date.to_json() if when and when.date else None,
            "summary": s.clean(a, h.end),
            "classification": "restricted",
        }
        unresolved = [] if h.agency else ["provider_agency: the text names the side, not the agency"]
        if fields["date"] is None:
            unresolved.append("date: the text gives no date for this hand-over")
        key = f"intel|{h.party.value}|{anchor}"
        if any(p.key == key for p in out):
            key += f"|{h.verb - s.start}"  # a second hand-over of the same side in one sentence
        proposal = Proposal("intel", key, fields, s.span(a, h.end), 0.8, unresolved)
        out.append(proposal)
        if later and case_id:
            out.append(outcome(s, proposal.id, case_id, later, "seized after the hand-over"))
        elif not seizures:
            for v in s.vessels:
                state.pending_intel[v.name] = proposal.id
                named = _NAMED_CASE.match(s.block.text, v.end)
                if named:
                    state.case_names[v.name] = s.clean(v.start, named.end())
    return out


def outcome(s: Sentence, intel_id: str, case_id: str, seizures: list[Proposal], note: str) -> Proposal:
    """What one hand-over led to: the case and its seizures (the persons are added when accepted)."""
    fields = {"intel": intel_id, "case": case_id, "seizures": [p.id for p in seizures], "persons": [], "note": note}
    return Proposal("outcome", f"outcome|{intel_id}|{case_id}", fields, s.span(), 0.75)
