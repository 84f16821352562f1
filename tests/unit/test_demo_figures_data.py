"""The demo's copy of the corpus: its source recorded, read without internal notes, every seed figure held."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from decimal import Decimal
from importlib import resources

import pytest

from straitlink.demo.bulletin import bulletin_text
from straitlink.demo.figures import build_figures, metric_label, publisher_name
from straitlink.demo.seed import build_seed
from straitlink.domain.errors import InvalidValue

DATA = resources.files("straitlink.demo").joinpath("data")
AGREEMENT_IN_FORCE = date(2009, 6, 25)


def test_every_shipped_file_is_the_copy_sources_md_records() -> None:
    recorded = dict(re.findall(r"^\| `([^`]+)` \| `([0-9a-f]{64})` \|$", DATA.joinpath("SOURCES.md").read_text(), re.M))
    shipped = ["moj-2013-cross-strait-drugs.txt"]
    shipped += [f"figures/{e.name}" for e in DATA.joinpath("figures").iterdir() if e.name.endswith(".csv")]
    assert set(recorded) == set(shipped)
    for name in shipped:
        data = DATA.joinpath(*name.split("/")).read_bytes()
        assert hashlib.sha256(data).hexdigest() == recorded[name], name


def test_the_restated_drug_figures_count_since_the_agreement() -> None:
    """Taiwan Today's 39 cases, 234 suspects and 3,000餘 kg are the Ministry's: since the Agreement took effect."""
    _documents, figures = build_figures()
    restated = [f for f in figures if f.metric in ("cases.joint_drug", "suspects.total", "seizures.total_weight_kg")]
    restated = [f for f in restated if f.value in (39, 234, 3000)]
    assert len(restated) == 3
    assert {(f.period_start, f.period_end) for f in restated} == {(AGREEMENT_IN_FORCE, date(2013, 11, 30))}


def test_no_label_or_publisher_carries_the_corpus_notes() -> None:
    documents, figures = build_figures()
    for f in figures:
        assert not f.label.startswith(("(EN)", "(JA)")), f.label
    for d in documents:
        notes = r" via | citing |SEED|seed|held-out|\(|—|EN$|JP$"
        assert d.publisher and not re.search(notes, d.publisher), d.publisher
    assert metric_label("(EN) items of evidence delivered") == "items of evidence delivered"
    assert publisher_name("新華網 on 海巡署 release (2014-01-14)") == "新華網"
    assert publisher_name("Xinhua EN via chinadaily (TAO) — text not saved") == "Xinhua"
    with pytest.raises(InvalidValue) as unknown:
        publisher_name("Some Gazette, page 3")
    assert unknown.value.field == "publisher_and_cited_origin"


# A number the bulletin states, with what it counts: 4萬 5,426 件, 3,000 餘公斤, 231 餘萬人次, 64 萬畝.
_STATED = re.compile(r"([0-9][0-9,]*)(?:萬([0-9][0-9,]*))?(餘)?(萬)?(件|人|公斤|塊|名|人次|畝)")


def _value(match: re.Match[str]) -> Decimal:
    whole = Decimal(match[1].replace(",", ""))
    if match[2] is not None:
        return whole * 10_000 + Decimal(match[2].replace(",", ""))
    return whole * 10_000 if match[4] else whole


def test_every_figure_the_seed_states_is_held_as_a_published_figure() -> None:
    """Headline, case, intel and background figures alike, each quoting the passage that states it."""
    text = re.sub(r"\s+", "", bulletin_text())
    stated = [(m[0], _value(m)) for m in _STATED.finditer(text)]
    figures = build_seed().figures
    assert len(stated) >= 18
    for passage, value in stated:
        holding = [f for f in figures if f.value == value and passage in re.sub(r"\s+", "", f.provenance.quote or "")]
        assert holding, f"{passage} is not held as a published figure"


def test_the_golden_triangle_is_background_of_the_bulletins_year() -> None:
    poppy = next(f for f in build_seed().figures if f.metric.startswith("background."))
    assert (poppy.value, poppy.qualifier.value) == (Decimal(640_000), "approx")
    assert (poppy.period_start, poppy.period_end) == (date(2013, 1, 1), date(2013, 12, 31))  # 102年, not today
