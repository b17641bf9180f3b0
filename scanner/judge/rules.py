"""The reconciliation rules, each over pandas frames (see reconcile.reconcile_frames).

Each rule selects the offending rows with vectorised masks, then groups them
by subject so one finding carries every phase and page as evidence.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from scanner.common.durations import format_duration
from scanner.declared.families import matches
from scanner.judge.sightings import Sightings, fingerprint, sightings
from scanner.models import ANALYTICS, BEFORE_CONSENT, MARKETING, REFUSED_PHASES, STRICTLY_NECESSARY, UNKNOWN, Finding

# Kinds whose meaning depends on the phase: the phase is part of their fingerprint.
PHASED_KINDS = ("before_consent", "after_refusal", "consent_not_verified", "login_failed",
                "unclassified_before_consent", "unclassified_after_refusal")
# Cookies and storage keys nobody could classify: a person has to look (declare or classify
# them), but an unknown is not a violation, so they never fail the gate.
REVIEW_KINDS = ("unclassified_before_consent", "unclassified_after_refusal")

UNDECLARED_WHY = {
    "table": "not in the declared cookie table",
    "none": "the policy has no cookie table, so it is not declared",
    "missing": "no declared data for this site, so it is not declared",
}


def make_finding(kind: str, severity: str, subject: str, message: str, where: Sightings | None, *,
                 site: str, evidence: str = "", **extra) -> Finding:
    phase_class = (where.first_phase if where else extra.get("phase")) if kind in PHASED_KINDS else ""
    return Finding(
        kind=kind, severity=severity, subject=subject, message=message,
        phase=extra.pop("phase", where.first_phase if where else None),
        page_url=extra.pop("page_url", where.first_page if where else None),
        evidence=evidence, fingerprint=fingerprint(site, kind, subject, phase_class or ""), **extra)


def _first_by(frame: pd.DataFrame, key: str, cols: list[str]) -> dict[str, tuple]:
    first = frame.drop_duplicates(key)
    if first.empty:
        return {}
    return dict(zip(first[key].tolist(), zip(*(first[c].tolist() for c in cols))))


def _none(value):
    return None if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA else value


# ------------------------------------------------------------ cookie rules ---

def unmatched_rows(cookies: pd.DataFrame, storage: pd.DataFrame, n_declared: int) -> list[int]:
    """Declared rows no observed cookie or storage key fell under (column declared_row): stale declarations."""
    seen = set(np.unique(cookies["declared_row"]).tolist()) | set(np.unique(storage["declared_row"]).tolist())
    return [i for i in range(n_declared) if i not in seen]


def cookie_findings(cookies: pd.DataFrame, storage: pd.DataFrame, declared: pd.DataFrame, *, facts,
                    options) -> list[Finding]:
    """undeclared_cookie, over_long_cookie, over_legal_cap, session_mismatch, stale_declaration."""
    rows = cookies["declared_row"].to_numpy()
    row_of = _first_by(cookies, "name", ["declared_row"])
    names = declared["name"].tolist()
    families = [f if isinstance(f, str) and f else None
                for f in (declared["family"].tolist() if "family" in declared else [None] * len(names))]
    ref = declared["source"].tolist()
    text = declared["retention_text"].tolist()
    info = _first_by(cookies, "name", ["category", "classification_source", "owner", "host"])
    cap, site = options.evidence_pages, facts.site
    out: list[Finding] = []

    def cookie_finding(kind, severity, name, message, where, row=-1, evidence_prefix=""):
        cat, src, owner, _ = info[name]
        if row >= 0 and families[row] and name != names[row] and not matches(names[row], name):
            message += f" (declared row {names[row]} matched through the family {families[row]})"
        out.append(make_finding(
            kind, severity, name, message, where, site=site,
            evidence=where.text(evidence_prefix, "domains: " + ", ".join(where.extras)),
            declared_ref=ref[row] if row >= 0 else None, classification=_none(cat),
            classification_source=_none(src), vendor=_none(owner)))

    # A table "by reference" lives in a document nobody imported: judging cookies against
    # an empty table would call every cookie undeclared, so undeclared_cookie is skipped.
    undeclared = cookies[rows < 0] if facts.cookie_table != "by_reference" else cookies.iloc[:0]
    why = UNDECLARED_WHY.get(facts.cookie_table, UNDECLARED_WHY["table"])
    for name, where in sightings(undeclared, "name", cap=cap, extra="host").items():
        cookie_finding("undeclared_cookie", "medium", name, f"cookie {name} is observed but {why}", where)

    declared_kind = np.append(declared["retention_kind"].to_numpy(dtype=object), None)[rows]
    declared_s = np.append(declared["retention_s"].to_numpy(dtype="float64"), np.nan)[rows]
    requested = cookies["requested_lifetime_s"].to_numpy(dtype="float64")
    max_requested = cookies.groupby("name", sort=False)["requested_lifetime_s"].max().to_dict()

    over_long = (declared_kind == "duration") & (requested > declared_s + options.tolerance_s)
    for name, where in sightings(cookies[over_long], "name", cap=cap, extra="host").items():
        row = row_of[name][0]
        cookie_finding("over_long_cookie", "medium", name,
                       f"cookie {name} asks to live {format_duration(max_requested[name])}, longer than the declared "
                       f"{text[row]!r}", where, row, f"requested: {format_duration(max_requested[name])}")

    over_cap = requested > options.legal_cap_s
    for name, where in sightings(cookies[over_cap], "name", cap=cap, extra="host").items():
        row = row_of[name][0]
        cookie_finding("over_legal_cap", "high", name,
                       f"cookie {name} asks to live {format_duration(max_requested[name])}, over the "
                       f"{format_duration(options.legal_cap_s)} cap", where, row, f"requested: {format_duration(max_requested[name])}")

    observed_session = cookies["session"].to_numpy(dtype=bool)
    declared_session_but_kept = (declared_kind == "session") & ~observed_session
    declared_duration_but_session = (declared_kind == "duration") & observed_session
    for mask, what in ((declared_session_but_kept, "declared as a session cookie but persistent"),
                       (declared_duration_but_session, "declared with a duration but a session cookie")):
        for name, where in sightings(cookies[mask], "name", cap=cap, extra="host").items():
            row = row_of[name][0]
            cookie_finding("session_mismatch", "low", name,
                           f"cookie {name} is {what} (declared {text[row]!r}, requested "
                           f"{format_duration(max_requested[name])})", where, row)

    names = declared["name"].tolist()
    for i in unmatched_rows(cookies, storage, len(names)):
        name = names[i]
        out.append(make_finding(
            "stale_declaration", "low", name,
            f"declared cookie {name} was not observed in any phase", None, site=site,
            evidence=f"declared retention: {text[i]}", declared_ref=ref[i],
            classification=_none(declared["category"].iat[i]), classification_source="declared",
            vendor=_none(declared["vendor"].iat[i])))
    return out


# ------------------------------------------------ before consent / refusal ---

def consent_phase_findings(frames: dict[str, pd.DataFrame], *, facts, options, necessary: frozenset[str],
                           canonical) -> list[Finding]:
    """before_consent and after_refusal: what was there although nobody consented."""
    out: list[Finding] = []
    cap, site = options.evidence_pages, facts.site
    for phases, kind, when in (((BEFORE_CONSENT,), "before_consent", "before any consent"),
                               (REFUSED_PHASES, "after_refusal", "after a refusal")):
        # consent_not_verified already says an unverified phase cannot be judged
        phases = [p for p in phases if p not in facts.unjudged_phases]
        if not phases:
            continue
        for what, key in (("cookies", "cookie"), ("storage", "storage key")):
            frame = frames[what]
            hit = frame[frame["phase"].isin(phases) & (frame["category"] != STRICTLY_NECESSARY)]
            info = _first_by(hit, "name", ["category", "classification_source", "host"])
            for name, where in sightings(hit, "name", cap=cap, extra="host").items():
                cat, src, host = info[name]
                cat = _none(cat)
                if cat in (None, UNKNOWN):
                    finding_kind, severity = f"unclassified_{kind}", "low"
                    message = f"{key} {name} (category unknown) is set {when}: to review, declare it or classify it"
                else:
                    finding_kind, severity = kind, "high" if cat in (ANALYTICS, MARKETING) else "medium"
                    message = f"{key} {name} ({cat}, not strictly necessary) is set {when}"
                out.append(make_finding(
                    finding_kind, severity, name, message, where,
                    site=site, evidence=where.text("hosts: " + ", ".join(where.extras)),
                    classification=cat or UNKNOWN, classification_source=_none(src)))
        requests = frames["requests"]
        requests = requests[requests["phase"].isin(phases)]
        owner = _canonical_owners(requests["owner"], canonical)
        own = canonical(facts.own_owner).lower() if facts.own_owner else None
        low = owner.str.lower()
        needed = low.isin(necessary) | requests["registrable_domain"].str.lower().isin(necessary)
        hit = requests[~(needed | (low == own).fillna(False))]
        distinct = hit.assign(_owner=owner[hit.index]).drop_duplicates("host")
        owners = dict(zip(distinct["host"].tolist(), distinct["_owner"].tolist()))
        for host, where in sightings(hit, "host", cap=cap).items():
            vendor = _none(owners.get(host))
            out.append(make_finding(
                kind, "medium", host,
                f"request to third party {host} ({vendor or 'unknown owner'}, not strictly necessary) {when}",
                where, site=site, evidence=where.text(), vendor=vendor))
    return out


def _canonical_owners(owners: pd.Series, canonical) -> pd.Series:
    """Canonical vendor name per row (None kept), computed once per distinct owner."""
    mapping = {o: canonical(o) for o in owners.dropna().unique()}
    return owners.map(mapping).astype(object)


# ----------------------------------------------------------- third parties ---

def third_party_findings(frames: dict[str, pd.DataFrame], *, facts, options, canonical) -> list[Finding]:
    """undeclared_third_party: owners missing from the subprocessor annex, and hosts nobody owns."""
    cookies = frames["cookies"]
    cookies = cookies[cookies["party"] == "third"]
    cols = ["host", "owner", "phase", "page_url"]
    seen = pd.concat([frames["requests"][cols], cookies[cols]], ignore_index=True)
    owner = _canonical_owners(seen["owner"], canonical)
    own = canonical(facts.own_owner).lower() if facts.own_owner else None
    low = owner.str.lower()
    keep = ~(low == own).fillna(False)
    if facts.annex is not None:
        keep &= ~low.isin(facts.annex).fillna(False)
    seen = seen.assign(subject=owner.fillna(seen["host"]), known=owner.notna())[keep]
    distinct = seen.drop_duplicates("subject")
    known = dict(zip(distinct["subject"].tolist(), distinct["known"].tolist()))
    no_annex = "" if facts.annex is not None else " (the site publishes no subprocessor annex)"
    out: list[Finding] = []
    for subject, where in sightings(seen, "subject", cap=options.evidence_pages, extra="host").items():
        if known[subject]:
            message = f"third party {subject} receives requests or sets cookies but is not in the subprocessor annex"
        else:
            message = f"third party {subject} has no known owner, so it cannot be matched to the subprocessor annex"
        out.append(make_finding(
            "undeclared_third_party", "medium", subject, message + no_annex, where, site=facts.site,
            evidence=where.text("hosts: " + ", ".join(where.extras)), vendor=subject if known[subject] else None))
    return out
