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


def test_scan_command_rejects_a_bad_url_in_one_line(tmp_path):
    proc = subprocess.run([sys.executable, "-c", "from scanner.cli import main; main()", "scan", "ftp://x.example/",
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: ftp://x.example/: not an http(s) URL"
