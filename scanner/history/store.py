"""Scan history behind one small interface: SQLite for real, memory for tests.

A scan and its findings are written in one transaction: a reader sees the
whole scan or nothing of it, even when the writer dies half-way. Saving is
idempotent: a scan is keyed by a hash of its content, so a scan imported twice,
or re-sent by a retried unit, is stored once. Schema changes are numbered
migrations; the database records which ones it has. PostgreSQL (for teams,
several writers at once) lives in postgres.py; `open_store` picks by location.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import sqlite3
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Protocol

from scanner.errors import UserError
from scanner.models import SEVERITIES, Finding, ScanResult
from scanner.scanfile import ScanFileError, scan_from_json, to_dict

DEFAULT_DB = Path("reports/cookiescan.db")


class StoreError(UserError):
    """A history database that cannot be opened or read."""


@dataclass(frozen=True)
class ScanRecord:
    """One row of the history: a stored scan, without its observations."""

    id: int
    site: str
    started_at: str
    finished_at: str
    synthetic: bool
    n_cookies: int
    n_requests: int
    findings_by_severity: dict[str, int]
    stored_at: str

    @property
    def n_findings(self) -> int:
        return sum(self.findings_by_severity.values())


class HistoryStore(Protocol):
    def save_scan(self, scan: ScanResult, findings: Iterable[Finding]) -> int:
        """Store a scan and its findings atomically; returns the scan id (the existing one if already stored)."""

    def scans(self, site: str, limit: int | None = None) -> list[ScanRecord]:
        """Stored scans of a site, newest first."""

    def load_scan(self, scan_id: int) -> ScanResult: ...

    def findings(self, scan_id: int) -> list[Finding]: ...

    def sites(self) -> list[str]: ...


def _record(scan_id: int, scan: ScanResult, findings: list[Finding], stored_at: str) -> ScanRecord:
    counts = Counter(f.severity for f in findings)
    return ScanRecord(
        id=scan_id, site=scan.site, started_at=scan.started_at, finished_at=scan.finished_at,
        synthetic=scan.synthetic, n_cookies=sum(len(p.cookies) for p in scan.phases),
        n_requests=sum(len(p.requests) for p in scan.phases),
        findings_by_severity={s: counts.get(s, 0) for s in SEVERITIES}, stored_at=stored_at)


def scan_json(scan: ScanResult) -> str:
    return json.dumps(to_dict(scan), ensure_ascii=False, allow_nan=False)


def scan_key(scan: ScanResult) -> str:
    """Identity of a scan: the hash of its canonical JSON (same scan, same key, whoever stores it)."""
    canonical = json.dumps(to_dict(scan), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def open_store(location: str | Path) -> "HistoryStore":
    """`postgresql://...` opens PostgreSQL; anything else is a SQLite file path."""
    text = str(location)
    if text.startswith(("postgresql://", "postgres://")):
        from scanner.history.postgres import PostgresStore  # psycopg only for teams that use it
        return PostgresStore(text)
    return SQLiteStore(Path(text))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# ------------------------------------------------------------------ memory ---

class MemoryStore:
    """In-memory history with the same contract as SQLiteStore (unit tests, dry runs)."""

    def __init__(self):
        self._scans: dict[int, tuple[ScanResult, list[Finding], ScanRecord]] = {}
        self._keys: dict[str, int] = {}

    def __enter__(self) -> "MemoryStore":
        return self

    def __exit__(self, *exc) -> None:
        pass

    def save_scan(self, scan: ScanResult, findings: Iterable[Finding]) -> int:
        found = list(findings)  # consume first: a failing iterator stores nothing
        key = scan_key(scan)
        if key in self._keys:
            return self._keys[key]
        scan_id = len(self._scans) + 1
        self._scans[scan_id] = (scan, found, _record(scan_id, scan, found, _now()))
        self._keys[key] = scan_id
        return scan_id

    def scans(self, site: str, limit: int | None = None) -> list[ScanRecord]:
        rows = [r for _, _, r in self._scans.values() if r.site == site]
        rows.sort(key=lambda r: (r.started_at, r.id), reverse=True)
        return rows[:limit] if limit else rows

    def load_scan(self, scan_id: int) -> ScanResult:
        return self._get(scan_id)[0]

    def findings(self, scan_id: int) -> list[Finding]:
        return list(self._get(scan_id)[1])

    def sites(self) -> list[str]:
        return sorted({r.site for _, _, r in self._scans.values()})

    def _get(self, scan_id: int):
        if scan_id not in self._scans:
            raise StoreError(f"memory history: no scan with id {scan_id}")
        return self._scans[scan_id]


# ------------------------------------------------------------------ sqlite ---

FINDING_FIELDS = tuple(f.name for f in dataclasses.fields(Finding))

# Numbered migrations, applied in order; never edit one that has shipped, add the next.
MIGRATIONS: tuple[tuple[int, str], ...] = (
    (1, """
        CREATE TABLE scans (
            id INTEGER PRIMARY KEY,
            site TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT NOT NULL,
            synthetic INTEGER NOT NULL,
            n_cookies INTEGER NOT NULL,
            n_requests INTEGER NOT NULL,
            stored_at TEXT NOT NULL,
            scan_json TEXT NOT NULL
        );
        CREATE TABLE findings (
            scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
            kind TEXT NOT NULL, severity TEXT NOT NULL, subject TEXT NOT NULL, message TEXT NOT NULL,
            phase TEXT, page_url TEXT, evidence TEXT NOT NULL, declared_ref TEXT,
            classification TEXT, classification_source TEXT, vendor TEXT, fingerprint TEXT NOT NULL
        );
    """),
    (2, """
        CREATE INDEX scans_by_site ON scans(site, started_at);
        CREATE INDEX findings_by_scan ON findings(scan_id);
        CREATE INDEX findings_by_fingerprint ON findings(fingerprint);
    """),
    # Content key: the same scan saved twice (re-import, retried unit, two runs racing) is stored once.
    (3, """
        ALTER TABLE scans ADD COLUMN scan_key TEXT;
        CREATE UNIQUE INDEX scans_by_key ON scans(scan_key);
    """),
)


def _one_line_errors(method):
    """A damaged, locked or unreadable database is a StoreError (one line, exit 2), never a traceback."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: not a usable history database ({exc})") from None
    return wrapper


class SQLiteStore:
    """History in one SQLite file (default reports/cookiescan.db)."""

    def __init__(self, path: Path | str = DEFAULT_DB, *, timeout_s: float = 5.0):
        self.path = Path(path)
        if self.path.is_dir():
            raise StoreError(f"{self.path}: is a directory, not a history database")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # explicit BEGIN/COMMIT below; a writer holding the lock makes us wait timeout_s, then fail
            self._conn = sqlite3.connect(self.path, isolation_level=None, timeout=timeout_s)
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"{self.path}: not a usable history database ({exc})") from None

    @_one_line_errors
    def check(self) -> None:
        """Before a long scan: the file is intact and we can take the write lock now."""
        problems = [row[0] for row in self._conn.execute("PRAGMA quick_check").fetchall()]
        if problems != ["ok"]:
            raise StoreError(f"{self.path}: damaged history database ({'; '.join(map(str, problems))[:200]})")
        self._conn.execute("BEGIN IMMEDIATE")
        self._conn.execute("ROLLBACK")

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> "SQLiteStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def schema_versions(self) -> list[int]:
        return [v for (v,) in self._conn.execute("SELECT version FROM schema_migrations ORDER BY version")]

    def _migrate(self) -> None:
        self._conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT)")
        done = set(self.schema_versions())
        for version, sql in MIGRATIONS:
            if version in done:
                continue
            with self._transaction():
                for statement in filter(str.strip, sql.split(";")):
                    self._conn.execute(statement)
                self._conn.execute("INSERT INTO schema_migrations VALUES (?, ?)", (version, _now()))

    def _transaction(self):
        conn = self._conn

        class _Tx:
            def __enter__(self):
                conn.execute("BEGIN IMMEDIATE")

            def __exit__(self, exc_type, *rest):
                conn.execute("ROLLBACK" if exc_type else "COMMIT")
                return False

        return _Tx()

    @_one_line_errors
    def save_scan(self, scan: ScanResult, findings: Iterable[Finding]) -> int:
        stored_at = _now()
        key = scan_key(scan)
        with self._transaction():
            existing = self._conn.execute("SELECT id FROM scans WHERE scan_key = ?", (key,)).fetchone()
            if existing:
                return existing[0]
            cur = self._conn.execute(
                "INSERT INTO scans (site, started_at, finished_at, synthetic, n_cookies, n_requests, stored_at,"
                " scan_json, scan_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (scan.site, scan.started_at, scan.finished_at, int(scan.synthetic),
                 sum(len(p.cookies) for p in scan.phases), sum(len(p.requests) for p in scan.phases),
                 stored_at, scan_json(scan), key))
            scan_id = cur.lastrowid
            placeholders = ", ".join("?" * (len(FINDING_FIELDS) + 1))
            for f in findings:
                self._conn.execute(
                    f"INSERT INTO findings (scan_id, {', '.join(FINDING_FIELDS)}) VALUES ({placeholders})",
                    (scan_id, *(getattr(f, name) for name in FINDING_FIELDS)))
        return scan_id

    @_one_line_errors
    def scans(self, site: str, limit: int | None = None) -> list[ScanRecord]:
        rows = self._conn.execute(
            "SELECT id, site, started_at, finished_at, synthetic, n_cookies, n_requests, stored_at FROM scans"
            " WHERE site = ? ORDER BY started_at DESC, id DESC" + (" LIMIT ?" if limit else ""),
            (site, limit) if limit else (site,)).fetchall()
        out = []
        for row in rows:
            counts = dict(self._conn.execute(
                "SELECT severity, COUNT(*) FROM findings WHERE scan_id = ? GROUP BY severity", (row[0],)).fetchall())
            out.append(ScanRecord(id=row[0], site=row[1], started_at=row[2], finished_at=row[3], synthetic=bool(row[4]),
                                  n_cookies=row[5], n_requests=row[6], stored_at=row[7],
                                  findings_by_severity={s: counts.get(s, 0) for s in SEVERITIES}))
        return out

    @_one_line_errors
    def load_scan(self, scan_id: int) -> ScanResult:
        row = self._conn.execute("SELECT scan_json FROM scans WHERE id = ?", (scan_id,)).fetchone()
        if row is None:
            raise StoreError(f"{self.path}: no scan with id {scan_id}")
        try:
            return scan_from_json(row[0])
        except ScanFileError as exc:
            raise StoreError(f"{self.path}: scan #{scan_id}: {exc}") from None

    @_one_line_errors
    def findings(self, scan_id: int) -> list[Finding]:
        rows = self._conn.execute(
            f"SELECT {', '.join(FINDING_FIELDS)} FROM findings WHERE scan_id = ? ORDER BY rowid", (scan_id,)).fetchall()
        return [Finding(**dict(zip(FINDING_FIELDS, row))) for row in rows]

    @_one_line_errors
    def sites(self) -> list[str]:
        return [s for (s,) in self._conn.execute("SELECT DISTINCT site FROM scans ORDER BY site")]
