"""The scan result as a file: a versioned JSON document, the canonical artefact.

Reports and reconciliation work from this file, without a browser.
"""
from __future__ import annotations

import dataclasses
import json
import math
import types
import typing
from pathlib import Path

from scanner.common.limits import SCAN_FILE_BYTES, read_user_text
from scanner.errors import UserError
from scanner.models import ScanResult

SCHEMA_VERSION = 1


class ScanFileError(UserError):
    """A scan file that cannot be read; the message names the file."""


def to_dict(record) -> dict:
    return dataclasses.asdict(record)


def from_dict(cls, data, where: str = ""):
    """Rebuild a (nested) dataclass from the dict `to_dict` produced, checking every field's type.

    A wrong type raises ScanFileError naming the field (`phases[0].cookies[3].requested_lifetime_s`).
    """
    if not isinstance(data, dict):
        raise ScanFileError(f"{where or cls.__name__}: expected an object, got {_kind(data)}")
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name in data:
            kwargs[f.name] = _convert(hints[f.name], data[f.name], f"{where}.{f.name}" if where else f.name)
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise ScanFileError(f"{where or cls.__name__}: missing field {f.name!r}")
    return cls(**kwargs)


def _convert(hint, value, where: str):
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _convert(inner[0], value, where) if len(inner) == 1 else value
    if origin is tuple:
        if not isinstance(value, list):
            raise ScanFileError(f"{where}: expected a list, got {_kind(value)}")
        return tuple(_convert(args[0], v, f"{where}[{i}]") for i, v in enumerate(value))
    if origin is dict:
        if not isinstance(value, dict):
            raise ScanFileError(f"{where}: expected an object, got {_kind(value)}")
        return value
    if dataclasses.is_dataclass(hint):
        return from_dict(hint, value, where)
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ScanFileError(f"{where}: expected a finite number, got {_kind(value)}")
        return value
    if hint in (int, str, bool) and (not isinstance(value, hint) or (hint is int and isinstance(value, bool))):
        raise ScanFileError(f"{where}: expected {_NAMES[hint]}, got {_kind(value)}")
    return value


_NAMES = {int: "a whole number", str: "a string", bool: "true or false"}


def _kind(value) -> str:
    text = json.dumps(value, ensure_ascii=True) if not isinstance(value, (dict, list)) else type(value).__name__
    return text if len(text) <= 40 else text[:37] + "..."


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
    tmp.write_text(json.dumps(to_dict(scan), indent=1, ensure_ascii=False, allow_nan=False), encoding="utf-8")
    tmp.replace(path)  # atomic: a reader never sees half a scan
    return path


def load_scan(path: Path) -> ScanResult:
    path = Path(path)
    text = read_user_text(path, SCAN_FILE_BYTES, "scan file", ScanFileError)
    try:
        return scan_from_json(text)
    except ScanFileError as exc:
        raise ScanFileError(f"{path}: {exc}") from None


def scan_from_json(text: str) -> ScanResult:
    """A ScanResult from scan.json text; ScanFileError (without a file name) for anything else."""
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ScanFileError(f"not a readable scan file ({str(exc)[:200]})") from None
    if not isinstance(data, dict) or "schema_version" not in data:
        raise ScanFileError("not a cookiescan scan file (no schema_version)")
    if data["schema_version"] != SCHEMA_VERSION:
        raise ScanFileError(
            f"schema_version {_kind(data['schema_version'])} is not supported (expected {SCHEMA_VERSION})")
    try:
        return from_dict(ScanResult, data)
    except (TypeError, KeyError, IndexError, ValueError, RecursionError) as exc:
        raise ScanFileError(f"malformed scan file ({str(exc)[:200]})") from None


def _no_constant(name: str):
    raise ScanFileError(f"not strict JSON ({name} is not a number JSON allows)")
