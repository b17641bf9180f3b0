"""A hostile site ends in a finished scan.json and report, its bad pages marked failed (issue 14).

www.hostile-web.test (SYNTHETIC fixture): links with bad ports, lifetimes of Infinity/NaN/1e400/year 99999,
escape sequences in its title, storage keys and cookie names, 5,000 cookies and keys, dialogs and popups,
a download, an HTTP 500 page, a 100 KB URL.
"""
from __future__ import annotations

import dataclasses
import json
import math

import pytest
from typer.testing import CliRunner

from scanner.cli import build_app
from scanner.collect.engine import ScanOptions, scan_site
from scanner.common.lifetimes import LIFETIME_CEILING_S
from scanner.config import SiteConfig
from scanner.judge import judge
from scanner.models import BEFORE_CONSENT
from scanner.scanfile import load_scan

pytestmark = pytest.mark.browser
SITE = "www.hostile-web.test"
ESCAPES = ("\x1b", "\x07", "\x9b", "\u202e")


@pytest.fixture(scope="module")
def hostile(browser_options, tmp_path_factory):
    out = tmp_path_factory.mktemp("hostile")
    fast = dataclasses.replace(browser_options, navigation_timeout_s=6)
    site = SiteConfig(name=SITE, start_url=f"https://{SITE}/", pages=10)
    result = scan_site(site, ScanOptions(browser=fast, out_dir=out, phases=(BEFORE_CONSENT,), settle_s=1.0,
                                         screenshots=False))
    return result, next(out.rglob("scan.json"))


def test_the_scan_finishes_and_its_file_is_strict_json(hostile):
    result, path = hostile
    json.loads(path.read_text(encoding="utf-8"), parse_constant=lambda name: pytest.fail(f"{name} in scan.json"))
    assert load_scan(path) == result
    urls = [p.url for p in result.phase(BEFORE_CONSENT).pages]
    assert not any(":99999" in u or ":abc" in u or "[::1" in u for u in urls)  # never followed, never fatal
    assert any(u.endswith("/many.html") for u in urls) and any("/__download" in u for u in urls)


def test_absurd_lifetimes_are_bounded_and_nan_is_no_lifetime(hostile):
    cookies = {c.name: c for c in hostile[0].phase(BEFORE_CONSENT).cookies}
    for name in ("header_1e400", "header_year_99999"):
        assert cookies[name].requested_lifetime_s == LIFETIME_CEILING_S, name
        assert cookies[name].requested_lifetime_text.split("=", 1)[0].lower() in ("max-age", "expires")
    for c in cookies.values():
        assert c.requested_lifetime_s is None or math.isfinite(c.requested_lifetime_s), c.name
    findings = judge(hostile[0], None).findings
    over_cap = {f.subject: f for f in findings if f.kind == "over_legal_cap"}
    assert "beyond the browser's maximum" in over_cap["header_1e400"].message


def test_failed_and_error_pages_are_marked_and_reported(hostile):
    pages = {p.url: p for p in hostile[0].phase(BEFORE_CONSENT).pages}
    download = next(p for u, p in pages.items() if "/__download" in u)
    assert not download.ok and download.error
    server_error = next(p for u, p in pages.items() if "/__status" in u)
    assert server_error.http_status == 500
    failed = {f.subject: f for f in judge(hostile[0], None).findings if f.kind == "page_failed"}
    assert "HTTP 500" in failed[server_error.url].message and "1 visit in 1 phase" in failed[server_error.url].message


def test_attempted_cookies_and_dropped_records_are_counted(hostile):
    phase = hostile[0].phase(BEFORE_CONSENT)
    assert phase.cookies_attempted >= 5000 > len(phase.cookies)  # Chromium keeps ~180 per domain
    assert phase.records_dropped >= 3000  # 5,000 storage keys, 2,000 kept
    capped = [f for f in judge(hostile[0], None).findings if f.kind == "recording_capped"]
    assert capped and f"asked for {phase.cookies_attempted} cookie(s)" in capped[0].message


def test_no_escape_sequence_reaches_the_terminal(hostile, tmp_path):
    _, path = hostile
    keys = [s.key for s in hostile[0].phase(BEFORE_CONSENT).storage]
    assert any("\x1b]0;" in k for k in keys)  # the page really planted them
    runner = CliRunner(env={"COLUMNS": "400"})
    report = runner.invoke(build_app(), ["report", str(path), "--format", "terminal"])
    db = tmp_path / "history.db"
    imported = runner.invoke(build_app(), ["history", "import", str(path.parent), "--db", str(db)])
    diff = runner.invoke(build_app(), ["diff", SITE, "--from-history", "--db", str(db)])
    for result in (report, imported, diff):
        assert result.exit_code == 0, result.output
        assert not any(ch in result.output for ch in ESCAPES), result.output
    assert "\\x1b]0;retitled" in report.output and "\\x1b]0;retitled" in diff.output
    assert "[red]markup-key :smile:" in diff.output  # neither markup nor an emoji
