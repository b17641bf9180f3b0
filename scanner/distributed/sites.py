"""Many sites through a unit runner: every (site, phase) is a unit; the gate gets whole scans.

A runner takes a Unit and hands back a Future of its UnitOutput: the local
pool (threads, at most N browsers) or Celery workers through Redis. For each
site the before-consent unit runs first (it discovers the page list), then the
other phases run side by side; the site's scan is assembled when they are all
back. A site whose first unit fails has no scan (the gate makes it a
`page_failed` finding); a later phase that fails is a failed phase, and the
scan goes on.
"""
from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable, Protocol

from scanner.collect.engine import ScanOptions
from scanner.collect.units import (Unit, UnitFailed, UnitOutput, assemble, failed_phase, first_unit, next_units,
                                   run_unit)
from scanner.config import SiteConfig
from scanner.models import ScanResult
from scanner.scanfile import scan_dir

Say = Callable[[str], None]


class UnitRunner(Protocol):
    def submit(self, unit: Unit) -> "Future[UnitOutput]": ...

    def close(self) -> None: ...


class LocalRunner:
    """Units on threads of this process, at most `workers` browsers at once; files go straight to the scan folder."""

    def __init__(self, workers: int, say: Say = lambda message: None):
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="cookiescan-unit")
        self._say = say

    def submit(self, unit: Unit) -> "Future[UnitOutput]":
        return self._pool.submit(self._run, unit)

    def _run(self, unit: Unit) -> UnitOutput:
        output = run_unit(unit, scan_dir(unit.options.out_dir, unit.site.name, unit.started_at))
        self._say(f"{unit.site.name}: {unit.phase} done ({len(output.result.pages)} page(s))")
        return output

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class SiteScans:
    """`scan(site)` for the gate: the sites are scanned ahead, `in_flight` at a time, in the config's order."""

    def __init__(self, sites: tuple[SiteConfig, ...], runner: UnitRunner, options: ScanOptions, in_flight: int,
                 say: Say = lambda message: None):
        self._runner = runner
        self._options = options
        self._say = say
        # The site threads only wait on units; the runner bounds the browsers.
        self._pool = ThreadPoolExecutor(max_workers=max(1, in_flight), thread_name_prefix="cookiescan-site")
        self._scans: dict[str, deque] = {}  # a name listed twice is scanned twice, like the serial run
        for site in sites:
            self._scans.setdefault(site.name, deque()).append(self._pool.submit(self._scan_site, site))

    def scan(self, site: SiteConfig) -> ScanResult:
        # Handed over once: the gate stores it and lets it go, so a long night does not pile up scans here.
        return self._scans[site.name].popleft().result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._runner.close()

    def __enter__(self) -> "SiteScans":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _scan_site(self, site: SiteConfig) -> ScanResult:
        first = first_unit(site, self._options)
        try:
            discovered = self._runner.submit(first).result()
        except UnitFailed as exc:
            raise UnitFailed(f"{first.phase} unit of {site.name}: {exc}") from None
        later = next_units(first, discovered)
        futures = [self._runner.submit(unit) for unit in later]
        outputs = [discovered] + [self._collect(unit, future) for unit, future in zip(later, futures)]
        scan = assemble(first, outputs, self._options.out_dir)
        self._say(f"{site.name}: scanned ({len(outputs)} phase(s))")
        return scan

    def _collect(self, unit: Unit, future: "Future[UnitOutput]") -> UnitOutput:
        try:
            return future.result()
        except Exception as exc:  # one phase failing must not sink the site's other phases
            self._say(f"{unit.site.name}: {unit.phase} failed: {exc}")
            return failed_phase(unit, str(exc) or type(exc).__name__)


def shard(sites: tuple[SiteConfig, ...], spec: str | None) -> tuple[SiteConfig, ...]:
    """`i/n`: the i-th of n shards (1-based), sites dealt round-robin in config order."""
    from scanner.errors import UserError

    if not spec:
        return sites
    try:
        index, count = (int(part) for part in spec.split("/"))
    except ValueError:
        raise UserError(f"--shard {spec!r}: expected i/n, e.g. 2/4") from None
    if not 1 <= index <= count:
        raise UserError(f"--shard {spec!r}: i must be between 1 and n")
    return tuple(site for position, site in enumerate(sites) if position % count == index - 1)
