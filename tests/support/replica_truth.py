"""The replica sites' ground truth (tests/fixtures/expected/<site>.yaml) as scans and as a judge.

`truth_scan` turns a replica's `observed:` list into a ScanResult, so reconciliation
can be checked against the planted discrepancies without a browser. `unjustified`
is the "and nothing else" half of the replica test: it names every finding the
ground truth and the declared files do not account for. It judges each finding
with the declared side's own matcher and the vendor map, not with reconcile's code.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from tests.support.builders_reconcile import declared_row
from scanner.models import (ACCEPT, BEFORE_CONSENT, REJECT, ConsentOutcome, DeclaredSite, Finding,
                            ObservedCookie, ObservedRequest, PageVisit, PhaseResult, ScanResult, StorageItem)
from scanner.common.durations import MONTH_S

EXPECTED = Path(__file__).resolve().parents[1] / "fixtures" / "expected"
REPLICAS = ("pro.doctolib.fr", "pro.doctolib.it", "pro.doctolib.de", "docrdv.fr", "www.mybakup.com")
DAY = 86400.0


def truth(site: str) -> dict:
    return yaml.safe_load((EXPECTED / f"{site}.yaml").read_text(encoding="utf-8"))


def truth_scan(site: str) -> ScanResult:
    data = truth(site)
    start = f"https://{site}/"
    phases = []
    for phase, action in ((BEFORE_CONSENT, "none"), (ACCEPT, "accept"), (REJECT, "reject")):
        items = [o for o in data["observed"] if phase in o["phases"]]
        cookies = tuple(ObservedCookie(
            name=o["name"], domain=o["domain"], path="/", secure=True, http_only=bool(o.get("http_only")),
            same_site=o.get("same_site"), partitioned=False, session=o.get("requested_lifetime_s") is None,
            requested_lifetime_s=o.get("requested_lifetime_s"), stored_lifetime_s=o.get("stored_lifetime_s"),
            party=o["party"], registrable_domain=o["domain"].lstrip("."), set_by=o.get("set_by", "unknown"),
            set_by_url=_set_by_url(o, site), phase=phase, page_url=start, value_hash="0" * 16)
            for o in items if o["kind"] == "cookie")
        storage = tuple(StorageItem(origin=start.rstrip("/"), kind=o["kind"].split("_")[0], key=o["key"],
                                    value_hash="0" * 16, party="first", phase=phase, page_url=start)
                        for o in items if o["kind"].endswith("_storage"))
        requests = tuple(ObservedRequest(url=f"https://{o['host']}/", host=o["host"],
                                         registrable_domain=".".join(o["host"].split(".")[-2:]), resource_type="script",
                                         phase=phase, page_url=start, status=200)
                         for o in items if o["kind"] == "request")
        done = {"none": "not_applicable", "accept": "given", "reject": "refused"}[action]
        phases.append(PhaseResult(phase=phase, pages=(PageVisit(url=start, phase=phase, ok=True),), cookies=cookies,
                                  blocked_cookies=(), storage=storage, requests=requests,
                                  consent=ConsentOutcome(action=action, clicked=action != "none",
                                                         effective=action != "none", status=done)))
    return ScanResult(schema_version=1, site=site, start_url=start, registrable_domain=site.split(".", 1)[-1]
                      if site.startswith(("pro.", "www.")) else site, started_at="2026-01-01T00:00:00+00:00",
                      finished_at="2026-01-01T00:01:00+00:00", tool_version="truth", browser="none",
                      page_list=(start,), phases=tuple(phases), synthetic=True)


def _set_by_url(observed: dict, site: str) -> str | None:
    """Who set a cookie, as the scan records it: the script's host, or the site's own response."""
    if observed.get("set_by_host"):
        return f"https://{observed['set_by_host']}/"
    if observed.get("set_by") == "header" and observed["party"] == "first":
        return f"https://{site}/"
    return None


# Names that are strictly necessary whatever a knowledge base says (CNIL exemptions: session,
# security, load balancing), written here independently of the classifier's heuristics.
NECESSARY_NAMES = re.compile(r"PHPSESSID|JSESSIONID|ASP\.NET_SessionId|connect\.sid|laravel_session|sessionid"
                             r"|.+_session|csrftoken|XSRF-TOKEN|__(Host|Secure)-.*(sid|sess).*|AWSALB.*|"
                             r"BIGipServer.*|SERVERID|__cf_bm|cf_clearance")


def strictly_necessary(name: str, finding: Finding) -> bool:
    """A subject no before-consent / after-refusal finding may be about: a session id, a security
    token, a consent platform's own cookie (docs/consent.md's platform rules)."""
    from scanner.collect.consent.rules import load_rules, matches
    consent_names = [p for rule in load_rules() for p in (*rule.cookies, *rule.storage)]
    return (finding.classification == "strictly_necessary" or bool(NECESSARY_NAMES.fullmatch(name))
            or matches(name, consent_names))


def rests_on_collision(finding: Finding, scan: ScanResult, vendors) -> bool:
    """A knowledge-base category for a cookie only the site itself set, while the row belongs
    to a vendor with domains elsewhere: the name matched, the cookie is not the vendor's."""
    if not (finding.classification_source or "").startswith("knowledge_base"):
        return False
    from scanner.knowledge.cookies import load_knowledge_base
    row = load_knowledge_base().best(finding.subject)
    if row is None:
        return False
    setters = {(c.set_by_url or "").split("/")[2] if c.set_by_url else "" for p in scan.phases for c in p.cookies
               if c.name == finding.subject}
    domains = set(vendors.domains_of(row.vendor)) if row.vendor else set()
    domains |= {row.domain.split(" ")[0].lstrip(".")} if "." in row.domain else set()
    site = scan.registrable_domain
    own = bool(setters) and all(s == site or s.endswith("." + site) for s in setters)
    return own and bool(domains) and not any(site == d or site.endswith("." + d) for d in domains)


def planted(site: str) -> set[tuple[str, str]]:
    return {(p["kind"], p["subject"]) for p in truth(site)["planted"]}


def planted_behaviour(site: str) -> set[tuple[str, str]]:
    """Behaviour planted in a replica (scripts' doings, not in the `observed:` inventory)."""
    return {(p["kind"], p["subject"]) for p in truth(site).get("planted_behaviour") or []}


def unjustified(findings: list[Finding], scan: ScanResult, declared: DeclaredSite | None, vendors) -> list[str]:
    """Findings the observations and declared files do not support (empty = nothing else reported)."""
    seen: dict[str, set[str]] = {}
    lifetime: dict[str, float] = {}
    session: dict[str, bool] = {}
    hosts: dict[str, set[str]] = {}
    for p in scan.phases:
        for c in p.cookies:
            seen.setdefault(c.name, set()).add(p.phase)
            lifetime[c.name] = max(lifetime.get(c.name, 0.0), c.requested_lifetime_s or 0.0)
            session[c.name] = c.session
            if c.party == "third":
                hosts.setdefault(c.domain.lstrip("."), set()).add(p.phase)
        for s in p.storage:
            seen.setdefault(s.key, set()).add(p.phase)
        for r in p.requests:
            hosts.setdefault(r.host, set()).add(p.phase)
            seen.setdefault(r.host, set()).add(p.phase)
    annex = {vendors.canonical(s.name) or s.name for s in (declared.subprocessors if declared else ())}
    owners = {vendors.owner_of(h) or h for h in hosts}
    table = declared is not None and declared.cookie_table in ("table", "none")
    bad = []
    for f in findings:
        row = declared_row(declared, f.subject) if declared else None
        ok = {
            "undeclared_cookie": f.subject in lifetime and row is None and table,
            "over_legal_cap": lifetime.get(f.subject, 0) > 13 * MONTH_S,
            "over_long_cookie": row is not None and row.retention.seconds is not None
                                and lifetime.get(f.subject, 0) > row.retention.seconds + DAY,
            "session_mismatch": row is not None and f.subject in session
                                and (row.retention.kind == "session") != session[f.subject],
            "stale_declaration": row is not None and not any(declared_row(declared, n) == row for n in seen),
            # Before consent / after a refusal: seen there, and neither a strictly necessary
            # subject nor a category borrowed from another vendor's cookie of the same name.
            "before_consent": BEFORE_CONSENT in seen.get(f.subject, ()) and not strictly_necessary(f.subject, f)
                              and not rests_on_collision(f, scan, vendors),
            "after_refusal": REJECT in seen.get(f.subject, ()) and not strictly_necessary(f.subject, f)
                             and not rests_on_collision(f, scan, vendors),
            # Review items: seen there and really unknown.
            "unclassified_before_consent": BEFORE_CONSENT in seen.get(f.subject, ()) and f.classification == "unknown",
            "unclassified_after_refusal": REJECT in seen.get(f.subject, ()) and f.classification == "unknown",
            "undeclared_third_party": f.subject in owners and f.subject not in annex,
            **_behaviour_justified(f, scan, vendors),
        }.get(f.kind, False)
        if not ok:
            bad.append(f"{f.kind} {f.subject}: {f.message}")
    return bad


def _behaviour_justified(f: Finding, scan: ScanResult, vendors) -> dict[str, bool]:
    """Behaviour findings are justified by the collector's own records of the subject."""
    b = [p.behaviour for p in scan.phases]
    receivers = {h for x in b for h in [leak.host for leak in x.input_leaks + x.url_leaks]}
    named = receivers | {vendors.owner_of(h) for h in receivers}
    return {
        "fingerprinting": any(c.script_url == f.subject for x in b for c in x.fingerprinting),
        "session_recording": any(r.vendor in f.subject for x in b for r in x.session_recordings),
        "input_leak": f.subject in named and f.severity == "high",
        "sensitive_url_leak": f.subject in named,
    }
