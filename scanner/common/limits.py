"""Resource limits on what users and pages hand us, each overridable by an environment variable.

A 50 MB "policy" once took minutes and gigabytes to import; a file above a limit is
refused with one line that names the file, its size, the limit and the variable to raise.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from scanner.errors import UserError

MB = 1024 * 1024


@dataclass(frozen=True)
class Limit:
    env: str  # environment variable that overrides the default
    default: int
    what: str

    def value(self) -> int:
        raw = os.environ.get(self.env, "").strip()
        if not raw:
            return self.default
        try:
            value = int(raw)
        except ValueError:
            raise UserError(f"{self.env}={raw!r}: not a whole number") from None
        if value < 1:
            raise UserError(f"{self.env}={raw!r}: must be at least 1")
        return value


POLICY_BYTES = Limit("COOKIESCAN_MAX_POLICY_BYTES", 5 * MB, "policy document")
SCAN_FILE_BYTES = Limit("COOKIESCAN_MAX_SCAN_BYTES", 200 * MB, "scan file")
DECLARED_FILE_BYTES = Limit("COOKIESCAN_MAX_DECLARED_BYTES", 5 * MB, "declared file")
CONFIG_BYTES = Limit("COOKIESCAN_MAX_CONFIG_BYTES", 1 * MB, "config file")
# What one phase's recorder keeps: a page writing 5,000 cookies or storage keys is counted, not kept.
RECORDS_PER_PHASE = Limit("COOKIESCAN_MAX_RECORDS_PER_PHASE", 2000, "records per phase")


def check_size(path: Path, limit: Limit) -> None:
    """Raise a one-line UserError when the file is larger than the limit (a missing file passes)."""
    try:
        size = Path(path).stat().st_size
    except OSError:
        return
    cap = limit.value()
    if size > cap:
        raise UserError(f"{path}: {limit.what} of {size:,} bytes is over the limit of {cap:,} bytes "
                        f"(set {limit.env} to raise it)")


def read_user_text(path: Path, limit: Limit, kind: str, error: type[UserError] = UserError) -> str:
    """A user's text file (config, baseline, scan file): one line naming it when it is a folder, too big,
    missing, unreadable or not UTF-8 (with the line of the first bad byte)."""
    path = Path(path)
    if path.is_dir():
        raise error(f"{path}: is a directory, not a {kind}")
    check_size(path, limit)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise error(f"{path}: no such {kind}") from None
    except OSError as exc:
        raise error(f"{path}: not a readable {kind} ({exc.strerror or exc})") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise error(f"{path}:{line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8") from None
