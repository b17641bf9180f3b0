"""What changed between scans, and the diff / history / check commands on a real SQLite history."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

import pytest
import yaml
from typer.testing import CliRunner

from scanner.history.baseline import baseline_entry
from scanner.history.changes import compare_scans
from scanner.cli import build_app
from scanner.models import ACCEPT, BEFORE_CONSENT, REJECT
from scanner.judge import judge
from scanner.history.store import SQLiteStore
from tests.support.builders_reconcile import DAY, cookie, request, scan

runner = CliRunner(env={"COLUMNS": "200"})  # wide enough that rich does not wrap rows


def scan_at(day: int, cookies, requests=()):
    return replace(scan(cookies=cookies, requests=requests), started_at=f"2026-01-{day:02d}T00:00:00Z")


BASE = [cookie("keep", ACCEPT, lifetime=30 * DAY), cookie("gone_soon", ACCEPT), cookie("longer", ACCEPT, lifetime=DAY)]
CHANGED = [cookie("keep", ACCEPT, lifetime=30 * DAY + 5), cookie("longer", ACCEPT, lifetime=90 * DAY),
           cookie("fresh", BEFORE_CONSENT), cookie("fresh", ACCEPT)]


def test_compare_scans_reports_exactly_the_change():
    old = scan_at(1, BASE, [request("a.tp.test")])
    new = scan_at(2, CHANGED, [request("a.tp.test"), request("b.tp.test", ACCEPT)])
    changes = compare_scans(old, new, judge(old, None).findings, judge(new, None).findings)
    assert [(c.name, c.phases) for c in changes.new_cookies] == [("fresh", (BEFORE_CONSENT, ACCEPT))]
    assert [c.name for c in changes.removed_cookies] == ["gone_soon"]
    assert [(c.name, c.before_s, c.after_s) for c in changes.lifetime_changes] == [("longer", DAY, 90 * DAY)]
    assert changes.new_third_parties == ("b.tp.test",) and changes.removed_third_parties == ()
    assert {(f.kind, f.subject) for f in changes.new_findings} >= {("undeclared_cookie", "fresh"),
                                                                   ("unclassified_before_consent", "fresh")}
    assert {(f.kind, f.subject) for f in changes.resolved_findings} == {("undeclared_cookie", "gone_soon")}
    assert compare_scans(old, old, [], []).empty


def test_phase_change_is_a_change():
    old = scan_at(1, [cookie("x", ACCEPT)])
    new = scan_at(2, [cookie("x", ACCEPT), cookie("x", REJECT)])
    (change,) = compare_scans(old, new).phase_changes
    assert change.before == (ACCEPT,) and change.after == (ACCEPT, REJECT)


@pytest.fixture()
def db(tmp_path):
    path = tmp_path / "history.db"
    with SQLiteStore(path) as store:
        for day, cookies in ((1, BASE), (2, CHANGED)):
            s = scan_at(day, cookies)
            store.save_scan(s, judge(s, None).findings)
    return path


def test_history_lists_scans_newest_first(db):
    result = runner.invoke(build_app(), ["history", "shop.example", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert result.output.index("2026-01-02 00:00") < result.output.index("2026-01-01 00:00")
    assert "60 s" in result.output
    assert "synthetic replica" in result.output


def test_history_of_unknown_site_is_a_user_error(db):
    result = runner.invoke(build_app(), ["history", "nowhere.example", "--db", str(db)])
    assert result.exit_code == 2 and "shop.example" in result.output


def test_diff_from_history_since_last(db, tmp_path):
    result = runner.invoke(build_app(), ["diff", "shop.example", "--from-history", "--since", "last", "--db", str(db)],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    out = result.output
    assert "observed vs declared" in out
    changes = out[out.index("changes since"):]
    assert "new cookie" in changes and "fresh" in changes
    assert "removed cookie" in changes and "gone_soon" in changes
    assert "lifetime changed" in changes and "1 day -> 90 days" in changes
    assert "keep" not in changes  # 5 s of drift is not a change


def test_diff_marks_rows(db):
    result = runner.invoke(build_app(), ["diff", "shop.example", "--from-history", "--db", str(db)],
                           env={"COLUMNS": "200"})
    cells = [[c.strip() for c in line.split("│")[1:-1]] for line in result.output.splitlines() if line.startswith("│")]
    rows = {c[2]: c[0] for c in cells if len(c) > 3}
    assert rows.get("fresh") == "+?"  # undeclared, and of unknown category before consent (to review)
    assert rows.get("keep") == "+"


def test_diff_without_history_is_a_user_error(tmp_path):
    result = runner.invoke(build_app(), ["diff", "shop.example", "--from-history", "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 2
    bad = runner.invoke(build_app(), ["diff", "shop.example", "--from-history", "--since", "yesterday"])
    assert bad.exit_code == 2 and "--since" in bad.output


def write_config(tmp_path, db):
    config = tmp_path / "cookiescan.toml"
    config.write_text(f'[defaults]\nfail_on = "medium"\nhistory = "{db}"\n\n[[site]]\nname = "shop.example"\n'
                      f'start_url = "https://shop.example/"\n', encoding="utf-8")
    return config


def test_check_gate_exit_codes_baseline_reports_and_summary(db, tmp_path):
    config = write_config(tmp_path, db)
    out = tmp_path / "reports"
    summary = tmp_path / "summary.md"
    args = ["check", "--config", str(config), "--from-history", "--out", str(out)]
    failing = runner.invoke(build_app(), args, env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert failing.exit_code == 1, failing.output
    assert "FAILED" in summary.read_text() and "shop.example" in summary.read_text()
    for ext in ("json", "html", "md", "sarif"):
        assert (out / "shop.example" / f"report.{ext}").is_file()
    json.loads((out / "shop.example" / "report.json").read_text())
    # the gate judged the latest stored scan: saving it again keeps it once (no duplicate in the history)
    with SQLiteStore(db) as store:
        assert len(store.scans("shop.example")) == 2
        latest = store.findings(store.scans("shop.example", limit=1)[0].id)
    assert runner.invoke(build_app(), args + ["--fail-on", "high"]).exit_code == 0

    baseline = tmp_path / "baseline.yaml"
    future = date.today() + timedelta(days=30)
    accepted = [baseline_entry(f, reason="accepted for the test", expires=future) for f in latest]
    baseline.write_text(yaml.safe_dump({"accepted": accepted}), encoding="utf-8")
    clean = runner.invoke(build_app(), args + ["--baseline", str(baseline)])
    assert clean.exit_code == 0, clean.output
    assert "passed" in clean.output

    past = date.today() - timedelta(days=1)
    accepted[0]["expires"] = past.isoformat()
    baseline.write_text(yaml.safe_dump({"accepted": accepted}), encoding="utf-8")
    expired = runner.invoke(build_app(), args + ["--baseline", str(baseline)])
    assert expired.exit_code == 1
    assert "expired on" in (out / "shop.example" / "report.md").read_text()


def test_check_usage_errors(db, tmp_path):
    config = write_config(tmp_path, db)
    bad = runner.invoke(build_app(), ["check", "--config", str(config), "--from-history", "--fail-on", "urgent"])
    assert bad.exit_code == 2 and "--fail-on" in bad.output
    missing = runner.invoke(build_app(), ["check", "--config", str(tmp_path / "none.toml")])
    assert missing.exit_code == 2


def test_cli_main_turns_user_errors_into_exit_2(tmp_path):
    import subprocess
    import sys
    proc = subprocess.run([sys.executable, "-c", "from scanner.cli import main; main()", "check", "--config",
                           str(tmp_path / "none.toml")], capture_output=True, text=True)
    assert proc.returncode == 2 and "none.toml" in proc.stderr and "Traceback" not in proc.stderr


def test_gate_keeps_going_when_one_site_crashes(tmp_path):
    from scanner.history.baseline import Baseline
    from scanner.config import load_config
    from scanner.history.gate import run_gate, summary_markdown
    from scanner.history.store import MemoryStore

    config = tmp_path / "cookiescan.toml"
    config.write_text('[[site]]\nname = "broken.example"\nstart_url = "https://broken.example/"\n\n'
                      '[[site]]\nname = "shop.example"\nstart_url = "https://shop.example/"\n', encoding="utf-8")

    def scan_or_crash(site):
        if site.name == "broken.example":
            raise RuntimeError("browser closed unexpectedly")
        return scan_at(1, BASE)

    store = MemoryStore()
    result = run_gate(load_config(config), scan=scan_or_crash, store=store, baseline=Baseline(), fail_on="high",
                      out_dir=tmp_path / "out", today=date(2026, 1, 1), formats=("json",))
    broken, shop = result.sites
    assert result.failed and broken.failing("high")[0].kind == "page_failed"
    assert "browser closed unexpectedly" in broken.kept[0].message
    assert shop.scan_id and store.scans("shop.example") and shop.reports
    assert "| broken.example | failed |" in summary_markdown(result)
