"""The reconcile benchmark runs (small size here; the README figure comes from the full run)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_benchmark_script_runs_and_reports_time_and_findings():
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "reconcile.py"), "--observations", "20000",
                           "--declared", "100", "--repeat", "1"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "20,000 observations" in proc.stdout and "100 declared rows" in proc.stdout
    for kind in ("undeclared_cookie", "before_consent", "after_refusal", "over_legal_cap", "undeclared_third_party"):
        assert kind in proc.stdout
