"""CLI commands: scan (one site) and demo (the bundled replica sites)."""
from __future__ import annotations

import dataclasses
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Optional

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from scanner.collect.browser import BrowserOptions, require_chromium
from scanner.common.urls import without_password
from scanner.commands.options import (
    DEFAULT_DB, DEFAULT_OUT, ConfigOption, DbOption, InsecureOption, OutOption, ResolverOption,
)
from scanner.commands.progress import Verbosity, import_meanwhile, say, site_progress
from scanner.config import SiteConfig, load_config, site_from_url
from scanner.errors import UserError
from scanner.models import ScanResult
from scanner.common.terminal import console as terminal_console, safe_markup as escape

DEMO_CONFIG = Path(__file__).resolve().parents[1] / "demo" / "demo.toml"


def register(app: typer.Typer) -> None:
    app.command("scan")(scan)
    app.command("demo")(demo)


def scan(
    target: str = typer.Argument(..., help="URL to scan, or a site name from --config."),
    pages: int = typer.Option(10, "--pages", min=1, help="Pages to visit per phase (same-site links, breadth-first)."),
    out: OutOption = DEFAULT_OUT,
    config: ConfigOption = None,
    db: DbOption = None,
    no_history: bool = typer.Option(False, "--no-history", help="Do not record the scan in the history."),
    har: bool = typer.Option(False, "--har", help="Also write a (redacted) HAR file per phase."),
    as_json: bool = typer.Option(False, "--json", help="Print the scan result as JSON on stdout."),
    timeout: float = typer.Option(20.0, "--timeout", help="Seconds before a page load is marked failed."),
    jobs: int = typer.Option(3, "--jobs", min=1, max=5,
                             help="Phases at once, each in its own fresh context of one browser (1: one after another)."),
    dwell: float = typer.Option(5.0, "--dwell", min=0.0, max=60.0,
                                help="Cap (s) on waiting after load for timers the page scheduled while loading."),
    resolver_rules: ResolverOption = None,
    insecure: InsecureOption = False,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only errors and the result."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Also print every page visited."),
) -> None:
    """Visit a site before consent, after accept and after reject; record what it drops.

    Exits 2 when the start page cannot be loaded (the scan file is still written).
    """
    from scanner.collect.browser import started_browser
    from scanner.collect.options import ScanOptions
    from scanner.scanfile import scan_dir

    site = _site(target, config, pages)
    if not no_history:
        _check_history(db or DEFAULT_DB)  # a damaged or locked database is found now, not after the whole scan
    options = ScanOptions(browser=BrowserOptions(host_resolver_rules=resolver_rules, ignore_https_errors=insecure,
                                                 navigation_timeout_s=timeout), out_dir=out, har=har, jobs=jobs, dwell_s=dwell)
    console = terminal_console(stderr=True)
    verbosity = Verbosity(quiet=quiet, verbose=verbose)
    require_chromium(options.browser.executable)
    import playwright.sync_api  # noqa: F401  here, before the thread below also needs it
    # Playwright's driver and Chromium take a second to start, mostly waiting on other processes:
    # the engine, then the judge (pandas), are imported on a second thread meanwhile.
    import_meanwhile("scanner.collect.engine", "scanner.judge", "scanner.history.gate")
    db = db or DEFAULT_DB
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="judge") as judging:
        with site_progress(console, site.name, verbosity) as progress, started_browser(options.browser) as started:
            from scanner.collect.engine import scan_site
            result = scan_site(site, options, progress, started)
            # Judged and stored in the history while the browser and Playwright's driver close.
            recorded = judging.submit(_record, result, site, db, config, store=not no_history, out=out)
        findings = recorded.result()
    if as_json:
        from scanner.scanfile import to_dict
        sys.stdout.write(json.dumps(to_dict(result), ensure_ascii=False, indent=1) + "\n")
    elif not quiet:
        _print_summary(terminal_console(), result)
    from scanner.judge.health import start_page_error
    broken = start_page_error(result)
    if broken:
        raise UserError(f"{site.start_url}: the start page could not be loaded: {broken}")
    scan_file = scan_dir(out, result.site, result.started_at) / "scan.json"
    say(console, f"scan file: {scan_file}")
    say(console, f"{len(findings)} finding(s): " + ", ".join(
        f"{sum(f.severity == s for f in findings)} {s}" for s in ("high", "medium", "low", "info"))
        + ("" if no_history else f"; history: {db}"))
    say(console, f"next: cookiescan report {scan_file}")


def demo(
    out: OutOption = DEFAULT_OUT,
    db: DbOption = None,
    jobs: int = typer.Option(3, "--jobs", min=1, max=5, help="Phases at once per site, in one browser (1: one after another)."),
    pages: Optional[int] = typer.Option(None, "--pages", min=1, help="Pages per phase (default: the demo's 10)."),
    sites: Optional[list[str]] = typer.Option(None, "--site", help="Only this replica site (repeatable)."),
) -> None:
    """Start the local fixture web and scan the five SYNTHETIC replica sites; write their reports."""
    from scanner.history.gate import run_gate
    from scanner.history.baseline import Baseline
    from scanner.collect.engine import ScanOptions, scan_site
    from scanner.history.store import open_store
    from scanner.demo import fixtureweb, pro_app

    config = _demo_config(load_config(DEMO_CONFIG), sites, pages)
    console = terminal_console(stderr=True)
    # The replica's public test account, handed to the login steps directly (never put in os.environ).
    credentials = {"COOKIESCAN_TEST_USER": pro_app.TEST_USER, "COOKIESCAN_TEST_PASSWORD": pro_app.TEST_PASSWORD}
    with fixtureweb.FixtureWeb() as web, open_store(db or out / DEFAULT_DB.name) as store:
        options = ScanOptions(browser=BrowserOptions(host_resolver_rules=web.resolver_rules, ignore_https_errors=True,
                                                     navigation_timeout_s=10), out_dir=out, synthetic=True,
                              jobs=jobs, credentials=credentials)
        result = run_gate(
            config, store=store, baseline=Baseline(entries=()), fail_on="high", out_dir=out, today=date.today(),
            scan=lambda site: _run_with_progress(console, site, lambda p: scan_site(site, options, progress=p)),
            formats=("html", "json", "md", "sarif"))
    table = Table(title="cookiescan demo — SYNTHETIC replica sites, not measurements of the real sites",
                  title_justify="left")
    for col in ("site", "high", "medium", "low", "info"):
        table.add_column(col, no_wrap=True, justify="left" if col == "site" else "right")
    for s in result.sites:
        counts = [str(sum(1 for f in s.kept if f.severity == sev)) for sev in ("high", "medium", "low", "info")]
        table.add_row(escape(s.site), *counts)
    out_console = terminal_console()
    out_console.print(table)
    for s in result.sites:  # whole paths on their own lines: a table cell would cut or fold them
        html = next((r for r in s.reports if r.endswith(".html")), "")
        say(out_console, f"{s.site}: {html}")


# ---------------------------------------------------------------- helpers ---

def _site(target: str, config: Optional[Path], pages: int) -> SiteConfig:
    if config:
        return load_config(config).site(target)
    return site_from_url(target, pages)


def _run_with_progress(console: Console, site: SiteConfig, run) -> ScanResult:
    with site_progress(console, site.name, Verbosity()) as progress:
        return run(progress)


def _check_history(db: Path) -> None:
    from scanner.history.store import open_store
    with open_store(db) as store:
        store.check()


def _record(result: ScanResult, site: SiteConfig, db: str | Path, config: Optional[Path], *, store: bool = True,
            out: Path = DEFAULT_OUT) -> list:
    """The scan's findings; stored in the history unless `store` is false."""
    from scanner.history.gate import declared_for
    from scanner.history.store import open_store
    from scanner.judge import judge
    from scanner.scanfile import scan_dir

    declared = declared_for(site, config.parent if config else Path("."))
    findings = list(judge(result, declared, site).findings)
    if store:
        try:
            with open_store(db) as history:
                history.save_scan(result, findings)
        except UserError as exc:
            # The scan itself is safe in scan.json: say where, and how to store it later.
            saved = scan_dir(out, result.site, result.started_at) / "scan.json"
            raise UserError(f"{exc}; the scan is kept in {saved} (store it later: "
                            f"cookiescan history import {saved} --db {without_password(str(db))})") from None
    return findings


def _print_summary(console: Console, result: ScanResult) -> None:
    """One short row per phase (fits 80 columns); reasons and errors on their own lines below."""
    table = Table(title=escape(f"{result.site}: {len(result.page_list)} page(s) per phase; pages ok/failed, "
                               "cookies first/third party"), title_justify="left", box=box.SIMPLE_HEAD,
                  padding=(0, 1), show_edge=False)
    for col, justify in (("phase", "left"), ("pages", "right"), ("cookies", "right"), ("storage", "right"),
                         ("3p req", "right"), ("consent", "left")):
        table.add_column(col, justify=justify, no_wrap=col != "consent", overflow="fold")
    notes = []
    for ph in result.phases:
        ok = sum(1 for p in ph.pages if p.ok)
        first = sum(1 for c in ph.cookies if c.party == "first")
        consent = ph.consent.status if ph.consent.action != "none" else (f"banner: {ph.consent.platform}"
                                                                         if ph.consent.platform else "no banner seen")
        loud = ph.consent.status in ("not_given", "not_refused")
        if loud:
            notes.append(f"{ph.phase}: consent {ph.consent.status.replace('_', ' ')}: {ph.consent.reason}")
        if ph.login is not None and not ph.login.logged_in:
            notes.append(f"{ph.phase}: NOT logged in: {ph.login.reason}")
        if ph.error:
            notes.append(f"{ph.phase}: phase failed: {ph.error}")
        cookies = f"{first}/{len(ph.cookies) - first}"
        if ph.cookies_attempted > len(ph.cookies):  # the browser refused or capped some: say how many were asked
            notes.append(f"{ph.phase}: the site attempted {ph.cookies_attempted} cookies, the browser kept "
                         f"{len(ph.cookies)}")
        table.add_row(escape(ph.phase), f"{ok}/{len(ph.pages) - ok}", cookies,
                      str(len(ph.storage)), str(len(ph.requests)),
                      f"[bold red]{escape(consent)}[/bold red]" if loud else escape(consent))
    console.print(table)
    for note in notes:
        say(console, "⚠ " + note, "bold red")


def _demo_config(config, names: Optional[list[str]], pages: Optional[int]):
    """The demo's sites, narrowed to --site names and --pages."""
    known = [s.name for s in config.sites]
    unknown = [n for n in names or () if n not in known]
    if unknown:
        raise UserError(f"--site {unknown[0]}: not a demo site (choose from {', '.join(known)})")
    chosen = tuple(dataclasses.replace(s, pages=pages or s.pages) for s in config.sites if not names or s.name in names)
    return dataclasses.replace(config, sites=chosen)
