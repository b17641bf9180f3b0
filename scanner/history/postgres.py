"""History in PostgreSQL, for teams: several `check` runs (or machines) write at once.

Same contract as SQLiteStore (tests/history/test_store.py runs against both).
Each scan and its findings go in one transaction; the content key is UNIQUE,
so two writers storing the same scan race harmlessly (ON CONFLICT DO NOTHING)
and two writers storing different scans never block each other. Migrations
are numbered like SQLite's, recorded in schema_migrations, and applied under
an advisory lock so two processes starting together do not both apply them.
"""
from __future__ import annotations

import json
from collections import Counter
from typing import Iterable

import psycopg

from scanner.common.urls import without_password
from scanner.history.store import MIGRATIONS as SQLITE_MIGRATIONS
from scanner.history.store import (FINDING_FIELDS, ScanRecord, StoreError, _now, scan_json, scan_key)
from scanner.models import SEVERITIES, Finding, ScanResult
from scanner.scanfile import from_dict

_MIGRATION_LOCK = 0x636F6F6B  # any constant shared by every cookiescan process

MIGRATIONS: tuple[tuple[int, str], ...] = (
    (1, """
        CREATE TABLE scans (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            site TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT NOT NULL,
            synthetic BOOLEAN NOT NULL,
            n_cookies INTEGER NOT NULL,
            n_requests INTEGER NOT NULL,
            stored_at TEXT NOT NULL,
            scan_json TEXT NOT NULL
        );
        CREATE TABLE findings (
            position BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            scan_id BIGINT NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
            kind TEXT NOT NULL, severity TEXT NOT NULL, subject TEXT NOT NULL, message TEXT NOT NULL,
            phase TEXT, page_url TEXT, evidence TEXT NOT NULL, declared_ref TEXT,
            classification TEXT, classification_source TEXT, vendor TEXT, fingerprint TEXT NOT NULL
        );
    """),
    # Indexes and the content key: the same SQL on both back-ends.
    *(m for m in SQLITE_MIGRATIONS if m[0] in (2, 3)),
)


class PostgresStore:
    """`PostgresStore("postgresql://user@host:5432/db")`; the password may come from PGPASSWORD or ~/.pgpass."""

    def __init__(self, url: str, connect_timeout_s: int = 10):
        self.url = url
        self.path = without_password(url)  # what messages name, like SQLiteStore.path
        try:
            self._conn = psycopg.connect(url, connect_timeout=connect_timeout_s, autocommit=True)
            self._migrate()
        except psycopg.Error as exc:
            raise StoreError(f"{self.path}: cannot open the history database ({_one_line(exc)})") from None

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> "PostgresStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def check(self) -> None:
        """The database answers (it was reached and migrated on opening)."""
        with self._conn.transaction():
            self._conn.execute("SELECT 1")

    def schema_versions(self) -> list[int]:
        with self._conn.transaction():
            return [v for (v,) in self._conn.execute("SELECT version FROM schema_migrations ORDER BY version")]

    def _migrate(self) -> None:
        with self._conn.transaction():
            self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            self._conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                               "(version INTEGER PRIMARY KEY, applied_at TEXT)")
            done = {v for (v,) in self._conn.execute("SELECT version FROM schema_migrations")}
            for version, sql in MIGRATIONS:
                if version in done:
                    continue
                for statement in filter(str.strip, sql.split(";")):
                    self._conn.execute(statement)
                self._conn.execute("INSERT INTO schema_migrations VALUES (%s, %s)", (version, _now()))

    def save_scan(self, scan: ScanResult, findings: Iterable[Finding]) -> int:
        key = scan_key(scan)
        try:
            with self._conn.transaction():
                row = self._conn.execute(
                    "INSERT INTO scans (site, started_at, finished_at, synthetic, n_cookies, n_requests, stored_at,"
                    " scan_json, scan_key) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
                    " ON CONFLICT (scan_key) DO NOTHING RETURNING id",
                    (scan.site, scan.started_at, scan.finished_at, scan.synthetic,
                     sum(len(p.cookies) for p in scan.phases), sum(len(p.requests) for p in scan.phases),
                     _now(), scan_json(scan), key)).fetchone()
                if row is None:  # already stored (by us earlier, or by a writer that just committed)
                    return self._conn.execute("SELECT id FROM scans WHERE scan_key = %s", (key,)).fetchone()[0]
                scan_id = row[0]
                columns = ", ".join(FINDING_FIELDS)
                placeholders = ", ".join(["%s"] * (len(FINDING_FIELDS) + 1))
                with self._conn.cursor() as cur:
                    for f in findings:
                        cur.execute(f"INSERT INTO findings (scan_id, {columns}) VALUES ({placeholders})",
                                    (scan_id, *(getattr(f, name) for name in FINDING_FIELDS)))
            return scan_id
        except psycopg.OperationalError as exc:
            raise StoreError(f"{self.path}: could not store the scan of {scan.site} ({_one_line(exc)})") from None

    def scans(self, site: str, limit: int | None = None) -> list[ScanRecord]:
        with self._conn.transaction():
            rows = self._conn.execute(
                "SELECT id, site, started_at, finished_at, synthetic, n_cookies, n_requests, stored_at FROM scans"
                " WHERE site = %s ORDER BY started_at DESC, id DESC" + (" LIMIT %s" if limit else ""),
                (site, limit) if limit else (site,)).fetchall()
            counts: dict[int, Counter] = {row[0]: Counter() for row in rows}
            if rows:
                for scan_id, severity, n in self._conn.execute(
                        "SELECT scan_id, severity, COUNT(*) FROM findings WHERE scan_id = ANY(%s)"
                        " GROUP BY scan_id, severity", ([row[0] for row in rows],)):
                    counts[scan_id][severity] = n
        return [ScanRecord(id=row[0], site=row[1], started_at=row[2], finished_at=row[3], synthetic=bool(row[4]),
                           n_cookies=row[5], n_requests=row[6], stored_at=row[7],
                           findings_by_severity={s: counts[row[0]].get(s, 0) for s in SEVERITIES}) for row in rows]

    def load_scan(self, scan_id: int) -> ScanResult:
        with self._conn.transaction():
            row = self._conn.execute("SELECT scan_json FROM scans WHERE id = %s", (scan_id,)).fetchone()
        if row is None:
            raise StoreError(f"{self.path}: no scan with id {scan_id}")
        return from_dict(ScanResult, json.loads(row[0]))

    def findings(self, scan_id: int) -> list[Finding]:
        with self._conn.transaction():
            rows = self._conn.execute(f"SELECT {', '.join(FINDING_FIELDS)} FROM findings WHERE scan_id = %s"
                                      " ORDER BY position", (scan_id,)).fetchall()
        return [Finding(**dict(zip(FINDING_FIELDS, row))) for row in rows]

    def sites(self) -> list[str]:
        with self._conn.transaction():
            return [s for (s,) in self._conn.execute("SELECT DISTINCT site FROM scans ORDER BY site")]


def _one_line(exc: Exception) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:200] if lines else type(exc).__name__
