"""`straitlink bulletin` end to end on the demo data: every format parsed back, both scripts, a rendered page.

The 102 bulletin must contain each seizure of the seed with its date, place, drug and quantity.
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from docx import Document as read_docx
from matplotlib.image import imread
from pypdf import PdfReader
from typer.testing import CliRunner

from straitlink.catalog import load_catalog
from straitlink.cli.main import app
from straitlink.demo.seed import build_seed
from straitlink.domain.errors import StraitLinkError
from straitlink.stats.bulletin import charts
from straitlink.stats.service import compute_statistics
from straitlink.store.db import make_engine
from straitlink.store.uow import UnitOfWork

runner = CliRunner()
PERIOD = ("102-01-01", "102-12-31")
# How each script names the seed's drugs and units: the test's own table, not the code's.
DRUGS = {
    "zh-TW": {"ketamine": "K他命", "heroin": "海洛因", "ephedrine": "麻黃素"},
    "zh-CN": {"ketamine": "氯胺酮", "heroin": "海洛因", "ephedrine": "麻黄碱"},
}
UNITS = {"zh-TW": {"kg": "公斤", "block": "塊"}, "zh-CN": {"kg": "公斤", "block": "块"}}
BASIS = {"gross": "毛重", "net": "淨重", "unstated": ""}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bulletin") / "data"
    for command in (["init"], ["demo", "--json"]):
        result = runner.invoke(app, ["--data-dir", str(folder), *command], env={"STRAITLINK_USER": "demo-admin"})
        assert result.exit_code == 0, result.stderr
    return folder


def bulletin(data_dir: Path, lang: str, fmt: str, out: Path) -> Path:
    target = out / f"bulletin-{lang}.{fmt}"
    args = ["--data-dir", str(data_dir), "bulletin", "--from", PERIOD[0], "--to", PERIOD[1], "--lang", lang]
    result = runner.invoke(app, [*args, "--format", fmt, "-o", str(target)], env={"STRAITLINK_USER": "demo-analyst"})
    assert result.exit_code == 0, result.stderr
    return target


def seizure_facts(lang: str) -> list[list[str]]:
    """For each seed seizure, the texts one item must hold: date, place (if stated), drug with its quantities."""
    catalog = load_catalog()
    facts = []
    for s in build_seed().seizures:
        assert s.date is not None
        when = s.date.format_roc() if lang == "zh-TW" else s.date.format_zh_cn()
        amounts = [f"{BASIS[q.basis.value]}{q.value:,}{UNITS[lang][q.unit.value]}" for q in s.quantities]
        texts = [when, DRUGS[lang][s.drug] + amounts[0], *amounts[1:]]
        if s.place:
            place = catalog.place(s.place)
            texts.append(place.name_zh_hant if lang == "zh-TW" else place.name_zh_hans)
        facts.append(texts)
    return facts


def assert_each_seizure_in_one_item(items: list[str], lang: str) -> None:
    flat = [re.sub(r"\s+", "", i) for i in items]
    for texts in seizure_facts(lang):
        assert any(all(t in item for t in texts) for item in flat), f"no item holds {texts}"


class _Items(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.items: list[str] = []
        self.svgs = 0
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "li":
            self.items.append("")
            self._depth += 1
        self.svgs += tag == "svg"

    def handle_endtag(self, tag: str) -> None:
        self._depth -= tag == "li"

    def handle_data(self, data: str) -> None:
        if self._depth:
            self.items[-1] += data


def test_zh_tw_markdown_and_html_hold_every_seed_seizure(data_dir: Path, tmp_path: Path) -> None:
    text = bulletin(data_dir, "zh-TW", "md", tmp_path).read_text(encoding="utf-8")
    assert_each_seizure_in_one_item([line for line in text.splitlines() if re.match(r"\d+\. ", line)], "zh-TW")
    parser = _Items()
    parser.feed(bulletin(data_dir, "zh-TW", "html", tmp_path).read_text(encoding="utf-8"))
    assert_each_seizure_in_one_item(parser.items, "zh-TW")
    assert parser.svgs >= 2  # the two charts, inline


def test_numbers_come_from_the_statistics_service(data_dir: Path, tmp_path: Path) -> None:
    text = bulletin(data_dir, "zh-TW", "md", tmp_path).read_text(encoding="utf-8")
    engine = make_engine(f"sqlite:///{data_dir / 'straitlink.db'}")
    with UnitOfWork(engine) as uow:
        since = compute_statistics(uow, start=date(2009, 6, 25), end=date(2013, 12, 31))
        year = compute_statistics(uow, start=date(2013, 1, 1), end=date(2013, 12, 31))
    engine.dispose()
    wan, rest = divmod(since.requests.both.total, 10_000)
    assert f"雙方請求互助案件數達{wan}萬{rest:05,}件" in text
    assert f"雙方聯手查獲毒品案件{since.cases.joint_drug}件" in text
    assert f"查獲嫌犯{year.suspects.total}人" in text
    coast = year.intel.by_provider["coast-guard"]
    ketamine = coast.weight_by_drug["ketamine"].value
    assert ketamine == ketamine.to_integral()
    assert f"K他命{int(ketamine):,}公斤" in text


def test_zh_cn_uses_simplified_script_mainland_terms_and_gregorian_dates(data_dir: Path, tmp_path: Path) -> None:
    text = bulletin(data_dir, "zh-CN", "md", tmp_path).read_text(encoding="utf-8")
    assert_each_seizure_in_one_item([line for line in text.splitlines() if re.match(r"\d+\. ", line)], "zh-CN")
    assert "K他命" not in text and "愷他命" not in text and "麻黃素" not in text
    assert "102年" not in text
    # Mainland quotation marks (a quote inside a quote in single marks), and 情报 for Taiwan's 情資.
    assert "‘笙宏号’" in text and "“海峡两岸共同打击犯罪及司法互助协议”" in text and "情报" in text


def test_docx_holds_the_seizures_and_the_charts(data_dir: Path, tmp_path: Path) -> None:
    for lang in ("zh-TW", "zh-CN"):
        path = bulletin(data_dir, lang, "docx", tmp_path)
        paragraphs = [p.text for p in read_docx(str(path)).paragraphs]
        assert_each_seizure_in_one_item(paragraphs, lang)
        with zipfile.ZipFile(path) as packed:
            assert len([n for n in packed.namelist() if n.startswith("word/media/")]) == 2


@pytest.mark.slow
def test_pdf_text_and_a_rendered_page(data_dir: Path, tmp_path: Path) -> None:
    path = bulletin(data_dir, "zh-TW", "pdf", tmp_path)
    reader = PdfReader(str(path))
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
    for texts in seizure_facts("zh-TW"):
        assert all(t in text for t in texts), texts
    # The charts are embedded as images (WeasyPrint may list them in every page's resources).
    assert sum(len(page.images) for page in reader.pages) >= 2
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")], check=True
    )
    pixels = imread(next(tmp_path.glob("page*.png")))
    ink = (pixels[..., :3].mean(axis=2) < 0.5).mean()
    assert ink > 0.01, "the first page rendered blank"


def test_english_uses_catalogue_names(data_dir: Path, tmp_path: Path) -> None:
    text = bulletin(data_dir, "en", "md", tmp_path).read_text(encoding="utf-8")
    assert "500 kg of ketamine" in text and "600 blocks of heroin (229 kg gross)" in text
    assert "17 November 2013" in text and "Taoyuan International Airport" in text


def test_charts_fail_clearly_without_the_cjk_font(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(charts.FONTS, "zh-TW", "No Such CJK Font")
    with pytest.raises(StraitLinkError) as missing:
        charts.font_for("zh-TW")
    assert missing.value.field == "font" and "No Such CJK Font" in missing.value.message
