"""Ingestion review in a real browser: upload a document, find a proposal at its span, accept it, follow its source.

Uses the live server and Debian's chromium of test_web_browser.py (its fixtures, imported: a conftest.py here
would shadow tests/conftest.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from test_web_browser import PHONE, WIDE, browser, live, log_in, screenshots
from web_helpers import WebApp

__all__ = ["browser", "live", "screenshots"]  # fixtures, used by name
pytestmark = pytest.mark.slow

# Not the seed bulletin: the live server stores that one already, so it would propose nothing new.
RELEASE = """法務部新聞稿
兩岸合作查獲走私愷他命案
發布日期：103年6月20日
本部調查局依據大陸公安部提供之情資，於103年6月18日在高雄港查獲貨櫃夾藏愷他命300公斤，逮捕嫌犯3人，全案由高雄地檢署檢察官指揮偵辦。
"""
SEIZED = "查獲貨櫃夾藏愷他命300公斤"


def test_upload_a_document_and_accept_a_proposal(
    live: tuple[str, WebApp], browser: Browser, screenshots: Path, tmp_path: Path
) -> None:
    base, web = live
    web.accounts.add("reviewer")
    document = tmp_path / "法務部新聞稿-103-06-20.txt"
    document.write_text(RELEASE, encoding="utf-8")
    page = browser.new_page(viewport=WIDE, locale="zh-TW")
    log_in(page, base, "reviewer")
    page.get_by_role("link", name="文件匯入").click()
    expect(page.get_by_role("heading", name="匯入文件")).to_be_visible()
    page.get_by_label("文件（.txt、.md、.html、.docx 或 .pdf；至多 20 MB）").set_input_files(str(document))
    page.get_by_role("button", name="上傳並列出建議").click()
    expect(page.get_by_role("heading", name="法務部新聞稿")).to_be_visible()

    card = page.locator("article.proposal", has=page.get_by_role("heading", name="查獲"))
    expect(card).to_have_count(1)
    expect(card.locator(".quote")).to_have_text(SEIZED)
    number = card.locator(".num").inner_text()
    # From the text to the card with the keyboard: the proposal's number in the text is a link.
    pin = page.get_by_role("link", name=f"建議 {number}", exact=True)
    pin.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{page.url.split('#')[0].split('?')[0]}#{card.get_attribute('id')}")
    expect(page.locator("mark.hl").filter(has_text="愷他命300公斤").first).to_be_visible()
    page.screenshot(path=str(screenshots / "ingest-review-zh-TW-wide.png"), full_page=True)

    page.evaluate("window.marker = 'still here'")  # gone if accepting reloads the page instead of htmx swapping
    card.get_by_role("button", name="採用", exact=True).click()
    expect(card.locator(".tag")).to_have_text("已採用")
    assert page.evaluate("window.marker") == "still here"
    # What the seizure refers to (its case) was accepted with it; the marks in the text took the new status.
    expect(page.locator("article.proposal.st-accepted")).to_have_count(2)
    expect(page.locator("mark.hl.st-accepted").first).to_be_visible()
    page.screenshot(path=str(screenshots / "ingest-accepted-zh-TW-wide.png"), full_page=True)

    # The stored record cites its span; the link shows the document with that span marked.
    card.get_by_role("link", name="開啟已存紀錄").click()
    record = page.locator("article.record", has_text="300 公斤").filter(has_text="高雄港")
    source = record.locator("a.source-link")
    expect(source).to_contain_text("第 67–81 字")
    source.click()
    expect(page.locator("mark#span")).to_have_text(SEIZED)
    page.screenshot(path=str(screenshots / "ingest-source-zh-TW-wide.png"), full_page=True)

    # The review fits a phone: text above proposals, nothing wider than the screen.
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/ingest")
    page.get_by_role("link", name="法務部新聞稿").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(screenshots / "ingest-review-zh-TW-phone.png"), full_page=True)
    page.close()
