"""CLI commands: declared import / show / validate / compare / draft."""
from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import typer
from rich.table import Table

from scanner.errors import UserError
from scanner.common.terminal import console as terminal_console, safe_markup as escape

EXIT_ERRORS = 1
DEFAULT_ROOT = Path("declared")


def register(app: typer.Typer) -> None:
    declared = typer.Typer(help="What a site declares: cookie table, subprocessors (declared/<site>/).",
                           no_args_is_help=True)
    app.add_typer(declared, name="declared")
    declared.command("draft")(draft_command)
    declared.command("import")(import_)
    declared.command("show")(show)
    declared.command("validate")(validate_)
    declared.command("compare")(compare)


def import_(document: Path = typer.Argument(..., help="Policy document: text, Markdown or HTML."),
            site: str = typer.Option(..., "--site", help="Site the document belongs to (folder name)."),
            out: Path = typer.Option(DEFAULT_ROOT, "--out", help="Root of the declared data.")) -> None:
    """Import a cookie policy / privacy policy into declared/<site>/."""
    from scanner.declared import import_report, write_declared
    report = import_report(document, site)
    write_declared(report.site, out / site)
    console = terminal_console(soft_wrap=True)
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(warning)}", highlight=False)
    console.print(f"{escape(report.summary)} → {escape(str(out / site))}", highlight=False)


def show(site: str = typer.Argument(..., help="Site name (its folder under --root)."),
         root: Path = typer.Option(DEFAULT_ROOT, "--root", help="Root of the declared data."),
         as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """Show a site's declared cookies and subprocessors."""
    from scanner.declared import find_declared
    declared = find_declared(site, root)
    if declared is None:
        raise UserError(f"{root / site}: no declared data for {site} (run `cookiescan declared import`)")
    if as_json:
        typer.echo(json.dumps(asdict(declared), ensure_ascii=False, indent=2))
        return
    _print_site(declared)


def validate_(directory: Path = typer.Argument(DEFAULT_ROOT, help="declared/ or one site folder.")) -> None:
    """Check every declared file; exit 1 on errors (warnings are printed)."""
    from scanner.declared import validate
    problems = validate(directory)
    console = terminal_console(soft_wrap=True)
    for problem in problems:
        colour = "red" if problem.severity == "error" else "yellow"
        console.print(f"{escape(problem.file)}:{problem.line}: [{colour}]{problem.severity}[/{colour}]: "
                      f"{escape(problem.message)}", highlight=False)
    errors = sum(p.severity == "error" for p in problems)
    console.print(f"{errors} errors, {len(problems) - errors} warnings in {escape(str(directory))}",
                  highlight=False)
    if errors:
        raise typer.Exit(EXIT_ERRORS)


def compare(site_a: str = typer.Argument(..., help="First site (folder under --root)."),
            site_b: str = typer.Argument(..., help="Second site."),
            root: Path = typer.Option(DEFAULT_ROOT, "--root", help="Root of the declared data.")) -> None:
    """Where two sites' subprocessor lists differ (vendors matched across languages)."""
    from scanner.declared import compare_subprocessors, find_declared
    a, b = find_declared(site_a, root), find_declared(site_b, root)
    for name, found in ((site_a, a), (site_b, b)):
        if found is None:
            raise UserError(f"{root / name}: no declared data for {name}")
    differences = compare_subprocessors(a, b)
    console = terminal_console(soft_wrap=True)
    for difference in differences:
        console.print(escape(str(difference)), highlight=False)
    matched = len(a.subprocessors) - sum(d.kind == "only_in_a" for d in differences)
    console.print(f"{len(a.subprocessors)} subprocessors in {site_a}, {len(b.subprocessors)} in {site_b}, "
                  f"{matched} matched, {len(differences)} differences", highlight=False)


def draft_command(
    site: str = typer.Argument(..., help="site the scan is of"),
    from_scan: Path = typer.Option(..., "--from-scan", help="scan file (JSON) to draft from"),
    out: Path = typer.Option(None, "--out", help="folder to write (default: drafts/<site>)"),
    force: bool = typer.Option(False, "--force", help="overwrite a draft already there"),
) -> None:
    """Write a draft declared folder from what a scan observed (every row marked draft).

    Drafts go to drafts/<site>, not declared/<site>: the judge reads declared/ as
    what the site says, and a draft is only what we saw until a person reviews it.
    """
    from scanner.collect.consent.rules import consent_cookie_patterns
    from scanner.declared.draft import draft_declared
    from scanner.knowledge.cookies import load_knowledge_base
    from scanner.scanfile import load_scan

    scan = load_scan(from_scan)
    if site not in (scan.site, scan.registrable_domain):
        raise UserError(f"{from_scan}: the scan is of {scan.site}, not {site}")
    out = out if out is not None else Path("drafts") / site
    if (out / "cookies.yaml").exists() and not force:
        raise UserError(f"{out}: a draft is already there (use --force to overwrite)")
    drafted = draft_declared(scan, load_knowledge_base(), consent_patterns=consent_cookie_patterns())
    _write_checked(drafted, out)
    terminal_console(highlight=False).print(escape(
        f"wrote a draft of {len(drafted.cookies)} rows to {out}/: review every row, "
        f"then move what is true into declared/{site}/"))


def _write_checked(drafted, out: Path) -> None:
    """Write the draft beside `out`, check it as `declared validate` would, and only then put it in place."""
    import shutil
    import tempfile

    from scanner.declared import read_site, write_declared

    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".draft-") as tmp:
        staged = Path(tmp) / drafted.site  # validate wants the folder named as the site
        write_declared(drafted, staged)
        errors = [p for p in read_site(staged)[1] if p.severity == "error"]
        if errors:
            raise UserError(f"{out}: the draft would not validate ({errors[0].message}); nothing written")
        out.mkdir(parents=True, exist_ok=True)
        for file in staged.iterdir():
            shutil.copy2(file, out / file.name)


def _print_site(declared) -> None:
    console = terminal_console(soft_wrap=True)
    console.print(f"[bold]{escape(declared.site)}[/bold]: cookie_table {declared.cookie_table}, "
                  f"{len(declared.cookies)} cookies, {len(declared.subprocessors)} subprocessors", highlight=False)
    if declared.notes:
        console.print(escape(declared.notes), highlight=False)
    if declared.cookies:
        table = Table()
        # Names and retentions are what people look for: never wrapped.
        for column in ("name", "retention", "vendor", "category", "source", "draft"):
            table.add_column(column, no_wrap=column in ("name", "retention"))
        for c in declared.cookies:
            table.add_row(escape(c.name), escape(_describe(c.retention)), escape(c.vendor), c.category,
                          escape(c.source), "yes" if c.draft else "")
        console.print(table)
    if declared.subprocessors:
        table = Table("name", "country", "group", "category", "source")
        for s in declared.subprocessors:
            table.add_row(escape(s.name), escape(s.country), escape(s.group), escape(s.category), escape(s.source))
        console.print(table)


def _describe(retention) -> str:
    from scanner.declared.retention import describe  # here: scanner.declared loads pandas, `--help` must not
    return describe(retention)
