"""Report samples: a stored scan of a replica (for the goldens) and a hand-built hostile sample.

The goldens are the reports of `golden/replica_scan.json`, a scan of the
SYNTHETIC pro.doctolib.fr replica recorded once by the real engine, judged by
the real reconcile against the committed declared/pro.doctolib.fr: they guard
the pipeline's output, not a state only a hand could build. Re-record it after
a change to the replica or the engine (needs Chromium):
    .venv/bin/python -m tests.support.report_sample --rescan
Regenerate the golden files after an intended change to judge or renderers:
    .venv/bin/python -m tests.support.report_sample --write

The hand-built sample below is for the contract tests: SYNTHETIC, modelled on
the pro.doctolib.fr replica, not a measurement.
It carries hostile names on purpose: a cookie named `<script>alert(1)</script>`,
a page URL with `"><img src=x onerror=alert(1)>`, a storage key that a
spreadsheet would run as a formula.

"""
from __future__ import annotations

import sys
from pathlib import Path

from scanner.models import (
    ACCEPT, BEFORE_CONSENT, REJECT, ConsentOutcome, DeclaredCookie, DeclaredSite, Finding, ObservedCookie,
    ObservedRequest, PageVisit, PhaseResult, Retention, ScanResult, StorageItem, Subprocessor,
)
from scanner.judge import Judgement, judge
from scanner.scanfile import SCHEMA_VERSION
from tests.support.builders_reconcile import DictVendors

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
SITE = "pro.doctolib.fr"
HOME = "https://pro.doctolib.fr/"
SCRIPT_COOKIE = "<script>alert(1)</script>"
IMG_URL = 'https://pro.doctolib.fr/recherche?q="><img src=x onerror=alert(1)>'
FORMULA_KEY = '=HYPERLINK("https://evil.example","click")'
VALUE_HASHES = ("a1b2c3d4e5f60718", "0f1e2d3c4b5a6978", "99aa88bb77cc66dd", "5e5e5e5e12121212", "cafe0000beef1111")
SCREENSHOT = "screenshots/before_consent-1.png"

# The vendor owners of the sample's hosts (the vendor map's role, fixed here so goldens stay stable).
SAMPLE_VENDORS = DictVendors({"google-analytics.com": "Google", "intercom.io": "Intercom"},
                             aliases={"Google Ireland Limited": "Google"})

MONTH = 30.44 * 86400


def _cookie(name, domain, phase, *, party="first", lifetime=None, value_hash=VALUE_HASHES[0], page=HOME,
            registrable="doctolib.fr"):
    return ObservedCookie(
        name=name, domain=domain, path="/", secure=True, http_only=False, same_site="Lax", partitioned=False,
        session=lifetime is None, requested_lifetime_s=lifetime, stored_lifetime_s=lifetime and min(lifetime, 400 * 86400),
        party=party, registrable_domain=registrable, set_by="header", set_by_url=page, phase=phase, page_url=page,
        value_hash=value_hash)


def _request(url, host, registrable, phase, page=HOME):
    return ObservedRequest(url=url, host=host, registrable_domain=registrable, resource_type="script", phase=phase,
                           page_url=page, status=200)


def sample_scan() -> ScanResult:
    before = PhaseResult(
        phase=BEFORE_CONSENT,
        pages=(PageVisit(HOME, BEFORE_CONSENT, True, title="Doctolib Pro", http_status=200, duration_s=1.5),
               PageVisit(IMG_URL, BEFORE_CONSENT, False, error="net::ERR_TIMED_OUT", duration_s=10.0)),
        cookies=(_cookie("__cf_bm", ".pro.doctolib.fr", BEFORE_CONSENT, lifetime=1800, value_hash=VALUE_HASHES[0]),
                 _cookie("_ga", ".doctolib.fr", BEFORE_CONSENT, lifetime=24 * MONTH, value_hash=VALUE_HASHES[1])),
        blocked_cookies=(),
        storage=(StorageItem(origin="https://pro.doctolib.fr", kind="local", key=FORMULA_KEY,
                             value_hash=VALUE_HASHES[2], party="first", phase=BEFORE_CONSENT, page_url=HOME),),
        requests=(_request("https://www.google-analytics.com/g/collect?v&tid", "www.google-analytics.com",
                           "google-analytics.com", BEFORE_CONSENT),),
        consent=ConsentOutcome(action="none", platform="didomi", status="not_applicable"),
        screenshots=(SCREENSHOT,),
    )
    accept = PhaseResult(
        phase=ACCEPT,
        pages=(PageVisit(HOME, ACCEPT, True, title="Doctolib Pro", http_status=200, duration_s=1.2),),
        cookies=(_cookie("__cf_bm", ".pro.doctolib.fr", ACCEPT, lifetime=1800),
                 _cookie("_ga", ".doctolib.fr", ACCEPT, lifetime=24 * MONTH, value_hash=VALUE_HASHES[1]),
                 _cookie("_ga_ABC123", ".doctolib.fr", ACCEPT, lifetime=13 * MONTH, value_hash=VALUE_HASHES[3]),
                 _cookie(SCRIPT_COOKIE, "widget.intercom.io", ACCEPT, party="third", lifetime=7 * 86400,
                         value_hash=VALUE_HASHES[4], page=IMG_URL, registrable="intercom.io")),
        blocked_cookies=(),
        storage=(),
        requests=(_request("https://widget.intercom.io/widget/abc", "widget.intercom.io", "intercom.io", ACCEPT),
                  _request("https://js.hs-scripts.com/123.js", "js.hs-scripts.com", "hs-scripts.com", ACCEPT)),
        consent=ConsentOutcome(action="accept", platform="didomi", method="rule:didomi", clicked=True, effective=True,
                               status="given", evidence=("banner hidden", "cookie didomi_token stored")),
    )
    reject = PhaseResult(
        phase=REJECT,
        pages=(PageVisit(HOME, REJECT, True, title="Doctolib Pro", http_status=200, duration_s=1.1),),
        cookies=(_cookie("__cf_bm", ".pro.doctolib.fr", REJECT, lifetime=1800),
                 _cookie("_ga", ".doctolib.fr", REJECT, lifetime=24 * MONTH, value_hash=VALUE_HASHES[1])),
        blocked_cookies=(),
        storage=(),
        requests=(),
        consent=ConsentOutcome(action="reject", platform="didomi", method="rule:didomi", clicked=True,
                               effective=False, status="not_refused", reason="banner still visible after click"),
    )
    return ScanResult(
        schema_version=SCHEMA_VERSION, site=SITE, start_url=HOME, registrable_domain="doctolib.fr",
        started_at="2026-01-15T02:00:00Z", finished_at="2026-01-15T02:03:10Z", tool_version="0.1.0",
        browser="Chromium 131.0", page_list=(HOME, IMG_URL), phases=(before, accept, reject), synthetic=True)


def sample_declared() -> DeclaredSite:
    def row(name, vendor, category, text, kind, seconds, line):
        return DeclaredCookie(name=name, vendor=vendor, purpose="", category=category,
                              retention=Retention(text, kind, seconds), source=f"declared/{SITE}/cookies.csv:{line}")

    return DeclaredSite(
        site=SITE, cookie_table="table",
        cookies=(row("__cf_bm", "Cloudflare", "strictly_necessary", "30 minutes", "duration", 1800, 2),
                 row("_ga", "Google", "analytics", "13 Mois", "duration", 13 * MONTH, 3),
                 row("_ga_*", "Google", "analytics", "13 Mois", "duration", 13 * MONTH, 4),
                 row("didomi_token", "Didomi", "strictly_necessary", "6 Mois", "duration", 6 * MONTH, 5)),
        subprocessors=(Subprocessor("Google Ireland Limited", "IE", "Analytics", "Audience measurement",
                                    f"declared/{SITE}/subprocessors.csv:2"),),
    )


def sample_findings() -> list[Finding]:
    def finding(kind, severity, subject, message, *, phase=None, page=HOME, **extra):
        return Finding(kind=kind, severity=severity, subject=subject, message=message, phase=phase, page_url=page,
                       fingerprint=f"fp-{kind}-{len(subject)}-{phase or 'any'}", **extra)

    return [
        finding("stale_declaration", "info", "didomi_token", "Declared cookie didomi_token was never observed",
                page=None, declared_ref=f"declared/{SITE}/cookies.csv:5"),
        finding("over_legal_cap", "medium", "_ga", "_ga asks for 24 months, over the 13-month CNIL cap",
                phase=BEFORE_CONSENT, evidence="requested 24 months", declared_ref=f"declared/{SITE}/cookies.csv:3"),
        finding("before_consent", "high", "_ga", "Analytics cookie _ga set before consent", phase=BEFORE_CONSENT,
                classification="analytics", classification_source="declared", vendor="Google",
                declared_ref=f"declared/{SITE}/cookies.csv:3"),
        finding("before_consent", "high", FORMULA_KEY, "Storage key set before consent, not strictly necessary",
                phase=BEFORE_CONSENT, classification="unknown", classification_source="none"),
        finding("undeclared_cookie", "medium", SCRIPT_COOKIE, f"Cookie {SCRIPT_COOKIE} is not declared",
                phase=ACCEPT, page=IMG_URL, vendor="Intercom", classification="functional",
                classification_source="knowledge base"),
        finding("undeclared_third_party", "medium", "hs-scripts.com", "Requests to hs-scripts.com; owner not in annex",
                phase=ACCEPT, evidence="https://js.hs-scripts.com/123.js"),
        finding("after_refusal", "high", "_ga", "Analytics cookie _ga present after refusal", phase=REJECT,
                classification="analytics", classification_source="declared", vendor="Google"),
        finding("over_long_cookie", "low", "_ga", "_ga asks for 24 months; declared 13 Mois", phase=ACCEPT,
                declared_ref=f"declared/{SITE}/cookies.csv:3"),
    ]


def sample_judgement(scan: ScanResult | None = None, findings: list[Finding] | None = None,
                     declared: DeclaredSite | None = None, *, vendors=SAMPLE_VENDORS) -> Judgement:
    """The judge's verdict on the sample, reporting the hand-built `findings` (default: sample_findings()),
    which carry the hostile names every renderer must keep inert."""
    judgement = judge(scan or sample_scan(), declared, vendors=vendors)
    return judgement.with_findings(sample_findings() if findings is None else findings)


REPO = Path(__file__).resolve().parents[2]
REPLICA_SCAN = GOLDEN / "replica_scan.json"
GOLDEN_FORMATS = ("json", "md", "sarif")


def replica_model(**options):
    """The report model of the stored replica scan, judged by the real pipeline as `check` would
    (run from the repository root: paths are the checkout's, as in cookiescan.toml)."""
    from scanner.config import load_config
    from scanner.declared import load_declared
    from scanner.judge import judge
    from scanner.report import build_report
    from scanner.scanfile import load_scan

    scan = load_scan(REPLICA_SCAN)
    site = load_config(Path("cookiescan.toml")).site(SITE)
    declared = load_declared(Path(site.declared))
    return build_report(scan, judge(scan, declared, site), scan_dir=REPLICA_SCAN.parent, site_ref=site.source,
                        **options)


def rescan() -> None:
    """Record the replica scan the goldens come from (real Chromium, the fixture web)."""
    import tempfile

    from scanner.collect.browser import BrowserOptions
    from scanner.collect.engine import ScanOptions, scan_site
    from scanner.config import load_config
    from scanner.demo.fixtureweb import FixtureWeb
    from scanner.scanfile import save_scan

    site = load_config(REPO / "scanner" / "demo" / "demo.toml").site(SITE)
    site = type(site)(**{**site.__dict__, "login": None, "pages": 4})  # no credentials needed: three phases
    with FixtureWeb() as web, tempfile.TemporaryDirectory() as out:
        options = ScanOptions(browser=BrowserOptions(host_resolver_rules=web.resolver_rules, ignore_https_errors=True,
                                                     navigation_timeout_s=10), out_dir=Path(out), synthetic=True,
                              screenshots=False)
        scan = scan_site(site, options)
    # Times vary from run to run; fixed ones keep the golden diff to what changed.
    save_scan(type(scan)(**{**scan.__dict__, "started_at": "2026-01-15T02:00:00+00:00",
                            "finished_at": "2026-01-15T02:01:00+00:00"}), REPLICA_SCAN)


def write_goldens() -> None:
    import os

    from scanner.report import render

    os.chdir(REPO)
    model = replica_model()
    for fmt in GOLDEN_FORMATS:
        (GOLDEN / f"replica_report.{fmt}").write_text(render(fmt, model), encoding="utf-8")
    from scanner.scanfile import save_scan
    save_scan(sample_scan(), GOLDEN / "sample_scan.json")


if __name__ == "__main__":
    if "--rescan" in sys.argv[1:]:
        rescan()
        print(f"recorded {REPLICA_SCAN}")
    if sys.argv[1:] and set(sys.argv[1:]) <= {"--write", "--rescan"}:
        write_goldens()
        print(f"wrote golden files in {GOLDEN}")
