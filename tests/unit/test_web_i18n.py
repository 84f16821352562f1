"""The web app's catalogues translate every message, and dates read as each language writes them."""

from __future__ import annotations

import re
from datetime import date

import pytest

from straitlink.web import labels
from straitlink.web.catalogues import extract, read
from straitlink.web.i18n import LANGS, article_text, catalogue_name, format_day, format_partial, pick_lang, translations


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_is_translated_and_none_is_stale(lang: str) -> None:
    messages = set(extract())
    catalogue = {m.id: m.string for m in read(lang) if m.id}
    assert messages - set(catalogue) == set(), "run python -m straitlink.web.catalogues"
    assert set(catalogue) - messages == set(), "run python -m straitlink.web.catalogues"
    assert [m for m in sorted(messages) if not catalogue[m]] == []


def test_the_extraction_finds_template_and_label_messages() -> None:
    messages = extract()
    assert "login.html" in messages["Log in"] and "labels.py" in messages["Information requested"]
    assert set(labels.STATUSES.values()) <= set(messages)


@pytest.mark.parametrize("lang", ["zh-TW", "zh-CN"])
def test_placeholders_survive_translation(lang: str) -> None:
    for message in read(lang):
        if message.id and "%(" in message.id:
            names = sorted(set(re.findall(r"%\((\w+)\)s", message.id)))
            assert sorted(set(re.findall(r"%\((\w+)\)s", message.string))) == names, message.id


def test_chinese_catalogues_use_each_sides_terms() -> None:
    assert translations("zh-TW").gettext("Seizures") == "查獲"
    assert translations("zh-CN").gettext("Seizures") == "缴获"
    assert translations("en").gettext("Seizures") == "Seizures"


def test_days_in_each_language() -> None:
    day = date(2013, 11, 17)
    assert [format_day(day, lang) for lang in LANGS] == ["102年11月17日", "2013年11月17日", "17 Nov 2013"]
    end_of_may = {"iso": "2013-05", "precision": "month", "part": "end"}
    assert format_partial(end_of_may, "zh-TW") == "102年5月底"
    assert format_partial({"iso": "2013-09-27", "precision": "day"}, "zh-CN") == "2013年9月27日"


def test_catalogue_names_follow_the_language() -> None:
    assert catalogue_name("drug", "ketamine", "zh-TW") == "愷他命"
    assert catalogue_name("drug", "ketamine", "zh-CN") == "氯胺酮"
    assert catalogue_name("agency", "no-such-agency", "en") == "no-such-agency"


def test_language_choice() -> None:
    assert pick_lang(None, accept="en-US,en;q=0.9") == "en"
    assert pick_lang(None, accept="zh-CN,zh;q=0.9") == "zh-CN"
    assert pick_lang("fr", "zh-CN") == "zh-CN"
    assert pick_lang(None) == "zh-TW"


def test_articles_as_each_side_cites_them() -> None:
    assert article_text("Art. 7¶3; Art. 14¶1", "zh-TW") == "第7條第3項、第14條第1項"
    assert article_text("Agreement Art. 13¶1", "zh-CN") == "协议第13条第1款"
    assert article_text("Art. 15", "en") == "Art. 15"


def test_the_text_as_received_from_the_other_side_has_a_label_in_each_language() -> None:
    label = labels.FIELDS["as_received"]
    shown = {lang: translations(lang).gettext(label) for lang in ("zh-TW", "zh-CN", "en")}
    assert shown == {"zh-TW": "對方來文原文", "zh-CN": "对方来文原文", "en": "As received from the other side"}
