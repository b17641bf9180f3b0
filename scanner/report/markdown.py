"""Markdown report: the job summary of a CI run, and a report to paste into an issue.

Everything a page controls goes through `md`: HTML special characters become
entities (no raw HTML reaches a Markdown renderer) and Markdown punctuation is
backslash-escaped (pipes cannot break a table, backticks cannot open code).
"""
from __future__ import annotations

from scanner.common.durations import format_duration
from scanner.report.model import ReportModel, printable

MD_PUNCTUATION = "\\`*_[]|~#!$"


def md(value) -> str:
    text = printable(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "".join("\\" + ch if ch in MD_PUNCTUATION else ch for ch in text)


def table(headers: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(md(cell) for cell in row) + " |" for row in rows]
    return lines


def render(model: ReportModel) -> str:
    out: list[str] = [f"# cookiescan report: {md(model.site)}", ""]
    if model.synthetic:
        out += [f"> **⚠ {md(model.notice)}**", ""]
    out += [f"Start URL: {md(model.start_url)}  ",
            f"Scanned: {md(model.started_at)} → {md(model.finished_at)} with {md(model.browser)}, "
            f"cookiescan {md(model.tool_version)}  ",
            f"Declared side: {_declared(model)}", ""]
    out += _verdict(model)
    out += _consent(model)
    out += _fixes(model)
    out += _groups(model)
    out += ["## What passed", ""]
    out += [f"- ✓ {md(line)}" for line in model.passed] or ["Nothing can be said to have passed."]
    out += ["", f"## Findings ({model.total_findings})", ""]
    if model.findings:
        out += table(["severity", "kind", "subject", "phase", "page", "message", "declared", "fingerprint"],
                     [[f.severity, f.kind, f.subject, f.phase or "", f.page_url or "", f.message, f.declared_ref or "",
                       f.fingerprint] for f in model.findings])
    else:
        out += ["No findings."]
    out += [""]
    out += _inventory(model)
    out += _third_parties(model)
    if model.pixel_events:
        out += [f"## Pixel events ({len(model.pixel_events)})", ""]
        out += table(["phase", "pixel", "id", "event", "page named", "custom parameters", "on page"],
                     [[e.phase, e.vendor, e.pixel_id, e.event, e.page, ", ".join(e.parameters), e.page_url]
                      for e in model.pixel_events])
        out += [""]
    if model.declared_only:
        out += ["## Declared but never observed", ""]
        out += table(["name", "vendor", "category", "retention", "source"],
                     [[d.name, d.vendor, d.category, d.retention, d.source] for d in model.declared_only])
        out += [""]
    if model.failed_pages:
        out += ["## Failed pages", ""]
        out += table(["phase", "url", "error"], [[p.phase, p.url, p.error] for p in model.failed_pages])
        out += [""]
    return "\n".join(out)


def _declared(model: ReportModel) -> str:
    if model.declared_present:
        return md(model.declared_status) if model.declared_status else "loaded"
    where = f" ({md(model.declared_note)})" if model.declared_note else ""
    return f"**none found**{where}: nothing was compared with a cookie policy"


def _verdict(model: ReportModel) -> list[str]:
    v = model.verdict
    mark = "✔" if v.status == "passed" else "✖"
    out = ["## Verdict", "", f"**{mark} {md(v.headline)}**", ""]
    out += [f"- {md(reason)}" for reason in v.reasons]
    counts = ", ".join(f"{n} {s}" for s, n in model.severity_counts)
    return out + ["", f"Findings: {counts} (total {model.total_findings}); the gate fails at {v.threshold} or above.", ""]


def _fixes(model: ReportModel) -> list[str]:
    if not model.kinds:
        return []
    out = ["## What to fix, by kind", ""]
    for k in model.kinds:
        out.append(f"- **{k.severity}** {md(k.title)} ({k.count}): {md(k.how_to_fix)}")
    return out + [""]


def _groups(model: ReportModel) -> list[str]:
    out = ["## Cookies and third parties by vendor", ""]
    for g in model.groups:
        annex = {True: ", in the subprocessor annex", False: ", **not in the subprocessor annex**", None: ""}[g.in_annex]
        worst = f" — worst: **{g.severity}**" if g.severity else ""
        out += [f"### {md(g.vendor)}", "", f"{len(g.rows)} item(s), {g.problems} with problems{annex}{worst}", ""]
        out += table(["name", "what", "problems", "category", "purpose", "set by", "fingerprints"],
                     [[r.subject, r.what, ", ".join(f"{lab.text} ({lab.severity})" for lab in r.labels) or "none",
                       r.category + (f" ({r.category_source})" if r.category_source else ""), r.purpose, r.set_by,
                       " ".join(f.fingerprint for f in r.findings)] for r in g.rows])
        out += [""]
    return out


def _consent(model: ReportModel) -> list[str]:
    out = ["## Consent and login per phase", ""]
    rows = []
    for p in model.phases:
        login = ""
        if p.login is not None:
            login = ("logged in" if p.login.logged_in else "NOT logged in") + (f": {p.login.reason}" if p.login.reason else "")
        rows.append([p.phase, p.consent.action, p.consent.platform or "", p.consent.status,
                     p.consent.reason, login, f"{p.pages_ok} ok / {p.pages_failed} failed", p.error or ""])
    out += table(["phase", "action", "platform", "status", "reason", "login", "pages", "phase error"], rows)
    out += [""]
    out += [f"> **⚠ {md(p.consent_warning)}**\n" for p in model.phases if p.consent_warning]
    return out


def _inventory(model: ReportModel) -> list[str]:
    out = []
    headers = ["kind", "name", "domain", "party", "requested", "stored", "declared retention", "category",
               "classified by", "declared as"]
    if model.show_values:
        headers.append("value hash")
    for p in model.phases:
        out += [f"## Inventory: {md(p.phase)} ({len(p.inventory)})", ""]
        if not p.inventory:
            out += ["Nothing stored.", ""]
            continue
        rows = []
        for r in p.inventory:
            row = [r.kind, r.name, r.domain, r.party, format_duration(r.requested_lifetime_s, r.session),
                   format_duration(r.stored_lifetime_s, r.session), r.declared_retention or "",
                   r.category, r.classification_source, r.declared_name or "UNDECLARED"]
            if model.show_values:
                row.append(r.value_hash or "")
            rows.append(row)
        out += table(headers, rows) + [""]
    return out


def _third_parties(model: ReportModel) -> list[str]:
    out = [f"## Third parties by vendor ({len(model.third_parties)})", ""]
    if not model.third_parties:
        return out + ["No third-party requests or cookies.", ""]
    annex = {True: "yes", False: "NO", None: ""}
    out += table(["vendor", "grouped by", "hosts", "phases", "requests", "cookies", "in annex"],
                 [[v.vendor, v.vendor_source, ", ".join(v.hosts), ", ".join(v.phases), v.requests,
                   ", ".join(v.cookies), annex[v.in_annex]] for v in model.third_parties])
    return out + [""]
