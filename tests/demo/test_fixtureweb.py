"""The five SYNTHETIC replica sites of the fixture web, through real Chromium.

For each replica and each phase (no click, accept, reject) a fresh browser
profile loads the site, clicks the banner's own button with plain Playwright,
visits the linked pages, and what the browser holds is compared with
tests/fixtures/expected/<site>.yaml: the exact set of cookies, storage keys
and third-party hosts per phase, and each cookie's domain and lifetime. So
the expected lists the scanner is judged against are themselves checked.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from scanner.collect.browser import open_context

EXPECTED_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "expected"
SITES = ("pro.doctolib.fr", "pro.doctolib.it", "pro.doctolib.de", "docrdv.fr", "www.mybakup.com")
PHASES = ("before_consent", "accept", "reject")
NOTICE = "Synthetic replica for cookiescan tests — not the real site"
CHROMIUM_CAP_S = 400 * 86400
# Paths owned by the logged-in replica (scanner/demo/pro_app.py), not by these sites.
OTHER_AREAS = ("/login", "/logout", "/agenda", "/patients")
FINDING_KINDS = {"undeclared_cookie", "over_long_cookie", "over_legal_cap", "before_consent", "after_refusal",
                 "undeclared_third_party", "stale_declaration", "session_mismatch",
                 "unclassified_before_consent", "unclassified_after_refusal"}


@dataclass(frozen=True)
class PhaseVisit:
    """What one phase of one replica left in a fresh browser."""

    statuses: dict[str, int]
    notices: dict[str, bool]  # page -> the synthetic notice is shown
    banner_shown_first: bool
    banner_shown_after_choice: bool  # on the next page, once a choice is stored
    gated_after_click: frozenset[str]  # accept-only cookies present on the page where accept was clicked
    cookies: tuple[dict, ...]
    local_keys: frozenset[str]
    session_keys: frozenset[str]
    hosts: frozenset[str]  # every host the browser requested, the site's own included
    measured_at: float


def load_expected(site: str) -> dict:
    return yaml.safe_load((EXPECTED_DIR / f"{site}.yaml").read_text(encoding="utf-8"))


def expected_in_phase(expected: dict, kind: str, field: str, phase: str) -> set[str]:
    return {o[field] for o in expected["observed"] if o["kind"] == kind and phase in o["phases"]}


def accept_only_cookies(expected: dict) -> set[str]:
    return {o["name"] for o in expected["observed"] if o["kind"] == "cookie" and o["phases"] == ["accept"]}


@pytest.fixture(scope="module")
def playwright():
    with sync_playwright() as p:
        yield p


def _settle(page) -> None:
    try:
        page.wait_for_load_state("networkidle", timeout=5000)
    except PlaywrightError:
        pass  # a slow tracker must not hide what the page already did


def _shown(page, selector: str, timeout_ms: int) -> bool:
    try:
        page.wait_for_selector(selector, state="visible", timeout=timeout_ms)
        return True
    except PlaywrightError:
        return False


def _click_choice(page, button: str, banner: str) -> None:
    """Click until the banner goes: tarteaucitron wires its buttons 500 ms after showing them."""
    for _ in range(4):
        page.click(button, timeout=5000)
        try:
            page.wait_for_selector(banner, state="hidden", timeout=1000)
            return
        except PlaywrightError:
            continue
    raise AssertionError(f"banner {banner} still shown after clicking {button}")


def _linked_pages(page, site: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")
    pages = []
    for href in hrefs:
        url = urlsplit(href)
        other_area = any(url.path == a or url.path.startswith(a + "/") for a in OTHER_AREAS)
        if url.hostname == site and url.path != "/" and not other_area:
            link = f"https://{site}{url.path}"
            if link not in pages:
                pages.append(link)
    return pages


def visit(playwright, options, site: str, phase: str) -> PhaseVisit:
    expected = load_expected(site)
    consent = expected["consent"]
    with open_context(playwright, options) as context:
        hosts: set[str] = set()
        context.on("request", lambda request: hosts.add(urlsplit(request.url).hostname or ""))
        page = context.pages[0] if context.pages else context.new_page()
        statuses, notices = {}, {}

        def load(url: str) -> None:
            response = page.goto(url, wait_until="load")
            statuses[url] = response.status if response else 0
            notices[url] = page.locator("#synthetic-notice").inner_text().strip() == NOTICE
            _settle(page)

        start = f"https://{site}/"
        load(start)
        banner_first = _shown(page, consent["banner"], 5000)
        links = _linked_pages(page, site)
        gated_after_click: set[str] = set()
        banner_after = banner_first
        if phase == "before_consent":
            for link in links:
                load(link)
        else:
            _click_choice(page, consent[phase], consent["banner"])
            wanted = accept_only_cookies(expected)
            deadline = time.monotonic() + 5
            while phase == "accept" and time.monotonic() < deadline:
                gated_after_click = {c["name"] for c in context.cookies()} & wanted
                if gated_after_click == wanted:
                    break
                page.wait_for_timeout(100)
            if phase == "reject":
                page.wait_for_timeout(500)  # give a wrongly gated tracker the time to show up
            for link in links[:2]:
                load(link)
            banner_after = _shown(page, consent["banner"], 500)
        storage = page.evaluate("() => [Object.keys(localStorage), Object.keys(sessionStorage)]")
        return PhaseVisit(statuses=statuses, notices=notices, banner_shown_first=banner_first,
                          banner_shown_after_choice=banner_after, gated_after_click=frozenset(gated_after_click),
                          cookies=tuple(context.cookies()), local_keys=frozenset(storage[0]),
                          session_keys=frozenset(storage[1]), hosts=frozenset(hosts), measured_at=time.time())


@pytest.mark.browser
@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("site", SITES)
def test_replica_phase_matches_expected(playwright, browser_options, site, phase):
    expected = load_expected(site)
    result = visit(playwright, browser_options, site, phase)

    assert result.statuses and set(result.statuses.values()) == {200}, result.statuses
    assert all(result.notices.values()), f"pages without the synthetic notice: {result.notices}"
    assert result.banner_shown_first, "the consent banner must show on a first visit"
    if phase == "before_consent":
        assert len(result.statuses) == 5, f"index and its 4 linked pages expected, got {list(result.statuses)}"
    else:
        assert not result.banner_shown_after_choice, "a stored choice must keep the banner hidden on the next page"
    if phase == "accept":
        assert result.gated_after_click == accept_only_cookies(expected), "accept must load the gated trackers at once"

    cookie_names = {c["name"] for c in result.cookies}
    want = expected_in_phase(expected, "cookie", "name", phase)
    assert cookie_names == want, f"unexpected {sorted(cookie_names - want)}, missing {sorted(want - cookie_names)}"
    if phase != "accept":
        assert not cookie_names & accept_only_cookies(expected), "a consent-gated tracker loaded without accept"

    assert result.local_keys == expected_in_phase(expected, "local_storage", "key", phase)
    assert result.session_keys == expected_in_phase(expected, "session_storage", "key", phase)
    third_party_hosts = result.hosts - {site}
    want_hosts = expected_in_phase(expected, "request", "host", phase)
    assert third_party_hosts == want_hosts, \
        f"unexpected {sorted(third_party_hosts - want_hosts)}, missing {sorted(want_hosts - third_party_hosts)}"

    by_name = {o["name"]: o for o in expected["observed"] if o["kind"] == "cookie"}
    for cookie in result.cookies:
        entry = by_name[cookie["name"]]
        assert cookie["domain"] == entry["domain"], cookie["name"]
        requested = entry["requested_lifetime_s"]
        if requested is None:
            assert cookie["expires"] == -1, f"{cookie['name']} should be a session cookie"
        else:
            stored = cookie["expires"] - result.measured_at
            assert abs(stored - min(requested, CHROMIUM_CAP_S)) < 120, (cookie["name"], stored, requested)
            assert entry.get("stored_lifetime_s", requested) == min(requested, CHROMIUM_CAP_S), cookie["name"]
        if entry["party"] == "third":
            assert cookie["sameSite"] == "None" and cookie["secure"], cookie["name"]


@pytest.mark.parametrize("site", SITES)
def test_expected_lists_are_consistent(site):
    expected = load_expected(site)
    assert expected["site"] == site and expected["synthetic"] is True
    cookies = {o["name"] for o in expected["observed"] if o["kind"] == "cookie"}
    for entry in expected["observed"]:
        assert set(entry["phases"]) <= set(PHASES), entry
        if entry["kind"] == "cookie":
            assert entry["party"] in ("first", "third") and entry["set_by"] in ("header", "script"), entry
    kinds = set()
    for plant in expected["planted"]:
        assert plant["kind"] in FINDING_KINDS, plant
        assert plant["why"], plant
        kinds.add(plant["kind"])
        if plant["kind"] in ("before_consent", "after_refusal", "over_legal_cap", "over_long_cookie",
                             "undeclared_cookie", "unclassified_before_consent", "unclassified_after_refusal"):
            assert plant["subject"] in cookies, plant
            phases = next(o["phases"] for o in expected["observed"] if o.get("name") == plant["subject"])
            if plant["kind"] in ("before_consent", "unclassified_before_consent"):
                assert "before_consent" in phases, plant
            if plant["kind"] in ("after_refusal", "unclassified_after_refusal"):
                assert "reject" in phases, plant
    assert len(kinds) >= 3, f"{site}: plant discrepancies of several kinds"
