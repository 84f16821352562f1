"""PartialDate: parsing every bulletin form, impossible dates, ranges, formats and JSON, with round trips."""

from __future__ import annotations

import calendar
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from straitlink.domain.dates import MAX_YEAR, MIN_YEAR, Part, PartialDate, Precision
from straitlink.domain.errors import InvalidValue, MissingField

P = PartialDate
MONTH_PARTS = [p for p in Part if p.of_month]
YEAR_PARTS = [p for p in Part if not p.of_month]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2013-11-17", P(2013, 11, 17)),
        ("2013-05", P(2013, 5)),
        ("2013", P(2013)),
        ("2013/5/7", P(2013, 5, 7)),
        ("102年9月27日", P(2013, 9, 27)),
        ("102 年 5 月底", P(2013, 5, part=Part.END)),
        ("  102年5月底\u3000", P(2013, 5, part=Part.END)),
        ("98年6月25日", P(2009, 6, 25)),
        ("民國102年11月30日", P(2013, 11, 30)),
        ("中華民國102年11月30日", P(2013, 11, 30)),
        ("98-06-25", P(2009, 6, 25)),
        ("98/06/25", P(2009, 6, 25)),
        ("102/11/30", P(2013, 11, 30)),
        ("102.11.30", P(2013, 11, 30)),
        ("102-11", P(2013, 11)),
        ("102年4月間", P(2013, 4, part=Part.DURING)),
        ("102年3月下旬", P(2013, 3, part=Part.LATE)),
        ("102年12月", P(2013, 12)),
        ("102年", P(2013)),
        ("102年下半年", P(2013, part=Part.SECOND_HALF)),
        ("102年上半年", P(2013, part=Part.FIRST_HALF)),
        ("102年初", P(2013, part=Part.YEAR_START)),
        ("102年底", P(2013, part=Part.YEAR_END)),
        ("102年5月初", P(2013, 5, part=Part.START)),
        ("102年5月上旬", P(2013, 5, part=Part.EARLY)),
        ("102年5月中旬", P(2013, 5, part=Part.MIDDLE)),
        ("102年5月中", P(2013, 5, part=Part.MIDDLE)),
        ("102年5月末", P(2013, 5, part=Part.END)),
        ("１０２年", P(2013)),
        ("１０２年５月底", P(2013, 5, part=Part.END)),
        ("９８／０６／２５", P(2009, 6, 25)),
        ("2013年5月底", P(2013, 5, part=Part.END)),
        ("2013年4月间", P(2013, 4, part=Part.DURING)),
        ("9年1月1日", P(1920, 1, 1)),
        ("101年2月29日", P(2012, 2, 29)),
    ],
)
def test_parse_accepts_every_documented_form(text: str, expected: PartialDate) -> None:
    parsed = PartialDate.parse(text)
    assert parsed == expected
    assert parsed.part == expected.part


def test_month_day_forms_take_the_default_year() -> None:
    assert PartialDate.parse("5月底", default_year=2013) == P(2013, 5, part=Part.END)
    assert PartialDate.parse("9月27日", default_year=2013) == P(2013, 9, 27)
    # An explicit year wins over the default.
    assert PartialDate.parse("98年6月25日", default_year=2013) == P(2009, 6, 25)


@pytest.mark.parametrize("text", ["5月底", "9月27日"])
def test_month_day_forms_without_default_year_are_rejected(text: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        PartialDate.parse(text)
    assert "default year" in caught.value.message


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "garbage",
        "102年13月",
        "2013-02-30",
        "102年2月30日",
        "102年2月29日",  # 2013 is not a leap year
        "2013-13",
        "2013-00-10",
        "102年5月32日",
        "102年0月",
        "0年",
        "1911",
        "1000-01-01",
        "102",
        "1 02年",
        "98-06/25",
        "102年上旬",
        "102年5月上半年",
        "102年5月27",
        "民國",
        "民國5月",
        "年",
        "月底",
        "2013-11-17T00:00",
        "٢٠١٣",
        "99999999999999999999年",
    ],
)
def test_parse_rejects_impossible_and_unknown_text(text: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        PartialDate.parse(text, field="event.date")
    assert caught.value.field == "event.date"
    assert caught.value.value == text


def test_parse_rejects_non_text_with_invalid_value() -> None:
    with pytest.raises(InvalidValue):
        PartialDate.parse(None)  # type: ignore[arg-type]


def test_bad_default_year_is_invalid_value() -> None:
    with pytest.raises(InvalidValue):
        PartialDate.parse("5月底", default_year=1800)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"year": 2013, "month": 13},
        {"year": 2013, "month": 2, "day": 30},
        {"year": 2013, "month": 2, "day": 29},
        {"year": 2013, "day": 5},
        {"year": 2013, "month": 5, "day": 10, "part": Part.END},
        {"year": 2013, "month": 5, "part": Part.FIRST_HALF},
        {"year": 2013, "part": Part.END},
        {"year": 1911},
        {"year": MAX_YEAR + 1},
        {"year": 10**5000},
        {"year": True},
        {"year": "2013"},
        {"year": 2013, "month": 5, "part": "bogus"},
    ],
)
def test_constructor_rejects_impossible_dates(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidValue) as caught:
        PartialDate(**kwargs)  # type: ignore[arg-type]
    assert caught.value.field == "date"


def test_constructor_accepts_leap_day_and_part_text() -> None:
    assert P(2012, 2, 29).latest() == date(2012, 2, 29)
    coerced = PartialDate(2013, 5, part="end")  # type: ignore[arg-type]
    assert coerced.part is Part.END


@pytest.mark.parametrize(
    ("d", "precision", "earliest", "latest"),
    [
        (P(2013, 11, 17), Precision.DAY, date(2013, 11, 17), date(2013, 11, 17)),
        (P(2013, 5), Precision.MONTH, date(2013, 5, 1), date(2013, 5, 31)),
        (P(2013, 5, part=Part.END), Precision.MONTH, date(2013, 5, 21), date(2013, 5, 31)),
        (P(2013, 2, part=Part.LATE), Precision.MONTH, date(2013, 2, 21), date(2013, 2, 28)),
        (P(2012, 2, part=Part.END), Precision.MONTH, date(2012, 2, 21), date(2012, 2, 29)),
        (P(2013, 5, part=Part.START), Precision.MONTH, date(2013, 5, 1), date(2013, 5, 10)),
        (P(2013, 5, part=Part.EARLY), Precision.MONTH, date(2013, 5, 1), date(2013, 5, 10)),
        (P(2013, 5, part=Part.MIDDLE), Precision.MONTH, date(2013, 5, 11), date(2013, 5, 20)),
        (P(2013, 4, part=Part.DURING), Precision.MONTH, date(2013, 4, 1), date(2013, 4, 30)),
        (P(2013), Precision.YEAR, date(2013, 1, 1), date(2013, 12, 31)),
        (P(2013, part=Part.FIRST_HALF), Precision.YEAR, date(2013, 1, 1), date(2013, 6, 30)),
        (P(2013, part=Part.SECOND_HALF), Precision.YEAR, date(2013, 7, 1), date(2013, 12, 31)),
        (P(2013, part=Part.YEAR_START), Precision.YEAR, date(2013, 1, 1), date(2013, 3, 31)),
        (P(2013, part=Part.YEAR_END), Precision.YEAR, date(2013, 10, 1), date(2013, 12, 31)),
    ],
)
def test_precision_and_range(d: PartialDate, precision: Precision, earliest: date, latest: date) -> None:
    assert d.precision is precision
    assert d.earliest() == earliest
    assert d.latest() == latest


def test_iso_and_roc_year() -> None:
    assert P(2013, 11, 17).iso == "2013-11-17"
    assert P(2013, 5, part=Part.END).iso == "2013-05"
    assert P(2013, part=Part.SECOND_HALF).iso == "2013"
    assert P(2013).roc_year == 102
    assert P(1912).roc_year == 1


@pytest.mark.parametrize(
    ("d", "roc", "zh_cn", "en"),
    [
        (P(2013, 11, 17), "102年11月17日", "2013年11月17日", "17 November 2013"),
        (P(2013, 5, part=Part.END), "102年5月底", "2013年5月底", "end of May 2013"),
        (P(2013, 5, part=Part.LATE), "102年5月下旬", "2013年5月下旬", "late May 2013"),
        (P(2013, 3, part=Part.EARLY), "102年3月上旬", "2013年3月上旬", "early March 2013"),
        (P(2013, 3, part=Part.MIDDLE), "102年3月中旬", "2013年3月中旬", "mid-March 2013"),
        (P(2013, 3, part=Part.START), "102年3月初", "2013年3月初", "start of March 2013"),
        (P(2013, 4, part=Part.DURING), "102年4月間", "2013年4月间", "during April 2013"),
        (P(2013, 12), "102年12月", "2013年12月", "December 2013"),
        (P(2013, 4), "102年4月", "2013年4月", "April 2013"),
        (P(2013), "102年", "2013年", "2013"),
        (P(2013, part=Part.SECOND_HALF), "102年下半年", "2013年下半年", "second half of 2013"),
        (P(2013, part=Part.FIRST_HALF), "102年上半年", "2013年上半年", "first half of 2013"),
        (P(2013, part=Part.YEAR_START), "102年初", "2013年初", "start of 2013"),
        (P(2013, part=Part.YEAR_END), "102年底", "2013年底", "end of 2013"),
    ],
)
def test_formats(d: PartialDate, roc: str, zh_cn: str, en: str) -> None:
    assert d.format_roc() == roc
    assert d.format_zh_cn() == zh_cn
    assert d.format_en() == en
    assert str(d) == en


def test_to_json_shape() -> None:
    assert P(2013, 11, 17).to_json() == {"iso": "2013-11-17", "precision": "day", "roc": "102年11月17日"}
    assert P(2013, 5, part=Part.END).to_json() == {
        "iso": "2013-05",
        "precision": "month",
        "roc": "102年5月底",
        "part": "end",
    }


def test_from_json_accepts_iso_alone() -> None:
    assert PartialDate.from_json({"iso": "2013-05", "part": "end"}) == P(2013, 5, part=Part.END)


@pytest.mark.parametrize(
    "data",
    [
        None,
        "2013-05",
        {"iso": "2013-5"},
        {"iso": "102-05-01"},
        {"iso": 2013},
        {"iso": "2013-02-30"},
        {"iso": "2013-05-17", "part": "end"},
        {"iso": "2013", "part": "end"},
        {"iso": "2013-05", "part": "soon"},
        {"iso": "2013-05", "part": 3},
        {"iso": "2013-05", "precision": "day"},
        {"iso": "2013-05", "roc": "102年6月"},
        {"iso": "2013-05", "roc": "nonsense"},
        {"iso": "2013-05", "colour": "red"},
    ],
)
def test_from_json_rejects_bad_or_inconsistent_input(data: object) -> None:
    with pytest.raises(InvalidValue) as caught:
        PartialDate.from_json(data)
    assert caught.value.field == "date"


def test_from_json_requires_iso() -> None:
    with pytest.raises(MissingField) as caught:
        PartialDate.from_json({"precision": "day"})
    assert caught.value.field == "date"


def test_overlaps_and_within() -> None:
    end_of_may = P(2013, 5, part=Part.END)
    assert end_of_may.overlaps(date(2013, 5, 31), date(2013, 6, 30))
    assert not end_of_may.overlaps(date(2013, 6, 1), date(2013, 6, 30))
    assert not end_of_may.overlaps(date(2013, 5, 1), date(2013, 5, 20))
    assert end_of_may.within(date(2013, 5, 1), date(2013, 5, 31))
    assert not end_of_may.within(date(2013, 5, 25), date(2013, 6, 30))
    assert end_of_may.within(datetime(2013, 5, 21, 12), datetime(2013, 5, 31))


def test_period_errors_are_invalid_value() -> None:
    d = P(2013, 5)
    with pytest.raises(InvalidValue) as caught:
        d.overlaps(date(2013, 6, 1), date(2013, 5, 1))
    assert caught.value.field == "period"
    with pytest.raises(InvalidValue):
        d.within("2013-05-01", date(2013, 6, 1))  # type: ignore[arg-type]


def test_ordering_is_chronological() -> None:
    dates = [P(2013, 6), P(2013, 5, part=Part.END), P(2013), P(2013, 5, 1), P(2012, part=Part.YEAR_END)]
    assert sorted(dates) == [
        P(2012, part=Part.YEAR_END),
        P(2013),
        P(2013, 5, 1),
        P(2013, 5, part=Part.END),
        P(2013, 6),
    ]
    # Same range, different words: still distinct and still in one definite order.
    start, early = P(2013, 5, part=Part.START), P(2013, 5, part=Part.EARLY)
    assert start != early
    assert sorted([start, early]) == sorted([early, start])
    assert (start < early) != (early < start)


@st.composite
def partial_dates(draw: st.DrawFn) -> PartialDate:
    year = draw(st.integers(MIN_YEAR, MAX_YEAR))
    kind = draw(st.sampled_from(["day", "month", "month_part", "year", "year_part"]))
    if kind == "year":
        return P(year)
    if kind == "year_part":
        return P(year, part=draw(st.sampled_from(YEAR_PARTS)))
    month = draw(st.integers(1, 12))
    if kind == "month":
        return P(year, month)
    if kind == "month_part":
        return P(year, month, part=draw(st.sampled_from(MONTH_PARTS)))
    return P(year, month, draw(st.integers(1, calendar.monthrange(year, month)[1])))


@given(partial_dates())
def test_round_trips(d: PartialDate) -> None:
    assert PartialDate.parse(d.format_roc()) == d
    assert PartialDate.parse(d.format_zh_cn()) == d
    assert PartialDate.from_json(d.to_json()) == d
    if d.part is None:
        assert PartialDate.parse(d.iso) == d


@given(partial_dates())
def test_range_is_consistent(d: PartialDate) -> None:
    assert d.earliest() <= d.latest()
    assert d.earliest().year == d.latest().year == d.year
    assert d.within(d.earliest(), d.latest())
    assert d.overlaps(d.latest(), d.latest())
    if d.precision is Precision.DAY:
        assert d.earliest() == d.latest()


DATE_ALPHABET = st.sampled_from(list("0123456789１２年月日號底間间上下中旬半初末民國華-/. \u3000x"))


@given(st.one_of(st.text(), st.text(DATE_ALPHABET, max_size=14)), st.one_of(st.none(), st.integers()))
def test_parse_raises_nothing_but_invalid_value(text: str, default_year: int | None) -> None:
    try:
        parsed = PartialDate.parse(text, field="f", default_year=default_year)
    except InvalidValue as error:
        assert error.field == "f"
        assert error.value == text
    else:
        assert PartialDate.parse(parsed.format_roc()) == parsed
