"""The eight "rule only" consent platforms against hand-made DOM replicas, in real Chromium.

Each replica (scanner/demo/web/consent-<platform>.test/, SYNTHETIC pages, no
vendor code) renders the ids, classes, data attributes and JS globals of the
real platform, stores its real consent cookie or localStorage record, hides the
notice after a choice and on reload, and loads the gated fixture tracker
(tracker.consent-trackers.test, cookies `_cst_<id>` and `cst_uid`) only after accept.
Both autoconsent (first layer) and our own rules (autoconsent off) must handle each.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import pytest

from scanner.collect.browser import open_context
from scanner.collect.consent import ConsentDriver, consent_cookie_patterns, dom
from scanner.collect.consent.rules import matches, rule_for

pytestmark = pytest.mark.browser
TRACKER_HOST = "tracker.consent-trackers.test"


@dataclass(frozen=True)
class Replica:
    platform: str  # our rule id (scanner/consent/rules/<platform>.yaml)
    autoconsent: str  # the autoconsent rule that handles the real platform
    cookies: tuple[str, ...] = ()  # consent cookies the platform stores on any choice
    storage: tuple[str, ...] = ()  # consent localStorage keys it stores on any choice

    @property
    def url(self) -> str:
        return f"https://consent-{self.platform}.test/"


REPLICAS = [
    Replica("cookiebot", "Cybotcookiebot", cookies=("CookieConsent",)),
    Replica("usercentrics", "usercentrics-api", storage=("uc_settings", "uc_user_interaction", "ucData")),
    Replica("consentmanager", "consentmanager.net", cookies=("__cmpconsentx47082", "__cmpcvcx47082")),
    Replica("iubenda", "iubenda", cookies=("_iub_cs-71380963",)),
    Replica("borlabs", "borlabs", cookies=("borlabs-cookie",)),
    Replica("complianz", "Complianz banner", cookies=("cmplz_banner-status", "cmplz_statistics")),
    Replica("cookieyes", "cookieyes", cookies=("cookieyes-consent",)),
    Replica("sourcepoint", "Sourcepoint-frame", cookies=("consentUUID", "euconsent-v2"), storage=("_sp_user_consent_31337",)),
]
IDS = [r.platform for r in REPLICAS]


@dataclass
class Run:
    outcome: object
    detected: str | None
    cookies: set[str]
    storage: set[str]
    tracker_requests: list[str]
    banner_after_reload: set[str]
    apply_s: float


def run(pw, browser_options, replica: Replica, action: str, *, detect=False, **driver_kwargs) -> Run:
    """Fresh profile: open the replica, apply `action`, then reload it (a stored choice keeps the notice away)."""
    with open_context(pw, browser_options) as context:
        requests: list[str] = []
        context.on("request", lambda r: requests.append(r.url))
        driver = ConsentDriver(**driver_kwargs)
        driver.install(context)
        page = context.new_page()
        page.goto(replica.url)
        detected = driver.detect(page) if detect else None
        started = time.monotonic()
        outcome = driver.apply(page, action)
        took = time.monotonic() - started
        page.wait_for_timeout(1000)  # gated trackers load a moment after the click
        page.reload()
        page.wait_for_timeout(1200)  # replicas render their notice ~300 ms after load, as the real SDKs do
        banner = dom.probe(page, rule_for(replica.platform).banner).shown
        cookies = {c["name"] for c in context.cookies()}
        storage = set(page.evaluate("() => Object.keys(localStorage)"))
    return Run(outcome, detected, cookies, storage, [u for u in requests if TRACKER_HOST in u], banner, took)


def assert_consent_record(result: Run, replica: Replica):
    rule = rule_for(replica.platform)
    for name in replica.cookies:
        assert name in result.cookies, f"consent cookie {name} not stored ({sorted(result.cookies)})"
        assert matches(name, consent_cookie_patterns()[replica.platform]), name
    for key in replica.storage:
        assert key in result.storage, f"localStorage {key} not stored ({sorted(result.storage)})"
        assert matches(key, rule.storage), key
    assert not result.banner_after_reload, f"notice shown again after reload: {result.banner_after_reload}"


def assert_tracker(result: Run, loaded: bool):
    tracker_cookies = {c for c in result.cookies if c.startswith("_cst_") or c == "cst_uid"}
    if loaded:
        assert "cst_uid" in tracker_cookies and len(tracker_cookies) == 2, sorted(result.cookies)
        assert result.tracker_requests
    else:
        assert not tracker_cookies, sorted(result.cookies)
        assert result.tracker_requests == []


@pytest.mark.parametrize("replica", REPLICAS, ids=IDS)
def test_accept_through_autoconsent(pw, browser_options, replica):
    result = run(pw, browser_options, replica, "accept", detect=True)
    o = result.outcome
    assert result.detected == replica.platform
    assert (o.status, o.effective, o.clicked, o.platform) == ("given", True, True, replica.platform), o
    assert o.method == f"autoconsent:{replica.autoconsent}", (o.method, o.evidence)
    assert "autoconsent optInResult: True" in o.evidence, o.evidence
    assert any(e.startswith("banner gone") for e in o.evidence), o.evidence
    assert_tracker(result, loaded=True)
    assert_consent_record(result, replica)


@pytest.mark.parametrize("replica", REPLICAS, ids=IDS)
def test_reject_through_autoconsent(pw, browser_options, replica):
    result = run(pw, browser_options, replica, "reject")
    o = result.outcome
    assert (o.status, o.effective, o.clicked, o.platform) == ("refused", True, True, replica.platform), o
    assert o.method == f"autoconsent:{replica.autoconsent}", (o.method, o.evidence)
    assert "autoconsent optOutResult: True" in o.evidence, o.evidence
    assert_tracker(result, loaded=False)
    assert_consent_record(result, replica)


@pytest.mark.parametrize("action", ["accept", "reject"])
@pytest.mark.parametrize("replica", REPLICAS, ids=IDS)
def test_our_rules_without_autoconsent(pw, browser_options, replica, action):
    result = run(pw, browser_options, replica, action, use_autoconsent=False)
    o = result.outcome
    status = "given" if action == "accept" else "refused"
    assert (o.status, o.effective, o.method, o.platform) == (status, True, f"rule:{replica.platform}",
                                                             replica.platform), o
    assert any(e.startswith("banner gone") for e in o.evidence), o.evidence
    assert_tracker(result, loaded=action == "accept")
    assert_consent_record(result, replica)
