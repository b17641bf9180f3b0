"""`cookiescan scan` end to end: real Chromium, the fixture web, the history file."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from scanner.history.store import SQLiteStore


@pytest.mark.browser
def test_scan_command_prints_json_and_records_history(fixture_web, tmp_path):
    db = tmp_path / "history.db"
    proc = subprocess.run(
        [sys.executable, "-c", "from scanner.cli import main; main()", "scan", "https://www.engine-test.fr/",
         "--pages", "2", "--out", str(tmp_path / "out"), "--db", str(db), "--json", "--timeout", "5",
         "--host-resolver-rules", fixture_web.resolver_rules, "--ignore-https-errors"],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    scan = json.loads(proc.stdout)
    assert scan["schema_version"] == 1 and scan["site"] == "www.engine-test.fr"
    assert scan["page_list"] == ["https://www.engine-test.fr/", "https://www.engine-test.fr/a.html"]
    assert [p["phase"] for p in scan["phases"]] == ["before_consent", "accept", "reject"]
    # No override and an unknown hand-made banner: the heuristic clicks "Tout accepter" / "Tout refuser".
    assert scan["phases"][1]["consent"]["status"] == "given", scan["phases"][1]["consent"]
    assert scan["phases"][2]["consent"]["status"] == "refused", scan["phases"][2]["consent"]
    with SQLiteStore(db) as store:
        records = store.scans("www.engine-test.fr")
        assert len(records) == 1
        assert store.load_scan(records[0].id).page_list == tuple(scan["page_list"])
    assert list((tmp_path / "out" / "www.engine-test.fr").glob("*/scan.json"))
    # Piped (a CI log): a plain line per phase, and the final summary names the file and the next command.
    log = proc.stderr.splitlines()
    for phase in ("before_consent", "accept", "reject"):
        assert f"www.engine-test.fr: phase {phase}" in log
    scan_file = next(line for line in log if line.startswith("scan file: ")).removeprefix("scan file: ")
    assert scan_file.endswith("scan.json") and f"next: cookiescan report {scan_file}" in log
    assert any(line.endswith(f"low, 0 info; history: {db}") or "finding(s): " in line for line in log)


def test_unreachable_start_page_exits_2_naming_url_and_error(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-c", "from scanner.cli import main; main()", "scan", "https://nosuchhost.invalid/",
         "--pages", "1", "--out", str(tmp_path / "out"), "--db", str(tmp_path / "h.db"), "--timeout", "5"],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stderr[-2000:]
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("error: https://nosuchhost.invalid/: the start page could not be loaded: ")
    assert "net::ERR_NAME_NOT_RESOLVED" in last  # the whole cause, not cut
    scan = json.loads(next((tmp_path / "out" / "nosuchhost.invalid").glob("*/scan.json")).read_text())
    assert [p["phase"] for p in scan["phases"]] == ["before_consent"]  # later phases would repeat the failure
    with SQLiteStore(tmp_path / "h.db") as store:
        findings = store.findings(store.scans("nosuchhost.invalid")[0].id)
    assert [(f.kind, f.severity) for f in findings] == [("page_failed", "high")]
    assert findings[0].message.startswith("scan failed: the start page https://nosuchhost.invalid/")


def test_scan_command_rejects_a_bad_url_in_one_line(tmp_path):
    proc = subprocess.run([sys.executable, "-c", "from scanner.cli import main; main()", "scan", "ftp://x.example/",
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: ftp://x.example/: not an http(s) URL"
