"""Baseline: findings a team has accepted, each with a reason and an expiry date.

    # cookiescan-baseline.yaml
    accepted:
      - fingerprint: 3f2a9c0d1e2b4a5c     # from a report or `cookiescan check`
        kind: undeclared_cookie          # for the reader; matching is by fingerprint
        subject: _hjSessionUser_*
        reason: "Hotjar removal scheduled, ticket DPO-142"
        expires: 2027-03-31

A finding whose fingerprint is accepted is suppressed until its expiry date
(inclusive). After that the entry no longer suppresses, and the stale entry is
itself reported (kind `baseline_expired`), so a nightly gate fails on new or
expired findings only.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from scanner.errors import UserError
from scanner.judge.sightings import fingerprint as make_fingerprint
from scanner.models import Finding
from scanner.common.limits import DECLARED_FILE_BYTES, read_user_text
from scanner.common.yamllines import SAFE_LOADER


class BaselineError(UserError):
    """A baseline file a user wrote wrong; the message names file and line."""


@dataclass(frozen=True)
class AcceptedFinding:
    fingerprint: str
    reason: str
    expires: date
    kind: str = ""
    subject: str = ""
    source: str = ""  # "file:line"


@dataclass(frozen=True)
class Baseline:
    entries: tuple[AcceptedFinding, ...] = ()
    path: str | None = None


@dataclass(frozen=True)
class BaselineOutcome:
    kept: tuple[Finding, ...]  # what the gate judges: new findings, expired ones, baseline_expired notices
    suppressed: tuple[tuple[Finding, AcceptedFinding], ...]
    expired: tuple[AcceptedFinding, ...]


def load_baseline(path: Path) -> Baseline:
    path = Path(path)
    text = read_user_text(path, DECLARED_FILE_BYTES, "baseline file", BaselineError)
    try:
        root = yaml.compose(text, Loader=SAFE_LOADER)
    except RecursionError:
        raise BaselineError(f"{path}: invalid YAML (nested too deeply)") from None
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise BaselineError(f"{path}:{'' if line is None else line + 1}: invalid YAML") from None
    if root is None:
        return Baseline(path=str(path))
    data = _plain(root)  # scalars stay text: a bad date is our error message, not a YAML crash
    if not isinstance(data, dict) or not isinstance(data.get("accepted", []), list):
        raise BaselineError(f"{path}:1: a baseline is a mapping with an 'accepted:' list")
    lines = _item_lines(root)
    entries = []
    seen: dict[str, str] = {}
    for i, raw in enumerate(data.get("accepted") or []):
        where = f"{path}:{lines[i] if i < len(lines) else '?'}"
        entry = _entry(raw, where)
        if entry.fingerprint in seen:
            raise BaselineError(f"{where}: fingerprint {entry.fingerprint} already accepted at {seen[entry.fingerprint]}")
        seen[entry.fingerprint] = where
        entries.append(entry)
    return Baseline(entries=tuple(entries), path=str(path))


def _plain(node):
    if isinstance(node, yaml.MappingNode):
        return {_plain(k): _plain(v) for k, v in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [_plain(v) for v in node.value]
    return node.value


def _item_lines(root) -> list[int]:
    for key, value in getattr(root, "value", []):
        if getattr(key, "value", None) == "accepted" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _entry(raw, where: str) -> AcceptedFinding:
    if not isinstance(raw, dict):
        raise BaselineError(f"{where}: each accepted entry is a mapping (fingerprint, reason, expires)")
    unknown = set(raw) - {"fingerprint", "reason", "expires", "kind", "subject"}
    if unknown:
        raise BaselineError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    for key in ("fingerprint", "reason", "expires"):
        if not raw.get(key):
            raise BaselineError(f"{where}: missing {key!r}")
    try:
        expires = date.fromisoformat(str(raw["expires"]))
    except ValueError:
        raise BaselineError(f"{where}: expires {raw['expires']!r} is not a date YYYY-MM-DD") from None
    return AcceptedFinding(fingerprint=str(raw["fingerprint"]), reason=str(raw["reason"]), expires=expires,
                           kind=str(raw.get("kind", "")), subject=str(raw.get("subject", "")), source=where)


def apply_baseline(findings: list[Finding], baseline: Baseline, *, today: date, site: str = "",
                   report_absent: bool = True) -> BaselineOutcome:
    """Split findings into kept and suppressed; expired entries come back as `baseline_expired` findings.

    An expired entry whose finding is absent is reported only when
    `report_absent` (a multi-site run reports those once, see `expired_absent`).
    """
    active = {e.fingerprint: e for e in baseline.entries if e.expires >= today}
    kept, suppressed = [], []
    for f in findings:
        if f.fingerprint in active:
            suppressed.append((f, active[f.fingerprint]))
        else:
            kept.append(f)
    present = {f.fingerprint for f in findings}
    expired = tuple(e for e in baseline.entries if e.expires < today and (report_absent or e.fingerprint in present))
    kept += [expired_finding(e, still_present=e.fingerprint in present, site=site) for e in expired]
    return BaselineOutcome(kept=tuple(kept), suppressed=tuple(suppressed), expired=expired)


def expired_absent(baseline: Baseline, present: set[str], *, today: date) -> list[Finding]:
    """Expired entries matching none of the fingerprints seen across a whole run."""
    return [expired_finding(e, still_present=False) for e in baseline.entries
            if e.expires < today and e.fingerprint not in present]


def expired_finding(entry: AcceptedFinding, *, still_present: bool, site: str = "") -> Finding:
    state = "still present" if still_present else "no longer observed"
    return Finding(
        kind="baseline_expired", severity="low", subject=entry.subject or entry.fingerprint,
        message=f"baseline acceptance of {entry.kind or 'a finding'} {entry.subject or entry.fingerprint} expired on "
                f"{entry.expires.isoformat()} ({state}); reason was: {entry.reason}",
        evidence=f"baseline entry {entry.source}", declared_ref=entry.source,
        fingerprint=make_fingerprint(site, "baseline_expired", entry.fingerprint))


def baseline_entry(finding: Finding, *, reason: str, expires: date) -> dict:
    """A YAML-ready entry accepting `finding` (for `check --write-baseline`)."""
    return {"fingerprint": finding.fingerprint, "kind": finding.kind, "subject": finding.subject,
            "reason": reason, "expires": expires.isoformat()}
