"""The behaviour collector in real Chromium on the SYNTHETIC fixture web: every planted
behaviour of www.behaviour-leaky.test is reported with the script and third party behind
it (real FingerprintJS and rrweb from npm), and www.behaviour-clean.test raises nothing."""
from __future__ import annotations

import pytest

from scanner.collect.engine import ScanOptions, scan_site
from scanner.config import SiteConfig
from scanner.judge import judge
from scanner.models import BEFORE_CONSENT

pytestmark = pytest.mark.browser
LEAKY, CLEAN = "www.behaviour-leaky.test", "www.behaviour-clean.test"
KINDS = ("fingerprinting", "session_recording", "input_leak", "sensitive_url_leak")


@pytest.fixture(scope="module")
def scans(browser_options, fixture_web, tmp_path_factory):
    options = ScanOptions(browser=browser_options, out_dir=tmp_path_factory.mktemp("behaviour"), synthetic=True,
                          phases=(BEFORE_CONSENT,), screenshots=False)
    return {host: scan_site(SiteConfig(name=host, start_url=f"https://{host}/"), options) for host in (LEAKY, CLEAN)}


def behaviour(scans, host):
    return scans[host].phase(BEFORE_CONSENT).behaviour


def test_fingerprinting_is_reported_per_script_with_who_loaded_it(scans):
    calls = {(c.technique, c.script_url.rsplit("/", 1)[-1], c.initiator_url) for c in behaviour(scans, LEAKY).fingerprinting}
    fpjs_loader = "https://cdn.fp-vendor.test/fp-loader.js"
    assert ("canvas", "fp.umd.min.js", fpjs_loader) in calls  # the real FingerprintJS, loaded by a third party
    assert ("audio", "fp.umd.min.js", fpjs_loader) in calls
    assert {t for t, script, _ in calls if script == "fonts.js"} >= {"fonts", "audio"}
    assert all(c.page_url.endswith("/empreinte.html") and c.phase == BEFORE_CONSENT
               for c in behaviour(scans, LEAKY).fingerprinting)


def test_webgl_unmasked_renderer_is_reported_when_the_browser_has_webgl(scans, pw, browser_options):
    from scanner.collect.browser import open_context
    with open_context(pw, browser_options) as context:
        page = context.new_page()
        page.goto(f"https://{CLEAN}/")
        has_webgl = page.evaluate("() => !!document.createElement('canvas').getContext('webgl')")
    techniques = {c.technique for c in behaviour(scans, LEAKY).fingerprinting}
    assert ("webgl" in techniques) == has_webgl


def test_rrweb_session_recording_is_reported_with_the_third_party_that_loaded_it(scans):
    recordings = behaviour(scans, LEAKY).session_recordings
    assert {(r.vendor, r.signal) for r in recordings} == {("rrweb", "script"), ("rrweb", "global")}
    script = next(r for r in recordings if r.signal == "script")
    assert script.initiator_url == "https://rec.replay-vendor.test/recorder.js"
    findings = {f.subject: f for f in judge(scans[LEAKY], None).findings if f.kind == "session_recording"}
    assert list(findings) == ["replay-vendor.test (rrweb)"]
    assert findings["replay-vendor.test (rrweb)"].severity == "high"  # before consent


def test_typed_values_reaching_third_parties_are_found_plain_and_hashed(scans, fixture_web):
    leaks = {(x.field, x.encoding, x.channel, x.host) for x in behaviour(scans, LEAKY).input_leaks}
    assert ("email", "url", "url", "keys.form-vendor.test") in leaks
    assert ("name", "sha256", "body", "keys.form-vendor.test") in leaks
    assert ("phone", "base64", "url", "keys.form-vendor.test") in leaks
    assert ("name", "plain", "body", "rec.replay-vendor.test") in leaks  # the recorder uploads what is typed
    seen = fixture_web.state.requests
    assert not [r for r in seen if r[0] == "keys.form-vendor.test" and r[2].startswith("/pw")]  # never a password
    assert not [r for r in seen if r[0] == LEAKY and r[1] == "POST"]  # never a submit
    kinds = {f.subject: f.severity for f in judge(scans[LEAKY], None).findings if f.kind == "input_leak"}
    assert kinds == {"keys.form-vendor.test": "high", "rec.replay-vendor.test": "high"}


def test_a_sensitive_path_leaked_by_referer_and_pixel_is_high_with_the_referrer_policy(scans):
    leaks = {(x.host, x.channel, x.referrer_policy) for x in behaviour(scans, LEAKY).url_leaks
             if x.leaked_path == "/psychiatre/paris"}
    assert ("img.referer-vendor.test", "referer", "unsafe-url") in leaks
    assert ("www.facebook.com", "param dl", "unsafe-url") in leaks
    findings = {f.subject: f for f in judge(scans[LEAKY], None).findings if f.kind == "sensitive_url_leak"}
    assert findings["img.referer-vendor.test"].severity == "high"
    assert "psychiatr" in findings["img.referer-vendor.test"].message
    assert "unsafe-url" in findings["img.referer-vendor.test"].message


def test_pixel_events_are_decoded(scans):
    events = {(e.vendor, e.pixel_id, e.event, e.page) for e in behaviour(scans, LEAKY).pixel_events}
    assert ("Meta pixel", "111122223333", "Schedule", "/rendez-vous.html") in events
    assert ("Google Analytics 4", "G-SYNTH0001", "booking_confirmed", "/rendez-vous.html") in events
    assert ("Google Ads", "AW-987654321", "remarketing synth", "/rendez-vous.html") in events


def test_a_canvas_chart_a_first_party_form_and_an_origin_only_referer_raise_nothing(scans):
    clean = behaviour(scans, CLEAN)
    assert clean.fields_typed == 2  # the step ran: it typed into the first-party form
    assert (clean.fingerprinting, clean.session_recordings, clean.input_leaks, clean.url_leaks,
            clean.pixel_events) == ((), (), (), (), ())
    assert [f for f in judge(scans[CLEAN], None).findings if f.kind in KINDS] == []
    visited = {v.url.rsplit("/", 2)[-2] + "/" + v.url.rsplit("/", 1)[-1] for v in scans[CLEAN].phase(BEFORE_CONSENT).pages}
    assert any("statistiques" in v for v in visited) and any("cardiologie" in v for v in visited)


def test_the_scan_file_keeps_no_typed_value_in_any_encoding(scans):
    import json

    from scanner.collect.leaks import encoded_variants
    from scanner.scanfile import to_dict
    text = json.dumps(to_dict(scans[LEAKY])).lower()
    assert behaviour(scans, LEAKY).input_leaks  # the values did leave the page...
    for field, encoding, needle in encoded_variants():
        assert needle.lower() not in text, (field, encoding)  # ...but the scan only says which and how
