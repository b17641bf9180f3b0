"""Scan overhead: a bare Playwright loop vs the full instrumented scan, same pages.

    .venv/bin/python benchmarks/scan_overhead.py [--site pro.doctolib.fr] [--repeat 3] [--no-behaviour]

Both sides open a fresh browser profile per phase (before consent, accept,
reject), load the same fixture pages and wait for the network to settle with
the same cap. The instrumented side adds everything a scan does: CDP recording,
the document.cookie hook, storage snapshots, consent detection and clicks,
screenshots, the scan file, and the behaviour collector (fingerprinting hooks,
recorders, the key-logging step, URL leaks, pixels; off with --no-behaviour). Prints seconds per page-phase and the ratio
(target: instrumented <= 1.25x bare).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright  # noqa: E402

from scanner.collect.browser import BrowserOptions, open_context  # noqa: E402
from scanner.config import SiteConfig  # noqa: E402
from scanner.collect.engine import ScanOptions, scan_site  # noqa: E402
from scanner.demo.fixtureweb import FixtureWeb  # noqa: E402

PHASES = 3


def bare_loop(pw, options: BrowserOptions, pages: tuple[str, ...], settle_s: float) -> float:
    started = time.perf_counter()
    for _ in range(PHASES):
        with open_context(pw, options) as context:
            page = context.new_page()
            for url in pages:
                try:
                    page.goto(url, wait_until="load")
                    page.wait_for_load_state("networkidle", timeout=settle_s * 1000)
                except Exception:
                    pass
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", default="pro.doctolib.fr")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-behaviour", action="store_true", help="scan without the behaviour collector")
    args = parser.parse_args()
    with FixtureWeb() as web, tempfile.TemporaryDirectory() as tmp:
        browser = BrowserOptions(host_resolver_rules=web.resolver_rules, ignore_https_errors=True)
        options = ScanOptions(browser=browser, out_dir=Path(tmp), synthetic=True, behaviour=not args.no_behaviour)
        site = SiteConfig(name=args.site, start_url=f"https://{args.site}/")
        bare_times, scan_times, page_phases = [], [], 0
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            scan = scan_site(site, options)
            scan_times.append(time.perf_counter() - t0)
            page_phases = sum(len(p.pages) for p in scan.phases)
            with sync_playwright() as pw:
                # The bare loop visits exactly what the scan visited, phase by phase.
                pages = tuple(p.url for p in scan.phases[1].pages)
                bare_times.append(bare_loop(pw, browser, pages, options.settle_s))
        bare, full = statistics.median(bare_times), statistics.median(scan_times)
        bare_visits = PHASES * len(pages)
        print(f"site: {args.site} (synthetic replica), {len(scan.page_list)} pages, {args.repeat} runs, median, "
              f"behaviour collector {'off' if args.no_behaviour else 'on'}")
        print(f"bare playwright loop : {bare:7.2f} s  {bare / bare_visits:6.3f} s per page-phase ({bare_visits} visits)")
        print(f"instrumented scan    : {full:7.2f} s  {full / page_phases:6.3f} s per page-phase ({page_phases} visits)")
        print(f"ratio per page-phase : {(full / page_phases) / (bare / bare_visits):5.2f}x (target <= 1.25x)")


if __name__ == "__main__":
    main()
