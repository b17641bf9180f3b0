"""The nightly gate: scan every configured site, judge, store, report, decide.

`run_gate` takes the scan step as a function so the same flow runs with the
browser (`cookiescan check`) or on the latest stored scans (`--from-history`).
Exit decision: fail when a finding left after the baseline is at or above
`fail_on`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

from scanner.common.text import first_line
from scanner.config import ProjectConfig, SiteConfig
from scanner.declared import find_declared, load_declared
from scanner.errors import UserError
from scanner.history.baseline import Baseline, apply_baseline, expired_absent
from scanner.history.store import HistoryStore
from scanner.judge import Judgement, judge
from scanner.judge.reconcile import ReconcileOptions
from scanner.judge.sightings import fingerprint
from scanner.judge.rules import REVIEW_KINDS
from scanner.models import SEVERITIES, DeclaredSite, Finding, ScanResult, severity_rank
from scanner.report import build_report, extension, render
from scanner.report.markdown import md  # page-controlled text must not become Markdown or HTML
from scanner.scanfile import safe_name, scan_dir

REPORT_FORMATS = ("json", "html", "md", "sarif")


@dataclass(frozen=True)
class SiteOutcome:
    site: str
    scan_id: int
    findings: tuple[Finding, ...]  # everything reconcile found
    kept: tuple[Finding, ...]  # after the baseline: what the gate judges
    suppressed: int
    reports: tuple[str, ...]
    synthetic: bool
    error: str | None = None  # why this site could not be scanned, judged or stored

    def failing(self, fail_on: str) -> list[Finding]:
        # Review items (an unknown cookie before consent) ask a person to look; they never fail a gate.
        return [f for f in self.kept
                if severity_rank(f.severity) >= severity_rank(fail_on) and f.kind not in REVIEW_KINDS]


@dataclass(frozen=True)
class GateResult:
    fail_on: str
    sites: tuple[SiteOutcome, ...]
    expired_entries: tuple[Finding, ...]  # expired baseline entries matching no finding of this run

    @property
    def failed(self) -> bool:
        rank = severity_rank(self.fail_on)
        return any(s.failing(self.fail_on) for s in self.sites) or any(
            severity_rank(f.severity) >= rank for f in self.expired_entries)


def check_severity(value: str) -> str:
    if value not in SEVERITIES:
        raise UserError(f"--fail-on {value!r}: choose one of {', '.join(SEVERITIES)}")
    return value


def declared_for(site: SiteConfig, config_dir: Path) -> DeclaredSite | None:
    """The declared data of a configured site (path relative to the config file), if any."""
    if site.declared:
        path = Path(site.declared)
        return load_declared(path if path.is_absolute() else config_dir / path)
    return find_declared(site.name, root=config_dir / "declared")


def run_gate(config: ProjectConfig, *, scan: Callable[[SiteConfig], ScanResult], store: HistoryStore,
             baseline: Baseline, fail_on: str, out_dir: Path, today: date,
             formats: tuple[str, ...] = REPORT_FORMATS, options: ReconcileOptions = ReconcileOptions(),
             progress: Callable[[str], None] = lambda message: None) -> GateResult:
    config_dir = Path(config.path).parent if config.path else Path(".")
    outcomes = []
    present: set[str] = set()
    for site in config.sites:
        progress(f"{site.name}: starting")
        try:
            outcome, fingerprints = _judge_site(site, scan=scan, store=store, baseline=baseline, fail_on=fail_on,
                                                out_dir=out_dir, today=today, formats=formats, options=options,
                                                config_dir=config_dir)
        except Exception as exc:  # one site's failure (a UserError too) must not hide the others' results
            progress(f"{site.name}: failed: {_reason(exc)}")
            outcomes.append(_failed_site(site, exc))
            continue
        present |= fingerprints
        progress(f"{site.name}: {len(outcome.kept)} finding(s), {outcome.suppressed} accepted in baseline")
        outcomes.append(outcome)
    return GateResult(fail_on=fail_on, sites=tuple(outcomes),
                      expired_entries=tuple(expired_absent(baseline, present, today=today)))


def _judge_site(site: SiteConfig, *, scan, store, baseline, fail_on, out_dir, today, formats, options,
                config_dir) -> tuple[SiteOutcome, set[str]]:
    result = scan(site)
    declared = declared_for(site, config_dir)
    judgement = judge(result, declared, site, options=options)
    findings = judgement.findings
    judged = apply_baseline(list(findings), baseline, today=today, site=site.name, report_absent=False)
    scan_id = store.save_scan(result, list(findings))
    reports = write_reports(result, judgement.with_findings(judged.kept), out_dir / safe_name(site.name), formats,
                            fail_on, files_dir=scan_dir(out_dir, result.site, result.started_at))
    outcome = SiteOutcome(site=site.name, scan_id=scan_id, findings=tuple(findings), kept=judged.kept,
                          suppressed=len(judged.suppressed), reports=tuple(reports), synthetic=result.synthetic)
    return outcome, {f.fingerprint for f in findings}


def _reason(exc: Exception) -> str:
    """One short line: a UserError's own message, else the exception's type and first line."""
    text = first_line(exc)
    if isinstance(exc, UserError) or text == type(exc).__name__:
        return text
    return f"{type(exc).__name__}: {text}"


def _failed_site(site: SiteConfig, exc: Exception) -> SiteOutcome:
    reason = _reason(exc)
    message = f"the scan of {site.name} failed: {reason}"
    finding = Finding(kind="page_failed", severity="high", subject=site.start_url, message=message,
                      page_url=site.start_url, evidence=message,
                      fingerprint=fingerprint(site.name, "page_failed", f"scan:{site.start_url}"))
    return SiteOutcome(site=site.name, scan_id=0, findings=(finding,), kept=(finding,), suppressed=0, reports=(),
                       synthetic=False, error=reason)


def write_reports(scan: ScanResult, judgement: Judgement, out_dir: Path, formats: tuple[str, ...], fail_on: str,
                  files_dir: Path | None = None, site_ref: str | None = None, history=()) -> list[str]:
    out_dir.mkdir(parents=True, exist_ok=True)
    model = build_report(scan, judgement, fail_on=fail_on, scan_dir=files_dir,  # screenshots live beside scan.json
                         site_ref=site_ref, history=history)
    paths = []
    for fmt in formats:
        path = out_dir / f"report.{extension(fmt)}"
        path.write_text(render(fmt, model), encoding="utf-8")
        paths.append(str(path))
    return paths


def summary_markdown(result: GateResult) -> str:
    """The job summary: one row per site, then what fails the gate."""
    lines = ["# cookiescan nightly", "",
             f"Gate: fail on **{result.fail_on}** or above. Result: **{'FAILED' if result.failed else 'passed'}**.", "",
             "| site | scan | " + " | ".join(reversed(SEVERITIES)) + " | accepted (baseline) | gate |",
             "|---|---|" + "---|" * len(SEVERITIES) + "---|---|"]
    for s in result.sites:
        counts = {sev: sum(1 for f in s.kept if f.severity == sev) for sev in SEVERITIES}
        name = md(s.site) + (" (synthetic replica)" if s.synthetic else "")
        lines.append(f"| {name} | {'#' + str(s.scan_id) if s.scan_id else 'failed'} | " + " | ".join(str(counts[sev]) for sev in reversed(SEVERITIES))
                     + f" | {s.suppressed} | {'fail' if s.failing(result.fail_on) else 'pass'} |")
    failing = [(s.site, f) for s in result.sites for f in s.failing(result.fail_on)]
    failing += [("baseline", f) for f in result.expired_entries
                if severity_rank(f.severity) >= severity_rank(result.fail_on)]
    if failing:
        lines += ["", "## Findings that fail the gate", ""]
        lines += [f"- **{f.severity}** `{f.kind}` {md(site)}: {md(f.message)} (`{f.fingerprint}`)" for site, f in failing]
    failed_sites = [s for s in result.sites if s.error]
    if failed_sites:
        lines += ["", "## Sites that failed", ""]
        lines += [f"- {md(s.site)}: {md(s.error)}" for s in failed_sites]
    if result.expired_entries:
        lines += ["", "## Expired baseline entries", ""]
        lines += [f"- {md(f.message)}" for f in result.expired_entries]
    return "\n".join(lines) + "\n"

