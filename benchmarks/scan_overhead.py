"""Scan overhead: a bare Playwright loop vs the full instrumented scan, same pages, phase by phase.

    .venv/bin/python benchmarks/scan_overhead.py [--sites pro.doctolib.fr,www.plain-slow.test] [--repeat 3] [--no-behaviour]

For each site of the SYNTHETIC fixture web (the replicas and the plain sites the scanner was
not tuned for), the scan runs as a user runs it (phases side by side, the default), then with
its phases one after another (`--jobs 1`, to time each phase);
then the bare loop visits exactly the pages the scan visited in each phase, in a fresh browser
and profile per phase, waits for the network to settle with the same cap, and in the accept and
reject phases clicks the notice the scan clicked (the selectors of the rule that took effect,
or the button text the heuristic chose) and waits as the scan does after a click. The
instrumented side adds everything a scan does: CDP recording, the document.cookie hook,
storage snapshots, consent detection and judging, screenshots, the scan file, and the
behaviour collector (fingerprinting hooks, recorders, the key-logging step, URL leaks, pixels;
off with --no-behaviour).

Prints absolute seconds per page-phase on both sides (they share the network-idle wait) and
their ratio (what the instrumentation costs), the whole scan as run by default against the bare
loop (target: <= 1.15x), and the peak PSS of the browser processes in each phase of the scan
(target <= 600 MB), taken from runs of their own (`--memory-runs`): sampling memory five times a
second slows a busy 2-core machine. The fixture web runs in a process of its own. Figures are of
the fixture web on this machine.
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from playwright.sync_api import Error as PlaywrightError  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from procstats import PeakSampler, fixture_web, machine  # noqa: E402
from scanner.collect.browser import BrowserOptions, open_context  # noqa: E402
from scanner.collect.consent.rules import rule_for  # noqa: E402
from scanner.collect.engine import ScanOptions, scan_site  # noqa: E402
from scanner.config import SiteConfig  # noqa: E402
from scanner.models import ConsentOutcome, PhaseResult  # noqa: E402

REPLICAS = ("pro.doctolib.fr", "pro.doctolib.it", "pro.doctolib.de", "docrdv.fr", "www.mybakup.com")
PLAIN = ("www.plain-nobanner.test", "www.plain-slow.test", "www.plain-manypages.test")
TARGET_RATIO, TARGET_PSS_MB = 1.15, 600


def _settle(page, cap_s: float) -> None:
    try:
        page.wait_for_load_state("networkidle", timeout=cap_s * 1000)
    except PlaywrightError:
        pass


def _visit(page, url: str, settle_s: float) -> None:
    try:
        page.goto(url, wait_until="load")
    except PlaywrightError:
        return
    _settle(page, settle_s)


def _click_like_the_scan(page, consent: ConsentOutcome, action: str) -> bool:
    """Click what the scan's consent step clicked, without any of its detection or judging."""
    rule = rule_for(consent.platform) if consent.platform else None
    for flow in (rule.flows(action) if rule else ()):
        try:
            if not page.locator(flow[0]).first.is_visible():
                continue
            for selector in flow:
                page.locator(selector).first.click(timeout=4000)
            return True
        except PlaywrightError:
            continue
    for line in consent.evidence:  # the heuristic names the button it clicked: 'button "Accept all" (en)'
        found = re.search(r"button '(.+?)' \(", line)
        if found:
            try:
                # The scan reports the text folded to lower case: match it the same way.
                text = re.compile(rf"^\s*{re.escape(found.group(1))}\s*$", re.IGNORECASE)
                page.get_by_text(text).first.click(timeout=4000)
                return True
            except PlaywrightError:
                return False
    return False


def bare_phase(pw, browser: BrowserOptions, phase: PhaseResult, options: ScanOptions) -> tuple[float, bool]:
    urls = [p.url for p in phase.pages]
    started = time.perf_counter()
    clicked = False
    with open_context(pw, browser) as context:
        page = context.new_page()
        if urls:
            _visit(page, urls[0], options.settle_s)
        if phase.consent.action in ("accept", "reject") and phase.consent.effective:
            clicked = _click_like_the_scan(page, phase.consent, phase.consent.action)
            _settle(page, options.after_click_s)
        for url in urls[1:]:
            _visit(page, url, options.settle_s)
    return time.perf_counter() - started, clicked


def phase_times(site: SiteConfig, options: ScanOptions, sampler: PeakSampler | None = None):
    """(scan, seconds per phase) of a scan with its phases one after another; `sampler` is told the phase."""
    marks: list[tuple[str, float]] = []

    def progress(event: str, detail: str) -> None:
        if event == "phase":
            marks.append((detail, time.perf_counter()))
            if sampler:
                sampler.label = detail

    started = time.perf_counter()
    scan = scan_site(site, options, progress)
    marks.append(("end", time.perf_counter()))
    # A phase's time runs from its start mark to the next (the first from the scan's start).
    marks[0] = (marks[0][0], started)
    return scan, {phase: t1 - t0 for (phase, t0), (_, t1) in zip(marks, marks[1:])}


def measure_site(site_name: str, rules: str, repeat: int, memory_runs: int, pages: int, behaviour: bool) -> None:
    browser = BrowserOptions(host_resolver_rules=rules, ignore_https_errors=True)
    site = SiteConfig(name=site_name, start_url=f"https://{site_name}/", pages=pages)
    scan_phase_s: dict[str, list[float]] = {}
    bare_phase_s: dict[str, list[float]] = {}
    peaks: dict[str, float] = {}
    visits: dict[str, int] = {}
    clicks: dict[str, bool] = {}
    together_s: list[float] = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:  # the scan as a user runs it: phases side by side
            options = ScanOptions(browser=browser, out_dir=Path(tmp), synthetic=True, behaviour=behaviour)
            started = time.perf_counter()
            scan_site(site, options)
            together_s.append(time.perf_counter() - started)
        with tempfile.TemporaryDirectory() as tmp:  # timed without the memory sampler: it slows a busy machine
            options = ScanOptions(browser=browser, out_dir=Path(tmp), synthetic=True, jobs=1, behaviour=behaviour)
            scan, seconds = phase_times(site, options)
            for phase, s in seconds.items():
                scan_phase_s.setdefault(phase, []).append(s)
            with sync_playwright() as pw:
                for phase in scan.phases:
                    seconds, clicked = bare_phase(pw, browser, phase, options)
                    bare_phase_s.setdefault(phase.phase, []).append(seconds)
                    visits[phase.phase] = len(phase.pages)
                    clicks[phase.phase] = clicked
    for _ in range(memory_runs):  # peak PSS per phase, from runs of its own
        with tempfile.TemporaryDirectory() as tmp, PeakSampler(
                os.getpid(), names=("chromium", "chrome", "headless_shell")) as sampler:
            phase_times(site, ScanOptions(browser=browser, out_dir=Path(tmp), synthetic=True, jobs=1,
                                          behaviour=behaviour), sampler)
        for phase, peak in sampler.peaks.items():
            if phase:
                peaks[phase] = max(peaks.get(phase, 0.0), peak)
    print(f"{site_name} (synthetic), {len(scan.page_list)} page(s) per phase, median of {repeat}, "
          f"peak PSS of {memory_runs} more run(s)")
    total_scan = total_bare = 0.0
    total_visits = 0
    for phase, n in visits.items():
        s, b = statistics.median(scan_phase_s[phase]), statistics.median(bare_phase_s[phase])
        total_scan, total_bare, total_visits = total_scan + s, total_bare + b, total_visits + n
        click = {True: "clicked", False: "no click"}[clicks[phase]] if phase != "before_consent" else ""
        print(f"  {phase:15} {n:2d} visits  bare {b / n:6.2f} s/page  scan {s / n:6.2f} s/page  "
              f"{(s / n) / (b / n):5.2f}x  peak PSS {peaks.get(phase, 0):5.0f} MB  {click}")
    ratio = total_scan / total_bare
    print(f"  all phases     {total_visits:2d} visits  bare {total_bare / total_visits:6.2f} s/page  "
          f"scan {total_scan / total_visits:6.2f} s/page  {ratio:5.2f}x one after another  "
          f"peak PSS {max(peaks.values(), default=0):5.0f} MB (target <= {TARGET_PSS_MB})")
    together = statistics.median(together_s)
    print(f"  whole scan     bare loop {total_bare:6.2f} s  scan (phases side by side, the default) {together:6.2f} s  "
          f"{together / total_bare:5.2f}x (target <= {TARGET_RATIO}x)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", default=",".join(REPLICAS + PLAIN))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--memory-runs", type=int, default=1,
                        help="further scans per site, phases one after another, with the peak-PSS sampler on")
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--no-behaviour", action="store_true", help="scan without the behaviour collector")
    parser.add_argument("--dwell", type=float, default=ScanOptions.dwell_s,
                        help="cap on the dwell after load (0 = off), to measure what it costs")
    args = parser.parse_args()
    print(f"machine: {machine()}; behaviour collector {'off' if args.no_behaviour else 'on'}")
    with fixture_web() as rules:
        for site in [s for s in args.sites.split(",") if s]:
            measure_site(site, rules, args.repeat, args.memory_runs, args.pages, not args.no_behaviour)


if __name__ == "__main__":
    main()
