"""Why a value was refused, in the reader's language: the domain's common reasons by their pattern.

The domain words its reasons in English, as the API and the command line give them. A page names the field by its
label (render.error_text) and, where the reason is one of these, says all of it in the page's language; any other
reason is shown as the domain wrote it, whole, rather than half translated.
"""

from __future__ import annotations

import re

from straitlink.domain.errors import InvalidValue, MissingField, StraitLinkError, UnknownReference
from straitlink.web.i18n import N_, translations

_NUMBER = r"-?[\d,]+"
_REASONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), message)
    for pattern, message in (
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
    )
)

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


def refusal(error: StraitLinkError, lang: str) -> str | None:
    """What is wrong with the value, said in `lang` (after the field's label); None for a reason not known here."""
    _ = translations(lang).gettext
    if isinstance(error, MissingField) and error.what == "is required":
        return _("is required")
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
