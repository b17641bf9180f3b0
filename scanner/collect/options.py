"""What a scan is asked to do (the `scan` command builds it before the engine is imported)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from scanner.collect.browser import BrowserOptions
from scanner.models import ACCEPT, AUTHENTICATED, BEFORE_CONSENT, REJECT


@dataclass(frozen=True)
class ScanOptions:
    browser: BrowserOptions = BrowserOptions()
    out_dir: Path = Path("reports")
    har: bool = False
    phases: tuple[str, ...] = (BEFORE_CONSENT, ACCEPT, REJECT, AUTHENTICATED)
    settle_s: float = 2.0  # cap on waiting for the network to go idle after load
    dwell_s: float = 5.0  # cap on waiting for timers a page scheduled while loading (0 = never wait)
    after_click_s: float = 1.5  # cap on the clicked page's network settling (trackers load after the click)
    consent_timeout_s: float = 10.0
    synthetic: bool = False  # the target is a fixture replica (said loudly in every report)
    screenshots: bool = True
    jobs: int = 3  # phases at once in the one browser (cooperative.py); 1: one after another
    behaviour: bool = True  # fingerprinting, recorders, key logging, URL leaks, pixels (docs/behaviour.md)
    input_wait_s: float = 0.6  # after typing into a page's fields, time for a keylogger to send
    credentials: Mapping[str, str] | None = None  # where login steps read their variables; None: os.environ
