"""The judge decides once: `judge(scan, declared, site) -> Judgement`.

A Judgement is everything downstream reads: the findings (in the one finding
order), every observed cookie and storage key with its category, where that
category came from and the declared row it fell under, the declared rows
nothing fell under, and the third parties grouped by vendor with their annex
verdict. Reports, `diff`, `history` and the gate lay it out; none of them
classifies or matches again.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd

from scanner.config import SiteConfig
from scanner.judge.behaviour import behaviour_findings
from scanner.judge.health import phase_findings
from scanner.judge.reconcile import (
    ReconcileOptions, canonical_of, declared_frame, observed_frames, reconcile_frames, site_facts, sort_findings,
)
from scanner.judge.rules import unmatched_rows
from scanner.knowledge.cookies import load_knowledge_base
from scanner.knowledge.vendors import load_vendor_map
from scanner.models import (
    DeclaredCookie, DeclaredSite, Finding, ObservedCookie, ScanResult, StorageItem, phase_rank,
)

REGISTRABLE_DOMAIN = "registrable domain"  # vendor_source when no vendor map or knowledge base names the owner


@dataclass(frozen=True)
class ClassifiedObservation:
    """One observed cookie or storage key, as the judge saw it."""

    observation: ObservedCookie | StorageItem
    category: str
    category_source: str  # "declared:<file:line>", "site_config", "knowledge_base:<source>", ...
    declared: DeclaredCookie | None  # the declared row it fell under
    vendor: str | None = None  # the knowledge base's likely vendor (reports group by it)
    purpose: str | None = None  # the knowledge base's purpose (reports show it)

    @property
    def kind(self) -> str:
        """"cookie", or the web storage kind ("local" | "session")."""
        return "cookie" if isinstance(self.observation, ObservedCookie) else self.observation.kind

    @property
    def name(self) -> str:
        o = self.observation
        return o.name if isinstance(o, ObservedCookie) else o.key

    @property
    def where(self) -> str:
        """Cookie domain, or storage origin."""
        o = self.observation
        return o.domain if isinstance(o, ObservedCookie) else o.origin


@dataclass(frozen=True)
class VendorGroup:
    """A third party: its hosts and cookies across phases, and whether the annex names it."""

    vendor: str
    vendor_source: str  # "vendor map" | "knowledge base" | "registrable domain"
    hosts: tuple[str, ...]
    phases: tuple[str, ...]
    requests: int
    cookies: tuple[str, ...]
    in_annex: bool | None  # the judge's own annex match; None without a declared side


@dataclass(frozen=True)
class Judgement:
    site: str
    declared: DeclaredSite | None
    findings: tuple[Finding, ...]  # sort_findings order
    inventory: tuple[ClassifiedObservation, ...]  # in scan order: phases, then cookies before storage
    stale: tuple[DeclaredCookie, ...]  # declared rows no observation fell under
    vendors: tuple[VendorGroup, ...]  # by vendor name

    def with_findings(self, findings) -> Judgement:
        """The same judgement reporting other findings (what a baseline left), in the one order."""
        return dataclasses.replace(self, findings=sort_findings(findings))

    def in_phase(self, phase: str) -> tuple[ClassifiedObservation, ...]:
        return tuple(o for o in self.inventory if o.observation.phase == phase)


def judge(scan: ScanResult, declared: DeclaredSite | None, site: SiteConfig | None = None, *,
          options: ReconcileOptions = ReconcileOptions(), vendors=None, kb=None) -> Judgement:
    """Classify, match and judge one scan against its declared side and site config ([site.classify])."""
    vendors = vendors if vendors is not None else load_vendor_map()
    kb = kb if kb is not None else load_knowledge_base()
    frames = observed_frames(scan, declared, vendors=vendors, kb=kb, site=site)
    facts = site_facts(scan, declared, vendors)
    canonical = canonical_of(vendors)
    declared_rows = declared_frame(declared, kb)
    findings = phase_findings(scan, site=facts.site) + reconcile_frames(
        frames, declared_rows, facts=facts, options=options, canonical=canonical)
    findings += behaviour_findings(scan, facts=facts, vendors=vendors, canonical=canonical,
                                   sensitive_terms=site.sensitive_terms if site else None,
                                   evidence_pages=options.evidence_pages)
    rows = declared.cookies if declared else ()
    return Judgement(
        site=scan.site, declared=declared, findings=sort_findings(findings),
        inventory=_inventory(scan, frames, rows),
        stale=tuple(rows[i] for i in unmatched_rows(frames["cookies"], frames["storage"], len(rows))),
        vendors=_vendor_groups(frames, facts.annex if declared is not None else False, canonical),
    )


def _inventory(scan: ScanResult, frames: dict[str, pd.DataFrame], rows) -> tuple[ClassifiedObservation, ...]:
    # The frames hold one row per observation in scan order (scanner.judge.observations), so rows pair by position.
    observed = {"cookies": [c for p in scan.phases for c in p.cookies],
                "storage": [s for p in scan.phases for s in p.storage]}
    out = []
    for key in ("cookies", "storage"):
        frame = frames[key]
        about = [frame[c].tolist() if c in frame else [None] * len(frame) for c in ("likely_vendor", "likely_purpose")]
        for item, category, source, row, vendor, purpose in zip(observed[key], frame["category"].tolist(),
                                                                frame["classification_source"].tolist(),
                                                                frame["declared_row"].tolist(), *about):
            out.append(ClassifiedObservation(item, category, source, rows[row] if row >= 0 else None,
                                             _text(vendor), _text(purpose)))
    return tuple(out)


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None  # NaN where the knowledge base has no answer


def _vendor_groups(frames: dict[str, pd.DataFrame], annex, canonical) -> tuple[VendorGroup, ...]:
    """Requests and third-party cookies by vendor: the owner the rules judged, spelled canonically,
    else the registrable domain. `annex` is SiteFacts.annex, or False when nothing is declared."""
    cookies = frames["cookies"]
    cookies = cookies[cookies["party"] == "third"]
    groups: dict[str, dict] = {}
    for what, frame in (("request", frames["requests"]), ("cookie", cookies)):
        columns = [frame[c].tolist() for c in ("owner", "owner_source", "host", "registrable_domain", "phase", "name")
                   if c in frame]
        for owner, source, host, registrable, phase, *name in zip(*columns):
            owner = owner if isinstance(owner, str) and owner else None  # NaN where nobody names one
            vendor = canonical(owner) if owner else registrable or host
            group = groups.setdefault(vendor, {"source": source if owner else REGISTRABLE_DOMAIN, "known": bool(owner),
                                               "hosts": set(), "phases": set(), "requests": 0, "cookies": set()})
            group["hosts"].add(host)
            group["phases"].add(phase)
            if what == "request":
                group["requests"] += 1
            else:
                group["cookies"].add(name[0])

    def in_annex(vendor: str, known: bool) -> bool | None:
        if annex is False:
            return None
        return bool(known and annex and vendor.lower() in annex)

    return tuple(
        VendorGroup(vendor=vendor, vendor_source=g["source"], hosts=tuple(sorted(g["hosts"])),
                    phases=tuple(sorted(g["phases"], key=phase_rank)), requests=g["requests"],
                    cookies=tuple(sorted(g["cookies"])), in_annex=in_annex(vendor, g["known"]))
        for vendor, g in sorted(groups.items()))
