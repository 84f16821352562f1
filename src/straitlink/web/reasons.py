"""Why a value was refused, in the reader's language: the domain's common reasons by their pattern.

The domain words its reasons in English, as the API and the command line give them. A page names the field by its
label (render.error_text) and, where the reason is one of these, says all of it in the page's language; any other
reason is shown as the domain wrote it, whole, rather than half translated.
"""

from __future__ import annotations

import re

from straitlink.domain.errors import (
    Forbidden,
    InvalidValue,
    MissingField,
    NotFound,
    StraitLinkError,
    UnknownReference,
)
from straitlink.web.i18n import N_, translations

_Table = tuple[tuple[re.Pattern[str], str], ...]


def _compiled(*rows: tuple[str, str]) -> _Table:
    """A table of (pattern, message) with each pattern compiled once."""
    return tuple((re.compile(pattern), message) for pattern, message in rows)


_NUMBER = r"-?[\d,]+"
_REASONS = _compiled(
    (r"after today \((?P<today>[\d-]+)\)", N_("after today (%(today)s)")),
    (
        r"after today \((?P<today>[\d-]+)\): nothing has happened in it yet",
        N_("after today (%(today)s): nothing has happened in it yet"),
    ),
    (r"after to \((?P<end>[\d-]+)\)", N_("after the end of the period (%(end)s)")),
    (r"start is after end", N_("the start is after the end")),
    (rf"between (?P<low>{_NUMBER}) and (?P<high>{_NUMBER})", N_("between %(low)s and %(high)s")),
    (rf"between (?P<low>{_NUMBER}) and (?P<high>{_NUMBER}) persons", N_("between %(low)s and %(high)s persons")),
    (rf"at least (?P<least>{_NUMBER})", N_("at least %(least)s")),
    (rf"at most (?P<most>{_NUMBER}) characters", N_("at most %(most)s characters")),
    (
        rf"at most (?P<most>{_NUMBER}) characters, not (?P<given>{_NUMBER})",
        N_("at most %(most)s characters, not %(given)s"),
    ),
    (r"(?:expected )?one of (?P<choices>.+)", N_("one of %(choices)s")),
    (r"expected text", N_("expected text")),
    (r"(?:expected )?a whole number", N_("a whole number")),
    (r"expected true or false|yes or no", N_("yes or no")),
    (r"TW or CN", N_("TW or CN")),
    (r"expected a date", N_("expected a date")),
    (r"not an ISO date \(YYYY-MM-DD\)", N_("not a date written YYYY-MM-DD")),
    (r"a day is needed here", N_("a day is needed here")),
    (r"not a decimal number", N_("not a decimal number")),
    (r"does not repeat the new password", N_("does not repeat the new password")),
    # What a typed date or quantity is told (domain.dates, domain.quantity_text): the forms' commonest slips.
    (
        r"not a date; expected e\.g\. 2013-11-17, 102年5月底 or 102/11/30",
        N_("not a date; write e.g. 2013-11-17, 102年5月底 or 102/11/30"),
    ),
    (r"month must be 1-12", N_("the month must be 1-12")),
    (r"day must be 1-(?P<last>\d+) in (?P<month>\d{4}-\d{2})", N_("the day must be 1-%(last)s in %(month)s")),
    (
        r"year must be between (?P<low>\d+) \(民國1年\) and (?P<high>\d+) \(民國999年\)",
        N_("the year must be between %(low)s (ROC year 1) and %(high)s (ROC year 999)"),
    ),
    (r"a day needs a month", N_("a day needs a month")),
    (r"spaces inside a number", N_("spaces inside a number")),
    (r"empty", N_("empty")),
    (r"unknown part of a month (?P<rest>'.*')", N_("%(rest)s after the month is not a part of a month")),
    (r"unknown part of a year (?P<rest>'.*')", N_("%(rest)s after the year is not a part of a year")),
    (
        r"expected e\.g\. 229 kg, 229 kg gross, 3000\+ kg, ~500 kg, 1-2 t",
        N_("not a quantity; write e.g. 229 kg, 229 kg gross, 3000+ kg, ~500 kg, 1-2 t"),
    ),
    (
        r"a figure cannot be approximate and also a bound or a range",
        N_("a figure cannot be approximate and also a bound or a range"),
    ),
    (r"weight basis given twice", N_("gross or net weight given twice")),
    (r"must not be negative", N_("must not be negative")),
    (
        r"given twice \(first (?P<first>.+)\); give each field once",
        N_("given twice (first %(first)s); give it once"),
    ),
    (
        r"unknown role (?P<role>'.*'); the roles are .+",
        N_("unknown role %(role)s; the roles are directing, leading, participating and intel_provider"),
    ),
    (r"write role:agency, e\.g\. directing:高雄地檢署 \(.+\)", N_("write role:agency, e.g. directing:高雄地檢署")),
)

# What a form leaves out that a record needs, said as more than "is required" (MissingField's `what`).
_MISSING = {
    "a seizure states at least one quantity": N_("a seizure states at least one quantity"),
    "a correction or retraction says why": N_("a correction or retraction says why"),
    "a follow-up says what was agreed": N_("a follow-up says what was agreed"),
    "a follow-up names the agency responsible": N_("a follow-up names the agency responsible"),
    "a dropped follow-up says why": N_("a dropped follow-up says why"),
    "an outcome names a case, seizures or persons": N_("an outcome names a case, seizures or persons"),
    "handling code H3 writes its restriction out in the note": N_(
        "handling code H3 writes its restriction out in the note"
    ),
    "a reply carries a text or documents": N_("a reply carries a text or documents"),
    "an account has at least one role": N_("an account has at least one role"),
    "a vessel has a name": N_("a vessel has a name"),
}

# What a reference names and nothing answers to: a catalogue entry or a record, by its kind.
_UNKNOWN = {
    "agency": N_("unknown agency %(value)s"),
    "case": N_("unknown case %(value)s"),
    "document": N_("unknown document %(value)s"),
    "drug": N_("unknown drug %(value)s"),
    "intel": N_("unknown intel hand-over %(value)s"),
    "operation": N_("unknown operation %(value)s"),
    "person": N_("unknown person %(value)s"),
    "place": N_("unknown place %(value)s"),
    "request": N_("unknown request %(value)s"),
    "request type": N_("unknown request type %(value)s"),
    "seizure": N_("unknown seizure %(value)s"),
}

# A record asked for by an id that nothing answers to (a link followed, an address typed), by its kind.
_NOT_FOUND = {
    "case": N_("no case %(id)s is stored here"),
    "document": N_("no document %(id)s is stored here"),
    "figure": N_("no published figure %(id)s is stored here"),
    "intel": N_("no intel hand-over %(id)s is stored here"),
    "meeting": N_("no meeting %(id)s is stored here"),
    "operation": N_("no operation %(id)s is stored here"),
    "outcome": N_("no outcome %(id)s is stored here"),
    "person": N_("no person %(id)s is stored here"),
    "request": N_("no request %(id)s is stored here"),
    "seizure": N_("no seizure %(id)s is stored here"),
    "account": N_("no account %(id)s here"),
    "follow-up": N_("no follow-up %(id)s here"),
    "form": N_("there is no form for this kind of record"),
}

# Refusals of the acting account that a person filling a form can act on, by what they tried (Forbidden.what).
_FORBIDDEN = _compiled(
    (
        r"add an? [\w ]+ in which their agency takes no part",
        N_("%(user)s may not add a record in which their agency takes no part: add it from a case of their agency"),
    ),
    (
        r"add an? (?:unclassified|restricted|confidential|secret) [\w ]+",
        N_("%(user)s may not add a record marked above their clearance: choose a lower classification"),
    ),
)


def forbidden(error: StraitLinkError, lang: str) -> str | None:
    """A step the account may not take, said in `lang` with what to do instead; None for one not known here."""
    if not isinstance(error, Forbidden):
        return None
    for pattern, message in _FORBIDDEN:
        if pattern.fullmatch(error.what):
            return translations(lang).gettext(message) % {"user": repr(error.value)}
    return None


def not_found(error: StraitLinkError, lang: str) -> str | None:
    """A record asked for and not stored, said in `lang`; None for other errors and for one with a hint."""
    if not isinstance(error, NotFound) or error.kind not in _NOT_FOUND or error.hint:
        return None
    return translations(lang).gettext(_NOT_FOUND[error.kind]) % {"id": repr(error.record_id)}


def refusal(error: StraitLinkError, lang: str) -> str | None:
    """What is wrong with the value, said in `lang` (after the field's label); None for a reason not known here."""
    _ = translations(lang).gettext
    if isinstance(error, MissingField) and error.what == "is required":
        return _("is required")
    if isinstance(error, MissingField) and error.what in _MISSING:
        return _(_MISSING[error.what])
    if isinstance(error, UnknownReference) and error.kind in _UNKNOWN:
        return _(_UNKNOWN[error.kind]) % {"value": repr(error.value)}
    if not isinstance(error, InvalidValue):
        return None
    for pattern, message in _REASONS:
        found = pattern.fullmatch(error.reason)
        if found is not None:
            reason = _(message) % found.groupdict()
            return _("%(value)s is not valid: %(reason)s") % {"value": repr(error.value), "reason": reason}
    return None
