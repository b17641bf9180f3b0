"""What changed between two scans of a site: `cookiescan diff SITE --since last`.

Cookies are identified by (name, host); third parties by host; findings by
fingerprint. Lifetimes computed from an `Expires` date drift by the seconds
between two scans, so a lifetime change must exceed a small tolerance.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from scanner.judge.observations import cookie_frame, request_frame
from scanner.models import Finding, ScanResult, phase_rank


@dataclass(frozen=True)
class CookieKey:
    name: str
    host: str
    phases: tuple[str, ...]
    lifetime_s: float | None  # longest requested lifetime; None = session


@dataclass(frozen=True)
class LifetimeChange:
    name: str
    host: str
    before_s: float | None
    after_s: float | None


@dataclass(frozen=True)
class PhaseChange:
    name: str
    host: str
    before: tuple[str, ...]
    after: tuple[str, ...]


@dataclass(frozen=True)
class ScanChanges:
    new_cookies: tuple[CookieKey, ...] = ()
    removed_cookies: tuple[CookieKey, ...] = ()
    lifetime_changes: tuple[LifetimeChange, ...] = ()
    phase_changes: tuple[PhaseChange, ...] = ()
    new_third_parties: tuple[str, ...] = ()
    removed_third_parties: tuple[str, ...] = ()
    new_findings: tuple[Finding, ...] = ()
    resolved_findings: tuple[Finding, ...] = ()

    @property
    def empty(self) -> bool:
        return not any((self.new_cookies, self.removed_cookies, self.lifetime_changes, self.phase_changes,
                        self.new_third_parties, self.removed_third_parties, self.new_findings,
                        self.resolved_findings))


def cookie_keys(scan: ScanResult) -> dict[tuple[str, str], CookieKey]:
    frame = cookie_frame(scan)
    out = {}
    for (name, host), rows in frame.groupby(["name", "host"], sort=True):
        phases = tuple(sorted(set(rows["phase"]), key=phase_rank))
        lifetime = rows["requested_lifetime_s"].max()
        out[(name, host)] = CookieKey(name, host, phases, None if pd.isna(lifetime) else float(lifetime))
    return out


def third_party_hosts(scan: ScanResult) -> set[str]:
    cookies = cookie_frame(scan)
    return set(request_frame(scan)["host"]) | set(cookies.loc[cookies["party"] == "third", "host"])


def lifetime_changed(before: float | None, after: float | None) -> bool:
    if before is None or after is None:
        return (before is None) != (after is None)
    return abs(after - before) > max(60.0, 0.01 * max(before, after))


def compare_scans(old: ScanResult, new: ScanResult, old_findings: list[Finding] | None = None,
                  new_findings: list[Finding] | None = None) -> ScanChanges:
    before, after = cookie_keys(old), cookie_keys(new)
    common = sorted(before.keys() & after.keys())
    old_tp, new_tp = third_party_hosts(old), third_party_hosts(new)
    old_fp = {f.fingerprint: f for f in old_findings or ()}
    new_fp = {f.fingerprint: f for f in new_findings or ()}
    return ScanChanges(
        new_cookies=tuple(after[k] for k in sorted(after.keys() - before.keys())),
        removed_cookies=tuple(before[k] for k in sorted(before.keys() - after.keys())),
        lifetime_changes=tuple(
            LifetimeChange(k[0], k[1], before[k].lifetime_s, after[k].lifetime_s)
            for k in common if lifetime_changed(before[k].lifetime_s, after[k].lifetime_s)),
        phase_changes=tuple(
            PhaseChange(k[0], k[1], before[k].phases, after[k].phases)
            for k in common if before[k].phases != after[k].phases),
        new_third_parties=tuple(sorted(new_tp - old_tp)),
        removed_third_parties=tuple(sorted(old_tp - new_tp)),
        new_findings=tuple(new_fp[f] for f in sorted(new_fp.keys() - old_fp.keys())),
        resolved_findings=tuple(old_fp[f] for f in sorted(old_fp.keys() - new_fp.keys())),
    )
