"""Golden files: the JSON and Markdown reports of the hand-built sample scan.

After an intended change: `.venv/bin/python -m tests.support.report_sample --write`, then review the diff.
"""
from __future__ import annotations

from scanner.report import build_report, render
from scanner.scanfile import load_scan, save_scan
from tests.support.report_sample import GOLDEN, sample_declared, sample_judgement, sample_scan


def golden_model():
    scan = load_scan(GOLDEN / "sample_scan.json")
    return build_report(scan, sample_judgement(scan, declared=sample_declared()), scan_dir=GOLDEN)


def test_sample_scan_file_is_deterministic(tmp_path):
    written = save_scan(sample_scan(), tmp_path / "scan.json")
    assert written.read_bytes() == (GOLDEN / "sample_scan.json").read_bytes()
    assert load_scan(written) == sample_scan()


def test_json_report_matches_golden():
    assert render("json", golden_model()) == (GOLDEN / "report.json").read_text(encoding="utf-8")


def test_markdown_report_matches_golden():
    assert render("md", golden_model()) == (GOLDEN / "report.md").read_text(encoding="utf-8")
