"""The scan engine against real Chromium and the fixture web (www.engine-test.fr, synthetic)."""
from __future__ import annotations

import dataclasses
import json

import pytest

from scanner.config import SiteConfig
from scanner.collect.engine import ScanOptions, scan_site
from scanner.scanfile import load_scan

FIVE_YEARS = 157680000
FOUR_HUNDRED_DAYS = 400 * 86400


pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def scan(browser_options, tmp_path_factory):
    out = tmp_path_factory.mktemp("engine-scan")
    site = SiteConfig(name="www.engine-test.fr", start_url="https://www.engine-test.fr/",
                      accept_selector="#accept", reject_selector="#reject")
    events = []
    fast = dataclasses.replace(browser_options, navigation_timeout_s=4)  # the hanging page costs this, per phase
    result = scan_site(site, ScanOptions(browser=fast, out_dir=out, jobs=1),  # one after another; jobs=3 below
                       progress=lambda event, detail: events.append((event, detail)))
    scan_json = next(out.rglob("scan.json"))
    return result, scan_json, events


def cookie(result, phase, name):
    found = [c for c in result.phase(phase).cookies if c.name == name]
    assert found, f"{name} not recorded in {phase}: {[c.name for c in result.phase(phase).cookies]}"
    return found[0]


def test_phases_and_consent_outcomes(scan):
    result, _, _ = scan
    assert [p.phase for p in result.phases] == ["before_consent", "accept", "reject"]
    assert result.phase("before_consent").consent.action == "none"
    accept, reject = result.phase("accept").consent, result.phase("reject").consent
    assert (accept.action, accept.status, accept.method) == ("accept", "given", "override")
    assert (reject.action, reject.status, reject.method) == ("reject", "refused", "override")
    assert accept.screenshot and (reject.screenshot or "").endswith("reject-after-click.png")


def test_script_cookie_reports_requested_and_stored_lifetime(scan):
    c = cookie(scan[0], "before_consent", "js_5y")
    assert c.set_by == "script" and c.set_by_url == "https://www.engine-test.fr/"
    assert c.requested_lifetime_s == FIVE_YEARS  # what the site asked for
    assert abs(c.stored_lifetime_s - FOUR_HUNDRED_DAYS) < 60  # what Chromium kept
    assert c.party == "first" and c.registrable_domain == "engine-test.fr"


def test_header_cookie_fields(scan):
    c = cookie(scan[0], "before_consent", "fp_header")
    assert (c.set_by, c.set_by_url) == ("header", "https://www.engine-test.fr/")
    assert c.http_only and c.secure and c.same_site == "Lax" and not c.partitioned
    assert c.requested_lifetime_s == 3600 and not c.session
    assert c.domain == "www.engine-test.fr" and c.path == "/"
    session = cookie(scan[0], "before_consent", "fp_session")
    assert session.session and session.requested_lifetime_s is None and session.stored_lifetime_s is None


def test_third_party_cookies_from_iframe_and_pixel(scan):
    iframe = cookie(scan[0], "before_consent", "iframe_3p")
    assert iframe.party == "third" and iframe.domain == "frame.engine-tracker.test"
    assert iframe.set_by == "header" and iframe.set_by_url.startswith("https://frame.engine-tracker.test/__setcookie")
    assert iframe.same_site == "None" and iframe.secure
    pixel = cookie(scan[0], "before_consent", "pixel_3p")
    assert pixel.party == "third" and pixel.requested_lifetime_s == 2592000
    assert pixel.registrable_domain == "engine-tracker.test"


def test_first_party_cookie_written_by_third_party_script(scan):
    c = cookie(scan[0], "before_consent", "_trk_js")
    assert c.party == "first" and c.set_by == "script"
    assert c.set_by_url == "https://cdn.engine-tracker.test/t.js"


def test_blocked_cookie_with_reason(scan):
    blocked = {b.name: b for b in scan[0].phase("before_consent").blocked_cookies}
    assert any(r.endswith("SameSiteUnspecifiedTreatedAsLax") for r in blocked["lax_3p"].reasons)  # "Schemeful..." on newer Chromium


def test_cookie_only_after_accept(scan):
    result = scan[0]
    names = {p.phase: {c.name for c in p.cookies} for p in result.phases}
    assert "_after_accept" in names["accept"]
    assert "_after_accept" not in names["before_consent"] | names["reject"]
    assert "fp_header" in names["before_consent"]  # present before any click
    after = cookie(result, "accept", "_after_accept")
    assert after.set_by_url == "https://cdn.engine-tracker.test/after-accept.js"


def test_page_where_cookie_first_appeared(scan):
    c = cookie(scan[0], "before_consent", "page_c_only")
    assert c.page_url == "https://www.engine-test.fr/c.html" and c.phase == "before_consent"
    assert 7 * 86400 - 120 < c.requested_lifetime_s <= 7 * 86400  # from an Expires date


def test_storage_keys_hashed(scan):
    result, scan_json, _ = scan
    items = {(s.kind, s.key): s for s in result.phase("before_consent").storage}
    assert ("local", "ls_key") in items and ("session", "ss_key") in items
    assert items[("local", "ls_key")].origin == "https://www.engine-test.fr"
    text = scan_json.read_text()
    for raw in ("local-secret-value", "session-secret-value", "s3cr3t-session-token"):
        assert raw not in text  # values are hashed, never stored


def test_third_party_requests_before_consent(scan):
    requests = scan[0].phase("before_consent").requests
    script = [r for r in requests if r.host == "cdn.engine-tracker.test" and r.url.endswith("/t.js")]
    assert script and script[0].resource_type == "script" and script[0].status == 200
    pixel = [r for r in requests if r.host == "pixel.engine-tracker.test" and "__pixel" in r.url][0]
    assert "12345" not in pixel.url and "uid=" in pixel.url  # parameter names only
    assert all(r.registrable_domain != "engine-test.fr" for r in requests)


def test_hanging_page_is_failed_and_scan_goes_on(scan):
    result = scan[0]
    pages = {p.url: p for p in result.phase("before_consent").pages}
    hang = pages["https://www.engine-test.fr/__hang"]
    assert not hang.ok and "Timeout" in hang.error
    loop = pages["https://www.engine-test.fr/__redirect-loop"]
    assert not loop.ok and "REDIRECT" in loop.error.upper()
    assert pages["https://www.engine-test.fr/c.html"].ok  # visited after the failures
    assert any(c.name == "page_c_only" for c in result.phase("reject").cookies)


def test_crawl_is_breadth_first_same_site_and_shared(scan):
    result = scan[0]
    assert result.page_list == (
        "https://www.engine-test.fr/", "https://www.engine-test.fr/a.html", "https://www.engine-test.fr/b.html",
        "https://www.engine-test.fr/__hang", "https://www.engine-test.fr/__redirect-loop",
        "https://www.engine-test.fr/c.html")  # no logout, no other site, no PDF; fragment dropped
    for phase in ("accept", "reject"):
        visited = [p.url for p in result.phase(phase).pages]
        assert visited[1:] == list(result.page_list)  # start page, the click, then the same list


def test_scan_file_round_trip_and_screenshots(scan):
    result, scan_json, events = scan
    assert load_scan(scan_json) == result
    data = json.loads(scan_json.read_text())
    assert data["schema_version"] == 1
    assert (scan_json.parent / "before_consent-start.png").stat().st_size > 1000
    assert ("saved", str(scan_json)) in events



def test_phases_run_in_parallel_give_the_same_observations(scan, browser_options, tmp_path):
    sequential = scan[0]
    site = SiteConfig(name="www.engine-test.fr", start_url="https://www.engine-test.fr/", pages=3,
                      accept_selector="#accept", reject_selector="#reject")
    events = []
    parallel = scan_site(site, ScanOptions(browser=browser_options, out_dir=tmp_path, jobs=3),
                         lambda event, detail: events.append((event, detail)))
    assert [p.phase for p in parallel.phases] == ["before_consent", "accept", "reject"]
    # Side by side in one browser: every phase started before the first page of any was done.
    first_page = next(i for i, (event, _) in enumerate(events) if event == "page")
    assert {d for e, d in events[:first_page] if e == "phase"} == {"before_consent", "accept", "reject"}
    assert parallel.page_list == sequential.page_list[:3]
    for phase in ("accept", "reject"):
        names = {c.name for c in parallel.phase(phase).cookies}
        expected = {c.name for c in sequential.phase(phase).cookies} - {"page_c_only"}  # page C is not in the 3
        assert names == expected, phase
        assert parallel.phase(phase).consent.effective
