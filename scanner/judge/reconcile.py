"""Observations x declared policy -> findings, over pandas frames.

`observed_frames` classifies a scan's inventories and matches each observation
to its declared row once; `reconcile_frames` holds all the rules and never
touches a browser or a file. `scanner.judge.judge` wires the two and is what
every command calls. See docs/reconcile.md for each rule and its severity.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from scanner.common.durations import DAY_S, MONTH_S
from scanner.common.names import NameMatcher
from scanner.config import SiteConfig
from scanner.declared.families import family_pattern
from scanner.judge.observations import scan_frames
from scanner.judge.rules import consent_phase_findings, cookie_findings, third_party_findings
from scanner.knowledge.classify import classify_frame
from scanner.knowledge.cookies import load_knowledge_base
from scanner.models import BEFORE_CONSENT, DeclaredSite, Finding, ScanResult, phase_rank, severity_rank

FINDING_KINDS = (
    "undeclared_cookie", "over_long_cookie", "over_legal_cap", "before_consent", "after_refusal",
    "unclassified_before_consent", "unclassified_after_refusal",
    "undeclared_third_party", "stale_declaration", "session_mismatch",
    "consent_not_verified", "login_failed", "page_failed", "recording_capped",
    "fingerprinting", "session_recording", "input_leak", "sensitive_url_leak",  # judge/behaviour.py
    "baseline_expired",  # added by the gate (scanner.history.baseline), never by reconcile
)

# Third parties whose requests are strictly necessary: consent platforms (the
# banner has to load before anyone can consent) and plain CDNs serving code.
# Entries are vendor names (compared after VendorMap.canonical) or registrable
# domains (for CDNs the vendor map does not list). Anything else before consent
# or after a refusal is a finding.
NECESSARY_THIRD_PARTIES = (
    "Didomi", "OneTrust", "Axeptio", "Cookiebot", "Usercentrics", "Sourcepoint", "consentmanager",
    "iubenda", "Cloudflare", "Akamai", "jsdelivr.net", "unpkg.com", "cdnjs.com", "fastly.net",
)


@dataclass(frozen=True)
class ReconcileOptions:
    tolerance_s: float = DAY_S  # over_long_cookie: requested may exceed declared by this much
    legal_cap_s: float = 13 * MONTH_S  # CNIL: 13 months, in the month declared retentions are read with
    necessary_third_parties: tuple[str, ...] = NECESSARY_THIRD_PARTIES
    evidence_pages: int = 20  # pages listed in a finding's evidence; the count is always complete


# ------------------------------------------------------------------ frames ---

def observed_frames(scan: ScanResult, declared: DeclaredSite | None = None, *, vendors=None, kb=None,
                    site: SiteConfig | None = None) -> dict[str, pd.DataFrame]:
    """Inventories of a scan with classification, declared-row and owner columns.

    "cookies" and "storage" gain category, classification_source, likely_vendor,
    likely_purpose (scanner.knowledge.classify) and declared_row (index into
    declared.cookies, -1 when undeclared); "cookies" and "requests" gain owner
    and owner_source ("vendor map", "knowledge base" or None).
    """
    # Imported here: the consent rules package loads Playwright, which `report` and `diff` never need.
    from scanner.collect.consent.rules import consent_cookie_patterns

    frames = scan_frames(scan)
    kb = kb if kb is not None else load_knowledge_base()
    overrides = dict(site.classify) if site else None
    for key in ("cookies", "storage"):
        frames[key] = classify_frame(frames[key], kb=kb, declared=declared, site_overrides=overrides,
                                     consent_patterns=consent_cookie_patterns(), vendors=vendors,
                                     site_domain=scan.registrable_domain, consent_written=consent_written(scan))
    frames = with_declared_rows(frames, declared_frame(declared, kb))
    cookies = frames["cookies"]
    mapped = _owners(cookies["host"], vendors)
    cookies["owner"] = mapped.fillna(cookies["likely_vendor"])
    cookies["owner_source"] = mapped.notna().map({True: "vendor map", False: None}).astype(object)
    cookies.loc[mapped.isna() & cookies["owner"].notna(), "owner_source"] = "knowledge base"
    frames["requests"]["owner"] = _owners(frames["requests"]["host"], vendors)
    frames["requests"]["owner_source"] = frames["requests"]["owner"].notna().map(
        {True: "vendor map", False: None}).astype(object)
    return frames


def declared_frame(declared: DeclaredSite | None, kb=None) -> pd.DataFrame:
    """One row per declared cookie; `family` is the knowledge base's family pattern a declared
    stem stands for (`intercom-session` -> `intercom-session-*`), when `kb` is given."""
    rows = [
        (c.name, c.vendor, c.category, c.retention.kind, c.retention.seconds, c.retention.text, c.source,
         family_pattern(c.name, kb))
        for c in (declared.cookies if declared else ())
    ]
    frame = pd.DataFrame(rows, columns=["name", "vendor", "category", "retention_kind", "retention_s",
                                        "retention_text", "source", "family"])
    frame["retention_s"] = frame["retention_s"].astype("float64")
    return frame


def with_declared_rows(frames: dict[str, pd.DataFrame], declared: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Cookies and storage with `declared_row`: the one place an observation meets its declared row.
    A declared stem of a known family (`intercom-session`) covers the family's members."""
    names = declared["name"].tolist()
    families = [f if isinstance(f, str) and f else None
                for f in (declared["family"].tolist() if "family" in declared else [None] * len(names))]
    extra = [(f, i) for i, f in enumerate(families) if f and f not in names]
    matcher = NameMatcher(names + [f for f, _ in extra], list(range(len(names))) + [i for _, i in extra])
    out = dict(frames)
    for key in ("cookies", "storage"):
        if "declared_row" not in frames[key]:
            out[key] = frames[key].assign(declared_row=matcher.match_series(frames[key]["name"]).to_numpy())
    return out


def consent_written(scan: ScanResult) -> frozenset[str]:
    """First-party cookies first written by a consent click: named in the click's evidence,
    or present after a click but never before any."""
    before = {c.name for p in scan.phases if p.phase == BEFORE_CONSENT for c in p.cookies}
    named: set[str] = set()
    for p in scan.phases:
        for line in p.consent.evidence:
            if line.startswith("consent cookie "):
                named.add(line.split(" ")[2])
            elif line.startswith("cookies set since the click: "):
                named.update(n.strip() for n in line.split(": ", 1)[1].split(","))
        if p.phase != BEFORE_CONSENT and p.consent.clicked:
            named.update(c.name for c in p.cookies if c.party == "first" and c.name not in before)
    return frozenset(named)


def _owners(hosts: pd.Series, vendors) -> pd.Series:
    if vendors is None or hosts.empty:
        return pd.Series([None] * len(hosts), index=hosts.index, dtype=object)
    return pd.Series(vendors.owners(hosts), index=hosts.index, dtype=object)


# ---------------------------------------------------------------- reconcile ---

@dataclass(frozen=True)
class SiteFacts:
    """What the frame rules need to know about the site besides observations."""

    site: str
    own_owner: str | None = None  # the site's own company: its other domains are not third parties
    annex: frozenset[str] | None = None  # canonical subprocessor names, lower case; None = no annex
    cookie_table: str = "none"  # DeclaredSite.cookie_table, or "missing" when nothing is declared
    unjudged_phases: frozenset[str] = frozenset()  # phases whose consent step did not take effect


def site_facts(scan: ScanResult, declared: DeclaredSite | None, vendors) -> SiteFacts:
    canonical = canonical_of(vendors)
    annex = None
    if declared and declared.subprocessors:
        annex = frozenset(canonical(s.name).lower() for s in declared.subprocessors)
    own = vendors.owner_of(scan.registrable_domain) if vendors is not None else None
    unjudged = frozenset(p.phase for p in scan.phases
                         if p.phase != BEFORE_CONSENT and p.consent.action != "none" and not p.consent.effective)
    return SiteFacts(site=scan.site, own_owner=own, annex=annex,
                     cookie_table=declared.cookie_table if declared else "missing", unjudged_phases=unjudged)


def canonical_of(vendors):
    """A vendor name as the vendor map spells it (unchanged when the map does not know it)."""
    if vendors is None:
        return lambda name: name
    return lambda name: vendors.canonical(name) or name


def reconcile_frames(frames: dict[str, pd.DataFrame], declared: pd.DataFrame, *, facts: SiteFacts,
                     options: ReconcileOptions = ReconcileOptions(), canonical=lambda name: name) -> list[Finding]:
    """The rules over classified frames (see observed_frames, declared_frame).

    Needs columns: cookies (name, host, party, session, requested_lifetime_s,
    phase, page_url, category, classification_source, owner), storage (name,
    host, phase, page_url, category, classification_source), requests (host,
    phase, page_url, owner); declared (name, vendor, category, retention_kind,
    retention_s, retention_text, source).
    """
    necessary = frozenset(canonical(v).lower() for v in options.necessary_third_parties)
    frames = with_declared_rows(frames, declared)
    frames = {key: _as_categories(frames[key]) for key in ("cookies", "storage", "requests")}
    findings = cookie_findings(frames["cookies"], frames["storage"], declared, facts=facts, options=options)
    findings += consent_phase_findings(frames, facts=facts, options=options, necessary=necessary,
                                       canonical=canonical)
    findings += third_party_findings(frames, facts=facts, options=options, canonical=canonical)
    return findings


def _as_categories(frame: pd.DataFrame) -> pd.DataFrame:
    """Repeated strings (names, hosts, pages, phases) as categoricals: every later group,
    de-duplication and comparison then works on small integer codes."""
    cols = [c for c in ("name", "host", "phase", "page_url", "category", "owner", "registrable_domain", "party")
            if c in frame and not isinstance(frame[c].dtype, pd.CategoricalDtype)]
    return frame.astype({c: "category" for c in cols}) if cols else frame


def sort_findings(findings) -> tuple[Finding, ...]:
    """The one finding order: most severe first, then kind, phase, subject, page."""
    return tuple(sorted(findings, key=lambda f: (
        -severity_rank(f.severity), FINDING_KINDS.index(f.kind) if f.kind in FINDING_KINDS else len(FINDING_KINDS),
        phase_rank(f.phase), f.subject, f.page_url or "", f.fingerprint)))
