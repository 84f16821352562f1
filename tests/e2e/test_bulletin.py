"""`straitlink bulletin` end to end on the demo data: every format parsed back, both scripts, a rendered page.

The 102 bulletin must contain each seizure of the seed with its date, place, drug and quantity. Each language speaks
only its own words: the output of every language (zh-TW, zh-CN, en) in Markdown, HTML and DOCX is scanned for the
other languages' terms — the concept words of each term table (stats/bulletin/words/*.yaml), in their own script and
in the scanned language's, and the drug names each language uses — and an English bulletin holds no Chinese
character at all. The annex speaks the bulletin's vocabulary, never the figures files' labels.
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from collections import defaultdict
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import opencc
import pytest
from docx import Document as read_docx
from matplotlib.image import imread
from pypdf import PdfReader
from typer.testing import CliRunner

from straitlink.catalog import load_catalog
from straitlink.cli.main import app
from straitlink.demo.figures import build_figures
from straitlink.demo.seed import build_seed
from straitlink.domain.errors import StraitLinkError
from straitlink.stats.bulletin import charts
from straitlink.stats.bulletin.phrases import EN, ZH_TW
from straitlink.stats.bulletin.terms import LANGS, Words, vocabulary
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
UNITS = {"zh-TW": {"kg": "公斤", "block": "塊"}, "zh-CN": {"kg": "千克", "block": "块"}}
BASIS = {"gross": "毛重", "net": "淨重", "unstated": ""}
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
SCRIPT = {"zh-TW": opencc.OpenCC("s2t"), "zh-CN": opencc.OpenCC("t2s")}


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
    assert "‘笙宏号’" in text and "《海峡两岸共同打击犯罪及司法互助协议》" in text and "情报" in text
    # Mainland numbers and units: 4万5426件, 千克; 指标, never OpenCC's 指针.
    assert re.search(r"达[0-9]+万[0-9]{4}件", text) and "千克" in text and "公斤" not in text
    assert "指标" in text and "指针" not in text


def test_docx_holds_the_seizures_and_the_charts(data_dir: Path, tmp_path: Path) -> None:
    for lang in ("zh-TW", "zh-CN"):
        path = bulletin(data_dir, lang, "docx", tmp_path)
        paragraphs = [p.text for p in read_docx(str(path)).paragraphs]
        assert_each_seizure_in_one_item(paragraphs, lang)
        with zipfile.ZipFile(path) as packed:
            assert len([n for n in packed.namelist() if n.startswith("word/media/")]) == 2
        # The annex's eight columns get a landscape section, as in the PDF; the text around it stays portrait.
        widths = [s.page_width > s.page_height for s in read_docx(str(path)).sections]
        assert widths[0] is False and True in widths and widths[-1] is False


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_pdf_text_and_a_rendered_page(data_dir: Path, tmp_path: Path, lang: str) -> None:
    path = bulletin(data_dir, lang, "pdf", tmp_path)
    reader = PdfReader(str(path))
    pages = [page.extract_text() for page in reader.pages]
    text = re.sub(r"\s+", "", "".join(pages))
    if lang != "en":
        for texts in seizure_facts(lang):
            assert all(t in text for t in texts), texts
    assert scan("".join(pages), lang) == []  # the PDF speaks only its own language's words too
    # The charts are embedded as images (WeasyPrint may list them in every page's resources).
    assert sum(len(page.images) for page in reader.pages) >= 2
    # The annex's eight columns get landscape pages; the rest is portrait.
    shapes = [page.mediabox.width > page.mediabox.height for page in reader.pages]
    assert not shapes[0] and any(shapes)
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")], check=True
    )
    pixels = imread(next(tmp_path.glob("page*.png")))
    ink = (pixels[..., :3].mean(axis=2) < 0.5).mean()
    assert ink > 0.01, "the first page rendered blank"


def test_html_keeps_numbers_with_their_units_on_one_line(data_dir: Path, tmp_path: Path) -> None:
    cn = bulletin(data_dir, "zh-CN", "html", tmp_path).read_text(encoding="utf-8")
    assert re.search(r'<span class="nb">[0-9]+万[0-9]{4}件</span>', cn)
    en = bulletin(data_dir, "en", "html", tmp_path).read_text(encoding="utf-8")
    assert '<span class="nb">229 kg</span>' in en and '<span class="nb">17 November 2013</span>' in en
    assert '<section class="annex">' in en and '<table class="annex">' in en and "size: A4 landscape" in en


def test_english_uses_catalogue_names(data_dir: Path, tmp_path: Path) -> None:
    text = bulletin(data_dir, "en", "md", tmp_path).read_text(encoding="utf-8")
    assert "500 kg of ketamine" in text and "600 blocks of heroin (229 kg gross)" in text
    assert "17 November 2013" in text and "Taoyuan International Airport" in text


def test_zh_tw_names_the_ministry_of_public_security_as_the_ministry_of_justice_does(
    data_dir: Path, tmp_path: Path
) -> None:
    text = bulletin(data_dir, "zh-TW", "md", tmp_path).read_text(encoding="utf-8")
    assert "大陸公安部" in text and "中華人民共和國公安部" not in text
    assert "「海峽兩岸共同打擊犯罪及司法互助協議」" in text and "4萬5,426件" in text


def test_charts_leave_headroom_and_table_rows_never_split(data_dir: Path, tmp_path: Path) -> None:
    assert charts.y_top([120.0, 480.0, 300.0]) >= 480 * 1.1
    assert charts.y_top([]) > 0
    html = bulletin(data_dir, "zh-TW", "html", tmp_path).read_text(encoding="utf-8")
    style = html.split("<style>", 1)[1].split("</style>", 1)[0]
    rule = re.search(r"tr, td, th \{([^}]*)\}", style)
    assert rule is not None and "page-break-inside: avoid" in rule[1] and "break-inside: avoid" in rule[1]
    assert re.search(r"thead \{ display: table-header-group; \}", style)


def test_charts_fail_clearly_without_the_cjk_font(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(charts.FONTS, "zh-TW", "No Such CJK Font")
    with pytest.raises(StraitLinkError) as missing:
        charts.font_for("zh-TW")
    assert missing.value.field == "font" and "No Such CJK Font" in missing.value.message


def words_of(lang: str) -> dict[str, str]:
    """concept → word: the term table's terms, and the drug names the language uses."""
    w = Words(lang, load_catalog())
    found = {f"term:{k}": v for k, v in vocabulary(lang)["terms"].items()}
    found.update({f"drug:{d.id}": w.drug(d.id) for d in load_catalog().drugs})
    return found


def foreign_words(lang: str) -> dict[str, set[str]]:
    """Words of the other languages the output must not hold, each with the own words that may contain it."""
    own = words_of(lang)
    own_all = set(own.values()) | set(map(str, vocabulary(lang)["units"].values()))
    own_all |= set((vocabulary(lang)["agencies"] or {}).values())
    banned: dict[str, set[str]] = {}
    for other in LANGS:
        if other == lang:
            continue
        for concept, word in words_of(other).items():
            forms = {word}
            if lang in SCRIPT and CJK.search(word):
                forms.add(SCRIPT[lang].convert(word))
            for form in forms:
                if form == own.get(concept) or form in own_all:
                    continue
                # An own word that merely contains the foreign one (假麻黃鹼 holds 麻黃鹼) is not a use of it.
                banned[form] = {w for w in own_all if form in w and w != form}
    return banned


def scan(text: str, lang: str) -> list[str]:
    hits = []
    for word, containers in foreign_words(lang).items():
        rest = text
        for container in sorted(containers, key=len, reverse=True):
            rest = rest.replace(container, "")
        pattern = rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])" if word.isascii() else re.escape(word)
        if re.search(pattern, rest, flags=re.IGNORECASE if word.isascii() else 0):
            hits.append(word)
    return hits


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in ("style", "svg")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("style", "svg")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def texts(data_dir: Path, lang: str, out: Path) -> dict[str, str]:
    md = bulletin(data_dir, lang, "md", out).read_text(encoding="utf-8")
    parser = _Text()
    parser.feed(bulletin(data_dir, lang, "html", out).read_text(encoding="utf-8"))
    word = read_docx(str(bulletin(data_dir, lang, "docx", out)))
    cells = [c.text for t in word.tables for r in t.rows for c in r.cells]
    return {"md": md, "html": "".join(parser.parts), "docx": "\n".join([p.text for p in word.paragraphs] + cells)}


@pytest.mark.parametrize("lang", LANGS)
def test_no_language_speaks_another_languages_terms(data_dir: Path, tmp_path: Path, lang: str) -> None:
    for fmt, text in texts(data_dir, lang, tmp_path).items():
        assert scan(text, lang) == [], (lang, fmt)
        if lang == "en":
            assert not CJK.findall(text), (fmt, sorted(set(CJK.findall(text))))


def test_the_scan_finds_a_foreign_term_where_there_is_one() -> None:
    assert {"氯胺酮", "千克"} <= set(scan("查獲氯胺酮500千克", "zh-TW"))
    assert "公斤" in scan("查获500公斤", "zh-CN") and "K他命" in scan("查获K他命", "zh-CN")
    assert scan("假麻黃鹼", "zh-TW") == []  # an own word holding a foreign one
    assert "ketamine" in scan("查獲ketamine", "zh-TW")


def annex_rows(markdown: str, lang: str) -> list[list[str]]:
    annex = markdown.split("\n## ")[-2]  # the annex comes just before the notes
    rows = [line.strip("|").split(" | ") for line in annex.splitlines() if line.startswith("| ")]
    return [[c.strip() for c in row] for row in rows[2:]]  # without the header row and the rule under it


@pytest.mark.parametrize("lang", LANGS)
def test_the_annex_shows_no_internal_labels(data_dir: Path, tmp_path: Path, lang: str) -> None:
    markdown = bulletin(data_dir, lang, "md", tmp_path).read_text(encoding="utf-8")
    rows = annex_rows(markdown, lang)
    assert len(rows) > 20
    w = Words(lang, load_catalog())
    documents, figures = build_figures()
    seed = build_seed()
    names = {w.metric(f.metric).name for f in [*figures, *seed.figures] if w.metric(f.metric)}  # type: ignore[union-attr]
    sources = {w.source(d.publisher or "") for d in [*documents, seed.document]}
    sep = "；" if lang != "en" else "; "
    for metric, _period, _direction, _published, _computed, _difference, _verdict, source in rows:
        assert metric in names, metric  # the bulletin's own vocabulary, never the figures file's words
        assert set(source.split(sep)) <= sources, source
        text = " ".join((metric, source))
        for internal in ("(EN)", "(JA)", "SEED", "held-out", " via ", "citing", "[published unit", "metric_", "_zh"):
            assert internal not in text, (internal, text)
        if lang == "zh-CN":
            assert SCRIPT["zh-CN"].convert(source) == source, source  # no Traditional character in a source's name


@pytest.mark.parametrize("lang", LANGS)
def test_one_published_figure_gets_one_verdict(data_dir: Path, tmp_path: Path, lang: str) -> None:
    """The same statement (metric, period, value) is one row; a figure restated by two sources is not both."""
    markdown = bulletin(data_dir, lang, "md", tmp_path).read_text(encoding="utf-8")
    verdicts: dict[tuple[str, str, str, str], set[str]] = defaultdict(set)
    for metric, period, direction, published, _c, _d, verdict, _s in annex_rows(markdown, lang):
        verdicts[(metric, direction, published, period)].add(verdict.split("（")[0].split(" (")[0])
    w = Words(lang, load_catalog())
    phrases = EN if lang == "en" else ZH_TW
    match, discrepancy = phrases["verdict_match"], phrases["verdict_discrepancy"]
    if lang == "zh-CN":
        match, discrepancy = w.to_zh_cn(match), w.to_zh_cn(discrepancy)
    for key, seen in verdicts.items():
        assert not {match, discrepancy} <= seen, key
