"""The HTML report in real headless Chromium: verdict first, hostile names stay text, axe-core clean,
no sideways scroll on a phone, nothing cut when printed on A4."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from scanner.collect.browser import BrowserOptions, find_chromium, launch_args
from scanner.report import build_report, render
from tests.report.test_report_model import tiny_png
from tests.support.report_sample import (
    IMG_URL, REPO, SCREENSHOT, SCRIPT_COOKIE, replica_model, sample_declared, sample_judgement, sample_scan,
)

pytestmark = pytest.mark.browser

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=find_chromium(), args=launch_args(BrowserOptions()))
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def hostile_report(tmp_path) -> tuple[Path, object]:
    (tmp_path / "screenshots").mkdir()
    (tmp_path / SCREENSHOT).write_bytes(tiny_png())
    model = build_report(sample_scan(), sample_judgement(declared=sample_declared()), scan_dir=tmp_path)
    report = tmp_path / "report.html"
    report.write_text(render("html", model), encoding="utf-8")
    return report, model


@pytest.fixture
def replica_report(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(REPO)
    report = tmp_path / "replica.html"
    report.write_text(render("html", replica_model()), encoding="utf-8")
    return report


def test_html_report_in_chromium(browser, hostile_report):
    report, model = hostile_report
    dialogs, requests, errors = [], [], []
    page = browser.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(report.as_uri())

    # The first screen gives the verdict.
    verdict = page.locator("#verdict")
    assert verdict.is_visible() and verdict.bounding_box()["y"] < 700
    assert "Gate failed: 3 finding(s) at or above high" in verdict.inner_text()

    page.locator("#all-findings summary").click()  # the flat table is folded away by default
    rows = page.locator("#findings tbody tr")
    read_back = [[cell.strip() for cell in row.locator("td").all_inner_texts()] for row in rows.all()]
    assert [(r[0], r[1], r[2]) for r in read_back] == [(f.severity, f.kind, f.subject) for f in model.findings]
    assert [r[4] for r in read_back if r[2] == SCRIPT_COOKIE] == [IMG_URL]
    assert [r[8] for r in read_back] == [f.fingerprint for f in model.findings]

    # One row per cookie with its problems as labels: _ga appears once in its vendor group, with three labels.
    ga = page.locator("table.group tr", has=page.locator("td:first-child .mono", has_text="_ga")).filter(
        has_not_text="_ga_")
    assert ga.count() == 1
    assert ga.locator(".label").all_inner_texts() == ["before consent", "after refusal", "over 13 months",
                                                       "longer than declared"]
    assert page.locator("#fix-before_consent").inner_text().count("How to fix:") == 1
    assert page.locator("pre", has_text="fingerprint: fp-before_consent-3-before_consent").count() == 1

    cookie_text = page.locator("td .mono", has_text=SCRIPT_COOKIE).first
    assert cookie_text.inner_text() == SCRIPT_COOKIE
    assert page.locator("#synthetic-notice").is_visible()
    assert page.locator("main").count() == 1

    # Nothing a page controlled turned into markup; only the embedded screenshot is an image, and it loaded.
    assert page.locator("script").count() == 0
    images = page.locator("img")
    assert images.count() == 1 and images.first.evaluate("img => img.naturalWidth") == 1
    assert page.locator(".shots figcaption").all_inner_texts() == ["before consent: 1"]  # phase and moment
    page.wait_for_timeout(300)  # give an injected handler the chance to fire
    page.close()
    assert dialogs == [] and errors == []
    assert requests == [report.as_uri()]  # self-contained: nothing fetched


def _axe(page) -> list[dict]:
    # The CSP forbids scripts in the page; axe runs in an isolated world the CSP does not govern.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    result = page.evaluate("async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
                           " return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,"
                           " target: v.nodes[0] && v.nodes[0].target})); }")
    return result


@pytest.mark.parametrize("which", ["hostile_report", "replica_report"])
def test_axe_core_finds_no_violation(browser, which, request):
    report = request.getfixturevalue(which)
    report = report[0] if isinstance(report, tuple) else report
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(report.as_uri())
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")  # check folded parts too
    violations = _axe(page)
    context.close()
    assert violations == [], json.dumps(violations, indent=1)


def test_no_sideways_scroll_on_a_phone(browser, replica_report):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(replica_report.as_uri())
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    page.close()
    assert widths[0] <= widths[1], widths


def test_printed_on_a4_nothing_is_cut(browser, replica_report, tmp_path):
    page = browser.new_page(viewport={"width": 718, "height": 1000})  # A4 less the margins, in CSS px
    page.goto(replica_report.as_uri())
    page.emulate_media(media="print")
    # In print every table fits the A4 text width (190 mm ~ 718 CSS px) and every folded part is shown.
    overflow = page.evaluate("""() => [...document.querySelectorAll('table')]
        .filter(t => t.getBoundingClientRect().width > 0 && t.scrollWidth > t.parentElement.clientWidth + 1)
        .map(t => t.id || t.className)""")
    hidden = page.evaluate("""() => [...document.querySelectorAll('details.print-open > :not(summary)')]
        .filter(e => e.getBoundingClientRect().height === 0).length""")
    assert page.locator("details.vendor.print-open").count() >= 5  # the grouped view prints whole
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    page.close()
    assert overflow == [] and hidden == 0
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page\r") + pdf.count(
        b"/Type /Page/") + pdf.count(b"/Type /Page ") >= 1
