"""CLI commands: scan (one site) and demo (the bundled replica sites)."""
from __future__ import annotations

import dataclasses
import json
import sys
from datetime import date
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from scanner.collect.browser import BrowserOptions
from scanner.commands.options import (
    DEFAULT_DB, DEFAULT_OUT, ConfigOption, DbOption, InsecureOption, OutOption, ResolverOption,
)
from scanner.config import SiteConfig, load_config, site_from_url
from scanner.errors import UserError
from scanner.models import ScanResult

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
    jobs: int = typer.Option(1, "--jobs", min=1, max=4, help="Phases run at once after before-consent (one browser each)."),
    resolver_rules: ResolverOption = None,
    insecure: InsecureOption = False,
) -> None:
    """Visit a site before consent, after accept and after reject; record what it drops."""
    from scanner.collect.engine import ScanOptions, scan_site

    site = _site(target, config, pages)
    options = ScanOptions(browser=BrowserOptions(host_resolver_rules=resolver_rules, ignore_https_errors=insecure,
                                                 navigation_timeout_s=timeout), out_dir=out, har=har, jobs=jobs)
    console = Console(stderr=True)
    result = _run_with_progress(console, site, lambda progress: scan_site(site, options, progress=progress))
    if not no_history:
        _record(result, site, db or DEFAULT_DB, config)
    if as_json:
        from scanner.scanfile import to_dict
        sys.stdout.write(json.dumps(to_dict(result), ensure_ascii=False, indent=1) + "\n")
    else:
        _print_summary(Console(), result)


def demo(
    out: OutOption = DEFAULT_OUT,
    db: DbOption = None,
    jobs: int = typer.Option(2, "--jobs", min=1, max=4, help="Phases run at once after before-consent."),
    pages: Optional[int] = typer.Option(None, "--pages", min=1, help="Pages per phase (default: the demo's 10)."),
    sites: Optional[list[str]] = typer.Option(None, "--site", help="Only this replica site (repeatable)."),
) -> None:
    """Start the local fixture web and scan the five SYNTHETIC replica sites; write their reports."""
    from scanner.history.gate import run_gate
    from scanner.history.baseline import Baseline
    from scanner.collect.engine import ScanOptions, scan_site
    from scanner.history.store import SQLiteStore
    from scanner.demo import fixtureweb, pro_app

    config = _demo_config(load_config(DEMO_CONFIG), sites, pages)
    console = Console(stderr=True)
    # The replica's public test account, handed to the login steps directly (never put in os.environ).
    credentials = {"COOKIESCAN_TEST_USER": pro_app.TEST_USER, "COOKIESCAN_TEST_PASSWORD": pro_app.TEST_PASSWORD}
    with fixtureweb.FixtureWeb() as web, SQLiteStore(db or out / DEFAULT_DB.name) as store:
        options = ScanOptions(browser=BrowserOptions(host_resolver_rules=web.resolver_rules, ignore_https_errors=True,
                                                     navigation_timeout_s=10), out_dir=out, synthetic=True,
                              jobs=jobs, credentials=credentials)
        result = run_gate(
            config, store=store, baseline=Baseline(entries=()), fail_on="high", out_dir=out, today=date.today(),
            scan=lambda site: _run_with_progress(console, site, lambda p: scan_site(site, options, progress=p)),
            formats=("html", "json", "md", "sarif"))
    table = Table(title="cookiescan demo — SYNTHETIC replica sites, not measurements of the real sites")
    for col in ("site", "high", "medium", "low", "info"):
        table.add_column(col)
    table.add_column("HTML report", overflow="fold")
    for s in result.sites:
        counts = [str(sum(1 for f in s.kept if f.severity == sev)) for sev in ("high", "medium", "low", "info")]
        html = next((r for r in s.reports if r.endswith(".html")), "")
        table.add_row(escape(s.site), *counts, escape(html))
    Console().print(table)


# ---------------------------------------------------------------- helpers ---

def _site(target: str, config: Optional[Path], pages: int) -> SiteConfig:
    if config:
        return load_config(config).site(target)
    return site_from_url(target, pages)


def _run_with_progress(console: Console, site: SiteConfig, run) -> ScanResult:
    with console.status(f"[bold]{escape(site.name)}[/bold]: starting") as status:
        def progress(event: str, detail: str) -> None:
            if event == "page" and detail.startswith("FAILED"):
                console.print(f"[yellow]{escape(site.name)}: page {escape(detail)}[/yellow]")
            status.update(f"[bold]{escape(site.name)}[/bold]: {escape(event)} {escape(detail)}")
        return run(progress)


def _record(result: ScanResult, site: SiteConfig, db: Path, config: Optional[Path]) -> None:
    from scanner.history.gate import declared_for
    from scanner.history.store import SQLiteStore
    from scanner.judge import judge

    declared = declared_for(site, config.parent if config else Path("."))
    with SQLiteStore(db) as store:
        store.save_scan(result, list(judge(result, declared, site).findings))


def _print_summary(console: Console, result: ScanResult) -> None:
    table = Table(title=f"{escape(result.site)}: {len(result.page_list)} page(s) per phase")
    for col in ("phase", "pages ok/failed", "cookies (1st/3rd)", "storage keys", "3rd-party requests", "consent",
                "login"):
        table.add_column(col)
    for ph in result.phases:
        ok = sum(1 for p in ph.pages if p.ok)
        first = sum(1 for c in ph.cookies if c.party == "first")
        consent = ph.consent.status if ph.consent.action != "none" else (f"banner: {ph.consent.platform}"
                                                                         if ph.consent.platform else "no banner seen")
        if ph.consent.status in ("not_given", "not_refused"):
            consent = f"[bold red]{escape(consent)}: {escape(ph.consent.reason)}[/bold red]"
        else:
            consent = escape(consent)
        login = ""
        if ph.login is not None:
            login = ("logged in" if ph.login.logged_in
                     else f"[bold red]NOT logged in: {escape(ph.login.reason)}[/bold red]")
        table.add_row(ph.phase, f"{ok}/{len(ph.pages) - ok}", f"{first}/{len(ph.cookies) - first}",
                      str(len(ph.storage)), str(len(ph.requests)), consent, login)
    console.print(table)


def _demo_config(config, names: Optional[list[str]], pages: Optional[int]):
    """The demo's sites, narrowed to --site names and --pages."""
    known = [s.name for s in config.sites]
    unknown = [n for n in names or () if n not in known]
    if unknown:
        raise UserError(f"--site {unknown[0]}: not a demo site (choose from {', '.join(known)})")
    chosen = tuple(dataclasses.replace(s, pages=pages or s.pages) for s in config.sites if not names or s.name in names)
    return dataclasses.replace(config, sites=chosen)
