"""The report model: one frozen record every renderer reads.

`build_report` gathers what a reader of a report needs from a scan, its
findings and the declared side: counts per severity, findings in severity
order, the observed-vs-declared inventory per phase, third parties by vendor,
consent and login outcomes, failed pages and screenshots. Renderers only
format this model; none of them looks at the scan again.

Cookie values never reach a report: scans keep only `value_hash`, and even the
hash is shown only with `show_values=True`.
"""
from __future__ import annotations

import base64
import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

from scanner.models import (
    PHASES, SEVERITIES, ConsentOutcome, DeclaredCookie, DeclaredSite, Finding, LoginOutcome, ScanResult, severity_rank,
)
from scanner.common.names import is_pattern, name_matches

SYNTHETIC_NOTICE = "Synthetic replica — not a measurement of the real site"

# Consent statuses that mean the phase did not get the consent state it was meant to test.
LOUD_CONSENT_STATUSES = ("not_given", "not_refused")

IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp"}


@dataclass(frozen=True)
class InventoryRow:
    """One cookie or storage key seen in a phase, next to the declared row it matches."""

    kind: str  # "cookie" | "local" | "session" (web storage)
    name: str
    domain: str  # cookie domain, or storage origin
    party: str
    session: bool | None  # None for storage
    requested_lifetime_s: float | None
    stored_lifetime_s: float | None
    category: str
    classification_source: str
    declared_name: str | None  # the declared name or pattern it matched
    declared_retention: str | None  # declared wording, e.g. "13 Mois"
    declared_ref: str | None
    page_url: str
    value_hash: str | None  # only with show_values


@dataclass(frozen=True)
class Screenshot:
    phase: str
    path: str  # relative to the scan file
    data_uri: str | None  # embedded image; None when the file is not there


@dataclass(frozen=True)
class FailedPage:
    phase: str
    url: str
    error: str


@dataclass(frozen=True)
class PhaseReport:
    phase: str
    consent: ConsentOutcome
    consent_warning: str | None  # set when consent did not take effect (shown loudly)
    login: LoginOutcome | None
    error: str | None
    pages_ok: int
    pages_failed: int
    third_party_requests: int
    inventory: tuple[InventoryRow, ...]
    screenshots: tuple[Screenshot, ...]


@dataclass(frozen=True)
class VendorGroup:
    vendor: str
    vendor_source: str  # "vendor map" | "registrable domain"
    hosts: tuple[str, ...]
    phases: tuple[str, ...]
    requests: int
    cookies: tuple[str, ...]
    in_annex: bool | None  # named in the subprocessor annex; None without a declared side


@dataclass(frozen=True)
class DeclaredOnlyRow:
    """A declared cookie never observed in any phase."""

    name: str
    vendor: str
    category: str
    retention: str
    source: str


@dataclass(frozen=True)
class ReportModel:
    site: str
    start_url: str
    started_at: str
    finished_at: str
    tool_version: str
    browser: str
    synthetic: bool
    declared_present: bool
    show_values: bool
    fail_on: str | None  # threshold a CI gate uses (JUnit failures)
    severity_counts: tuple[tuple[str, int], ...]  # highest severity first
    findings: tuple[Finding, ...]  # highest severity first
    phases: tuple[PhaseReport, ...]
    third_parties: tuple[VendorGroup, ...]
    declared_only: tuple[DeclaredOnlyRow, ...]
    failed_pages: tuple[FailedPage, ...]

    @property
    def notice(self) -> str | None:
        return SYNTHETIC_NOTICE if self.synthetic else None

    @property
    def screenshots(self) -> tuple[Screenshot, ...]:
        return tuple(s for p in self.phases for s in p.screenshots)

    @property
    def total_findings(self) -> int:
        return len(self.findings)


# ------------------------------------------------------------------ helpers ---

def at_or_above(severity: str, threshold: str) -> bool:
    return severity_rank(severity) >= severity_rank(threshold)


def _phase_rank(phase: str | None) -> int:
    return PHASES.index(phase) if phase in PHASES else len(PHASES)


def sort_findings(findings) -> tuple[Finding, ...]:
    return tuple(sorted(findings, key=lambda f: (
        -severity_rank(f.severity), _phase_rank(f.phase), f.kind, f.subject, f.page_url or "", f.fingerprint)))


def format_duration(seconds: float | None, session: bool | None = None) -> str:
    """Lifetimes as a reader says them: "session", "13 months", "2 h"."""
    if seconds is None:
        return "session" if session else ""
    day = 86400
    if seconds >= 365 * day:
        months = seconds / (30.44 * day)
        return f"{months:.0f} months"
    if seconds >= 2 * day:
        return f"{seconds / day:.0f} days"
    if seconds >= 2 * 3600:
        return f"{seconds / 3600:.0f} h"
    if seconds >= 120:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"


def printable(text: str | None) -> str:
    """Text with control characters made visible, for terminals, CSV, XML and Markdown."""
    if text is None:
        return ""
    out = []
    for ch in str(text):
        code = ord(ch)
        if ch in "\n\r\t":
            out.append(" ")
        elif code < 0x20 or 0x7F <= code < 0xA0 or code in (0xFFFE, 0xFFFF):
            out.append(f"\\x{code:02x}")
        else:
            out.append(ch)
    return "".join(out)


def default_vendor_of() -> Callable[[str], str | None] | None:
    """The vendor map's `owner_of(host)` when the declared side ships one."""
    try:
        vendors = importlib.import_module("scanner.knowledge.vendors")
    except ImportError:
        return None
    vendor_map = vendors.load_vendor_map()

    def owner_of(host: str) -> str | None:
        owner = vendor_map.owner_of(host)
        if owner is None or isinstance(owner, str):
            return owner
        return getattr(owner, "name", None) or str(owner)

    return owner_of


def default_frames(scan: ScanResult, declared: DeclaredSite | None) -> Mapping | None:
    """The classifier's inventories (`scanner.judge.reconcile.observed_frames`) when reconcile is there."""
    try:
        reconcile = importlib.import_module("scanner.judge.reconcile")
    except ImportError:
        return None
    observed_frames = getattr(reconcile, "observed_frames", None)
    return observed_frames(scan, declared) if observed_frames else None


# -------------------------------------------------------------------- build ---

def build_report(scan: ScanResult, findings: list[Finding], declared: DeclaredSite | None = None, *,
                 scan_dir: Path | None = None, show_values: bool = False, fail_on: str | None = None,
                 vendor_of: Callable[[str], str | None] | None = None,
                 frames: Mapping | None = None) -> ReportModel:
    """The report model of one scan.

    `vendor_of(host)` names a host's owner; by default the vendor map when it
    exists, else hosts are grouped by registrable domain. `frames` are the
    classifier's inventories (keys "cookies", "storage", with columns
    `category`, `classification_source`); by default `observed_frames(scan)`
    when reconcile exists; pass `{}` to use only findings and declared rows.
    """
    if vendor_of is None:
        vendor_of = default_vendor_of()
    if frames is None:
        frames = default_frames(scan, declared) or {}
    findings = sort_findings(findings)
    classify = _Classifier(frames, findings)
    declared_cookies = _declared_in_match_order(declared)
    phases = tuple(_phase_report(p, declared_cookies, classify, scan_dir, show_values) for p in _ordered(scan.phases))
    counts = {s: 0 for s in SEVERITIES}
    for f in findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    return ReportModel(
        site=scan.site, start_url=scan.start_url, started_at=scan.started_at, finished_at=scan.finished_at,
        tool_version=scan.tool_version, browser=scan.browser, synthetic=scan.synthetic,
        declared_present=declared is not None, show_values=show_values, fail_on=fail_on,
        severity_counts=tuple((s, counts[s]) for s in sorted(counts, key=severity_rank, reverse=True)),
        findings=findings,
        phases=phases,
        third_parties=_third_parties(scan, declared, vendor_of),
        declared_only=_declared_only(scan, declared),
        failed_pages=tuple(FailedPage(p.phase, v.url, v.error or "failed")
                           for p in _ordered(scan.phases) for v in p.pages if not v.ok),
    )


def _ordered(phases):
    return sorted(phases, key=lambda p: _phase_rank(p.phase))


def _declared_in_match_order(declared: DeclaredSite | None) -> tuple[DeclaredCookie, ...]:
    """Exact names before patterns, so `_ga` matches its own row before `_ga*`."""
    if declared is None:
        return ()
    return tuple(sorted(declared.cookies, key=lambda d: is_pattern(d.name)))


def _match(name: str, declared_cookies) -> DeclaredCookie | None:
    return next((d for d in declared_cookies if name_matches(d.name, name)), None)


class _Classifier:
    """Category of an observation: classifier frames, then findings, then the declared row."""

    def __init__(self, frames: Mapping, findings: tuple[Finding, ...]):
        self.by_key: dict[tuple, tuple[str, str]] = {}
        for frame_name, where_col in (("cookies", "domain"), ("storage", "origin")):
            frame = frames.get(frame_name)
            name_col = "key" if frame is not None and "key" in frame.columns else "name"
            needed = {"phase", name_col, where_col, "category", "classification_source"}
            if frame is None or not needed <= set(frame.columns):
                continue
            for row in frame[sorted(needed)].itertuples(index=False):
                row = row._asdict()
                if isinstance(row["category"], str):  # NaN where the classifier had no answer
                    self.by_key[(frame_name, row["phase"], row[name_col], row[where_col])] = (
                        row["category"], str(row["classification_source"]))
        self.by_subject: dict[str, tuple[str, str]] = {}
        for f in findings:
            if f.classification and f.subject not in self.by_subject:
                self.by_subject[f.subject] = (f.classification, f.classification_source or "finding")

    def category(self, frame_name: str, phase: str, name: str, where: str,
                 declared: DeclaredCookie | None) -> tuple[str, str]:
        found = self.by_key.get((frame_name, phase, name, where)) or self.by_subject.get(name)
        if found:
            return found
        if declared is not None:
            return declared.category, "declared"
        return "unknown", "none"


def _phase_report(phase, declared_cookies, classify: _Classifier, scan_dir, show_values) -> PhaseReport:
    rows = []
    for c in sorted(phase.cookies, key=lambda c: (c.party, c.domain, c.name, c.path)):
        d = _match(c.name, declared_cookies)
        category, source = classify.category("cookies", phase.phase, c.name, c.domain, d)
        rows.append(InventoryRow(
            kind="cookie", name=c.name, domain=c.domain, party=c.party, session=c.session,
            requested_lifetime_s=c.requested_lifetime_s, stored_lifetime_s=c.stored_lifetime_s,
            category=category, classification_source=source,
            declared_name=d.name if d else None, declared_retention=d.retention.text if d else None,
            declared_ref=d.source if d else None, page_url=c.page_url,
            value_hash=c.value_hash if show_values else None))
    for s in sorted(phase.storage, key=lambda s: (s.origin, s.kind, s.key)):
        d = _match(s.key, declared_cookies)
        category, source = classify.category("storage", phase.phase, s.key, s.origin, d)
        rows.append(InventoryRow(
            kind=s.kind, name=s.key, domain=s.origin, party=s.party, session=None,
            requested_lifetime_s=None, stored_lifetime_s=None, category=category, classification_source=source,
            declared_name=d.name if d else None, declared_retention=d.retention.text if d else None,
            declared_ref=d.source if d else None, page_url=s.page_url,
            value_hash=s.value_hash if show_values else None))
    failed = sum(1 for v in phase.pages if not v.ok)
    return PhaseReport(
        phase=phase.phase, consent=phase.consent, consent_warning=_consent_warning(phase.phase, phase.consent),
        login=phase.login, error=phase.error, pages_ok=len(phase.pages) - failed, pages_failed=failed,
        third_party_requests=len(phase.requests), inventory=tuple(rows),
        screenshots=_screenshots(phase, scan_dir))


def _consent_warning(phase: str, consent: ConsentOutcome) -> str | None:
    if consent.status not in LOUD_CONSENT_STATUSES:
        return None
    wanted = "accept all" if consent.status == "not_given" else "reject all"
    reason = f": {consent.reason}" if consent.reason else ""
    return (f"CONSENT {consent.status.upper().replace('_', ' ')} in phase {phase} — '{wanted}' did not take "
            f"effect{reason}. What this phase observed is not the {wanted} state.")


def _screenshots(phase, scan_dir: Path | None) -> tuple[Screenshot, ...]:
    paths = list(phase.screenshots)
    if phase.consent.screenshot and phase.consent.screenshot not in paths:
        paths.append(phase.consent.screenshot)
    return tuple(Screenshot(phase.phase, p, _data_uri(scan_dir, p)) for p in paths)


def _data_uri(scan_dir: Path | None, relative: str) -> str | None:
    """The image as a data URI; only image files inside the scan directory are read."""
    if scan_dir is None:
        return None
    base = Path(scan_dir).resolve()
    path = (base / relative).resolve()
    mime = IMAGE_TYPES.get(path.suffix.lower())
    if mime is None or not path.is_relative_to(base) or not path.is_file():
        return None
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _third_parties(scan: ScanResult, declared: DeclaredSite | None, vendor_of) -> tuple[VendorGroup, ...]:
    groups: dict[str, dict] = {}

    def group_for(host: str, registrable: str) -> dict:
        owner = vendor_of(host) if vendor_of else None
        vendor, source = (owner, "vendor map") if owner else (registrable or host, "registrable domain")
        return groups.setdefault(vendor, {"source": source, "hosts": set(), "phases": set(),
                                          "requests": 0, "cookies": set()})

    for phase in scan.phases:
        for r in phase.requests:
            g = group_for(r.host, r.registrable_domain)
            g["hosts"].add(r.host)
            g["phases"].add(phase.phase)
            g["requests"] += 1
        for c in phase.cookies:
            if c.party != "third":
                continue
            host = c.domain.lstrip(".")
            g = group_for(host, c.registrable_domain)
            g["hosts"].add(host)
            g["phases"].add(phase.phase)
            g["cookies"].add(c.name)
    annex = [s.name.casefold() for s in declared.subprocessors] if declared else []
    return tuple(
        VendorGroup(vendor=vendor, vendor_source=g["source"], hosts=tuple(sorted(g["hosts"])),
                    phases=tuple(sorted(g["phases"], key=_phase_rank)), requests=g["requests"],
                    cookies=tuple(sorted(g["cookies"])),
                    in_annex=_named_in(vendor, annex) if declared is not None else None)
        for vendor, g in sorted(groups.items()))


def _named_in(vendor: str, annex_names: list[str]) -> bool:
    """A loose match ("Google" ~ "Google Ireland Ltd"): the findings carry the strict judgement."""
    v = vendor.casefold()
    return any(v == a or a.startswith(v + " ") or v.startswith(a + " ") for a in annex_names)


def _declared_only(scan: ScanResult, declared: DeclaredSite | None) -> tuple[DeclaredOnlyRow, ...]:
    if declared is None:
        return ()
    seen = {c.name for p in scan.phases for c in p.cookies} | {s.key for p in scan.phases for s in p.storage}
    return tuple(
        DeclaredOnlyRow(d.name, d.vendor, d.category, d.retention.text, d.source)
        for d in declared.cookies if not any(name_matches(d.name, n) for n in seen))
