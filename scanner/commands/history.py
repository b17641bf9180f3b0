"""CLI commands: diff, history, check (the nightly gate)."""
from __future__ import annotations

import contextlib
import dataclasses
import json
import os
from datetime import date
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from scanner.commands.options import (
    DEFAULT_CONFIG, DEFAULT_DB, DEFAULT_OUT, ConfigOption, DbOption, InsecureOption, OutOption, ResolverOption,
    SyntheticOption, configured_site,
)
from scanner.commands.progress import Verbosity, site_progress
from scanner.commands.reporting import declared_location, exit_on_findings, say_no_declared
from scanner.common.urls import without_password
from scanner.config import ProjectConfig, SiteConfig, load_config
from scanner.errors import UserError
from scanner.models import SEVERITIES
from scanner.common.terminal import console as terminal_console, safe_markup as escape

QuietOpt = typer.Option(False, "--quiet", "-q", help="Print only errors and the result.")
VerboseOpt = typer.Option(False, "--verbose", "-v", help="Also print every page visited.")
JsonOpt = typer.Option(False, "--json", help="Print the result as JSON on stdout.")


def register(app: typer.Typer) -> None:
    app.command("diff")(diff)
    app.command("history")(history)
    app.command("check")(check)


# ---------------------------------------------------------------- helpers ---

def _scan_options(out_dir: Path, resolver_rules: str | None, insecure: bool, synthetic: bool, jobs: int = 3,
                  timeout: float = 20.0, dwell_s: float = 5.0):
    from scanner.collect.browser import BrowserOptions
    from scanner.collect.engine import ScanOptions

    return ScanOptions(browser=BrowserOptions(host_resolver_rules=resolver_rules, ignore_https_errors=insecure,
                                              navigation_timeout_s=timeout),
                       out_dir=out_dir, synthetic=synthetic, jobs=jobs, dwell_s=dwell_s)


def _scanner(out_dir: Path, resolver_rules: str | None, insecure: bool, synthetic: bool, console: Console,
             jobs: int = 3, verbosity: Verbosity = Verbosity(), options=None):
    from scanner.collect.engine import scan_site

    options = options or _scan_options(out_dir, resolver_rules, insecure, synthetic, jobs)

    def scan(site: SiteConfig):
        with site_progress(console, site.name, verbosity) as progress:
            return scan_site(site, options, progress=progress)

    return scan


def _json_out(data) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=1, default=str))


def _store(db: str | Path):
    from scanner.history.store import open_store
    return open_store(db)


def _is_url(db: str | Path) -> bool:
    return "://" in str(db)


# ------------------------------------------------------------------- diff ---

def diff(
    site: str = typer.Argument(..., help="Site name from cookiescan.toml, or a URL/host."),
    since: Optional[str] = typer.Option(None, "--since", help="'last': also show what changed since the previous scan."),
    from_history: bool = typer.Option(False, "--from-history", help="Use the latest stored scan instead of scanning."),
    db: DbOption = None,
    declared_dir: Optional[Path] = typer.Option(None, "--declared", help="Declared data directory of the site."),
    config: ConfigOption = None,
    out: OutOption = DEFAULT_OUT,
    fail_on: Optional[str] = typer.Option(None, "--fail-on", help="Exit 1 when a finding is at or above this "
                                          "severity: " + " | ".join(SEVERITIES)),
    as_json: bool = JsonOpt,
    quiet: bool = QuietOpt,
    verbose: bool = VerboseOpt,
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
    if fail_on is not None and fail_on not in SEVERITIES:
        raise UserError(f"--fail-on {fail_on!r}: choose from {', '.join(SEVERITIES)}")
    console = terminal_console()
    errors = terminal_console(stderr=True, soft_wrap=True, highlight=False)
    site_cfg, config_dir = configured_site(site, config)
    declared = load_declared(declared_dir) if declared_dir is not None else declared_for(site_cfg, config_dir)
    if declared is None:  # every cookie would silently read as undeclared
        say_no_declared(errors, site_cfg.name, f"looked in {declared_dir or declared_location(site_cfg, config_dir)}")
    db = db or DEFAULT_DB
    scan = None if from_history else _scanner(out, resolver_rules, insecure, synthetic, errors,
                                              verbosity=Verbosity(quiet, verbose))
    with _store(db) as store:
        if scan is not None:
            store.check()  # a damaged or locked database is found before the scan, not after
        review = review_site(site_cfg, declared, store, scan=scan, since_last=since == "last")
    current = review.scan
    findings = review.judgement.findings
    if as_json:
        _json_out({"site": site_cfg.name, "scan_id": review.scan_id, "started_at": current.started_at,
                   "synthetic": current.synthetic, "declared_found": declared is not None,
                   "rows": [dataclasses.asdict(r) for r in diff_rows(current, review.judgement)],
                   "findings": [dataclasses.asdict(f) for f in findings],
                   "changes": dataclasses.asdict(review.changes) if review.changes is not None else None})
        exit_on_findings(errors, findings, fail_on)
        return
    note = " (synthetic replica)" if current.synthetic else ""
    console.print(f"[bold]{escape(site_cfg.name)}{note}: scan #{review.scan_id} of {escape(current.started_at)}, "
                  "observed vs declared[/bold]  (+ undeclared, > over-long, ! before consent / after refusal, - stale)",
                  soft_wrap=True)
    console.print(diff_table(diff_rows(current, review.judgement)))
    other = other_findings_table(list(review.judgement.findings))
    if other is not None:
        console.print(other)
    if since == "last":
        if review.previous is None:
            console.print(f"no earlier scan of {escape(site_cfg.name)} in {escape(without_password(str(db)))} to compare with")
        elif review.changes.empty:
            console.print(f"no change since the scan of {escape(review.previous.started_at)}")
        else:
            console.print(f"[bold]changes since the scan of {escape(review.previous.started_at)}[/bold]",
                          soft_wrap=True)
            console.print(changes_table(review.changes))
    exit_on_findings(errors, findings, fail_on)


# ---------------------------------------------------------------- history ---

def history(
    site: str = typer.Argument(..., help="Site name, or `import`."),
    path: Optional[Path] = typer.Argument(None, help="With `import`: a scan.json, or a folder searched for them."),
    db: DbOption = None,
    limit: int = typer.Option(20, "--limit", help="Newest N scans."),
    as_json: bool = JsonOpt,
    config: ConfigOption = None,
) -> None:
    """List past scans of a site, newest first; `history import FILE_OR_DIR` stores scan files."""
    from scanner.report.diff_view import history_table

    db = db or str(DEFAULT_DB)
    if site == "import":
        _import(path, db, config)
        return
    if path is not None:
        raise UserError(f"history {site} {path}: one site name, or `history import FILE_OR_DIR`")
    if not _is_url(db) and not Path(db).exists():
        raise UserError(f"{db}: no history database")
    with _store(db) as store:
        records = store.scans(site, limit=limit)
        if not records:
            raise UserError(f"{store.path}: no stored scan of {site} (sites: {', '.join(store.sites()) or 'none'})")
    if as_json:
        _json_out([{**dataclasses.asdict(r), "n_findings": r.n_findings} for r in records])
        return
    terminal_console().print(history_table(site, records))


def _import(path: Optional[Path], db: Path, config: Optional[Path]) -> None:
    from scanner.common.terminal import safe
    from scanner.history.gate import declared_for
    from scanner.history.importer import import_scans
    from scanner.judge import judge

    if path is None:
        raise UserError("history import: give a scan.json or a folder of scans")

    def findings(scan):
        site_cfg, config_dir = configured_site(scan.site, config)
        return list(judge(scan, declared_for(site_cfg, config_dir), site_cfg).findings)

    with _store(db) as store:
        outcome = import_scans(path, store, findings)
    console = terminal_console(soft_wrap=True)
    for file, scan_id in outcome.imported:
        console.print(f"imported {safe(file)} as scan #{scan_id}", markup=False)
    for file in outcome.skipped:
        console.print(f"already in the history: {safe(file)}", markup=False)
    console.print(f"{len(outcome.imported)} imported, {len(outcome.skipped)} already there → {safe(without_password(str(db)))}",
                  markup=False)


# ------------------------------------------------------------------ check ---

def check(
    config: ConfigOption = None,
    fail_on: Optional[str] = typer.Option(None, "--fail-on", help="info|low|medium|high (default: config, else high)."),
    baseline: Optional[Path] = typer.Option(None, "--baseline", help="Accepted findings (YAML)."),
    db: DbOption = None,
    out: OutOption = DEFAULT_OUT,
    from_history: bool = typer.Option(False, "--from-history", help="Judge the latest stored scans, do not scan."),
    jobs: int = typer.Option(3, "--jobs", min=1, max=5, help="Phases at once per site, in one browser (1: one after another)."),
    workers: Optional[int] = typer.Option(None, "--workers", min=1,
                                          help="Every (site, phase) a unit; at most N browsers at once."),
    broker: Optional[str] = typer.Option(None, "--broker", envvar="COOKIESCAN_BROKER",
                                         help="redis://HOST:PORT/0: units run on `cookiescan worker` processes."),
    unit_timeout: float = typer.Option(600.0, "--unit-timeout", min=10, help="Seconds one unit may take (--broker)."),
    timeout: float = typer.Option(20.0, "--timeout", help="Seconds before a page load is marked failed."),
    shard_spec: Optional[str] = typer.Option(None, "--shard", help="i/n: scan only the i-th of n shards of the sites."),
    no_gate: bool = typer.Option(False, "--no-gate", help="Only write scan files (no history, reports or gate)."),
    as_json: bool = JsonOpt,
    quiet: bool = QuietOpt,
    verbose: bool = VerboseOpt,
    dwell: float = typer.Option(5.0, "--dwell", min=0.0, max=60.0,
                                help="Cap (s) on waiting after load for timers the page scheduled while loading."),
    resolver_rules: ResolverOption = None,
    insecure: InsecureOption = False,
    synthetic: SyntheticOption = False,
) -> None:
    """Nightly gate: scan every configured site; exit 1 on findings at or above --fail-on."""
    from scanner.commands.scale import scanning, write_scan_files
    from scanner.distributed.sites import shard
    from scanner.history.baseline import Baseline, load_baseline
    from scanner.history.gate import check_severity, run_gate, summary_markdown

    project: ProjectConfig = load_config(config or DEFAULT_CONFIG)
    project = dataclasses.replace(project, sites=shard(project.sites, shard_spec))
    severity = check_severity(fail_on or project.fail_on)
    baseline_path = baseline or (Path(project.baseline) if project.baseline else None)
    accepted = load_baseline(baseline_path) if baseline_path else Baseline()
    if broker:
        from scanner.distributed.celery_app import check_broker
        check_broker(broker)  # before anything is written: no half night
    console = terminal_console()
    errors = terminal_console(stderr=True, soft_wrap=True, highlight=False)
    verbosity = Verbosity(quiet, verbose)
    options = _scan_options(out, resolver_rules, insecure, synthetic, jobs, timeout, dwell)
    simple = _scanner(out, resolver_rules, insecure, synthetic, errors, jobs, verbosity, options=options)
    if no_gate:
        with scanning(project.sites, simple, options, workers=workers, broker=broker, unit_timeout=unit_timeout,
                      console=errors) as scan:
            failed = write_scan_files(project.sites, scan, out, console)
        raise typer.Exit(1 if failed else 0)
    # The history is opened (an unreachable database is exit 2) before anything is scanned or written.
    with contextlib.ExitStack() as stack:
        store = stack.enter_context(_store(db or project.history))
        if from_history:
            def scan(site: SiteConfig):
                records = store.scans(site.name, limit=1)
                if not records:
                    raise UserError(f"{store.path}: no stored scan of {site.name} (--from-history)")
                return store.load_scan(records[0].id)
        else:
            store.check()  # a damaged or locked database is found before any site is scanned
            scan = stack.enter_context(scanning(project.sites, simple, options, workers=workers, broker=broker,
                                                unit_timeout=unit_timeout, console=errors))
        result = run_gate(project, scan=scan, store=store, baseline=accepted, fail_on=severity, out_dir=out,
                          today=date.today(),
                          progress=(lambda m: None) if quiet else (lambda m: errors.print(m, markup=False)))
    summary = summary_markdown(result)
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if step_summary:
        with open(step_summary, "a", encoding="utf-8") as fh:
            fh.write(summary)
    if as_json:
        _json_out({"fail_on": result.fail_on, "failed": result.failed,
                   "sites": [{"site": s.site, "scan_id": s.scan_id, "synthetic": s.synthetic, "reports": s.reports,
                              "suppressed": s.suppressed, "failing": [f.fingerprint for f in s.failing(result.fail_on)],
                              "findings": [dataclasses.asdict(f) for f in s.kept]} for s in result.sites],
                   "expired_entries": [dataclasses.asdict(f) for f in result.expired_entries]})
    else:
        console.print(summary, markup=False, highlight=False, soft_wrap=True)
    if result.failed:
        failing = [(s.site, f) for s in result.sites for f in s.failing(result.fail_on)]
        sites = sorted({site for site, _ in failing})
        errors.print(f"gate failed (--fail-on {result.fail_on}): {len(failing)} finding(s) at or above "
                     f"{result.fail_on} in {', '.join(sites) or 'the baseline'}"
                     + (f", {len(result.expired_entries)} expired baseline entr(ies)" if result.expired_entries else ""),
                     markup=False)
        raise typer.Exit(1)
