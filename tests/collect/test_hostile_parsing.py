"""Hostile page input for the parsers of collect/: bad-port links, absurd cookie lifetimes (issue 14)."""
from __future__ import annotations

import json
import math

import pytest

from scanner.collect.crawl import follow_candidates, normalise
from scanner.collect.recorder import PhaseRecorder
from scanner.collect.setcookie import parse_set_cookie
from scanner.common.lifetimes import LIFETIME_CEILING_S


@pytest.mark.parametrize("link", ["https://www.site.test:99999/x", "https://www.site.test:abc/x",
                                  "https://[::1/x", "https://www.site.test:-1/", 42, None])
def test_a_link_with_a_bad_port_is_skipped_not_fatal(link):
    assert normalise(link) is None
    good = "https://www.site.test/ok"
    assert follow_candidates([link, good], "site.test", (), set()) == [good]


def write(line, at=1_800_000_000.0):
    return parse_set_cookie(line, host="www.site.test", set_by="header", set_by_url="https://www.site.test/", at=at)


@pytest.mark.parametrize("attribute", ["Max-Age=1e400", "Max-Age=inf", "max-age=Infinity",
                                       "Max-Age=" + "9" * 400, "Expires=Fri, 31 Dec 99999 23:59:59 GMT"])
def test_a_lifetime_beyond_any_browser_is_bounded_and_its_raw_text_kept(attribute):
    w = write(f"id=1; {attribute}; Path=/")
    assert w.requested_lifetime_s == LIFETIME_CEILING_S and not w.deletes
    assert w.lifetime_text == attribute[:80]
    json.dumps(w.requested_lifetime_s, allow_nan=False)


def test_nan_max_age_is_no_lifetime_and_minus_infinity_deletes():
    assert write("id=1; Max-Age=NaN").requested_lifetime_s is None
    gone = write("id=1; Max-Age=-inf")
    assert gone.deletes and math.isfinite(gone.requested_lifetime_s)


def test_an_ordinary_expiry_keeps_its_exact_lifetime():
    w = write("id=1; Expires=Thu, 01 Jan 2027 00:00:00 GMT", at=1_767_225_600.0)  # 2026-01-01
    assert w.requested_lifetime_s == 365 * 86400 and w.lifetime_text is None


@pytest.mark.parametrize("payload", [None, 7, "x", [], {"line": None}, {"line": "a=1; max-age=Infinity", "page": 5},
                                     {"line": "=" * 100_000}])
def test_the_document_cookie_binding_survives_anything_a_page_sends(payload):
    recorder = PhaseRecorder(phase="before_consent", site_domain="site.test")
    recorder._on_script_write(None, payload)  # a page can call the exposed binding itself
    for w in recorder._writes:
        assert w.requested_lifetime_s is None or math.isfinite(w.requested_lifetime_s)
