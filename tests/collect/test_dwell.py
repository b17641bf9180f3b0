"""Dwell after load, driven by the page (issue 13): timers a page schedules while loading are
waited for, up to the cap; timers beyond the cap and loops started after load are not."""
from __future__ import annotations

import pytest

from scanner.collect.engine import ScanOptions, scan_site
from scanner.config import SiteConfig
from scanner.models import BEFORE_CONSENT

pytestmark = pytest.mark.browser
# Two pages: moving on to the second cancels the first page's timers, as a crawl does.
SITE = SiteConfig(name="dwell.engine-test.fr", start_url="https://dwell.engine-test.fr/", pages=2)


def _scan(browser_options, tmp_path, dwell_s):
    options = ScanOptions(browser=browser_options, out_dir=tmp_path, phases=(BEFORE_CONSENT,), dwell_s=dwell_s,
                          screenshots=False, synthetic=True)
    phase = scan_site(SITE, options).phase(BEFORE_CONSENT)
    assert [p.url for p in phase.pages] == ["https://dwell.engine-test.fr/", "https://dwell.engine-test.fr/two.html"]
    return {c.name for c in phase.cookies}, phase.pages


def test_a_cookie_written_seconds_after_load_is_recorded(browser_options, tmp_path):
    names, (first, second) = _scan(browser_options, tmp_path, dwell_s=10.0)
    assert "late_cookie" in names
    assert "heartbeat" not in names  # 30 s: beyond the cap, not waited for
    assert 7.5 <= first.duration_s < 10.0, first  # the timer, not the heartbeat nor the polling loop
    assert second.duration_s < 3.0, second  # no pending timer: no dwell


def test_without_dwell_the_late_cookie_is_missed(browser_options, tmp_path):
    names, _ = _scan(browser_options, tmp_path, dwell_s=0)
    assert "late_cookie" not in names
