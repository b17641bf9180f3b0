"""Terminal report: rich tables (summary, consent, findings, inventory, third parties).

Every value a page controls goes in as `rich.text.Text` (never as markup), with
control characters made visible, so a cookie named `[red]x` or holding an
escape sequence cannot restyle or take over the terminal.
"""
from __future__ import annotations

import io

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from scanner.common.durations import format_duration
from scanner.report.model import ReportModel, printable

SEVERITY_STYLES = {"high": "bold white on red", "medium": "bold dark_orange", "low": "yellow", "info": "dim"}


def t(value, style: str = "") -> Text:
    return Text(printable(value), style=style)


def renderables(model: ReportModel) -> list:
    out: list = [t(f"cookiescan report: {model.site}", "bold")]
    if model.synthetic:
        out.append(Panel(t(f"⚠ {model.notice}", "bold yellow"), border_style="yellow"))
    out.append(t(f"{model.start_url} — {model.started_at} — {model.browser}", "dim"))

    summary = Table(title="Summary")
    for severity, _ in model.severity_counts:
        summary.add_column(severity, justify="right")
    summary.add_row(*[t(n, SEVERITY_STYLES.get(s, "") if n else "") for s, n in model.severity_counts])
    out.append(summary)

    consent = Table(title="Consent and login per phase")
    for column in ("phase", "action", "platform", "status", "reason", "login", "pages"):
        consent.add_column(column)
    for p in model.phases:
        login = "" if p.login is None else ("logged in" if p.login.logged_in else f"NOT logged in: {p.login.reason}")
        consent.add_row(t(p.phase), t(p.consent.action), t(p.consent.platform or ""),
                        t(p.consent.status, "bold red" if p.consent_warning else ""), t(p.consent.reason), t(login),
                        t(f"{p.pages_ok} ok / {p.pages_failed} failed" + (f" — {p.error}" if p.error else "")))
    out.append(consent)
    out += [t(f"⚠ {p.consent_warning}", "bold red") for p in model.phases if p.consent_warning]

    findings = Table(title=f"Findings ({model.total_findings})")
    for column in ("severity", "kind", "subject", "phase", "page", "message"):
        findings.add_column(column)
    for f in model.findings:
        findings.add_row(t(f.severity, SEVERITY_STYLES.get(f.severity, "")), t(f.kind), t(f.subject),
                         t(f.phase or ""), t(f.page_url or ""), t(f.message))
    out.append(findings)

    for p in model.phases:
        inventory = Table(title=f"Inventory: {printable(p.phase)} ({len(p.inventory)})")
        columns = ["kind", "name", "domain", "party", "requested", "stored", "declared retention", "category", "declared as"]
        if model.show_values:
            columns.append("value hash")
        for column in columns:
            inventory.add_column(column)
        for r in p.inventory:
            cells = [t(r.kind), t(r.name), t(r.domain), t(r.party),
                     t(format_duration(r.requested_lifetime_s, r.session)),
                     t(format_duration(r.stored_lifetime_s, r.session)), t(r.declared_retention or ""),
                     t(f"{r.category} ({r.classification_source})"),
                     t(r.declared_name or "undeclared", "" if r.declared_name else "bold red")]
            if model.show_values:
                cells.append(t(r.value_hash or ""))
            inventory.add_row(*cells)
        out.append(inventory)

    vendors = Table(title=f"Third parties by vendor ({len(model.third_parties)})")
    for column in ("vendor", "hosts", "phases", "requests", "cookies", "in annex"):
        vendors.add_column(column)
    annex = {True: "yes", False: "NO", None: ""}
    for v in model.third_parties:
        vendors.add_row(t(v.vendor), t(", ".join(v.hosts)), t(", ".join(v.phases)), t(v.requests),
                        t(", ".join(v.cookies)), t(annex[v.in_annex]))
    out.append(vendors)

    if model.pixel_events:
        events = Table(title=f"Pixel events ({len(model.pixel_events)})")
        for column in ("phase", "pixel", "id", "event", "page named", "on page"):
            events.add_column(column)
        for e in model.pixel_events:
            events.add_row(t(e.phase), t(e.vendor), t(e.pixel_id), t(e.event), t(e.page), t(e.page_url))
        out.append(events)

    if model.failed_pages:
        failed = Table(title=f"Failed pages ({len(model.failed_pages)})")
        for column in ("phase", "url", "error"):
            failed.add_column(column)
        for fp in model.failed_pages:
            failed.add_row(t(fp.phase), t(fp.url), t(fp.error))
        out.append(failed)
    return out


def render(model: ReportModel, width: int = 160) -> str:
    """Plain text (no colours): what `--format terminal --out FILE` writes."""
    console = Console(file=io.StringIO(), width=width, color_system=None, force_terminal=False,
                      highlight=False, emoji=False)
    for item in renderables(model):
        console.print(item)
    return console.file.getvalue()
