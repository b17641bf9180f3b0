"""End to end on the untuned fixture web: SYNTHETIC sites the classifier was never tuned on
(issue 13), each with a policy written for it, imported through `cookiescan declared import`
exactly as a user would, scanned with real Chromium and judged.

Done when: every must-appear finding of tests/fixtures/expected/untuned/<site>.yaml is reported,
and none of its must-not-appear findings (session cookies, security tokens, the consent
platform's own cookies, name collisions, cookies written by a timer after load).
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from scanner.cli import build_app
from scanner.collect.engine import ScanOptions, scan_site
from scanner.config import load_config
from scanner.declared import find_declared
from scanner.demo import konto_app
from scanner.judge import judge
from scanner.models import STRICTLY_NECESSARY

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EXPECTED = FIXTURES / "expected" / "untuned"
POLICIES = FIXTURES / "policies" / "untuned"
SITES = sorted(p.stem for p in EXPECTED.glob("*.yaml"))
LOGIN_ENV = {"COOKIESCAN_TEST_USER": konto_app.TEST_USER, "COOKIESCAN_TEST_PASSWORD": konto_app.TEST_PASSWORD}
pytestmark = pytest.mark.browser


def truth(site: str) -> dict:
    return yaml.safe_load((EXPECTED / f"{site}.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def judged(browser_options, tmp_path_factory):
    """site -> (findings, declared), the declared side imported by the CLI from the site's policy."""
    declared_root = tmp_path_factory.mktemp("declared")
    config = load_config(FIXTURES / "untuned.toml")
    options = ScanOptions(browser=browser_options, out_dir=tmp_path_factory.mktemp("untuned-scans"), synthetic=True,
                          screenshots=False)
    saved = {k: os.environ.get(k) for k in LOGIN_ENV}
    os.environ.update(LOGIN_ENV)
    try:
        out = {}
        for site in SITES:
            result = CliRunner().invoke(build_app(), ["declared", "import", str(POLICIES / truth(site)["policy"]),
                                                      "--site", site, "--out", str(declared_root)])
            assert result.exit_code == 0, result.output
            declared = find_declared(site, root=declared_root)
            scan = scan_site(config.site(site), options)
            out[site] = (list(judge(scan, declared, config.site(site)).findings), declared, scan)
        return out
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.mark.parametrize("site", SITES)
def test_every_planted_problem_is_reported(site, judged):
    findings, _, scan = judged[site]
    reported = {(f.kind, f.subject) for f in findings}
    must = {(m["kind"], m["subject"]) for m in truth(site)["must_appear"]}
    assert not must - reported, f"planted but not reported: {sorted(must - reported)}"
    if truth(site).get("login"):
        assert any(p.login and p.login.logged_in for p in scan.phases)


@pytest.mark.parametrize("site", SITES)
def test_no_false_alarm_on_necessary_cookies(site, judged):
    findings, _, _ = judged[site]
    reported = {(f.kind, f.subject): f for f in findings}
    must_not = {(m["kind"], m["subject"]) for m in truth(site)["must_not_appear"]}
    wrong = sorted(set(reported) & must_not)
    assert not wrong, [f"{k} {s}: {reported[(k, s)].message} [{reported[(k, s)].classification_source}]"
                       for k, s in wrong]
    # Whatever the list says: nothing strictly necessary is ever a consent violation.
    assert not [f for f in findings if f.kind in ("before_consent", "after_refusal")
                and f.classification == STRICTLY_NECESSARY]


def test_imported_names_are_verbatim_and_categories_come_from_the_rows(judged):
    _, fr, _ = judged["www.poterie-des-alpages.fr"]
    assert "__Host-sid" in {c.name for c in fr.cookies}  # not "Host-sid"
    by_name = {c.name: c for c in fr.cookies}
    assert by_name["panier_id"].category == STRICTLY_NECESSARY  # from "1. Cookies strictement nécessaires"
    assert by_name["_fbp"].category == "marketing"  # from "3. Cookies publicitaires"
    _, de, _ = judged["www.buchbinderei-falkenau.de"]
    by_name = {c.name: c for c in de.cookies}
    # Under "Cookies und Webanalyse", with no category column: each row's own purpose decides.
    assert (by_name["JSESSIONID"].category, by_name["JSESSIONID"].category_source) == (STRICTLY_NECESSARY, "purpose_text")
    assert by_name["klaro"].category == STRICTLY_NECESSARY and by_name["_ga"].category == "analytics"
