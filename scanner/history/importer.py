"""`cookiescan history import`: put scan files into the history after the fact.

For a scan whose history write failed (locked or damaged database) and for the
scan files of sharded runs: a file or a folder searched for `scan.json` files.
A scan already stored (same site, start and finish time) is not stored twice.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from scanner.errors import UserError
from scanner.models import Finding, ScanResult
from scanner.scanfile import load_scan


@dataclass(frozen=True)
class ImportOutcome:
    imported: tuple[tuple[str, int], ...]  # (scan file, scan id)
    skipped: tuple[str, ...]  # already in the history


def scan_files(path: Path) -> list[Path]:
    path = Path(path)
    if path.is_file():
        return [path]
    if path.is_dir():
        found = sorted(path.rglob("scan.json"))
        if not found:
            raise UserError(f"{path}: no scan.json under this folder")
        return found
    raise UserError(f"{path}: no such scan file or folder")


def import_scans(path: Path, store, judge: Callable[[ScanResult], list[Finding]]) -> ImportOutcome:
    """Every scan file at `path`, judged then stored; a bad file stops the import before anything is stored."""
    scans = [(file, load_scan(file)) for file in scan_files(path)]
    imported, skipped = [], []
    for file, scan in scans:
        stored = {(r.started_at, r.finished_at) for r in store.scans(scan.site)}
        if (scan.started_at, scan.finished_at) in stored:
            skipped.append(str(file))
            continue
        imported.append((str(file), store.save_scan(scan, judge(scan))))
    return ImportOutcome(imported=tuple(imported), skipped=tuple(skipped))
