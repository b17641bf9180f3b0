"""`check --workers N` (local pool), `--shard i/n --no-gate` and `history import`: real Chromium on generated
SYNTHETIC sites (one page each: the machine is shared)."""
from __future__ import annotations

import sqlite3

import pytest
from typer.testing import CliRunner

from scanner.cli import build_app
from scanner.demo.synthetic import write_config
from scanner.history.store import SQLiteStore
from scanner.models import ACCEPT, BEFORE_CONSENT, REJECT


def check(*args: str):
    return CliRunner().invoke(build_app(), ["check", *args], catch_exceptions=False)


def fixture_args(web) -> list[str]:
    return ["--host-resolver-rules", web.resolver_rules, "--ignore-https-errors", "--synthetic"]


@pytest.mark.browser
def test_workers_scan_every_site_and_phase_as_units_and_gate_as_before(scale_web, tmp_path):
    web, hosts = scale_web
    hosts = hosts[:2]
    config = write_config(tmp_path / "cookiescan.toml", hosts, pages=1)
    result = check("--config", str(config), "--db", str(tmp_path / "h.db"), "--out", str(tmp_path / "out"),
                   "--workers", "2", *fixture_args(web))
    assert result.exit_code == 0, result.output
    for host in hosts:
        assert f"{host}: before_consent done" in result.output and f"{host}: scanned (3 phase(s))" in result.output
    with SQLiteStore(tmp_path / "h.db") as store:
        for host in hosts:
            (record,) = store.scans(host)
            scan = store.load_scan(record.id)
            assert [p.phase for p in scan.phases] == [BEFORE_CONSENT, ACCEPT, REJECT]
            assert all(p.error is None and p.pages and all(v.ok for v in p.pages) for p in scan.phases)
            accepted = next(p for p in scan.phases if p.phase == ACCEPT)
            assert accepted.consent.effective and any(c.name == "trk_uid" for c in accepted.cookies)
            assert not any(c.name == "trk_uid" for c in scan.phases[2].cookies)  # reject: no tracker
    assert (tmp_path / "out" / hosts[0] / "report.html").is_file()


@pytest.mark.browser
def test_shards_write_scan_files_and_one_import_judges_them_once(scale_web, tmp_path):
    web, hosts = scale_web
    hosts = hosts[:2]
    config = write_config(tmp_path / "cookiescan.toml", hosts, pages=1)
    shards = tmp_path / "shards"
    for i in (1, 2):
        result = check("--config", str(config), "--out", str(shards / f"shard-{i}"), "--shard", f"{i}/2", "--no-gate",
                       "--workers", "1", *fixture_args(web))
        assert result.exit_code == 0, result.output
        assert result.output.count("scan.json") == 1  # one site per shard
    assert not (tmp_path / "reports").exists() and not list(shards.rglob("*.db"))  # no history, no report
    db = tmp_path / "h.db"
    runner = CliRunner()
    imported = runner.invoke(build_app(), ["history", "import", str(shards), "--db", str(db), "--config", str(config)])
    assert imported.exit_code == 0, imported.output
    assert "2 imported, 0 already there" in imported.output
    again = runner.invoke(build_app(), ["history", "import", str(next(shards.rglob("scan.json"))), "--db", str(db)])
    assert again.exit_code == 0, again.output
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM scans").fetchone()[0] == 2  # nothing stored twice
    gate = check("--config", str(config), "--db", str(db), "--out", str(tmp_path / "reports"), "--from-history")
    assert gate.exit_code == 0, gate.output
    assert all(host in gate.output for host in hosts) and "#1" in gate.output and "#2" in gate.output
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM scans").fetchone()[0] == 2
    shown = runner.invoke(build_app(), ["history", hosts[0], "--db", str(db)])  # `history SITE` still works
    assert shown.exit_code == 0 and hosts[0] in shown.output
