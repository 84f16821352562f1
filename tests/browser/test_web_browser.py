"""A liaison officer's day in a real browser: log in, file a request, send it, find it, switch language, log out.

A live server on a free port, and Debian's chromium driven by Playwright (never a downloaded browser). The
fixtures live here, not in a conftest.py, whose module name would shadow tests/conftest.py.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright

from straitlink.services.setup import init_database
from straitlink.store.db import make_engine

sys.path.insert(0, str(Path(__file__).parent.parent / "e2e"))
from web_helpers import PASSWORD, WebApp, load_seed

CHROMIUM = os.environ.get("STRAITLINK_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where the screenshots are kept as test artefacts (STRAITLINK_SCREENSHOTS, default artifacts/screenshots)."""
    directory = Path(os.environ.get("STRAITLINK_SCREENSHOTS") or ROOT / "artifacts" / "screenshots")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, WebApp]]:
    directory = tmp_path_factory.mktemp("browser")
    engine = make_engine(f"sqlite:///{directory / 'straitlink.db'}")
    init_database(engine)
    load_seed(engine)
    web = WebApp(engine, directory / "data")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(web.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", web
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: run scripts/system-deps.sh (installs Debian's chromium)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


pytestmark = pytest.mark.slow
WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SUBJECT = "請求送達起訴書（笙宏號案）"


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("帳號").fill(username)
    page.get_by_label("密碼").fill(PASSWORD)
    page.get_by_role("button", name="登入").click()
    expect(page.get_by_role("heading", name="首頁")).to_be_visible()


def switch_language(page: Page, lang: str, button: str) -> None:
    page.locator("#lang-pick").select_option(lang)
    page.get_by_role("button", name=button).click()


def test_a_liaison_officer_files_sends_and_finds_a_request(
    live: tuple[str, WebApp], browser: Browser, screenshots: Path, tmp_path: Path
) -> None:
    base, web = live
    web.accounts.add("officer")
    page = browser.new_page(viewport=WIDE, locale="zh-TW")
    log_in(page, base, "officer")
    expect(page.get_by_text("巴拿馬籍貨輪「笙宏號」走私K他命案")).to_be_visible()
    expect(page.get_by_text("600 塊；229 公斤（毛重）")).to_be_visible()
    page.screenshot(path=str(screenshots / "dashboard-zh-TW-wide.png"), full_page=True)

    page.get_by_role("link", name="提出請求").first.click()
    page.get_by_label("類別").select_option("document_service")
    page.get_by_label("主旨").fill(SUBJECT)
    page.get_by_label("請求部門").select_option("kaohsiung-district-prosecutors")
    page.get_by_role("button", name="送出請求書").click()
    # Art. 13¶2: refused with every missing item named, and nothing typed is lost.
    expect(page.get_by_role("alert")).to_contain_text("請求目的")
    expect(page.get_by_label("主旨")).to_have_value(SUBJECT)
    page.get_by_label("請求目的").fill("送達起訴書")
    page.get_by_label("事項說明").fill("起訴書一份，送達船員")
    page.get_by_label("案情摘要").fill("巴拿馬籍貨輪走私K他命500公斤")
    page.get_by_label("執行請求所需其他資料").fill("受送達人住址")
    page.get_by_role("button", name="送出請求書").click()
    expect(page.get_by_role("heading", name=SUBJECT)).to_be_visible()
    expect(page.locator(".status")).to_contain_text("已提出")

    attachment = tmp_path / "起訴書.txt"
    attachment.write_text("起訴書", encoding="utf-8")
    step = page.locator("details.step", has=page.locator("input[name=target][value=sent]"))
    step.locator("summary").click()  # the step's summary opens its form
    step.get_by_label("文件（可不附）").set_input_files(str(attachment))
    step.get_by_role("button", name="送出").click()
    expect(page.locator(".status")).to_contain_text("已送出")
    expect(page.locator(".timeline")).to_contain_text("已送出")
    expect(page.get_by_text("起訴書.txt")).to_be_visible()
    page.screenshot(path=str(screenshots / "request-zh-TW-wide.png"), full_page=True)

    page.get_by_role("link", name="首頁").click()
    expect(page.get_by_role("link", name=SUBJECT)).to_be_visible()
    page.get_by_role("link", name="寄件匣").click()
    expect(page.get_by_role("link", name=SUBJECT)).to_be_visible()

    switch_language(page, "zh-CN", "切換")  # the page stays where it was, in the new language
    expect(page.get_by_role("heading", name="发件箱：我方的请求")).to_be_visible()
    page.get_by_role("link", name="首页").click()
    expect(page.get_by_role("heading", name="首页")).to_be_visible()
    expect(page.get_by_role("cell", name="2013年11月17日")).to_be_visible()
    page.screenshot(path=str(screenshots / "dashboard-zh-CN-wide.png"), full_page=True)
    switch_language(page, "en", "切换")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_text("600 blocks; 229 kg (gross weight)")).to_be_visible()
    page.screenshot(path=str(screenshots / "dashboard-en-wide.png"), full_page=True)

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/login?next=/")
    page.close()


@pytest.mark.parametrize("lang", ["zh-TW", "zh-CN", "en"])
def test_pages_fit_a_phone(live: tuple[str, WebApp], browser: Browser, screenshots: Path, lang: str) -> None:
    base, web = live
    web.accounts.add(f"reader-{lang}")
    page = browser.new_page(viewport=PHONE, locale="zh-TW")
    log_in(page, base, f"reader-{lang}")
    page.locator("#lang-pick").select_option(lang)
    page.locator("form[action='/lang'] button").click()
    pages = (
        ("dashboard", "/"),
        ("cases", "/records/cases"),
        ("statistics", "/statistics?by=drug"),
        ("meetings", "/meetings"),
        ("intel", "/intel"),
        ("operation-form", "/records/operations/new"),
    )
    for name, path in pages:
        page.goto(base + path)
        # Nothing wider than the screen: the page never scrolls sideways (wide tables scroll in their own box).
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (lang, path, width)
        page.screenshot(path=str(screenshots / f"{name}-{lang}-phone.png"), full_page=True)
    page.close()


def test_the_keyboard_alone_logs_in(live: tuple[str, WebApp], browser: Browser) -> None:
    base, web = live
    web.accounts.add("keys")
    page = browser.new_page(viewport=WIDE, locale="zh-TW")
    page.goto(f"{base}/login")
    page.keyboard.type("keys")  # the username field has the focus when the page opens
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="首頁")).to_be_visible()
    page.close()


def test_the_inbox_filter_swaps_the_rows_in_place(live: tuple[str, WebApp], browser: Browser) -> None:
    base, web = live
    web.accounts.add("filterer")
    subject = "請求調取通聯紀錄（篩選）"  # its own request: the test does not lean on an earlier test's
    own = {"type": "document_service", "subject": subject, "requesting_agency": "kaohsiung-district-prosecutors"}
    own |= {"purpose": "送達", "matters": "起訴書", "case_summary": "走私", "execution_needs": "地址"}
    assert web.login("filterer").post("/api/v1/requests", json=own).status_code == 201
    page = browser.new_page(viewport=WIDE, locale="zh-TW")
    log_in(page, base, "filterer")
    page.goto(f"{base}/requests?box=outbox")
    page.evaluate("window.marker = 'still here'")  # gone if the page reloads instead of htmx swapping the rows
    page.locator("#status").select_option("any")
    expect(page).to_have_url(f"{base}/requests?box=outbox&status=any")
    assert page.evaluate("window.marker") == "still here"
    expect(page.get_by_role("link", name=subject)).to_be_visible()
    page.close()


def test_an_admin_adds_an_account_and_an_officer_records_a_seizure_on_a_case(
    live: tuple[str, WebApp], browser: Browser, screenshots: Path
) -> None:
    base, web = live
    web.accounts.add("chief", roles=("admin",), agency=None)
    page = browser.new_page(viewport=WIDE, locale="zh-TW")
    log_in(page, base, "chief")
    page.get_by_role("link", name="帳號管理").click()
    page.get_by_label("帳號", exact=True).fill("lin")
    page.get_by_label("顯示名稱").fill("林聯繫官")
    page.get_by_label("聯繫窗口").check()
    page.get_by_label("機關").select_option("moj")
    page.get_by_label("安全等級").select_option("secret")
    page.get_by_label("密碼（至少10個字元；留空則此帳號不能登入網頁）").fill(PASSWORD)
    page.get_by_label("再輸入一次密碼").fill(PASSWORD)
    page.get_by_role("button", name="新增此帳號").click()
    expect(page.get_by_role("status")).to_contain_text("已新增帳號")
    page.screenshot(path=str(screenshots / "admin-account-zh-TW-wide.png"), full_page=True)
    page.get_by_role("button", name="登出").click()

    log_in(page, base, "lin")
    page.goto(f"{base}/records/cases")
    page.get_by_role("link", name="桃園機場航空貨運走私海洛因案").click()
    page.get_by_role("link", name="新增查獲").click()
    page.get_by_label("毒品").fill("海洛因")
    page.get_by_label("數量").fill("3,000餘公斤；229 公斤 毛重")
    page.get_by_label("日期").fill("102年5月底")
    page.screenshot(path=str(screenshots / "seizure-form-zh-TW-wide.png"), full_page=True)
    page.get_by_role("button", name="新增", exact=True).click()
    expect(page.get_by_text("≥3000 公斤；229 公斤（毛重）")).to_be_visible()
    page.screenshot(path=str(screenshots / "case-zh-TW-wide.png"), full_page=True)
    page.close()
