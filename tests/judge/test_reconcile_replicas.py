"""Reconcile each replica's ground truth (no browser) with the real declared files and vendor map.

The slow twin, tests/test_replicas_findings.py, does the same on real scans.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from scanner.declared import find_declared
from scanner.judge import judge
from scanner.knowledge.vendors import load_vendor_map
from tests.support.replica_truth import REPLICAS, planted, truth_scan, unjustified

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def vendors():
    return load_vendor_map()


@pytest.mark.parametrize("site", REPLICAS)
def test_truth_of_replica_gives_every_planted_finding_and_nothing_unjustified(site, vendors):
    scan = truth_scan(site)
    declared = find_declared(site, root=ROOT / "declared")
    findings = judge(scan, declared, vendors=vendors).findings
    reported = {(f.kind, f.subject) for f in findings}
    assert planted(site) - reported == set()
    assert unjustified(findings, scan, declared, vendors) == []
    assert len(reported) == len(findings)  # one finding per (kind, subject)


def test_annex_vendors_are_not_undeclared_third_parties(vendors):
    """IT and DE annexes list Intercom, Hubspot, Didomi and Cloudflare under their legal names."""
    for site in ("pro.doctolib.it", "pro.doctolib.de"):
        findings = judge(truth_scan(site), find_declared(site, root=ROOT / "declared"), vendors=vendors).findings
        undeclared = {f.subject for f in findings if f.kind == "undeclared_third_party"}
        assert undeclared and undeclared.isdisjoint({"Intercom", "Hubspot", "Didomi", "Cloudflare"})


def test_consent_cookies_are_never_before_consent_findings(vendors):
    for site in REPLICAS:
        findings = judge(truth_scan(site), find_declared(site, root=ROOT / "declared"), vendors=vendors).findings
        flagged = {f.subject for f in findings if f.kind in ("before_consent", "after_refusal")}
        assert flagged.isdisjoint({"didomi_token", "euconsent-v2", "tarteaucitron", "klaro"})
