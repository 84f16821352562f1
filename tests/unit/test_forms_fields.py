"""field=value pairs as the CLI and the forms read them: roles and separators as Chinese writes them."""

from __future__ import annotations

import pytest

from straitlink.catalog import load_catalog
from straitlink.domain.errors import InvalidValue
from straitlink.services.forms import parse_fields
from straitlink.services.kinds import kind_named


@pytest.mark.parametrize(
    "typed",
    [
        "directing:高雄地檢署,leading:公安部",
        "指揮:高雄地檢署，主導:公安部",
        "指挥：高雄地检署、主导：公安部",
        "Directing : 高雄地檢署 , 主辦:公安部",
    ],
)
def test_a_cases_agencies_in_either_script_with_either_separators(typed: str) -> None:
    fields = parse_fields(kind_named("case"), [f"agencies={typed}"], load_catalog())
    assert fields["agencies"] == [
        {"agency": "kaohsiung-district-prosecutors", "role": "directing"},
        {"agency": "mps", "role": "leading"},
    ]


def test_free_text_in_a_list_keeps_its_chinese_punctuation() -> None:
    fields = parse_fields(kind_named("meeting"), ["decisions=加強情資交換，定期會晤、互派聯絡人"], load_catalog())
    assert fields["decisions"] == ["加強情資交換，定期會晤、互派聯絡人"]


def test_quantities_split_on_either_semicolon() -> None:
    fields = parse_fields(kind_named("seizure"), ["quantities=600 塊；229 公斤 毛重;3,000餘公斤"], load_catalog())
    assert [q["unit"] for q in fields["quantities"]] == ["block", "kg", "kg"]


def test_an_unknown_role_names_the_roles() -> None:
    with pytest.raises(InvalidValue) as refused:
        parse_fields(kind_named("case"), ["agencies=老大:高雄地檢署"], load_catalog())
    assert refused.value.field == "agencies"
    assert "'老大'" in refused.value.message and "directing" in refused.value.message
