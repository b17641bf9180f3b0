"""`cookiescan report SCAN_JSON`: the real command on the sample scan file."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from scanner.models import SEVERITIES
from tests.support.report_sample import GOLDEN, SCRIPT_COOKIE, VALUE_HASHES

COOKIESCAN = str(Path(sys.executable).parent / "cookiescan")


def cookiescan(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([COOKIESCAN, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120)


@pytest.fixture
def scan_file(tmp_path) -> Path:
    target = tmp_path / "pro.doctolib.fr" / "scan.json"
    target.parent.mkdir()
    shutil.copy(GOLDEN / "sample_scan.json", target)
    return target


def test_default_is_html_beside_the_scan(scan_file):
    result = cookiescan("report", scan_file)
    assert result.returncode == 0, result.stderr
    html = (scan_file.parent / "report.html").read_text(encoding="utf-8")
    assert 'id="findings"' in html and "Synthetic replica" in html
    assert SCRIPT_COOKIE not in html
    assert "html report:" in result.stderr


@pytest.mark.parametrize("fmt, parse", [
    ("json", json.loads), ("sarif", json.loads), ("junit", ET.fromstring), ("md", str), ("csv", str)])
def test_each_format_to_out(scan_file, tmp_path, fmt, parse):
    out = tmp_path / "out" / f"r.{fmt}"
    result = cookiescan("report", scan_file, "--format", fmt, "--out", out)
    assert result.returncode == 0, result.stderr
    assert parse(out.read_text(encoding="utf-8"))


def test_terminal_prints(scan_file):
    result = cookiescan("report", scan_file, "--format", "terminal")
    assert result.returncode == 0, result.stderr
    assert "Findings by vendor (" in result.stdout and "Synthetic replica" in result.stdout


def test_show_values_adds_the_hash_column(scan_file, tmp_path):
    cookiescan("report", scan_file, "--format", "json", "--out", tmp_path / "plain.json")
    cookiescan("report", scan_file, "--format", "json", "--out", tmp_path / "hashes.json", "--show-values")
    plain = (tmp_path / "plain.json").read_text(encoding="utf-8")
    hashes = (tmp_path / "hashes.json").read_text(encoding="utf-8")
    assert not any(h in plain for h in VALUE_HASHES)
    assert all(h in hashes for h in VALUE_HASHES)


def test_fail_on_exit_codes(scan_file, tmp_path):
    plain = cookiescan("report", scan_file, "--format", "json", "--out", tmp_path / "r.json")
    assert plain.returncode == 0  # without --fail-on, findings never fail the command
    findings = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["findings"]
    assert findings, "reconcile finds something in the sample (_ga before consent, at least)"
    worst = findings[0]["severity"]  # findings come most severe first
    gated = cookiescan("report", scan_file, "--format", "json", "--out", tmp_path / "g.json", "--fail-on", worst)
    assert gated.returncode == 1
    assert (tmp_path / "g.json").exists()  # the report is written before the gate decides
    if worst != "high":
        above = SEVERITIES[SEVERITIES.index(worst) + 1]
        assert cookiescan("report", scan_file, "--format", "json", "--out", tmp_path / "h.json",
                          "--fail-on", above).returncode == 0


@pytest.mark.parametrize("args, message", [
    (["missing.json"], "missing.json: no such scan file"),
    (["SCAN", "--format", "pdf"], "--format 'pdf'"),
    (["SCAN", "--fail-on", "critical"], "--fail-on 'critical'"),
])
def test_bad_input_is_one_line_and_exit_2(scan_file, tmp_path, args, message):
    args = [str(scan_file) if a == "SCAN" else a for a in args]
    result = cookiescan("report", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_not_a_scan_file(tmp_path):
    bad = tmp_path / "scan.json"
    bad.write_text("{not json", encoding="utf-8")
    result = cookiescan("report", bad)
    # rich wraps long messages at the terminal width; the message itself is one line
    assert result.returncode == 2 and "scan.json: not a readable scan file" in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr


def test_dash_out_means_stdout(scan_file, tmp_path):
    result = cookiescan("report", scan_file, "--format", "sarif", "-o", "-", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["version"] == "2.1.0"
    assert not (tmp_path / "-").exists()


def test_fail_on_says_why(scan_file, tmp_path):
    result = cookiescan("report", scan_file, "--format", "json", "-o", tmp_path / "r.json", "--fail-on", "low",
                        cwd=tmp_path)
    assert result.returncode == 1
    reason = result.stderr.strip().splitlines()[-1]
    assert reason.startswith("failing (--fail-on low): ") and "at or above low (" in reason


def test_no_declared_data_is_said_loudly_with_where_it_looked(scan_file, tmp_path):
    result = cookiescan("report", scan_file, "--format", "md", "-o", "-", cwd=tmp_path)  # no declared/ here
    assert result.returncode == 0, result.stderr
    warning = " ".join(result.stderr.split())
    assert "warning: no declared data found for pro.doctolib.fr (looked in declared/pro.doctolib.fr)" in warning
    assert "**none found** (looked in declared/pro.doctolib.fr)" in result.stdout
