"""The shipped catalogue resolves every name the 2013 MOJ bulletin uses; bad data is rejected precisely."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from straitlink.catalog import FILES, Catalog, CatalogError, load_catalog, normalize_name
from straitlink.domain.errors import UnknownReference
from straitlink.domain.parties import Party
from straitlink.domain.reference import DrugCategory, RequestType


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


GLOSSARY_AGENCIES = [
    ("moj", Party.TW),
    ("tw-high-prosecutors", Party.TW),
    ("kaohsiung-district-prosecutors", Party.TW),
    ("coast-guard", Party.TW),
    ("mjib", Party.TW),
    ("mjib-south-mobile", Party.TW),
    ("mjib-kaohsiung", Party.TW),
    ("cib", Party.TW),
    ("cib-3rd-brigade", Party.TW),
    ("mac", Party.TW),
    ("mps", Party.CN),
    ("mps-narcotics", Party.CN),
    ("gd-narcotics", Party.CN),
    ("fj-narcotics-corps", Party.CN),
]


@pytest.mark.parametrize(("agency_id", "party"), GLOSSARY_AGENCIES)
def test_glossary_agency_ids_exist_with_their_party(catalog: Catalog, agency_id: str, party: Party) -> None:
    assert catalog.agency(agency_id).party is party


BULLETIN_AGENCIES = [
    ("高雄地檢署", "kaohsiung-district-prosecutors"),
    ("海巡署", "coast-guard"),
    ("行政院海岸巡防署", "coast-guard"),
    ("南機組", "mjib-south-mobile"),
    ("法務部調查局南機組", "mjib-south-mobile"),
    ("偵三隊", "cib-3rd-brigade"),
    ("刑事警察局", "cib"),
    ("高雄市調查處", "mjib-kaohsiung"),
    ("公安部", "mps"),
    ("大陸公安部禁毒局", "mps-narcotics"),
    ("廣東省公安廳禁毒局", "gd-narcotics"),
    ("福建省禁毒總隊", "fj-narcotics-corps"),
    ("陸委會", "mac"),
    ("臺灣高等法院檢察署", "tw-high-prosecutors"),
    ("緝毒督導小組", "tw-high-prosecutors-narcotics-unit"),
    ("法務部", "moj"),
    ("行政院", "executive-yuan"),
]


@pytest.mark.parametrize(("wording", "agency_id"), BULLETIN_AGENCIES)
def test_bulletin_agency_wording_resolves(catalog: Catalog, wording: str, agency_id: str) -> None:
    assert catalog.find_agency(wording).id == agency_id


BULLETIN_PLACES = [
    ("桃園機場", "taoyuan-airport"),
    ("泉州市", "quanzhou"),
    ("東山縣", "dongshan"),
    ("漳州市", "zhangzhou"),
    ("福建省", "fujian"),
    ("福建", "fujian"),
    ("雲南省", "yunnan"),
    ("廣州市", "guangzhou"),
    ("惠州市", "huizhou"),
    ("北京", "beijing"),
    ("臺北", "taipei"),
    ("金三角", "golden-triangle"),
    ("金新月", "golden-crescent"),
    ("阿富汗", "afghanistan"),
    ("巴拿馬", "panama"),
    ("大陸", "cn"),
    ("台南", "tainan"),
]


@pytest.mark.parametrize(("wording", "place_id"), BULLETIN_PLACES)
def test_bulletin_place_wording_resolves(catalog: Catalog, wording: str, place_id: str) -> None:
    assert catalog.find_place(wording).id == place_id


def test_place_hierarchy_and_parties(catalog: Catalog) -> None:
    assert catalog.place("dongshan").parent == "zhangzhou"
    assert catalog.place("zhangzhou").parent == "fujian"
    assert catalog.place("tw").party is Party.TW
    assert catalog.place("cn").party is Party.CN
    for place_id in ("golden-triangle", "golden-crescent", "hong-kong", "macau"):
        assert catalog.place(place_id).party is None


@pytest.mark.parametrize("wording", ["K他命", "愷他命", "氯胺酮", "K粉", "K仔", "K 他命", "ｋ他命", "ketamine"])
def test_ketamine_resolves_from_every_name(catalog: Catalog, wording: str) -> None:
    assert catalog.find_drug(wording).id == "ketamine"


def test_ketamine_dose_is_the_one_the_bulletin_implies(catalog: Catalog) -> None:
    ketamine = catalog.drug("ketamine")
    assert ketamine.tw_schedule == 3
    assert ketamine.dose_g == Decimal("0.1")
    assert ketamine.dose_source and "231" in ketamine.dose_source
    assert Decimal(231_000) / ketamine.dose_g == 2_310_000


@pytest.mark.parametrize("wording", ["麻黃素", "麻黄碱", "麻黃鹼", "鹽酸麻黃素"])
def test_ephedrine_is_a_precursor(catalog: Catalog, wording: str) -> None:
    ephedrine = catalog.find_drug(wording)
    assert ephedrine.id == "ephedrine"
    assert ephedrine.category is DrugCategory.PRECURSOR
    assert ephedrine.tw_schedule is None


@pytest.mark.parametrize(
    ("wording", "drug_id", "schedule"),
    [
        ("海洛因", "heroin", 1),
        ("冰毒", "methamphetamine", 2),
        ("甲基安非他命", "methamphetamine", 2),
        ("搖頭丸", "mdma", 2),
        ("一粒眠", "nimetazepam", 3),
    ],
)
def test_drug_schedules(catalog: Catalog, wording: str, drug_id: str, schedule: int) -> None:
    drug = catalog.find_drug(wording)
    assert (drug.id, drug.tw_schedule) == (drug_id, schedule)


@pytest.mark.parametrize(
    ("simplified", "agency_id"),
    [
        ("台湾高雄地方法院检察署", "kaohsiung-district-prosecutors"),
        ("高雄地检署", "kaohsiung-district-prosecutors"),
        ("南机组", "mjib-south-mobile"),
        ("侦三队", "cib-3rd-brigade"),
        ("陆委会", "mac"),
    ],
)
def test_simplified_spelling_of_a_taiwan_agency_resolves(catalog: Catalog, simplified: str, agency_id: str) -> None:
    assert catalog.find_agency(simplified).id == agency_id


def test_ambiguous_bare_narcotics_bureau_goes_to_the_national_one(catalog: Catalog) -> None:
    assert catalog.find_agency("禁毒局").id == "mps-narcotics"
    assert catalog.find_agency("公安部禁毒局").id == "mps-narcotics"


def test_find_agency_filters_by_party(catalog: Catalog) -> None:
    assert catalog.find_agency("海巡署", party=Party.TW).id == "coast-guard"
    assert catalog.find_agency("公安部", party="CN").id == "mps"
    with pytest.raises(UnknownReference):
        catalog.find_agency("海巡署", party=Party.CN)


def test_children(catalog: Catalog) -> None:
    assert {a.id for a in catalog.children("mjib")} >= {"mjib-south-mobile", "mjib-kaohsiung"}
    assert [a.id for a in catalog.children("cib")] == ["cib-3rd-brigade"]
    assert catalog.children("cib-3rd-brigade") == ()


def test_every_request_type_has_an_entry(catalog: Catalog) -> None:
    assert {str(rt.id) for rt in catalog.request_types} == {t.value for t in RequestType}
    assert all(rt.articles for rt in catalog.request_types)


@pytest.mark.parametrize(
    ("wording", "type_id"),
    [
        ("司法文書送達", "document_service"),
        ("人員緝捕遣返", "repatriation"),
        ("犯罪情資交換", "intelligence_exchange"),
        ("重要訊息通報", "notification"),
        ("罪犯接返", "sentenced_person_transfer"),
        ("调查取证", "evidence_collection"),
    ],
)
def test_request_type_wordings_from_the_figures_resolve(catalog: Catalog, wording: str, type_id: str) -> None:
    assert catalog.find_request_type(wording).id == RequestType(type_id)


def test_unknown_names_and_ids_raise_unknown_reference(catalog: Catalog) -> None:
    with pytest.raises(UnknownReference) as err:
        catalog.agency("nope", field="directed_by")
    assert err.value.field == "directed_by"
    with pytest.raises(UnknownReference):
        catalog.find_drug("糖果")
    with pytest.raises(UnknownReference):
        catalog.find_place("")
    with pytest.raises(UnknownReference):
        catalog.request_type("other")


def test_names_index_is_keyed_by_normalised_names(catalog: Catalog) -> None:
    index = catalog.names_index("agency")
    assert index[normalize_name("南機組")] == "mjib-south-mobile"
    assert index["南机组"] == "mjib-south-mobile"
    assert catalog.names_index("drug")[normalize_name("Ｋ 他命")] == "ketamine"
    assert all(key == normalize_name(key) for key in index)


def test_normalize_name_folds_script_space_and_case() -> None:
    assert normalize_name("臺灣 高雄") == normalize_name("台湾高雄") == "台湾高雄"
    assert normalize_name("K\u3000他命") == normalize_name("ｋ他命") == "k他命"


def test_load_is_cached() -> None:
    # How fast it loads is a benchmark's business, not an assertion's: a loaded CI machine would fail it.
    assert load_catalog.__wrapped__() is not load_catalog.__wrapped__()
    assert load_catalog() is load_catalog()


# --- validation, on small catalogues written to tmp_path ---


def _agency(agency_id: str, **over: Any) -> dict[str, Any]:
    entry = {
        "id": agency_id,
        "party": "TW",
        "kind": "ministry",
        "parent": None,
        "name_zh_hant": f"{agency_id}部",
        "name_zh_hans": f"{agency_id}部",
        "name_en": f"Agency {agency_id}",
        "short_names": [],
    }
    return entry | over


def _drug(drug_id: str, **over: Any) -> dict[str, Any]:
    entry = {
        "id": drug_id,
        "category": "drug",
        "name_zh_hant": f"{drug_id}藥",
        "name_zh_hans": f"{drug_id}药",
        "name_en": drug_id,
        "tw_schedule": 2,
        "aliases": [],
        "dose_g": None,
        "dose_source": None,
    }
    return entry | over


def _write(tmp_path: Path, **files: list[dict[str, Any]]) -> Path:
    for kind, name in FILES.items():
        entries = files.get(kind, [])
        (tmp_path / name).write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    return tmp_path


def test_a_small_valid_catalogue_loads(tmp_path: Path) -> None:
    data = _write(tmp_path, agency=[_agency("a"), _agency("b", parent="a", short_names=["乙署"])])
    catalog = load_catalog(data)
    assert catalog.find_agency("乙署").id == "b"
    assert [a.id for a in catalog.children("a")] == ["b"]


@pytest.mark.parametrize(
    ("files", "file", "entry", "field"),
    [
        ({"agency": [_agency("a"), _agency("a", name_zh_hant="甲二")]}, "agencies.yaml", "a", "id"),
        ({"agency": [_agency("a", parent="nowhere")]}, "agencies.yaml", "a", "parent"),
        ({"agency": [_agency("a", kind="ministryy")]}, "agencies.yaml", "a", "kind"),
        ({"agency": [_agency("a", party="HK")]}, "agencies.yaml", "a", "party"),
        (
            {"agency": [_agency("a", short_names=["禁毒局"]), _agency("b", short_names=["禁毒局"])]},
            "agencies.yaml",
            "b",
            "short_names",
        ),
        (  # a clash only once both scripts are folded together
            {"agency": [_agency("a", short_names=["調查局"]), _agency("b", short_names=["调查局"])]},
            "agencies.yaml",
            "b",
            "short_names",
        ),
        ({"agency": [_agency("a"), _agency("b", party="CN", parent="a")]}, "agencies.yaml", "b", "parent"),
        ({"agency": [_agency("A")]}, "agencies.yaml", "A", "id"),
        (
            {"agency": [{k: v for k, v in _agency("a").items() if k != "name_en"}]},
            "agencies.yaml",
            "a",
            "name_en",
        ),
        ({"agency": [_agency("a", extra=1)]}, "agencies.yaml", "a", "extra"),
        ({"drug": [_drug("x", dose_g="-0.5", dose_source="guess")]}, "drugs.yaml", "x", "dose_g"),
        ({"drug": [_drug("x", dose_g=0.1, dose_source="guess")]}, "drugs.yaml", "x", "dose_g"),
        ({"drug": [_drug("x", dose_g="abc", dose_source="guess")]}, "drugs.yaml", "x", "dose_g"),
        ({"drug": [_drug("x", dose_g="0.2")]}, "drugs.yaml", "x", "dose_source"),
        ({"drug": [_drug("x", tw_schedule=5)]}, "drugs.yaml", "x", "tw_schedule"),
        ({"drug": [_drug("x", category="precursor")]}, "drugs.yaml", "x", "tw_schedule"),
        ({"drug": [_drug("x", aliases="K粉")]}, "drugs.yaml", "x", "aliases"),
    ],
)
def test_invalid_data_names_file_entry_and_field(
    tmp_path: Path, files: dict[str, Any], file: str, entry: str, field: str
) -> None:
    with pytest.raises(CatalogError) as err:
        load_catalog(_write(tmp_path, **files))
    assert err.value.file.endswith(file)
    assert err.value.entry == entry
    assert err.value.field == field
    message = str(err.value)
    assert file in message and repr(entry) in message and repr(field) in message


def test_missing_file_and_bad_yaml_are_reported_by_file(tmp_path: Path) -> None:
    _write(tmp_path)
    (tmp_path / "places.yaml").write_text("- id: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"places\.yaml.*not valid YAML"):
        load_catalog(tmp_path)
    (tmp_path / "places.yaml").unlink()
    with pytest.raises(CatalogError, match=r"places\.yaml.*file not found"):
        load_catalog(tmp_path)
