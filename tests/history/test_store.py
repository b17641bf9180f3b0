"""History store contract: SQLiteStore (real file), MemoryStore and PostgresStore (a real server
started by the test suite) pass the same tests."""
from __future__ import annotations

import sqlite3
from dataclasses import replace

import pytest

from scanner.models import ACCEPT, Finding
from scanner.judge import judge
from scanner.history.postgres import PostgresStore
from scanner.history.store import MIGRATIONS, MemoryStore, SQLiteStore, StoreError
from tests.support.builders_reconcile import cookie, declared, declared_cookie, scan


@pytest.fixture(params=["sqlite", "memory", pytest.param("postgresql", marks=pytest.mark.services)])
def store(request, tmp_path):
    if request.param == "memory":
        yield MemoryStore()
    elif request.param == "postgresql":
        with PostgresStore(request.getfixturevalue("postgres_url")) as s:
            yield s
    else:
        with SQLiteStore(tmp_path / "history.db") as s:
            yield s


def a_scan(started="2026-01-01T00:00:00Z", site="shop.example", names=("zz_a", "zz_b")):
    return replace(scan(cookies=[cookie(n, ACCEPT) for n in names], site=site), started_at=started)


def test_round_trip_scan_and_findings(store):
    s = a_scan()
    findings = list(judge(s, declared([declared_cookie("gone")])).findings)
    scan_id = store.save_scan(s, findings)
    assert store.load_scan(scan_id) == s
    assert store.findings(scan_id) == findings
    (record,) = store.scans("shop.example")
    assert record.id == scan_id and record.n_cookies == 2
    assert record.findings_by_severity["medium"] == 2 and record.findings_by_severity["low"] == 1
    assert record.n_findings == len(findings)


def test_scans_newest_first_per_site_with_limit(store):
    ids = [store.save_scan(a_scan(f"2026-01-0{d}T00:00:00Z"), []) for d in (1, 3, 2)]
    store.save_scan(a_scan(site="other.example"), [])
    assert [r.id for r in store.scans("shop.example")] == [ids[1], ids[2], ids[0]]
    assert [r.id for r in store.scans("shop.example", limit=1)] == [ids[1]]
    assert store.sites() == ["other.example", "shop.example"]


def test_interrupted_write_leaves_no_scan_visible(store):
    store.save_scan(a_scan("2026-01-01T00:00:00Z"), [])

    def findings_then_crash():
        yield Finding(kind="undeclared_cookie", severity="medium", subject="zz_a", message="m", fingerprint="f")
        raise KeyboardInterrupt  # the writer is killed half-way through its findings

    with pytest.raises(KeyboardInterrupt):
        store.save_scan(a_scan("2026-02-01T00:00:00Z"), findings_then_crash())
    assert [r.started_at for r in store.scans("shop.example")] == ["2026-01-01T00:00:00Z"]
    assert store.save_scan(a_scan("2026-03-01T00:00:00Z"), []) > 0  # the store is still usable


def test_the_same_scan_saved_twice_is_stored_once(store):
    s = a_scan()
    findings = list(judge(s, declared([])).findings)
    first = store.save_scan(s, findings)
    assert store.save_scan(s, findings) == first  # a re-import or a retried unit
    assert [r.id for r in store.scans("shop.example")] == [first]
    assert store.findings(first) == findings


def test_unknown_scan_id_is_a_user_error(store):
    with pytest.raises(StoreError):
        store.load_scan(999)


def test_migrations_are_recorded_and_applied_once(tmp_path):
    path = tmp_path / "h.db"
    with SQLiteStore(path) as s:
        assert s.schema_versions() == [v for v, _ in MIGRATIONS]
        s.save_scan(a_scan(), [])
    with SQLiteStore(path) as s:  # reopening applies nothing twice and keeps the data
        assert s.schema_versions() == [v for v, _ in MIGRATIONS]
        assert len(s.scans("shop.example")) == 1
    indexes = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert "findings_by_fingerprint" in indexes


def test_crashed_process_leaves_no_half_scan(tmp_path):
    """A writer process killed inside its transaction: the next reader sees nothing of that scan."""
    import subprocess
    import sys
    import textwrap
    path = tmp_path / "h.db"
    code = textwrap.dedent(f"""
        import os
        from dataclasses import replace
        from scanner.models import Finding
        from scanner.history.store import SQLiteStore
        from tests.support.builders_reconcile import scan
        def findings():
            yield Finding(kind="k", severity="low", subject="s", message="m", fingerprint="f")
            os._exit(9)  # no cleanup, no rollback: like a killed process
        SQLiteStore({str(path)!r}).save_scan(scan(), findings())
    """)
    proc = subprocess.run([sys.executable, "-c", code], cwd=str(__import__("pathlib").Path(__file__).resolve().parents[2]))
    assert proc.returncode == 9
    with SQLiteStore(path) as s:
        assert s.scans("shop.example") == []
        assert sqlite3.connect(path).execute("SELECT COUNT(*) FROM findings").fetchone()[0] == 0


def test_not_a_database_is_a_user_error(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_text("this is not sqlite " * 100)
    with pytest.raises(StoreError, match="bad.db"):
        SQLiteStore(bad)
