"""Consent handling against real banners in real Chromium (the fixture web, all SYNTHETIC pages).

Real npm libraries (tarteaucitron, klaro, vanilla-cookieconsent) and DOM replicas
(OneTrust, Axeptio, and the Didomi replica of the Doctolib sites) each gate one
tracker (tracker.consent-trackers.test/t.js, cookies `_cst_<id>` and `cst_uid`).
A click counts only by its effect: after accept the tracker loads and its
cookies appear; after reject they never do; the library's consent cookie is
stored and recognised by consent_cookie_patterns().
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import pytest

from scanner.collect.browser import open_context
from scanner.collect.consent import ConsentDriver, consent_cookie_patterns
from scanner.collect.consent.rules import matches

pytestmark = pytest.mark.browser
TRACKER_HOST = "tracker.consent-trackers.test"


@dataclass
class Run:
    outcome: object
    detected: str | None
    cookies: set[str]
    tracker_requests: list[str]
    apply_s: float


def run(pw, browser_options, url, action, *, next_page="page2.html", detect=False, **driver_kwargs) -> Run:
    """Open `url` in a fresh profile, apply `action`, then visit the next page like the scan engine does."""
    with open_context(pw, browser_options) as context:
        requests: list[str] = []
        context.on("request", lambda r: requests.append(r.url))
        driver = ConsentDriver(**driver_kwargs)
        driver.install(context)
        page = context.new_page()
        page.goto(url)
        detected = driver.detect(page) if detect else None
        started = time.monotonic()
        outcome = driver.apply(page, action)
        took = time.monotonic() - started
        page.wait_for_timeout(1500)  # gated trackers load a moment after the click
        if next_page:
            page.goto(url.rstrip("/") + "/" + next_page)
            page.wait_for_timeout(500)
        cookies = {c["name"] for c in context.cookies()}
    return Run(outcome, detected, cookies, [u for u in requests if TRACKER_HOST in u], took)


def assert_consent_cookie(result: Run, platform: str, name: str):
    assert name in result.cookies, f"{platform}: consent cookie {name} not stored ({sorted(result.cookies)})"
    assert matches(name, consent_cookie_patterns()[platform])


# ----------------------------------------------------------- real libraries + DOM replicas --

PLATFORMS = [
    # (host, platform, tracker id, consent cookie)
    ("consent-tarteaucitron.test", "tarteaucitron", "tarteaucitron", "tarteaucitron"),  # real npm library
    ("consent-klaro.test", "klaro", "klaro", "klaro"),  # real npm library
    ("consent-cookieconsent.test", "cookieconsent", "cookieconsent", "cc_cookie"),  # real npm library
    # Osano's open-source cookieconsent (real npm library): autoconsent's Complianz rules match its
    # markup, the platform must still be named after the library, and its cookie is consent storage.
    ("consent-osano.test", "osano-cookieconsent", "osano", "cookieconsent_status"),
    ("consent-onetrust.test", "onetrust", "onetrust", "OptanonConsent"),  # DOM replica
    ("consent-axeptio.test", "axeptio", "axeptio", "axeptio_cookies"),  # DOM replica (shadow root)
]


@pytest.mark.parametrize("host,platform,tracker,consent_cookie", PLATFORMS, ids=[p[1] for p in PLATFORMS])
def test_accept_loads_the_gated_tracker(pw, browser_options, host, platform, tracker, consent_cookie):
    result = run(pw, browser_options, f"https://{host}/", "accept", detect=True)
    o = result.outcome
    assert result.detected == platform
    assert (o.action, o.status, o.effective, o.clicked, o.platform) == ("accept", "given", True, True, platform), o
    # autoconsent normally clicks first; our rule takes over when autoconsent is slower than the grace time.
    assert o.method.startswith("autoconsent:") or o.method == f"rule:{platform}", (o.method, o.evidence)
    assert any(e.startswith("banner gone") for e in o.evidence), o.evidence
    assert f"_cst_{tracker}" in result.cookies and "cst_uid" in result.cookies, sorted(result.cookies)
    assert result.tracker_requests
    assert_consent_cookie(result, platform, consent_cookie)


@pytest.mark.parametrize("host,platform,tracker,consent_cookie", PLATFORMS, ids=[p[1] for p in PLATFORMS])
def test_reject_keeps_the_gated_tracker_out(pw, browser_options, host, platform, tracker, consent_cookie):
    result = run(pw, browser_options, f"https://{host}/", "reject")
    o = result.outcome
    assert (o.action, o.status, o.effective, o.platform) == ("reject", "refused", True, platform), o
    assert not {c for c in result.cookies if c.startswith("_cst_") or c == "cst_uid"}, sorted(result.cookies)
    assert result.tracker_requests == []
    assert_consent_cookie(result, platform, consent_cookie)


@pytest.mark.parametrize("host,platform,action,tracker_expected", [
    ("consent-tarteaucitron.test", "tarteaucitron", "accept", True),
    ("consent-tarteaucitron.test", "tarteaucitron", "reject", False),
    ("consent-klaro.test", "klaro", "reject", False),
    ("consent-onetrust.test", "onetrust", "reject", False),
    ("consent-axeptio.test", "axeptio", "accept", True),
])
def test_platform_rules_work_without_autoconsent(pw, browser_options, host, platform, action, tracker_expected):
    result = run(pw, browser_options, f"https://{host}/", action, use_autoconsent=False)
    o = result.outcome
    assert o.effective and o.method == f"rule:{platform}", o
    assert ("cst_uid" in result.cookies) is tracker_expected


def test_two_step_refusal_through_the_settings_panel(pw, browser_options):
    # tarteaucitron with DenyAllCta off: "Personnaliser" -> "Tout refuser" -> close.
    result = run(pw, browser_options, "https://consent-tarteaucitron.test/two-step.html", "reject",
                 next_page="", use_autoconsent=False)
    o = result.outcome
    assert o.status == "refused" and o.method == "rule:tarteaucitron", o
    assert any("#tarteaucitronCloseAlert -> #tarteaucitronAllDenied" in e for e in o.evidence), o.evidence
    assert "tarteaucitron" in result.cookies and "cst_uid" not in result.cookies


# ----------------------------------------------------------------- Didomi (Doctolib replica) --

@pytest.mark.parametrize("action,status", [("accept", "given"), ("reject", "refused")])
def test_didomi_replica_of_the_doctolib_sites(pw, browser_options, action, status):
    result = run(pw, browser_options, "https://pro.doctolib.fr/", action, next_page="")
    o = result.outcome
    assert (o.platform, o.status, o.effective) == ("didomi", status, True), o
    assert_consent_cookie(result, "didomi", "didomi_token")
    assert "euconsent-v2" in result.cookies
    assert any(e.startswith("TCF string stored") for e in o.evidence), o.evidence


# ------------------------------------------------------------------------------ heuristic --

@pytest.mark.parametrize("action,status,button", [("accept", "given", "alle akzeptieren"),
                                                  ("reject", "refused", "ablehnen")])
def test_unknown_german_banner_in_a_shadow_root_is_handled_by_the_heuristic(pw, browser_options, action, status,
                                                                            button):
    result = run(pw, browser_options, "https://consent-unknown-de.test/", action, detect=True)
    o = result.outcome
    assert result.detected == "unknown"
    assert (o.status, o.effective, o.method, o.platform) == (status, True, "heuristic:de", "unknown"), o
    assert any(button in e for e in o.evidence), o.evidence
    assert "hinweis_wahl" in result.cookies
    assert ("cst_uid" in result.cookies) is (action == "accept")


def test_unknown_italian_banner_in_an_iframe_two_step_refusal(pw, browser_options):
    result = run(pw, browser_options, "https://consent-unknown-it.test/", "reject")
    o = result.outcome
    assert (o.status, o.method) == ("refused", "heuristic:it"), o
    assert "settings button 'personalizza' (it)" in o.evidence and "then reject button 'rifiuta tutto'" in o.evidence
    assert "scelta_cookie" in result.cookies and "cst_uid" not in result.cookies


# ------------------------------------------------------------------------------ failures --

@pytest.mark.parametrize("action,status", [("accept", "not_given"), ("reject", "not_refused")])
def test_no_banner_is_not_consent(pw, browser_options, action, status):
    result = run(pw, browser_options, "https://consent-none.test/", action, next_page="", detect=True)
    o = result.outcome
    assert result.detected is None
    assert (o.status, o.effective, o.clicked, o.platform) == (status, False, False, None), o
    assert o.reason.startswith("no consent banner found")
    assert "cgu_clicked" not in result.cookies  # the terms-of-sale "Accepter" button was left alone
    assert result.apply_s < 8


def test_a_reject_button_that_does_nothing_is_not_refusal(pw, browser_options):
    result = run(pw, browser_options, "https://consent-broken-reject.test/", "reject", next_page="")
    o = result.outcome
    assert (o.status, o.effective, o.clicked, o.method) == ("not_refused", False, True, "heuristic:fr"), o
    assert o.reason == "reject button clicked (heuristic:fr) but banner still visible and no consent stored"
    assert "choix_cookies" not in result.cookies


# ------------------------------------------------------------------------------ overrides --

def test_override_takes_precedence_over_autoconsent(pw, browser_options):
    result = run(pw, browser_options, "https://pro.doctolib.fr/", "reject", next_page="",
                 reject_selector="#didomi-notice-disagree-button")
    o = result.outcome
    assert (o.method, o.status, o.platform) == ("override", "refused", "didomi"), o
    assert "clicked reject_selector '#didomi-notice-disagree-button'" in o.evidence


def test_override_selector_pierces_shadow_roots(pw, browser_options):
    result = run(pw, browser_options, "https://consent-unknown-de.test/", "accept", accept_selector="privacy-hinweis .ja")
    assert (result.outcome.method, result.outcome.status) == ("override", "given"), result.outcome
    assert "cst_uid" in result.cookies


def test_override_that_never_appears_is_reported_with_the_selector(pw, browser_options):
    result = run(pw, browser_options, "https://consent-unknown-de.test/", "reject", next_page="",
                 reject_selector="#no-such-button", timeout_s=2)
    o = result.outcome
    assert (o.status, o.clicked, o.method) == ("not_refused", False, "override"), o
    assert "'#no-such-button' never became visible" in o.reason
    assert result.apply_s < 4


def test_apply_on_a_closed_page_reports_instead_of_raising(pw, browser_options):
    with open_context(pw, browser_options) as context:
        driver = ConsentDriver(timeout_s=2)
        driver.install(context)
        page = context.new_page()
        page.goto("https://consent-none.test/")
        page.close()
        o = driver.apply(page, "accept")
    assert o.status == "not_given" and o.reason.startswith("consent step failed:"), o



# ------------------------------------------------------------------- autoconsent bridge --

def first_look(driver, page, other_than=None):
    """When autoconsent began its first pass over the page's document (it starts when the page is idle)."""
    deadline = time.monotonic() + 5
    while driver.bridge.looked_at(page) in (None, other_than) and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    return driver.bridge.looked_at(page)


def test_pages_opened_after_the_consent_step_get_no_autoconsent(pw, browser_options):
    """stand_down() takes autoconsent's script off the context: the revisit and the crawl's pages run
    without it, while the page it ran on keeps its copy until it goes."""
    url = "https://consent-klaro.test/"
    with open_context(pw, browser_options) as context:
        driver = ConsentDriver()
        driver.install(context)
        clicked = context.new_page()
        clicked.goto(url)
        has_it = "() => typeof window.autoconsentReceiveMessage"
        assert clicked.evaluate(has_it) == "function"
        assert first_look(driver, clicked) is not None  # its first detection pass over the page began
        driver.stand_down()
        later = context.new_page()
        later.goto(url)
        assert later.evaluate(has_it) == "undefined"
        assert driver.bridge.looked_at(later) is None
        assert clicked.evaluate(has_it) == "function"


def test_autoconsent_first_look_is_per_document(pw, browser_options):
    """The first pass over about:blank, or over the previous page, says nothing about the page now shown."""
    with open_context(pw, browser_options) as context:
        driver = ConsentDriver()
        driver.install(context)
        page = context.new_page()
        page.goto("https://consent-klaro.test/")
        first = first_look(driver, page)
        assert first is not None
        page.goto("https://consent-klaro.test/page2.html")
        assert first_look(driver, page, other_than=first) > first
