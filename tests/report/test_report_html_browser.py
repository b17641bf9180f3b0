"""The HTML report in real headless Chromium: the findings table reads back, hostile names stay text."""
from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from scanner.collect.browser import BrowserOptions, find_chromium, launch_args
from scanner.report import build_report, render
from tests.support.report_sample import (
    IMG_URL, SCREENSHOT, SCRIPT_COOKIE, sample_declared, sample_judgement, sample_scan,
)
from tests.report.test_report_model import tiny_png

pytestmark = pytest.mark.browser


def test_html_report_in_chromium(tmp_path):
    (tmp_path / "screenshots").mkdir()
    (tmp_path / SCREENSHOT).write_bytes(tiny_png())
    model = build_report(sample_scan(), sample_judgement(declared=sample_declared()), scan_dir=tmp_path)
    report = tmp_path / "report.html"
    report.write_text(render("html", model), encoding="utf-8")

    dialogs, requests, errors = [], [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=find_chromium(), args=launch_args(BrowserOptions()))
        try:
            page = browser.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.on("request", lambda r: requests.append(r.url))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(report.as_uri())
            page.wait_for_load_state("load")

            rows = page.locator("#findings tbody tr")
            read_back = [[cell.strip() for cell in row.locator("td").all_inner_texts()] for row in rows.all()]
            assert [(r[0], r[1], r[2]) for r in read_back] == [(f.severity, f.kind, f.subject) for f in model.findings]
            assert [r[4] for r in read_back if r[2] == SCRIPT_COOKIE] == [IMG_URL]

            cookie_text = page.locator("#findings td", has_text=SCRIPT_COOKIE).first
            assert cookie_text.is_visible() and cookie_text.inner_text() == SCRIPT_COOKIE
            assert page.locator("#inventory-accept td", has_text=SCRIPT_COOKIE).count() == 1
            assert page.locator("#synthetic-notice").is_visible()
            assert "Synthetic replica" in page.locator("#synthetic-notice").inner_text()

            # Nothing a page controlled turned into markup; only the embedded screenshot is an image, and it loaded.
            assert page.locator("script").count() == 0
            images = page.locator("img")
            assert images.count() == 1
            assert images.first.evaluate("img => img.naturalWidth") == 1
            page.wait_for_timeout(300)  # give an injected handler the chance to fire
        finally:
            browser.close()
    assert dialogs == [] and errors == []
    assert requests == [report.as_uri()]  # self-contained: nothing fetched
