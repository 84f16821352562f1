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
from straitlink.ingest.sentences import INTEL, PROVIDE, SEIZE, DocState, Sentence, agency_mentions

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
    return found


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
    out = []
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
        proposal = Proposal("intel", f"intel|{h.party.value}|{anchor}", fields, s.span(a, h.end), 0.8, unresolved)
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
