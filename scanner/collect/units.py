"""Units of work: one (site, phase) visit, plain data in and plain data out.

A unit needs only its inputs (site settings, phase, page list, scan options)
and hands back one PhaseResult, the page list it discovered (before consent)
and the files it wrote. So the same unit runs on a thread here
(`check --workers N`) or on a Celery worker on another machine
(`check --broker ...`) without touching the collectors.

Secrets never enter a unit: a login is described by the *names* of the
environment variables holding its credentials; whoever runs the unit reads
them from its own environment.
"""
from __future__ import annotations

import base64
import dataclasses
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from scanner import __version__
from scanner.collect.browser import playwright_driver
from scanner.collect.engine import (PhaseJob, Progress, ScanOptions, notice_possible, phases_for, run_phase,
                                   start_page)
from scanner.common.domains import host_of, registrable_domain
from scanner.config import SiteConfig
from scanner.models import BEFORE_CONSENT, ConsentOutcome, PhaseResult, ScanResult
from scanner.scanfile import SCHEMA_VERSION, from_dict, save_scan, scan_dir, to_dict


@dataclass(frozen=True)
class Unit:
    site: SiteConfig
    phase: str
    pages: tuple[str, ...]  # empty before consent: that unit discovers them
    started_at: str  # the scan this unit belongs to
    options: ScanOptions
    expect_notice: bool = True  # False once the before-consent unit loaded the start page and saw no notice

    @property
    def key(self) -> str:
        """Names the unit across retries: the same key is the same work."""
        return f"{self.site.name}|{self.started_at}|{self.phase}"


@dataclass(frozen=True)
class UnitOutput:
    result: PhaseResult
    discovered: tuple[str, ...]
    browser: str
    files: tuple[tuple[str, bytes], ...] = ()  # screenshots and HAR, when the unit ran away from the scan folder


class UnitFailed(Exception):
    """A unit that could not give a result (timed out, its worker died too often)."""


def first_unit(site: SiteConfig, options: ScanOptions, started_at: str | None = None) -> Unit:
    started_at = started_at or datetime.now(timezone.utc).isoformat(timespec="seconds")
    return Unit(site=site, phase=BEFORE_CONSENT, pages=(), started_at=started_at, options=options)


def next_units(first: Unit, output: UnitOutput) -> list[Unit]:
    """The phases after before-consent, each visiting the page list it discovered."""
    start = start_page(first.site)
    pages = output.discovered or (start,)
    expect = notice_possible(output.result)
    return [dataclasses.replace(first, phase=phase, pages=pages, expect_notice=expect)
            for phase in phases_for(first.site, first.options)[1:]]


def run_unit(unit: Unit, out_dir: Path, progress: Progress | None = None) -> UnitOutput:
    """Run one unit with its own Playwright and browser, writing its files into out_dir."""
    say = progress or (lambda event, detail: None)
    out_dir.mkdir(parents=True, exist_ok=True)
    site_domain = registrable_domain(host_of(unit.site.start_url))
    job = PhaseJob(site=unit.site, phase=unit.phase, pages=unit.pages, out_dir=out_dir, options=unit.options,
                   expect_notice=unit.expect_notice)
    with playwright_driver() as pw:
        result, discovered, browser = run_phase(pw, job, site_domain, say)
    return UnitOutput(result=result, discovered=discovered, browser=browser)


def run_unit_detached(unit: Unit) -> UnitOutput:
    """Run a unit on a machine that does not hold the scan folder: its files travel back with the result."""
    with tempfile.TemporaryDirectory(prefix="cookiescan-unit-") as tmp:
        output = run_unit(unit, Path(tmp))
        files = tuple((p.name, p.read_bytes()) for p in sorted(Path(tmp).iterdir()) if p.is_file())
    return dataclasses.replace(output, files=files)


def failed_phase(unit: Unit, error: str) -> UnitOutput:
    """A unit that gave no result: its phase is marked failed (a finding), the scan goes on."""
    result = PhaseResult(phase=unit.phase, pages=(), cookies=(), blocked_cookies=(), storage=(), requests=(),
                         consent=ConsentOutcome(action="none"), error=error)
    return UnitOutput(result=result, discovered=(), browser="")


def assemble(first: Unit, outputs: list[UnitOutput], out_dir: Path) -> ScanResult:
    """The scan of one site from its units' outputs (before-consent first); writes its files and scan.json."""
    folder = scan_dir(out_dir, first.site.name, first.started_at)
    folder.mkdir(parents=True, exist_ok=True)
    for output in outputs:
        for name, data in output.files:
            (folder / Path(name).name).write_bytes(data)  # a bare file name: nothing outside the folder
    start = start_page(first.site)
    scan = ScanResult(
        schema_version=SCHEMA_VERSION, site=first.site.name, start_url=first.site.start_url,
        registrable_domain=registrable_domain(host_of(first.site.start_url)), started_at=first.started_at,
        finished_at=datetime.now(timezone.utc).isoformat(timespec="seconds"), tool_version=__version__,
        browser=next((o.browser for o in outputs if o.browser), ""), page_list=outputs[0].discovered or (start,),
        phases=tuple(o.result for o in outputs), synthetic=first.options.synthetic)
    save_scan(scan, folder / "scan.json")
    return scan


# ------------------------------------------------- plain data for a broker ---

def unit_to_data(unit: Unit) -> dict:
    """The unit as JSON for a broker. Credentials handed to this process stay here: a worker reads its own."""
    data = to_dict(unit)
    data["options"]["out_dir"] = str(unit.options.out_dir)
    data["options"]["credentials"] = None  # None: the login steps read the worker's environment
    return data


def unit_from_data(data: dict) -> Unit:
    unit = from_dict(Unit, data)
    return dataclasses.replace(unit, options=dataclasses.replace(unit.options, out_dir=Path(unit.options.out_dir)))


def output_to_data(output: UnitOutput) -> dict:
    return {"result": to_dict(output.result), "discovered": list(output.discovered), "browser": output.browser,
            "files": [[name, base64.b64encode(data).decode("ascii")] for name, data in output.files]}


def output_from_data(data: dict) -> UnitOutput:
    return UnitOutput(result=from_dict(PhaseResult, data["result"]), discovered=tuple(data["discovered"]),
                      browser=data["browser"],
                      files=tuple((name, base64.b64decode(text)) for name, text in data["files"]))
