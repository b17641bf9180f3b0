"""`cookiescan consent probe` against the fixture web (its own module: the command starts its own Playwright,
which cannot run while another module's Playwright instance is open in the same thread)."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from scanner.cli import build_app

pytestmark = pytest.mark.browser


def test_consent_probe_command(fixture_web):
    web = ["--host-resolver-rules", fixture_web.resolver_rules, "--ignore-https-errors"]
    ok = CliRunner().invoke(build_app(), ["consent", "probe", "https://consent-klaro.test/", *web])
    assert ok.exit_code == 0, ok.output
    assert "platform klaro" in ok.output and "accept: OK given" in ok.output and "reject: OK refused" in ok.output
    broken = CliRunner().invoke(build_app(), ["consent", "probe", "consent-broken-reject.test", "--action", "reject",
                                              "--json", *web])
    assert broken.exit_code == 1
    data = json.loads(broken.output)
    assert data["platform"] == "unknown"
    assert data["outcomes"][0]["status"] == "not_refused" and "banner still visible" in data["outcomes"][0]["reason"]
    bad = CliRunner().invoke(build_app(), ["consent", "probe", "ftp://x", "--action", "nope"])
    assert bad.exit_code == 2 and "--action 'nope'" in bad.output  # a UserError: one line, exit code 2
