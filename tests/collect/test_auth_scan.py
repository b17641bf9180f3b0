"""Authenticated scans of the SYNTHETIC pro.doctolib.fr replica, end to end.

Real Chromium, the real fixture web, the real engine, reconcile and renderers.
Credentials reach the scan through environment variables, as in CI.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml

from scanner.config import LoginConfig, LoginStep, SiteConfig
from scanner.collect.engine import ScanOptions, scan_site
from scanner.collect.login.state import record_storage_state
from scanner.declared import load_declared
from scanner.models import ACCEPT, AUTHENTICATED, DeclaredSite
from scanner.judge import judge
from scanner.report import build_report, render
from scanner.history.store import SQLiteStore
from scanner.demo import pro_app

EXPECTED = yaml.safe_load((Path(__file__).resolve().parents[1] / "fixtures/expected/pro.doctolib.fr.auth.yaml").read_text("utf-8"))
ENV = {"COOKIESCAN_TEST_USER": pro_app.TEST_USER, "COOKIESCAN_TEST_PASSWORD": pro_app.TEST_PASSWORD}
# The fixture's session tokens: "s.<32 hex>.<16 hex signature>" (scanner/demo/pro_app.py).
SESSION_VALUE = re.compile(rb"s\.[0-9a-f]{32}\.[0-9a-f]{16}")

LOGIN = LoginConfig(
    login_url=EXPECTED["login"]["url"], username_env="COOKIESCAN_TEST_USER", password_env="COOKIESCAN_TEST_PASSWORD",
    steps=(LoginStep("goto", url="/login"),
           LoginStep("fill", selector="#email", value="$username"),
           LoginStep("fill", selector="#password", value="$password"),
           LoginStep("click", selector="#login-submit"),
           LoginStep("wait_for_url", url="/agenda")),
    success_selector=EXPECTED["login"]["success_selector"], expired_selector=EXPECTED["login"]["expired_selector"],
    app_paths=("/agenda", "/patients"))


def _site(login: LoginConfig) -> SiteConfig:
    # pages also caps the app crawl: /agenda, /agenda/semaine, /patients, /patients/123 and the start page.
    return SiteConfig(name="pro.doctolib.fr", start_url="https://pro.doctolib.fr/", pages=6, login=login)


def _options(browser_options, out_dir: Path, *, har: bool = False) -> ScanOptions:
    return ScanOptions(browser=browser_options, out_dir=out_dir, har=har, phases=(ACCEPT, AUTHENTICATED),
                       settle_s=0.5, after_click_s=0.5, screenshots=False, synthetic=True)


def _declared() -> DeclaredSite:
    """The committed declared side of pro.doctolib.fr (imported from seed 000's cookie table)."""
    return load_declared(Path(__file__).resolve().parents[2] / "declared" / "pro.doctolib.fr")


def _scan_with_env(environ: dict, site: SiteConfig, options: ScanOptions, progress=None):
    saved = {k: os.environ.get(k) for k in ENV}
    os.environ.update(environ)
    try:
        return scan_site(site, options, progress)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _requests_during(fixture_web, run):
    """Run `run()` and return the (method, path) the replica received meanwhile."""
    with fixture_web.state.lock:
        start = len(fixture_web.state.requests)
    result = run()
    with fixture_web.state.lock:
        seen = [(m, p) for h, m, p in fixture_web.state.requests[start:] if h == "pro.doctolib.fr"]
    return result, seen


@pytest.fixture(scope="module")
def steps_scan(fixture_web, browser_options, tmp_path_factory):
    out = tmp_path_factory.mktemp("auth-scan")
    log: list[str] = []  # what the terminal would print while scanning
    scan, requests = _requests_during(fixture_web, lambda: _scan_with_env(
        ENV, _site(LOGIN), _options(browser_options, out, har=True), lambda event, detail: log.append(detail)))
    (out / "progress.log").write_text("\n".join(log), encoding="utf-8")
    return scan, requests, out


@pytest.mark.browser
def test_login_by_steps_scans_the_app_pages(steps_scan):
    scan, _, _ = steps_scan
    phase = scan.phase(AUTHENTICATED)
    assert phase.error is None
    assert phase.login.logged_in and phase.login.method == "steps", phase.login.reason
    assert {"_doctolib_session", "pin_login"} <= set(phase.login.cookies_at_login)
    visited = {p.url for p in phase.pages if p.ok}
    assert set(EXPECTED["app_pages"]) <= visited
    # Every app page answered as itself: the session held to the end.
    for page in phase.pages:
        if page.url in EXPECTED["app_pages"]:
            assert page.final_url == page.url, f"{page.url} ended on {page.final_url}"


@pytest.mark.browser
def test_denied_links_are_never_followed(steps_scan):
    _, requests, _ = steps_scan
    paths = [path.split("?")[0] for method, path in requests]
    assert ("POST", "/login") in requests  # the only form ever submitted
    assert [r for r in requests if r[0] == "POST"] == [("POST", "/login")]
    for denied in EXPECTED["never_requested"]:
        assert denied not in paths
    assert "/patients/123" in paths  # the crawl did follow the app's other links


@pytest.mark.browser
def test_app_cookies_are_recorded_with_requested_lifetimes(steps_scan):
    scan, _, _ = steps_scan
    observed = {c.name: c for c in scan.phase(AUTHENTICATED).cookies}
    for want in EXPECTED["cookies"]:
        cookie = observed[want["name"]]
        assert cookie.phase == AUTHENTICATED
        assert (cookie.set_by, cookie.http_only, cookie.session) == (want["set_by"], want["http_only"], want["session"])
        assert cookie.requested_lifetime_s == want["requested_lifetime_s"]
    # Credited to the login exactly when they appeared during it (consent's cookies came before).
    at_login = set(scan.phase(AUTHENTICATED).login.cookies_at_login)
    assert {"_doctolib_session", "pin_login"} <= at_login
    assert {c.name for c in observed.values() if c.page_url == EXPECTED["login"]["url"]} == at_login
    # The public pages never see them.
    assert not {c["name"] for c in EXPECTED["cookies"]} & {c.name for c in scan.phase(ACCEPT).cookies}


@pytest.mark.browser
def test_reconcile_reports_the_planted_discrepancy_and_no_stale_app_cookie(steps_scan):
    scan, _, _ = steps_scan
    findings = {(f.kind, f.subject): f for f in judge(scan, _declared()).findings}
    for want in EXPECTED["discrepancies"]:
        assert findings[(want["kind"], want["subject"])].phase == want["phase"]
    for absent in EXPECTED["not_findings"]:
        assert (absent["kind"], absent["subject"]) not in findings
    assert ("login_failed", AUTHENTICATED) not in findings


@pytest.mark.browser
def test_no_output_file_holds_the_password_or_the_session_cookie(steps_scan):
    scan, _, out = steps_scan
    scan_dir = next(out.rglob("scan.json")).parent
    model = build_report(scan, judge(scan, _declared()), scan_dir=scan_dir)
    for fmt in ("json", "html", "md", "csv", "sarif", "junit", "terminal"):
        (scan_dir / f"report.{fmt}").write_text(render(fmt, model), encoding="utf-8")
    with SQLiteStore(out / "history.db") as store:  # the history database
        store.save_scan(scan, judge(scan, _declared()).findings)
    files = [p for p in out.rglob("*") if p.is_file()]
    assert {"progress.log", "history.db", "scan.json", "report.json"} <= {p.name for p in files}
    hars = [p for p in files if p.suffix == ".har"]
    assert hars and any(b'"POST"' in p.read_bytes() for p in hars)  # the login itself was recorded
    password = pro_app.TEST_PASSWORD.encode()
    for path in files:
        data = path.read_bytes()
        assert password not in data, path
        assert not SESSION_VALUE.search(data), path


@pytest.mark.browser
def test_login_by_storage_state(fixture_web, browser_options, tmp_path):
    state = tmp_path / "state.json"
    saved = record_storage_state(LOGIN, state, browser_options, environ=ENV, timeout_s=10)
    assert saved.logged_in, saved.reason
    by_state = LoginConfig(login_url=LOGIN.login_url, storage_state=str(state),
                           success_selector=LOGIN.success_selector, expired_selector=LOGIN.expired_selector,
                           app_paths=LOGIN.app_paths)
    scan, requests = _requests_during(fixture_web, lambda: _scan_with_env(
        {}, _site(by_state), _options(browser_options, tmp_path / "out")))
    phase = scan.phase(AUTHENTICATED)
    assert (phase.login.logged_in, phase.login.method) == (True, "storage_state"), phase.login.reason
    assert ("POST", "/login") not in requests
    assert "https://pro.doctolib.fr/patients" in {p.url for p in phase.pages if p.ok}
    assert "last_agenda_route" in {c.name for c in phase.cookies}


@pytest.mark.browser
def test_failed_login_marks_the_phase_not_logged_in(fixture_web, browser_options, tmp_path):
    wrong = {**ENV, "COOKIESCAN_TEST_PASSWORD": "wrong-password-456"}
    scan, requests = _requests_during(fixture_web, lambda: _scan_with_env(
        wrong, _site(LOGIN), _options(browser_options, tmp_path)))
    phase = scan.phase(AUTHENTICATED)
    assert not phase.login.logged_in
    assert phase.login.reason == "login failed: still on /login with error 'Identifiants incorrects'"
    assert not [p for method, p in requests if p.startswith(("/agenda", "/patients"))]  # never scanned logged out
    finding = next(f for f in judge(scan, _declared()).findings if f.kind == "login_failed")
    assert "Identifiants incorrects" in finding.message
    assert "wrong-password-456" not in (tmp_path / next(tmp_path.rglob("scan.json")).relative_to(tmp_path)).read_text()


@pytest.mark.browser
def test_missing_storage_state_is_a_loud_failed_login(fixture_web, browser_options, tmp_path):
    gone = LoginConfig(login_url=LOGIN.login_url, storage_state=str(tmp_path / "never-saved.json"),
                       success_selector=LOGIN.success_selector, app_paths=LOGIN.app_paths)
    scan = _scan_with_env({}, _site(gone), _options(browser_options, tmp_path / "out"))
    phase = scan.phase(AUTHENTICATED)
    assert not phase.login.logged_in and "never-saved.json not found" in phase.login.reason
    assert [p.url for p in phase.pages] == ["https://pro.doctolib.fr/"]  # nothing behind the login
    assert any(f.kind == "login_failed" for f in judge(scan, _declared()).findings)


@pytest.mark.browser
def test_login_after_reject_is_its_own_refused_phase(fixture_web, browser_options, tmp_path):
    from dataclasses import replace
    from scanner.models import AUTHENTICATED_REJECT, REJECT
    site = _site(replace(LOGIN, after_reject=True))
    options = replace(_options(browser_options, tmp_path), phases=(REJECT, AUTHENTICATED))
    scan = _scan_with_env(ENV, site, options)
    assert [p.phase for p in scan.phases] == ["before_consent", "reject", AUTHENTICATED, AUTHENTICATED_REJECT]
    phase = scan.phase(AUTHENTICATED_REJECT)
    assert phase.consent.action == "reject" and phase.login.logged_in, phase.login.reason
    session = next(c for c in phase.cookies if c.name == pro_app.SESSION_COOKIE)
    # Set on the 303 answering POST /login: credited to /login, not to the redirect target.
    assert session.set_by == "header" and session.set_by_url == "https://pro.doctolib.fr/login"
