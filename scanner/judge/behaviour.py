"""Behaviour rules: fingerprinting, session recording, input leaks, the page's address sent away.

`behaviour_findings(scan, facts=...)` turns the `PhaseBehaviour` records of a
scan into findings of four kinds, one per (kind, subject) with every phase and
page as evidence. Severity starts from the kind's base and rises one step when
the behaviour is seen before any consent or after a refusal, and one step when
the third party behind it is missing from the subprocessor annex (capped at
high). Rules and sources: docs/behaviour.md.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from scanner.common.domains import host_of, party, registrable_domain
from scanner.judge.sightings import PHASE_ORDER, fingerprint
from scanner.knowledge.behaviour import default_sensitive_terms, load_recorders, sensitive_match
from scanner.models import BEFORE_CONSENT, REFUSED_PHASES, SEVERITIES, Finding, ScanResult

BEHAVIOUR_KINDS = ("fingerprinting", "session_recording", "input_leak", "sensitive_url_leak")
BASE_SEVERITY = {"fingerprinting": "medium", "session_recording": "medium", "input_leak": "high"}


@dataclass
class _Group:
    """Where one subject was seen, and what was seen there."""

    vendor: str | None
    third_party: bool
    phases: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)

    def add(self, phase: str, page: str, *details: str) -> None:
        for value, bucket in [(phase, self.phases), (page, self.pages), *((d, self.details) for d in details)]:
            if value and value not in bucket:
                bucket.append(value)


def behaviour_findings(scan: ScanResult, *, facts, vendors=None, canonical=lambda name: name,
                       sensitive_terms: tuple[str, ...] | None = None, evidence_pages: int = 20) -> list[Finding]:
    """All behaviour findings of one scan (facts: reconcile.SiteFacts)."""
    judge = _Judge(scan, facts, vendors, canonical, evidence_pages)
    terms = sensitive_terms if sensitive_terms else default_sensitive_terms()
    return (judge.fingerprinting() + judge.session_recording() + judge.input_leaks()
            + judge.url_leaks(terms))


class _Judge:
    def __init__(self, scan: ScanResult, facts, vendors, canonical, cap: int):
        self.scan, self.facts, self.vendors, self.canonical, self.cap = scan, facts, vendors, canonical, cap
        self.own = canonical(facts.own_owner).lower() if facts.own_owner else None
        self.titles = {v.url: v.title or "" for p in scan.phases for v in p.pages}

    # -- who is behind a host ----------------------------------------------
    def owner(self, host: str) -> str | None:
        found = self.vendors.owner_of(host) if self.vendors is not None and host else None
        return self.canonical(found) if found else None

    def is_own(self, host: str, vendor: str | None) -> bool:
        return party(host, self.scan.registrable_domain) == "first" or bool(
            self.own and vendor and vendor.lower() == self.own)

    def in_annex(self, vendor: str | None) -> bool | None:
        if self.facts.annex is None:
            return None
        return bool(vendor) and self.canonical(vendor).lower() in self.facts.annex

    def risky(self, phases: list[str]) -> bool:
        return any(p == BEFORE_CONSENT or (p in REFUSED_PHASES and p not in self.facts.unjudged_phases)
                   for p in phases)

    # -- finding assembly --------------------------------------------------
    def finding(self, kind: str, subject: str, group: _Group, message: str, base: str) -> Finding:
        steps = 0
        when = []
        if self.risky(group.phases):
            steps += 1
            when.append("before consent" if BEFORE_CONSENT in group.phases else "after a refusal")
        annex = self.in_annex(group.vendor) if group.third_party else None
        if annex is False:
            steps += 1
        severity = SEVERITIES[min(SEVERITIES.index(base) + steps, len(SEVERITIES) - 1)]
        notes = []
        if when:
            notes.append("seen " + " and ".join(when))
        if group.third_party:
            notes.append({True: f"{group.vendor} is in the subprocessor annex",
                          False: f"{group.vendor or subject} is not in the subprocessor annex",
                          None: "the site publishes no subprocessor annex"}[annex])
        phases = sorted(group.phases, key=lambda p: PHASE_ORDER.get(p, 9))
        shown = group.pages[:self.cap]
        more = len(group.pages) - len(shown)
        evidence = "; ".join([*group.details, "phases: " + ", ".join(phases),
                              f"pages ({len(group.pages)}): " + ", ".join(shown) + (f", +{more} more" if more else "")])
        return Finding(kind=kind, severity=severity, subject=subject,
                       message=message + (f" ({'; '.join(notes)})" if notes else ""), phase=phases[0],
                       page_url=group.pages[0] if group.pages else None, evidence=evidence, vendor=group.vendor,
                       fingerprint=fingerprint(self.scan.site, kind, subject))

    # -- rules -------------------------------------------------------------
    def fingerprinting(self) -> list[Finding]:
        groups: dict[str, _Group] = {}
        for phase in self.scan.phases:
            for call in phase.behaviour.fingerprinting:
                # The third party behind a library call is whoever loaded the library.
                behind = host_of(call.initiator_url)
                if not behind or party(behind, self.scan.registrable_domain) == "first":
                    behind = host_of(call.script_url)
                vendor = self.owner(behind) or registrable_domain(behind) or None
                group = groups.setdefault(call.script_url, _Group(vendor, not self.is_own(behind, vendor)))
                group.add(phase.phase, call.page_url, f"{call.technique}: {call.detail}",
                          f"loaded by {call.initiator_url}" if call.initiator_url != call.script_url else "")
        out = []
        for script, g in groups.items():
            techniques = sorted({d.split(":")[0] for d in g.details if ":" in d and not d.startswith("loaded")})
            who = f"third party {g.vendor}" if g.third_party else "the site itself"
            out.append(self.finding("fingerprinting", script, g,
                                    f"script {script} reads a browser fingerprint ({', '.join(techniques)}) "
                                    f"for {who}", BASE_SEVERITY["fingerprinting"]))
        return out

    def session_recording(self) -> list[Finding]:
        library = {r.vendor for r in load_recorders() if r.library}
        groups: dict[str, _Group] = {}
        loose: list[tuple[str, object]] = []  # a library's global: attached to whoever loaded the library
        for phase in self.scan.phases:
            for rec in phase.behaviour.session_recordings:
                if rec.vendor in library:
                    loader = host_of(rec.initiator_url)
                    if not loader:
                        loose.append((phase.phase, rec))
                        continue
                    vendor = self.owner(loader) or registrable_domain(loader)
                    subject = f"{vendor} ({rec.vendor})"
                    third = not self.is_own(loader, vendor)
                else:
                    vendor = self.canonical(rec.vendor)
                    subject, third = vendor, True
                group = groups.setdefault(subject, _Group(vendor, third))
                group.add(phase.phase, rec.page_url, f"{rec.signal} {rec.evidence}",
                          f"loaded by {rec.initiator_url}" if rec.initiator_url else "")
        for phase, rec in loose:
            subject = next((s for s in groups if s.endswith(f"({rec.vendor})")), rec.vendor)
            groups.setdefault(subject, _Group(None, True)).add(phase, rec.page_url, f"{rec.signal} {rec.evidence}")
        return [self.finding("session_recording", subject, g,
                             f"session recording by {subject}: the visit (DOM, mouse, keys) is filmed",
                             BASE_SEVERITY["session_recording"]) for subject, g in groups.items()]

    def received(self, records_of, groups: dict[str, _Group], detail):
        """(phase, record, subject) of each record whose receiving host is a third party, grouped by subject."""
        for phase in self.scan.phases:
            for leak in records_of(phase.behaviour):
                vendor = self.owner(leak.host)
                if self.is_own(leak.host, vendor):
                    continue
                subject = vendor or leak.host
                groups.setdefault(subject, _Group(vendor or registrable_domain(leak.host), True)).add(
                    phase.phase, leak.page_url, detail(leak))
                yield leak, subject

    def input_leaks(self) -> list[Finding]:
        groups: dict[str, _Group] = {}
        fields: dict[str, dict[str, list[str]]] = {}
        for leak, subject in self.received(lambda b: b.input_leaks, groups,
                                           lambda x: f"{x.channel} of {x.request_url}"):
            encodings = fields.setdefault(subject, {}).setdefault(leak.field, [])
            if leak.encoding not in encodings:
                encodings.append(leak.encoding)
        return [self.finding("input_leak", subject, g,
                             f"what a visitor types reaches {subject} before any submit: "
                             + ", ".join(f"{f} ({'/'.join(e)})" for f, e in fields[subject].items()),
                             BASE_SEVERITY["input_leak"]) for subject, g in groups.items()]

    def url_leaks(self, terms: tuple[str, ...]) -> list[Finding]:
        groups: dict[str, _Group] = {}
        sensitive: dict[str, list[str]] = {}
        policies: dict[str, set[str]] = {}
        for leak, subject in self.received(lambda b: b.url_leaks, groups,
                                           lambda x: f"{x.channel}: {x.leaked_path}"):
            policies.setdefault(subject, set()).add(leak.referrer_policy or "default")
            term = sensitive_match((leak.leaked_path, self.titles.get(leak.page_url, "")), terms)
            if term:
                sensitive.setdefault(subject, []).append(f"{leak.leaked_path} ({term})")
        out = []
        for subject, g in groups.items():
            hits = list(dict.fromkeys(sensitive.get(subject, [])))
            what = (f"the address of sensitive pages ({', '.join(hits)})" if hits
                    else "the address (path) of the pages visited")
            policy = ", ".join(sorted(policies[subject]))
            out.append(self.finding("sensitive_url_leak", subject, g,
                                    f"{what} reaches third party {subject}; Referrer-Policy: {policy}",
                                    "high" if hits else "info"))
        return out
