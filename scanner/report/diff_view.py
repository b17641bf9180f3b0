"""Terminal tables for `cookiescan diff` and `cookiescan history` (rich).

Markers: `+` undeclared, `>` over-long (or over the legal cap), `!` before
consent / after refusal, `-` declared but never observed (stale). Every text a
page controls goes through rich's escape so a cookie name cannot style output.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich import box
from rich.table import Table

from scanner.common.durations import format_duration
from scanner.common.terminal import safe_markup as escape
from scanner.history.changes import ScanChanges
from scanner.history.store import ScanRecord
from scanner.judge import Judgement
from scanner.models import Finding, ScanResult, phase_rank

MARKS = {
    "undeclared_cookie": "+", "over_long_cookie": ">", "over_legal_cap": ">", "before_consent": "!",
    "after_refusal": "!", "stale_declaration": "-", "unclassified_before_consent": "?",
    "unclassified_after_refusal": "?",
}
MARK_ORDER = "+>!?-"


@dataclass(frozen=True)
class DiffRow:
    marks: str
    what: str  # "cookie" | "storage" | "request" | "declared"
    name: str
    phases: str
    lifetime: str
    category: str
    declared: str


def diff_rows(scan: ScanResult, judgement: Judgement) -> list[DiffRow]:
    """Observed vs declared, one row per cookie (and per flagged storage key or host)."""
    marks: dict[str, set[str]] = {}
    for f in judgement.findings:
        if f.kind in MARKS:
            marks.setdefault(f.subject, set()).add(MARKS[f.kind])
    cookies: dict[str, list] = {}
    storage: dict[str, list] = {}
    for seen in judgement.inventory:
        (cookies if seen.kind == "cookie" else storage).setdefault(seen.name, []).append(seen)
    rows = []
    for name, seen in sorted(cookies.items()):
        first, lifetimes = seen[0], [o.observation.requested_lifetime_s for o in seen]
        longest = max((t for t in lifetimes if t is not None), default=None)
        declared = f"{first.declared.name} ({first.declared.retention.text})" if first.declared else ""
        rows.append(DiffRow(_marks(marks.get(name)), "cookie", name, _phases(o.observation.phase for o in seen),
                            format_duration(longest), first.category, declared))
    for name, seen in sorted(storage.items()):
        if name in marks:
            rows.append(DiffRow(_marks(marks[name]), "storage", name, _phases(o.observation.phase for o in seen),
                                "", seen[0].category, ""))
    hosts: dict[str, set[str]] = {}
    for phase in scan.phases:
        for r in phase.requests:
            hosts.setdefault(r.host, set()).add(r.phase)
    for host, phases in sorted(hosts.items()):
        if host in marks:
            rows.append(DiffRow(_marks(marks[host]), "request", host, _phases(phases), "", "", ""))
    for d in judgement.stale:
        rows.append(DiffRow("-", "declared", d.name, "never observed", "", d.category, d.source))
    return rows


def _phases(phases) -> str:
    return ", ".join(sorted(set(phases), key=phase_rank))


def _marks(found: set[str] | None) -> str:
    return "".join(m for m in MARK_ORDER if found and m in found) or " "


def diff_table(rows: list[DiffRow]) -> Table:
    table = Table()
    for col in ("", "kind", "name", "phases", "requested", "category", "declared as"):
        table.add_column(col)
    for r in rows:
        style = "red" if "!" in r.marks else "yellow" if r.marks.strip() else None
        table.add_row(escape(r.marks), r.what, escape(r.name), r.phases, r.lifetime, r.category, escape(r.declared),
                      style=style)
    return table


def other_findings_table(findings: list[Finding]) -> Table | None:
    """Findings the observed-vs-declared table has no row for (consent, login, third parties, pages)."""
    rest = [f for f in findings if f.kind not in MARKS]
    if not rest:
        return None
    table = Table(title="Other findings", title_justify="left")
    for col in ("severity", "kind", "subject", "message"):
        table.add_column(col)
    for f in rest:
        table.add_row(f.severity, f.kind, escape(f.subject), escape(f.message),
                      style="bold red" if f.kind == "consent_not_verified" else None)
    return table


def changes_table(changes: ScanChanges) -> Table:
    table = Table()
    for col in ("", "change", "subject", "detail"):
        table.add_column(col)
    for c in changes.new_cookies:
        table.add_row("+", "new cookie", escape(c.name), escape(f"{c.host}; {', '.join(c.phases)}; {format_duration(c.lifetime_s)}"))
    for c in changes.removed_cookies:
        table.add_row("-", "removed cookie", escape(c.name), escape(f"{c.host}; {', '.join(c.phases)}"))
    for c in changes.lifetime_changes:
        table.add_row(">", "lifetime changed", escape(c.name), escape(f"{c.host}; {format_duration(c.before_s)} -> {format_duration(c.after_s)}"))
    for c in changes.phase_changes:
        table.add_row("!", "phases changed", escape(c.name),
                      escape(f"{c.host}; {', '.join(c.before)} -> {', '.join(c.after)}"))
    for host in changes.new_third_parties:
        table.add_row("+", "new third party", escape(host), "")
    for host in changes.removed_third_parties:
        table.add_row("-", "removed third party", escape(host), "")
    for f in changes.new_findings:
        table.add_row("+", f"new finding ({f.severity})", escape(f.subject), escape(f"{f.kind}: {f.message}"))
    for f in changes.resolved_findings:
        table.add_row("-", "resolved finding", escape(f.subject), escape(f.kind))
    return table


def history_table(site: str, records: list[ScanRecord]) -> Table:
    """Fits 80 columns (a CI log) with every column whole: short headers, a footnote for synthetic scans."""
    table = Table(title=escape(f"History of {site}"), title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1),
                  show_edge=False, pad_edge=False)
    for col in ("id", "started (UTC)", "took", "cookies", "3p req", "high", "medium", "low", "info"):
        table.add_column(col, no_wrap=True, justify="left" if col == "started (UTC)" else "right")
    synthetic = False
    for r in records:
        by = r.findings_by_severity
        synthetic |= r.synthetic
        table.add_row(str(r.id) + ("*" if r.synthetic else ""), r.started_at.replace("T", " ")[:16],
                      _took(r.started_at, r.finished_at), str(r.n_cookies), str(r.n_requests),
                      str(by.get("high", 0)), str(by.get("medium", 0)), str(by.get("low", 0)), str(by.get("info", 0)))
    if synthetic:
        table.caption = "* synthetic replica, not a measurement of the real site"
        table.caption_justify = "left"
    return table


def _took(started: str, finished: str) -> str:
    try:
        seconds = (datetime.fromisoformat(finished.replace("Z", "+00:00"))
                   - datetime.fromisoformat(started.replace("Z", "+00:00"))).total_seconds()
    except ValueError:
        return ""
    return format_duration(seconds)
