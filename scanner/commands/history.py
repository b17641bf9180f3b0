"""CLI commands: diff, history, check (the nightly gate)."""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape

from scanner.commands.options import (
    DEFAULT_CONFIG, DEFAULT_DB, DEFAULT_OUT, ConfigOption, DbOption, InsecureOption, OutOption, ResolverOption,
    SyntheticOption, configured_site,
)
from scanner.config import ProjectConfig, SiteConfig, load_config
from scanner.errors import UserError


def register(app: typer.Typer) -> None:
    app.command("diff")(diff)
    app.command("history")(history)
    app.command("check")(check)


# ---------------------------------------------------------------- helpers ---

def _scanner(out_dir: Path, resolver_rules: str | None, insecure: bool, synthetic: bool, console: Console,
             jobs: int = 1):
    from scanner.collect.browser import BrowserOptions
    from scanner.collect.engine import ScanOptions, scan_site

    options = ScanOptions(browser=BrowserOptions(host_resolver_rules=resolver_rules, ignore_https_errors=insecure),
                          out_dir=out_dir, synthetic=synthetic, jobs=jobs)

    def scan(site: SiteConfig):
        with console.status(f"scanning {escape(site.name)}") as status:
            return scan_site(site, options, progress=lambda event, detail: status.update(
                f"scanning {escape(site.name)}: {escape(event)} {escape(str(detail))}"))

    return scan


def _store(db: Path):
    from scanner.history.store import SQLiteStore
    return SQLiteStore(db)


# ------------------------------------------------------------------- diff ---

def diff(
    site: str = typer.Argument(..., help="Site name from cookiescan.toml, or a URL/host."),
    since: Optional[str] = typer.Option(None, "--since", help="'last': also show what changed since the previous scan."),
    from_history: bool = typer.Option(False, "--from-history", help="Use the latest stored scan instead of scanning."),
    db: DbOption = None,
    declared_dir: Optional[Path] = typer.Option(None, "--declared", help="Declared data directory of the site."),
    config: ConfigOption = None,
    out: OutOption = DEFAULT_OUT,
    resolver_rules: ResolverOption = None,
    insecure: InsecureOption = False,
    synthetic: SyntheticOption = False,
) -> None:
    """Observed vs declared: + undeclared, > over-long, ! before consent / after refusal, - stale."""
    from scanner.declared import load_declared
    from scanner.history.gate import declared_for
    from scanner.history.review import review_site
    from scanner.report.diff_view import changes_table, diff_rows, diff_table, other_findings_table

    if since not in (None, "last"):
        raise UserError(f"--since {since!r}: only 'last' is supported")
    console = Console()
    site_cfg, config_dir = configured_site(site, config)
    declared = load_declared(declared_dir) if declared_dir is not None else declared_for(site_cfg, config_dir)
    db = db or DEFAULT_DB
    scan = None if from_history else _scanner(out, resolver_rules, insecure, synthetic, console)
    with _store(db) as store:
        review = review_site(site_cfg, declared, store, scan=scan, since_last=since == "last")
    current = review.scan
    note = " (synthetic replica)" if current.synthetic else ""
    console.print(f"[bold]{escape(site_cfg.name)}{note}: scan #{review.scan_id} of {escape(current.started_at)}, "
                  "observed vs declared[/bold]  (+ undeclared, > over-long, ! before consent / after refusal, - stale)",
                  soft_wrap=True)
    console.print(diff_table(diff_rows(current, review.judgement)))
    other = other_findings_table(list(review.judgement.findings))
    if other is not None:
        console.print(other)
    if since != "last":
        return
    if review.previous is None:
        console.print(f"no earlier scan of {escape(site_cfg.name)} in {escape(str(db))} to compare with")
    elif review.changes.empty:
        console.print(f"no change since the scan of {escape(review.previous.started_at)}")
    else:
        console.print(f"[bold]changes since the scan of {escape(review.previous.started_at)}[/bold]", soft_wrap=True)
        console.print(changes_table(review.changes))


# ---------------------------------------------------------------- history ---

def history(
    site: str = typer.Argument(..., help="Site name."),
    db: DbOption = None,
    limit: int = typer.Option(20, "--limit", help="Newest N scans."),
) -> None:
    """List past scans of a site, newest first."""
    from scanner.report.diff_view import history_table

    db = db or DEFAULT_DB
    if not db.exists():
        raise UserError(f"{db}: no history database")
    with _store(db) as store:
        records = store.scans(site, limit=limit)
        if not records:
            raise UserError(f"{db}: no stored scan of {site} (sites: {', '.join(store.sites()) or 'none'})")
    Console().print(history_table(site, records))


# ------------------------------------------------------------------ check ---

def check(
    config: ConfigOption = None,
    fail_on: Optional[str] = typer.Option(None, "--fail-on", help="info|low|medium|high (default: config, else high)."),
    baseline: Optional[Path] = typer.Option(None, "--baseline", help="Accepted findings (YAML)."),
    db: DbOption = None,
    out: OutOption = DEFAULT_OUT,
    from_history: bool = typer.Option(False, "--from-history", help="Judge the latest stored scans, do not scan."),
    jobs: int = typer.Option(1, "--jobs", min=1, max=4, help="Phases run at once after before-consent."),
    resolver_rules: ResolverOption = None,
    insecure: InsecureOption = False,
    synthetic: SyntheticOption = False,
) -> None:
    """Nightly gate: scan every configured site; exit 1 on findings at or above --fail-on."""
    from scanner.history.baseline import Baseline, load_baseline
    from scanner.history.gate import check_severity, run_gate, summary_markdown

    project: ProjectConfig = load_config(config or DEFAULT_CONFIG)
    severity = check_severity(fail_on or project.fail_on)
    baseline_path = baseline or (Path(project.baseline) if project.baseline else None)
    accepted = load_baseline(baseline_path) if baseline_path else Baseline()
    console = Console()
    with _store(db or Path(project.history)) as store:
        if from_history:
            def scan(site: SiteConfig):
                records = store.scans(site.name, limit=1)
                if not records:
                    raise UserError(f"{store.path}: no stored scan of {site.name} (--from-history)")
                return store.load_scan(records[0].id)
        else:
            scan = _scanner(out, resolver_rules, insecure, synthetic, console, jobs)
        result = run_gate(project, scan=scan, store=store, baseline=accepted, fail_on=severity, out_dir=out,
                          today=date.today(), progress=lambda m: console.print(escape(m)))
    summary = summary_markdown(result)
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if step_summary:
        with open(step_summary, "a", encoding="utf-8") as fh:
            fh.write(summary)
    console.print(summary, markup=False, highlight=False, soft_wrap=True)
    if result.failed:
        raise typer.Exit(1)
