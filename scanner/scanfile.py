"""The scan result as a file: a versioned JSON document, the canonical artefact.

Reports and reconciliation work from this file, without a browser.
"""
from __future__ import annotations

import dataclasses
import json
import types
import typing
from pathlib import Path

from scanner.errors import UserError
from scanner.models import ScanResult

SCHEMA_VERSION = 1


class ScanFileError(UserError):
    """A scan file that cannot be read; the message names the file."""


def to_dict(record) -> dict:
    return dataclasses.asdict(record)


def from_dict(cls, data):
    """Rebuild a (nested) dataclass from the dict `to_dict` produced."""
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name in data:
            kwargs[f.name] = _convert(hints[f.name], data[f.name])
    return cls(**kwargs)


def _convert(hint, value):
    if value is None:
        return None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return _convert(inner[0], value) if len(inner) == 1 else value
    if origin is tuple:
        return tuple(_convert(args[0], v) for v in value)
    if dataclasses.is_dataclass(hint):
        return from_dict(hint, value)
    return value


def scan_dir(out_dir: Path, site: str, started_at: str) -> Path:
    """Where a scan's files live: OUT/<site>/<UTC start time>/ (scan.json, screenshots, HAR)."""
    from datetime import datetime
    stamp = datetime.fromisoformat(started_at).strftime("%Y%m%dT%H%M%SZ")
    return Path(out_dir) / safe_name(site) / stamp


def safe_name(site: str) -> str:
    """A site name as a folder name: nothing a path could be tricked with."""
    return "".join(ch if ch.isalnum() or ch in ".-_" else "_" for ch in site)


def save_scan(scan: ScanResult, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(to_dict(scan), indent=1, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)  # atomic: a reader never sees half a scan
    return path


def load_scan(path: Path) -> ScanResult:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScanFileError(f"{path}: no such scan file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ScanFileError(f"{path}: not a readable scan file ({exc})") from None
    if not isinstance(data, dict) or "schema_version" not in data:
        raise ScanFileError(f"{path}: not a cookiescan scan file (no schema_version)")
    if data["schema_version"] != SCHEMA_VERSION:
        raise ScanFileError(
            f"{path}: schema_version {data['schema_version']} is not supported (expected {SCHEMA_VERSION})")
    try:
        return from_dict(ScanResult, data)
    except (TypeError, KeyError, IndexError) as exc:
        raise ScanFileError(f"{path}: malformed scan file ({exc})") from None
