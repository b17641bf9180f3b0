"""The first screen of a report: the verdict, findings per kind, what passed, the trend.

All derived from the findings and the scan; the renderers only lay them out.
"""
from __future__ import annotations

from dataclasses import dataclass

from scanner.judge.health import start_page_error as start_page_failure
from scanner.models import BEFORE_CONSENT, PHASES, REFUSED_PHASES, SEVERITIES, Finding, ScanResult, severity_rank
from scanner.report.kinds import describe, kind_order

DEFAULT_THRESHOLD = "high"  # what the nightly gate fails on unless told otherwise


@dataclass(frozen=True)
class Verdict:
    status: str  # "passed" | "failed" | "scan_failed"
    headline: str  # one line: the answer
    reasons: tuple[str, ...]  # why, most severe first
    threshold: str
    failing: int  # findings at or above the threshold


@dataclass(frozen=True)
class KindSummary:
    kind: str
    title: str
    how_to_fix: str
    severity: str  # the worst finding of this kind
    count: int
    by_phase: tuple[tuple[str, int], ...]  # (phase or "any", findings), phase order


@dataclass(frozen=True)
class TrendPoint:
    started_at: str
    counts: tuple[tuple[str, int], ...]  # highest severity first

    @property
    def total(self) -> int:
        return sum(n for _, n in self.counts)


def verdict(scan: ScanResult, findings: tuple[Finding, ...], fail_on: str | None) -> Verdict:
    threshold = fail_on or DEFAULT_THRESHOLD
    failing = [f for f in findings if severity_rank(f.severity) >= severity_rank(threshold)]
    broken = start_page_failure(scan)
    if broken:
        return Verdict("scan_failed", f"Scan failed: the start page {scan.start_url} could not be loaded",
                       (broken, "Nothing else in this report can be trusted: no page was scanned."),
                       threshold, len(failing))
    counts: dict[str, int] = {}
    for f in failing:
        counts[f.kind] = counts.get(f.kind, 0) + 1
    reasons = tuple(f"{n} × {describe(kind).title}"
                    for kind, n in sorted(counts.items(), key=lambda kv: (kind_order(kv[0]), -kv[1])))
    if failing:
        return Verdict("failed", f"Gate failed: {len(failing)} finding(s) at or above {threshold}", reasons,
                       threshold, len(failing))
    return Verdict("passed", f"Gate passed: no finding at or above {threshold}",
                   (f"{len(findings)} finding(s) below {threshold}",) if findings else ("no findings",),
                   threshold, 0)


def kind_summaries(findings: tuple[Finding, ...]) -> tuple[KindSummary, ...]:
    kinds: dict[str, list[Finding]] = {}
    for f in findings:
        kinds.setdefault(f.kind, []).append(f)
    out = []
    for kind, mine in kinds.items():
        text = describe(kind)
        phases: dict[str, int] = {}
        for f in mine:
            phases[f.phase or "any"] = phases.get(f.phase or "any", 0) + 1
        order = list(PHASES) + ["any"]
        by_phase = tuple(sorted(phases.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99))
        out.append(KindSummary(kind, text.title, text.how_to_fix, max((f.severity for f in mine), key=severity_rank),
                               len(mine), by_phase))
    return tuple(sorted(out, key=lambda k: (-severity_rank(k.severity), kind_order(k.kind), k.kind)))


# Checks whose silence means something, and when they were judged at all.
def what_passed(scan: ScanResult, findings: tuple[Finding, ...], third_parties, declared_present: bool,
                declared_ok: int) -> tuple[str, ...]:
    if start_page_failure(scan):
        return ()
    kinds = {f.kind for f in findings}
    ran = {p.phase for p in scan.phases if not p.error}
    refused = [p for p in scan.phases if p.phase in REFUSED_PHASES and p.consent.effective]
    out = []
    if refused:
        after_accept = {v.vendor for v in third_parties if any(ph not in (BEFORE_CONSENT, *REFUSED_PHASES)
                                                               for ph in v.phases)}
        honoured = sorted(v for v in after_accept
                          if not any(ph in REFUSED_PHASES for tp in third_parties if tp.vendor == v for ph in tp.phases))
        if honoured:
            out.append(f"Refusal honoured for {len(honoured)} vendor(s) seen after accept: {', '.join(honoured)}")
    checks = [("before_consent", BEFORE_CONSENT in ran, "Nothing non-essential before consent"),
              ("after_refusal", bool(refused), "Nothing non-essential after 'reject all'"),
              ("over_legal_cap", bool(ran), "No cookie asks for more than 13 months")]
    if declared_present:
        checks += [("undeclared_cookie", bool(ran), "Every observed cookie is declared"),
                   ("undeclared_third_party", bool(ran), "Every third party is named in the subprocessor annex"),
                   ("over_long_cookie", bool(ran), "No cookie outlives its declared retention"),
                   ("session_mismatch", bool(ran), "Session and persistent cookies are as declared"),
                   ("stale_declaration", bool(ran), "Every declared cookie was observed")]
    out += [text for kind, judged, text in checks if judged and kind not in kinds]
    in_annex = sorted(v.vendor for v in third_parties if v.in_annex)
    if in_annex:
        out.append(f"Named in the subprocessor annex: {', '.join(in_annex)}")
    if declared_ok:
        out.append(f"{declared_ok} observed cookie(s) or storage key(s) match their declared row with no finding")
    return tuple(out)


def trend_points(records) -> tuple[TrendPoint, ...]:
    """History records (`store.scans`, newest first) as oldest-first points."""
    return tuple(TrendPoint(r.started_at, tuple((s, int(r.findings_by_severity.get(s, 0)))
                                                for s in reversed(SEVERITIES)))
                 for r in reversed(list(records)))
