"""CLI commands: report (render a scan file as html, json, csv, md, sarif, junit or terminal)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from scanner.commands.options import ConfigOption, configured_site
from scanner.errors import UserError
from scanner.models import SEVERITIES, ScanResult

EXIT_FINDINGS = 1


def register(app: typer.Typer) -> None:
    app.command("report")(report)


def report(
    scan_json: Path = typer.Argument(..., help="Scan file written by `cookiescan scan` (scan.json)."),
    fmt: str = typer.Option("html", "--format", "-f",
                            help="html | json | csv | md | sarif | junit | terminal"),
    declared: Optional[Path] = typer.Option(None, "--declared", help="Declared-side directory "
                                            "(default: the one found for the scan's site)."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output file (default: report.<ext> "
                                       "beside the scan file; terminal prints)."),
    show_values: bool = typer.Option(False, "--show-values", help="Add the value-hash column "
                                     "(scans never keep raw values)."),
    fail_on: Optional[str] = typer.Option(None, "--fail-on", help="Exit 1 when a finding is at or above "
                                          "this severity: " + " | ".join(SEVERITIES)),
    config: ConfigOption = None,
) -> None:
    """Render the report of a scan file: findings, inventory per phase, third parties."""
    from scanner.report import FORMATS, build_report, extension, render, terminal
    from scanner.report.model import at_or_above
    from scanner.scanfile import load_scan

    if fmt not in FORMATS:
        raise UserError(f"--format {fmt!r}: choose from {', '.join(FORMATS)}")
    if fail_on is not None and fail_on not in SEVERITIES:
        raise UserError(f"--fail-on {fail_on!r}: choose from {', '.join(SEVERITIES)}")
    scan = load_scan(scan_json)
    judgement = judge_scan_file(scan, declared, config)
    model = build_report(scan, judgement, scan_dir=scan_json.parent, show_values=show_values, fail_on=fail_on)
    if fmt == "terminal" and out is None:
        console = Console()
        for item in terminal.renderables(model):
            console.print(item)
    else:
        target = out or scan_json.parent / f"report.{extension(fmt)}"
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(render(fmt, model), encoding="utf-8")
        except OSError as exc:
            raise UserError(f"{target}: cannot write report ({exc.strerror})") from None
        Console(stderr=True).print(f"{fmt} report: {target} ({len(judgement.findings)} findings)", highlight=False,
                                   markup=False, soft_wrap=True)
    if fail_on and any(at_or_above(f.severity, fail_on) for f in judgement.findings):
        raise typer.Exit(EXIT_FINDINGS)


def judge_scan_file(scan: ScanResult, declared_dir: Path | None, config: Path | None):
    """The judgement `check` would make: the site's config ([site.classify]) and declared side,
    `--declared DIR` replacing the latter."""
    from scanner.declared import load_declared
    from scanner.history.gate import declared_for
    from scanner.judge import judge

    site, config_dir = configured_site(scan.site, config)
    if declared_dir is not None:
        if not declared_dir.is_dir():
            raise UserError(f"--declared {declared_dir}: no such directory")
        declared = load_declared(declared_dir)
    else:
        declared = declared_for(site, config_dir)
    return judge(scan, declared, site)
