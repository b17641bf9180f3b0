"""History for teams: two writers at once lose nothing (SQLite file and real PostgreSQL), migrations on
PostgreSQL, `open_store` by location, unreachable servers are one-line user errors."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from scanner.history.postgres import MIGRATIONS as PG_MIGRATIONS
from scanner.common.urls import without_password
from scanner.history.postgres import PostgresStore
from scanner.history.store import MIGRATIONS, SQLiteStore, StoreError, open_store
from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]

WRITER = textwrap.dedent("""
    import sys
    from dataclasses import replace
    from scanner.models import ACCEPT, Finding
    from scanner.history.store import open_store
    from tests.support.builders_reconcile import cookie, scan
    location, writer, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open_store(location) as store:
        for i in range(count):
            s = replace(scan(cookies=[cookie("zz_" + writer, ACCEPT)], site="site-" + writer),
                        started_at=f"2026-01-01T00:00:{i:02d}Z")
            store.save_scan(s, [Finding(kind="undeclared_cookie", severity="medium", subject=f"c{j}",
                                        message="m", fingerprint=f"{writer}-{i}-{j}") for j in range(3)])
""")


def run_two_writers_at_once(location: str, count: int = 15) -> None:
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, location, name, str(count)], cwd=ROOT,
                              stderr=subprocess.PIPE, text=True) for name in ("a", "b")]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err


def assert_nothing_lost(store, count: int = 15) -> None:
    for name in ("a", "b"):
        records = store.scans(f"site-{name}")
        assert len(records) == count
        assert all(r.findings_by_severity["medium"] == 3 for r in records)


def test_two_sqlite_writers_at_once_lose_nothing(tmp_path):
    path = tmp_path / "h.db"
    SQLiteStore(path).close()  # migrations first, as `check` does on open
    run_two_writers_at_once(str(path))
    with SQLiteStore(path) as store:
        assert_nothing_lost(store)


@pytest.mark.services
def test_two_postgresql_writers_at_once_lose_nothing(postgres_url):
    run_two_writers_at_once(postgres_url)  # both also race to apply the migrations
    with PostgresStore(postgres_url) as store:
        assert_nothing_lost(store)


@pytest.mark.services
def test_postgresql_migrations_are_numbered_recorded_and_applied_once(postgres_url):
    assert [v for v, _ in PG_MIGRATIONS] == [v for v, _ in MIGRATIONS]  # both back-ends at the same schema
    with open_store(postgres_url) as store:
        assert isinstance(store, PostgresStore)
        assert store.schema_versions() == [v for v, _ in PG_MIGRATIONS]
    with PostgresStore(postgres_url) as store:
        assert store.schema_versions() == [v for v, _ in PG_MIGRATIONS]


def test_open_store_picks_sqlite_for_a_path(tmp_path):
    with open_store(tmp_path / "x.db") as store:
        assert isinstance(store, SQLiteStore)


def test_unreachable_postgresql_is_one_line_naming_the_url_without_password():
    url = f"postgresql://scanner:s3cret@127.0.0.1:{free_port()}/history"
    with pytest.raises(StoreError) as err:
        PostgresStore(url, connect_timeout_s=2)
    message = str(err.value)
    assert message.startswith("postgresql://scanner:***@127.0.0.1:") and "s3cret" not in message
    assert "\n" not in message
    assert without_password("postgresql://u@h/db") == "postgresql://u@h/db"
