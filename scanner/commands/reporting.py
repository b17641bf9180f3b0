"""CLI commands: report (render a scan file as html, json, csv, md, sarif, junit or terminal)."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from scanner.commands.options import DEFAULT_DB, ConfigOption, configured_site
from scanner.errors import UserError
from scanner.models import SEVERITIES, ScanResult
from scanner.common.terminal import console as terminal_console, safe_markup as escape

EXIT_FINDINGS = 1


def register(app: typer.Typer) -> None:
    app.command("report")(report)


def report(
    scan_json: Path = typer.Argument(..., help="Scan file written by `cookiescan scan` (scan.json)."),
    fmt: str = typer.Option("html", "--format", "-f",
                            help="html | json | csv | md | sarif | junit | terminal"),
    declared: Optional[Path] = typer.Option(None, "--declared", help="Declared-side directory "
                                            "(default: the one found for the scan's site)."),
    out: Optional[str] = typer.Option(None, "--out", "-o", help="Output file, or - for stdout (default: "
                                      "report.<ext> beside the scan file; terminal prints)."),
    show_values: bool = typer.Option(False, "--show-values", help="Add the value-hash column "
                                     "(scans never keep raw values)."),
    fail_on: Optional[str] = typer.Option(None, "--fail-on", help="Exit 1 when a finding is at or above "
                                          "this severity: " + " | ".join(SEVERITIES)),
    config: ConfigOption = None,
    db: Path = typer.Option(DEFAULT_DB, "--db", help="History database, for the trend over the last scans "
                            "(skipped when the file is absent)."),
) -> None:
    """Render the report of a scan file: verdict, findings by vendor, inventory per phase, third parties."""
    from scanner.report import FORMATS, build_report, extension, render, terminal
    from scanner.scanfile import load_scan

    if fmt not in FORMATS:
        raise UserError(f"--format {fmt!r}: choose from {', '.join(FORMATS)}")
    if fail_on is not None and fail_on not in SEVERITIES:
        raise UserError(f"--fail-on {fail_on!r}: choose from {', '.join(SEVERITIES)}")
    scan = load_scan(scan_json)
    errors = terminal_console(stderr=True, soft_wrap=True, highlight=False)
    site, config_dir = configured_site(scan.site, config)
    judgement, where = judge_scan_file(scan, declared, site, config_dir)
    note = None
    if judgement.declared is None:
        note = f"looked in {where}"
        say_no_declared(errors, scan.site, note)
    model = build_report(scan, judgement, scan_dir=scan_json.parent, show_values=show_values, fail_on=fail_on,
                         history=_history(db, scan.site), site_ref=site.source, declared_note=note)
    if fmt == "terminal" and out is None:
        console = terminal_console()
        for item in terminal.renderables(model):
            console.print(item)
    elif out == "-":
        sys.stdout.write(render(fmt, model))
    else:
        target = Path(out) if out else scan_json.parent / f"report.{extension(fmt)}"
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(render(fmt, model), encoding="utf-8")
        except OSError as exc:
            raise UserError(f"{target}: cannot write report ({exc.strerror})") from None
        errors.print(f"{fmt} report: {target} ({len(judgement.findings)} findings)", markup=False)
    exit_on_findings(errors, judgement.findings, fail_on)


def say_no_declared(console: Console, site: str, where: str) -> None:
    """Said loudly: without declared data every cookie reads as undeclared and every vendor as missing."""
    console.print(f"[bold yellow]warning:[/bold yellow] no declared data found for {escape(site)} ({escape(where)}): "
                  "every cookie is reported as undeclared and every third party as missing from an annex; "
                  "give --declared DIR or run `cookiescan declared import`")


def exit_on_findings(console: Console, findings, fail_on: str | None) -> None:
    """Exit 1, saying why, when a finding is at or above `fail_on`."""
    from scanner.judge.rules import REVIEW_KINDS
    from scanner.report.model import at_or_above

    if not fail_on:
        return
    # Review items (unknown category before consent) never fail, as in the gate.
    failing = [f for f in findings if at_or_above(f.severity, fail_on) and f.kind not in REVIEW_KINDS]
    if failing:
        kinds = sorted({f.kind for f in failing})
        console.print(f"failing (--fail-on {fail_on}): {len(failing)} finding(s) at or above {fail_on} "
                      f"({', '.join(kinds)})", markup=False)
        raise typer.Exit(EXIT_FINDINGS)


def _history(db: Path, site: str):
    if not db.is_file():
        return ()
    from scanner.history.store import SQLiteStore
    with SQLiteStore(db) as store:
        return store.scans(site, limit=12)


def declared_location(site, config_dir: Path) -> Path:
    """Where the declared data of a configured site is looked for (as `declared_for` does)."""
    return config_dir / site.declared if site.declared else config_dir / "declared" / site.name


def judge_scan_file(scan: ScanResult, declared_dir: Path | None, site, config_dir: Path):
    """The judgement `check` would make: the site's config ([site.classify]) and declared side,
    `--declared DIR` replacing the latter; with where the declared side was looked for."""
    from scanner.declared import load_declared
    from scanner.history.gate import declared_for
    from scanner.judge import judge

    if declared_dir is not None:
        if not declared_dir.is_dir():
            raise UserError(f"--declared {declared_dir}: no such directory")
        return judge(scan, load_declared(declared_dir), site), declared_dir
    return judge(scan, declared_for(site, config_dir), site), declared_location(site, config_dir)
