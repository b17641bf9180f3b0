"""Golden reports of a stored scan of the pro.doctolib.fr replica, judged by the real pipeline.

The scan (`tests/golden/replica_scan.json`) was recorded by the engine against the
SYNTHETIC replica; reconcile judges it against the committed declared/pro.doctolib.fr,
so these files guard what the pipeline produces, not a hand-made state.
After an intended change: `.venv/bin/python -m tests.support.report_sample --write`, then review the diff.
"""
from __future__ import annotations

import pytest

from scanner.report import render
from scanner.scanfile import load_scan, save_scan
from tests.support.report_sample import (
    GOLDEN, GOLDEN_FORMATS, REPLICA_SCAN, REPO, replica_model, sample_scan,
)


@pytest.fixture
def model(monkeypatch):
    monkeypatch.chdir(REPO)  # declared files are named relative to the checkout, as in cookiescan.toml
    return replica_model()


def test_sample_scan_file_is_deterministic(tmp_path):
    written = save_scan(sample_scan(), tmp_path / "scan.json")
    assert written.read_bytes() == (GOLDEN / "sample_scan.json").read_bytes()
    assert load_scan(written) == sample_scan()


def test_replica_scan_is_a_real_engine_scan():
    scan = load_scan(REPLICA_SCAN)
    assert scan.synthetic and scan.site == "pro.doctolib.fr"
    assert [p.phase for p in scan.phases] == ["before_consent", "accept", "reject"]
    assert scan.phase("reject").consent.effective and scan.phase("accept").consent.effective
    assert all(c.set_by in ("header", "script") for p in scan.phases for c in p.cookies)


@pytest.mark.parametrize("fmt", GOLDEN_FORMATS)
def test_report_matches_golden(model, fmt):
    assert render(fmt, model) == (GOLDEN / f"replica_report.{fmt}").read_text(encoding="utf-8")


def test_golden_says_what_a_dpo_needs(model):
    text = (GOLDEN / "replica_report.md").read_text(encoding="utf-8")
    assert "## Verdict" in text and "Gate failed" in text
    assert "### Google" in text and "Refusal honoured for" in text
    assert all(f.fingerprint in text for f in model.findings)
    assert "consent_not_verified" not in text  # both clicks took effect on the replica


def test_golden_sarif_is_located_in_the_checkout():
    import json

    doc = json.loads((GOLDEN / "replica_report.sarif").read_text(encoding="utf-8"))
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"]
            for r in doc["runs"][0]["results"] for loc in r["locations"] + r.get("relatedLocations", [])}
    assert uris == {"cookiescan.toml", "declared/pro.doctolib.fr/cookies.yaml"}
    assert all((REPO / uri).is_file() for uri in uris)  # real files of the repository
