"""Terminal report: readable at 80 columns, in a terminal and in a CI log.

Names, ids and URLs are never cut: table cells fold onto the next line instead
of ending in "…", and messages go on their own line under the finding they
belong to. Every value a page controls goes in as `rich.text.Text` (never as
markup), with control characters made visible, so a cookie named `[red]x` or
holding an escape sequence cannot restyle or take over the terminal.
"""
from __future__ import annotations

import io

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from scanner.common.durations import format_duration
from scanner.report.model import ReportModel, printable

SEVERITY_STYLES = {"high": "bold white on red", "medium": "bold dark_orange", "low": "yellow", "info": "dim"}
VERDICT_STYLES = {"passed": "bold green", "failed": "bold red", "scan_failed": "bold white on red"}


def t(value, style: str = "") -> Text:
    return Text(printable(value), style=style)


def table(title: str, columns: tuple[str, ...]) -> Table:
    """A compact table whose cells fold (never truncate) when the terminal is narrow."""
    out = Table(title=printable(title), title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1), expand=False)
    for column in columns:
        out.add_column(column, overflow="fold", min_width=16 if column == "value hash" else None)
    return out


def _verdict(model: ReportModel) -> list:
    v = model.verdict
    lines = [t(v.headline, VERDICT_STYLES.get(v.status, "bold"))]
    lines += [t(f"  - {reason}") for reason in v.reasons]
    lines.append(t("  " + ", ".join(f"{n} {s}" for s, n in model.severity_counts) + f" (total {model.total_findings})"))
    return lines


def _findings(model: ReportModel) -> list:
    """Findings by vendor: one line per subject with its labels, each message on its own line below."""
    out: list = [t(f"Findings by vendor ({model.total_findings})", "bold underline")]
    for g in model.groups:
        flagged = [r for r in g.rows if r.findings]
        if not flagged:
            continue
        annex = {True: " (in annex)", False: " (NOT in annex)", None: ""}[g.in_annex]
        out.append(t(f"{g.vendor}{annex}", "bold"))
        for r in flagged:
            head = Text("  ")
            head.append(printable(r.subject), style="bold")
            head.append(f"  {r.what}: ")
            for i, label in enumerate(r.labels):
                head.append(("" if i == 0 else ", ") + label.text, style=SEVERITY_STYLES.get(label.severity, ""))
            out.append(head)
            for f in r.findings:
                out.append(Text.assemble("    ", (f"{f.severity:<6}", SEVERITY_STYLES.get(f.severity, "")), " ",
                                         printable(f.message)))
                out.append(t(f"           fingerprint {f.fingerprint}", "dim"))
    for f in model.health:
        out.append(Text.assemble(("scan ", "bold"), (f"{f.severity:<6}", SEVERITY_STYLES.get(f.severity, "")), " ",
                                 printable(f.message)))
    return out


def renderables(model: ReportModel) -> list:
    out: list = [t(f"cookiescan report: {model.site}", "bold")]
    if model.synthetic:
        out.append(Panel(t(f"⚠ {model.notice}", "bold yellow"), border_style="yellow"))
    out.append(t(f"{model.start_url}  {model.started_at}  {model.browser}", "dim"))
    if model.declared_present and model.declared_status:
        out.append(t(f"declared side: {model.declared_status}"))
    if not model.declared_present:
        out.append(t("no declared data found" + (f" ({model.declared_note})" if model.declared_note else "")
                     + ": nothing was compared with a cookie policy", "bold red"))
    out += _verdict(model)

    consent = table("Consent and login per phase", ("phase", "result", "platform", "pages ok/failed", "login"))
    for p in model.phases:
        login = "" if p.login is None else ("logged in" if p.login.logged_in else "NOT logged in")
        consent.add_row(t(p.phase), t(p.consent.status, "bold red" if p.consent_warning else ""),
                        t(p.consent.platform or ""), t(f"{p.pages_ok}/{p.pages_failed}"), t(login))
    out.append(consent)
    out += [t(f"⚠ {p.consent_warning}", "bold red") for p in model.phases if p.consent_warning]
    out += [t(f"⚠ {p.phase}: NOT logged in: {p.login.reason}", "bold red")
            for p in model.phases if p.login is not None and not p.login.logged_in]
    out += [t(f"⚠ {p.phase}: phase failed: {p.error}", "bold red") for p in model.phases if p.error]
    out += _findings(model)

    for p in model.phases:
        columns = ("name", "domain", "lifetime", "category", "declared as") + (("value hash",) if model.show_values else ())
        inventory = table(f"Inventory: {p.phase} ({len(p.inventory)})", columns)
        for r in p.inventory:
            cells = [t(r.name), t(r.domain), t(format_duration(r.requested_lifetime_s, r.session)), t(r.category),
                     t(r.declared_name or "undeclared", "" if r.declared_name else "bold red")]
            if model.show_values:
                cells.append(t(r.value_hash or ""))
            inventory.add_row(*cells)
        out.append(inventory)

    vendors = table(f"Third parties by vendor ({len(model.third_parties)})", ("vendor", "hosts", "requests", "in annex"))
    annex = {True: "yes", False: "NO", None: ""}
    for v in model.third_parties:
        vendors.add_row(t(v.vendor), t(", ".join(v.hosts)), t(v.requests), t(annex[v.in_annex]))
    out.append(vendors)

    if model.pixel_events:
        events = table(f"Pixel events ({len(model.pixel_events)})",
                       ("phase", "pixel", "id", "event", "page named", "on page"))
        for e in model.pixel_events:
            events.add_row(t(e.phase), t(e.vendor), t(e.pixel_id), t(e.event), t(e.page), t(e.page_url))
        out.append(events)

    if model.failed_pages:
        out.append(t(f"Failed pages ({len(model.failed_pages)})", "bold underline"))
        for fp in model.failed_pages:
            out += [t(f"  {fp.phase}: {fp.url}"), t(f"    {fp.error}")]
    return out


def render(model: ReportModel, width: int = 100) -> str:
    """Plain text (no colours): what `--format terminal --out FILE` writes."""
    console = Console(file=io.StringIO(), width=width, color_system=None, force_terminal=False,
                      highlight=False, emoji=False)
    console.print(Group(*renderables(model)))
    return console.file.getvalue()
