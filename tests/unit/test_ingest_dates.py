"""Dates in documents: ROC and Gregorian, partial, and relative to the document's own date or year."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from straitlink.domain.dates import Part, PartialDate
from straitlink.ingest.dates import DateContext, header_date
from straitlink.ingest.folding import fold
from straitlink.ingest.normalise import blocks

P = PartialDate


def _dates(text: str, document: PartialDate | None = None) -> list[PartialDate | None]:
    return [m.date for m in DateContext(document=document).find(fold(text).text)]


def test_the_seed_bulletins_chain_of_relative_dates() -> None:
    text = (
        "自 98 年 6月 25 日生效至今(102)年 11 月 30 日止。行政院於去(101)年 12 月 13 日，同年 12 月 19 日法務部，"
        "今(102)年 1月 28 日，4月間，102 年 5月間，同年 7月間，8月間，今年下半年，同年 9 月底，於 12 月底"
    )
    assert _dates(text) == [
        P(2009, 6, 25),
        P(2013, 11, 30),
        P(2012, 12, 13),
        P(2012, 12, 19),
        P(2013, 1, 28),
        P(2013, 4, part=Part.DURING),
        P(2013, 5, part=Part.DURING),
        P(2013, 7, part=Part.DURING),
        P(2013, 8, part=Part.DURING),
        P(2013, part=Part.SECOND_HALF),
        P(2013, 9, part=Part.END),
        P(2013, 12, part=Part.END),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("本月八日", P(2013, 11, 8)),
        ("前天", P(2013, 11, 18)),
        ("昨(19)日", P(2013, 11, 19)),
        ("昨（19）日", P(2013, 11, 19)),
        ("21日在厦门举行", P(2013, 10, 21)),  # a day still ahead this month was last month's
        ("上月底", P(2013, 10, part=Part.END)),
        ("本(102)年6月底", P(2013, 6, part=Part.END)),
        ("2013年3月下旬", P(2013, 3, part=Part.LATE)),
        ("二〇一三年五月八日", P(2013, 5, 8)),
        # ROC years as official documents write them in Chinese numerals
        ("一百零二年十一月十七日", P(2013, 11, 17)),
        ("中華民國一百零二年十一月十七日", P(2013, 11, 17)),
        ("一〇二年九月二十七日", P(2013, 9, 27)),
        ("九十八年六月二十五日", P(2009, 6, 25)),
        ("一百一十三年三月底", P(2024, 3, part=Part.END)),
        ("民國一百年", P(2011)),
        ("102-10-09", P(2013, 10, 9)),
        ("2014/01/14", P(2014, 1, 14)),
    ],
)
def test_relative_and_numeric_forms_against_the_document_date(text: str, expected: PartialDate) -> None:
    assert _dates(text, P(2013, 11, 20)) == [expected]


@pytest.mark.parametrize("text", ["前天", "本月八日", "昨(19)日", "同年"])
def test_a_date_the_text_does_not_give_stays_unknown(text: str) -> None:
    (found,) = DateContext().find(fold(text).text)
    assert found.date is None
    assert found.problem


@pytest.mark.parametrize(
    "text", ["近3年", "有期徒刑15年", "10年來", "3日內", "64萬畝", "1.36噸", "判處有期徒刑二十年", "三十年來", "二十年"]
)
def test_durations_and_numbers_are_not_dates(text: str) -> None:
    assert _dates(text, P(2013, 11, 20)) == []


def _head(text: str) -> PartialDate | None:
    return header_date(next(blocks([text])).text)


def test_header_dates() -> None:
    assert _head("新聞稿\n發布日期：102-10-09\n標題\n") == P(2013, 10, 9)
    assert _head("标题\n2013年08月09日　来源：海峡导报\n") == P(2013, 8, 9)
    assert _head("标题\n\n正文没有日期。") is None
    assert _head("法務部新聞稿\n發稿日期：中華民國一百零二年十一月二十日\n\n正文") == P(2013, 11, 20)


DOCUMENT_DAYS = st.dates(min_value=date(1912, 1, 1), max_value=date(2900, 12, 31))


@given(st.text(max_size=60), st.one_of(st.none(), DOCUMENT_DAYS.map(lambda d: P(d.year, d.month, d.day))))
def test_any_text_gives_only_valid_dates(text: str, document: PartialDate | None) -> None:
    for found in DateContext(document=document).find(fold(text).text):
        assert (found.date is None) == (found.problem is not None)
