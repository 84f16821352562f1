"""English seizure reports: a quantity of a named drug in a sentence that seizes, with its date, place, suspects,
case and the intelligence told beside it."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from straitlink.domain.dates import Part, PartialDate
from straitlink.ingest.english_dates import DATE, resolve
from straitlink.ingest.extract import extract
from straitlink.ingest.proposals import DocumentInfo, Proposal

DAY = PartialDate(2021, 11, 5)


def run(text: str, date: PartialDate | None = DAY) -> list[Proposal]:
    doc = DocumentInfo(id="doc", name="doc.txt", media_type="text/plain", sha256="0" * 64, chars=0)
    return list(extract(doc, [text], date=date))


def seizures(text: str, date: PartialDate | None = DAY) -> list[dict[str, Any]]:
    return [p.fields for p in run(text, date) if p.kind == "seizure"]


def test_a_seizure_is_dated_by_its_day_not_by_the_day_it_was_said() -> None:
    text = (
        "Taipei, Nov. 5 (CNA) The Coast Guard Administration said Friday that its officers seized 512 kilograms "
        "of methamphetamine from a fishing boat off Penghu County on Nov. 3 and arrested the captain and four "
        "crew members."
    )
    (found,) = seizures(text)
    assert found["drug"] == "methamphetamine"
    assert found["quantities"][0] == {"value": "512", "unit": "kg", "basis": "unstated", "qualifier": "exact"}
    assert found["date"]["iso"] == "2021-11-03"
    assert found["place"] == "penghu"
    assert found["suspects"] == 5


def test_last_month_tonnes_and_a_place_of_origin() -> None:
    text = (
        "Police seized 1.2 tonnes of ketamine shipped from Hong Kong in a raid in Shenzhen last month, "
        "the ministry said Wednesday."
    )
    (found,) = seizures(text)
    assert (found["drug"], found["quantities"][0]["unit"]) == ("ketamine", "t")
    assert found["date"]["iso"] == "2021-10" and found["date"]["precision"] == "month"
    assert found["place"] == "shenzhen"


def test_another_quantity_of_the_drug_is_the_drug_last_seized_on_its_own_day() -> None:
    text = (
        "Customs officers seized 7 kg of amphetamine at Taoyuan International Airport on Oct. 9. "
        "Mainland police seized another 7 kg of the drug in Xiamen on Oct. 14 and detained two suspects."
    )
    found = seizures(text)
    assert [(f["drug"], f["date"]["iso"], f["place"]) for f in found] == [
        ("methamphetamine", "2021-10-09", "taoyuan-airport"),
        ("methamphetamine", "2021-10-14", "xiamen"),
    ]
    assert found[1]["suspects"] == 2


def test_intelligence_from_the_other_side_makes_the_case_joint() -> None:
    text = "Acting on intelligence from the mainland, Taiwan police seized 45 kg of heroin at Taichung Port on Nov. 2."
    proposals = run(text)
    (intel,) = [p.fields for p in proposals if p.kind == "intel"]
    (case,) = [p.fields for p in proposals if p.kind == "case"]
    assert intel["provider_party"] == "CN" and case["joint"] is True


def test_prosecutors_handed_the_suspects_are_no_repatriation_and_a_headline_is_not_read() -> None:
    text = (
        "Coast guard seizes 36 kg of heroin\n\n"
        "Officers seized 36 kg of heroin in Keelung on Nov. 1. "
        "The two suspects were handed over to the Keelung District Prosecutors Office.\n"
    )
    proposals = run(text)
    assert [p.kind for p in proposals if p.kind in ("seizure", "repatriation")] == ["seizure"]


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("seized 12 kg of heroin on Nov. 3 in Taipei, 4 suspects.")), max_size=200))
def test_any_english_like_text_gives_well_formed_seizures(text: str) -> None:
    for f in seizures("The police said " + text + " The report was released today by the ministry.", DAY):
        assert f["drug"] and f["quantities"]
        assert f["date"] is None or f["date"]["iso"][:4] in ("2020", "2021")  # the year from the document's date


def test_a_hand_over_told_on_its_own_names_its_agency_and_its_time() -> None:
    text = (
        "Prosecutors in Kaohsiung said that a joint operation led to the seizure of 231 kilograms of ketamine at "
        "Kaohsiung Port on December 20. The operation followed intelligence provided by China's Ministry of Public "
        "Security in early December."
    )
    (intel,) = [p for p in run(text, PartialDate(2013, 12, 23)) if p.kind == "intel"]
    assert intel.fields["provider_party"] == "CN" and intel.fields["provider_agency"] == "mps"
    assert intel.fields["date"] == PartialDate(2013, 12, part=Part.EARLY).to_json()
    assert intel.unresolved == []


def test_a_hand_over_beside_a_seizure_is_not_dated_by_the_seizures_day() -> None:
    text = "Acting on intelligence from the mainland, Taiwan police seized 45 kg of heroin at Taichung Port on Nov. 2."
    (intel,) = [p for p in run(text) if p.kind == "intel"]
    assert intel.fields["date"] is None and intel.fields["provider_agency"] is None


def test_early_mid_and_late_in_a_month_are_parts_of_it() -> None:
    today = PartialDate(2013, 12, 23)
    for text, part in (("early December", Part.EARLY), ("mid-December", Part.MIDDLE), ("late December", Part.LATE)):
        (m,) = DATE.finditer(f"intelligence given in {text}.")
        assert resolve(m, today) == PartialDate(2013, 12, part=part), text
    (m,) = DATE.finditer("in late June 2012")
    assert resolve(m, today) == PartialDate(2012, 6, part=Part.LATE)
    (m,) = DATE.finditer("a tip-off in January.")  # a month alone, after "in": of the document's year
    assert resolve(m, PartialDate(2014, 3, 20)) == PartialDate(2014, 1)
    assert list(DATE.finditer("police may act")) == [] and list(DATE.finditer("in March")) != []


def test_a_hand_over_dated_by_its_month_alone() -> None:
    text = "Taiwan police provided intelligence to mainland police in January."
    (intel,) = [p.fields for p in run(text, PartialDate(2014, 3, 20)) if p.kind == "intel"]
    assert intel["provider_party"] == "TW" and intel["date"] == PartialDate(2014, 1).to_json()


def test_the_sentence_after_a_seizure_tells_its_day_and_place_and_the_dateline_is_neither() -> None:
    text = (
        "FUZHOU, March 20 (Xinhua) -- Police from the Chinese mainland and Taiwan have jointly cracked a drug "
        "trafficking case, seizing 85 kg of methamphetamine and arresting 12 suspects, the Ministry of Public "
        "Security said Thursday.\n"
        "Acting on a tip-off from Taiwan police in January, police in Fujian province seized the drugs in Xiamen "
        "on March 5."
    )
    found = run(text, PartialDate(2014, 3, 20))
    (seizure,) = [p for p in found if p.kind == "seizure"]
    assert seizure.fields["date"]["iso"] == "2014-03-05" and seizure.fields["place"] == "xiamen"
    assert seizure.unresolved == [] and seizure.fields["suspects"] == 12
    (case,) = [p.fields for p in found if p.kind == "case"]
    assert case["opened_on"]["iso"] == "2014-03-05" and case["places"] == ["xiamen"] and case["joint"] is True
    (intel,) = [p.fields for p in found if p.kind == "intel"]
    assert intel["provider_party"] == "TW" and intel["date"] is None  # March 5 is the seizure's day, not the tip's
