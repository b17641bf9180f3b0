"""End to end: scan each SYNTHETIC replica with real Chromium, reconcile with the committed
declared files, and compare with the replica's planted discrepancies.

Done when: every planted discrepancy is reported with the right kind, and nothing else is
(every other finding must be accounted for by what the replica really does and what its
declared files say: see tests/replica_truth.py `unjustified`). Each replica is scanned
once per test session.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from scanner.config import load_config
from scanner.declared import find_declared
from scanner.collect.engine import ScanOptions, scan_site
from scanner.judge import judge
from scanner.knowledge.vendors import load_vendor_map
from tests.support.replica_truth import REPLICAS, planted, planted_behaviour, unjustified

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def replica_scans(browser_options, tmp_path_factory):
    config = load_config(ROOT / "cookiescan.toml")
    options = ScanOptions(browser=browser_options, out_dir=tmp_path_factory.mktemp("replica-scans"), synthetic=True)
    return {site: scan_site(config.site(site), options) for site in REPLICAS}


@pytest.fixture(scope="session")
def vendors():
    return load_vendor_map()


@pytest.mark.parametrize("site", REPLICAS)
def test_replica_reports_every_planted_discrepancy_and_nothing_else(site, replica_scans, vendors):
    scan = replica_scans[site]
    assert scan.synthetic
    declared = find_declared(site, root=ROOT / "declared")
    findings = judge(scan, declared, vendors=vendors, site=load_config(ROOT / "cookiescan.toml").site(site)).findings
    reported = {(f.kind, f.subject) for f in findings}
    missing = (planted(site) | planted_behaviour(site)) - reported
    assert not missing, f"planted but not reported: {sorted(missing)}"
    assert unjustified(findings, scan, declared, vendors) == []
    assert len(reported) == len(findings)  # one finding per (kind, subject), pages as evidence
