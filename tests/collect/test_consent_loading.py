"""The consent step starts while the page still loads (at DOMContentLoaded), in real Chromium.

SYNTHETIC pages of the fixture web (consent-loading.test): a hand-written notice on a page
whose load event waits for a slow third-party iframe (slow.plain-cdn.test/__slow?s=N).
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from scanner.collect.browser import launch_browser, open_context
from scanner.collect.consent import ConsentDriver
from scanner.collect.consent.layers import HEURISTIC_DELAY_S
from scanner.collect.engine import ScanOptions, scan_site
from scanner.collect.recorder import PhaseRecorder
from scanner.config import SiteConfig
from scanner.models import ACCEPT, BEFORE_CONSENT, REJECT

pytestmark = pytest.mark.browser
SITE = "https://consent-loading.test/"
SLOW_FRAME = "slow.plain-cdn.test"


def apply_while_loading(pw, browser_options, path: str, action: str, *, site: str = SITE, choice: str = "loading_choice"):
    """Open the page, hand it over at DOMContentLoaded as the engine does, apply `action`;
    returns the outcome, whether the page had fired its load event when apply() returned, the
    choice stored, and the seconds from the navigation's start to apply()'s end."""
    with open_context(pw, browser_options) as context:
        PhaseRecorder(phase=action, site_domain=site.split("/")[2]).install(context)  # its load-time timers
        driver = ConsentDriver()
        driver.install(context)
        page = context.new_page()
        shown = time.monotonic()
        page.goto(site + path, wait_until="domcontentloaded")
        outcome = driver.apply(page, action, shown_since=shown)
        took = time.monotonic() - shown
        loaded = page.evaluate("() => document.readyState === 'complete'")
        stored = {c["name"]: c["value"] for c in context.cookies()}.get(choice)
    return outcome, loaded, stored, took


@pytest.mark.parametrize("action,value", [("accept", "yes"), ("reject", "no")])
def test_a_notice_is_clicked_before_the_page_has_loaded(pw, browser_options, action, value):
    outcome, loaded, stored, took = apply_while_loading(pw, browser_options, "", action)
    assert outcome.effective and outcome.method.startswith("heuristic"), outcome
    assert stored == value
    # The iframe holds the load event for 3 s; nothing on the page is known to any rule, so the
    # heuristic acts as soon as autoconsent's first pass over the page has found nothing.
    assert not loaded, "apply() waited for the load event"
    assert took < HEURISTIC_DELAY_S, f"the heuristic waited {took:.2f} s as if a known platform could render"


def test_the_heuristic_gives_a_known_platform_on_the_page_its_time_to_render(pw, browser_options):
    outcome, loaded, stored, took = apply_while_loading(pw, browser_options, "?platform", "reject")
    assert outcome.effective and outcome.method.startswith("heuristic"), outcome
    assert outcome.platform == "klaro" and stored == "no"
    assert took >= HEURISTIC_DELAY_S, f"the unknown notice was clicked {took:.2f} s in, before Klaro could render"


@pytest.mark.parametrize("action,button,value", [("accept", "alle akzeptieren", "alle"), ("reject", "ablehnen", "notwendig")])
def test_an_early_turn_waits_for_the_timer_that_renders_the_notice(pw, browser_options, action, button, value):
    # The page shows a form's "Akzeptieren" button at once and its real notice 0.7 s later, from a
    # timer set while loading. Nothing on it is known to any rule; the heuristic's early turn waits
    # for that timer, then clicks the notice's own button, once.
    outcome, _, stored, took = apply_while_loading(pw, browser_options, "", action,
                                                   site="https://consent-unknown-de.test/", choice="hinweis_wahl")
    assert outcome.effective and outcome.method == "heuristic:de", outcome
    assert f"{action} button {button!r} (de)" in outcome.evidence and outcome.evidence.count("[heuristic:de]") == 1
    assert stored == value


def test_buttons_bound_at_the_load_event_are_clicked_again_after_it(pw, browser_options):
    outcome, loaded, stored, _ = apply_while_loading(pw, browser_options, "bound-at-load.html", "accept")
    assert outcome.effective, outcome
    assert stored == "yes" and loaded
    assert "clicked while the page was still loading" in outcome.evidence  # the first try, judged as such
    assert outcome.evidence.count("[heuristic:en]") == 2, outcome.evidence


def test_the_wait_for_a_notice_counts_from_the_load_event(pw, browser_options):
    # The load event comes after 6 s and the notice 1 s later: counted from DOMContentLoaded, the
    # 5 s without anything on the page would have ended the consent step before the notice showed.
    outcome, loaded, stored, _ = apply_while_loading(pw, browser_options, "late-notice.html", "reject")
    assert outcome.effective, outcome
    assert stored == "no" and loaded


def test_a_scan_revisits_at_once_and_records_the_slow_frame_after_the_choice(pw, tmp_path: Path, browser_options):
    options = ScanOptions(browser=browser_options, out_dir=tmp_path, screenshots=False, behaviour=False,
                          synthetic=True)
    with launch_browser(pw, browser_options) as browser:  # this module's Playwright (scan_site would start its own)
        scan = scan_site(SiteConfig(name="consent-loading.test", start_url=SITE, pages=1), options,
                         started=(pw, browser))
    phases = {p.phase: p for p in scan.phases}
    for name in (ACCEPT, REJECT):
        phase = phases[name]
        assert phase.consent.effective, phase.consent
        first, revisit = phase.pages
        assert first.ok and first.duration_s < 3, "the consent step waited for the slow iframe's load"
        assert revisit.ok and revisit.url == first.url
        frames = [r for r in phase.requests if r.host == SLOW_FRAME]
        # The clicked page stopped loading its iframe; the revisit, after the choice, loaded it whole.
        assert any(r.status == 200 and r.page_url == first.url for r in frames), frames
        assert any(r.failure for r in frames), frames
    before = phases[BEFORE_CONSENT]
    assert before.pages[0].duration_s >= 3  # before consent still waits for the load event
    assert [r.status for r in before.requests if r.host == SLOW_FRAME] == [200]
