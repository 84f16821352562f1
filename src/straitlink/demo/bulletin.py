"""The shipped seed bulletin, and provenance citing the passage of it that states a fact."""

from __future__ import annotations

import re
from importlib import resources

from straitlink.domain.dates import PartialDate
from straitlink.domain.errors import InvalidValue
from straitlink.domain.provenance import Provenance
from straitlink.domain.records import stable_id

DOCUMENT_ID = "moj-2013-cross-strait-drugs"
BULLETIN_FILE = "moj-2013-cross-strait-drugs.txt"
DEMO_USER = "straitlink-demo"
# A PDF page break ("\n\n\n\n2\n\n") can fall inside a passage; "…" in a needle skips at most this much.
_GAP = 40


def read_data(name: str) -> bytes:
    """The bytes of a file shipped under straitlink/demo/data."""
    return resources.files("straitlink.demo").joinpath("data", *name.split("/")).read_bytes()


def bulletin_text() -> str:
    """The shipped bulletin, exactly as stored (spans are offsets into this string)."""
    return read_data(BULLETIN_FILE).decode("utf-8")


def locate(text: str, needle: str) -> tuple[int, int]:
    """The span of the one passage of `text` that reads as `needle`; InvalidValue if none or several.

    Whitespace in the text is ignored (the PDF extraction broke lines inside sentences), and "…" in the needle
    skips a page-number artefact. The span covers the text as stored, so text[start:end] is the quote.
    """
    pieces = [r"\s*".join(re.escape(ch) for ch in part if not ch.isspace()) for part in needle.split("…")]
    if not all(pieces):
        raise InvalidValue("quote", needle, "an empty piece around …")
    pattern = re.compile(rf"[\s\S]{{0,{_GAP}}}?".join(pieces))
    found = [m.span() for m in pattern.finditer(text)]
    if len(found) != 1:
        what = "not found in" if not found else f"found {len(found)} times in"
        raise InvalidValue("quote", needle, f"{what} the bulletin; a cited passage must be unique")
    return found[0]


class Citer:
    """Provenance pointing at the bulletin passage that states a fact."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __call__(self, needle: str, *, through: str | None = None) -> Provenance:
        """The passage reading as `needle`, or running from it through the next passage reading as `through`."""
        start, end = locate(self.text, needle)
        if through is not None:
            end += locate(self.text[end:], through)[1]
        return Provenance.from_document(DOCUMENT_ID, span=(start, end), quote=self.text[start:end])


def seed_id(*key: str) -> str:
    """The id of a seed record: the same key always gives the same id."""
    return stable_id("seed", *key)


def partial(text: str) -> PartialDate:
    """A date as the bulletin writes it ("102年5月底")."""
    return PartialDate.parse(text)
