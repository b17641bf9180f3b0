"""Classification of observed cookies and storage keys: precedence, sources, replica sites."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scanner.knowledge.classify import HEURISTICS, Classifier, classify_frame
from scanner.errors import UserError
from scanner.knowledge.cookies import KnowledgeBase, load_knowledge_base
from scanner.judge.observations import scan_frames
from scanner.models import CATEGORIES, DeclaredCookie, DeclaredSite, Retention
from scanner.judge.reconcile import SiteFacts, declared_frame, reconcile_frames
from tests.support.builders_knowledge import scan

WEB = Path(__file__).resolve().parents[2] / "scanner" / "demo" / "web"
# Our own stand-in for scanner.collect.consent.consent_cookie_patterns() (the consent rules' names).
CONSENT = {"didomi": ("didomi_token", "euconsent-v2"), "tarteaucitron": ("tarteaucitron",), "klaro": ("klaro",),
           "axeptio": ("axeptio_*",)}


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


def declared(*rows: tuple[str, str]) -> DeclaredSite:
    cookies = tuple(DeclaredCookie(name=n, vendor=f"vendor of {n}", purpose=f"purpose of {n}", category=c,
                                   retention=Retention("1 an", "duration", 365 * 86400.0),
                                   source=f"declared/example.fr/cookies.yaml:{i}")
                    for i, (n, c) in enumerate(rows, 10))
    return DeclaredSite(site="example.fr", cookie_table="table", cookies=cookies, subprocessors=())


def classify(kb, names, **kwargs) -> pd.DataFrame:
    return classify_frame(pd.DataFrame({"name": names}), kb=kb, **kwargs)


# ------------------------------------------------------------- precedence ---

def test_each_step_of_the_precedence_and_its_recorded_source(kb):
    site = declared(("_ga", "strictly_necessary"))
    out = classify(kb, ["_ga", "_gid", "didomi_token", "_fbp", "_myapp_session", "mystery"], declared=site,
                   site_overrides={"_gid": "functional", "_fbp*": "analytics"}, consent_patterns=CONSENT)
    assert out[["category", "classification_source"]].values.tolist() == [
        ["strictly_necessary", "declared:declared/example.fr/cookies.yaml:10"],  # declared beats the KB's analytics
        ["functional", "site_config"],  # site override beats the KB
        ["strictly_necessary", "consent_platform:didomi"],  # consent cookie beats the KB's "Functional"
        ["analytics", "site_config"],  # override pattern
        ["strictly_necessary", "heuristic:session_identifier"],
        ["unknown", "unknown"],
    ]
    assert out["likely_vendor"].tolist()[:4] == ["vendor of _ga", "Google", "Didomi", "Meta"]
    assert out["likely_purpose"].iat[0] == "purpose of _ga"


def test_declared_beats_knowledge_base_beats_heuristic(kb):
    names = ["__cf_bm", "AWSALB", "_x_session"]
    plain = classify(kb, names)
    assert plain["classification_source"].tolist() == ["knowledge_base:overrides", "knowledge_base:overrides",
                                                       "heuristic:session_identifier"]
    site = declared(("__cf_bm", "functional"), ("_x_session", "marketing"))
    out = classify(kb, names, declared=site)
    assert out["category"].tolist() == ["functional", "strictly_necessary", "marketing"]
    assert out["classification_source"].str.startswith("declared:").tolist() == [True, False, True]


def test_knowledge_base_beats_heuristic_even_when_it_is_less_generous(kb):
    # XSRF-TOKEN is in OCD (Security) and also fits a heuristic: the KB row is the one recorded.
    hit = Classifier(kb).classify("XSRF-TOKEN")
    assert (hit.category, hit.source) == ("strictly_necessary", "knowledge_base:open-cookie-database")
    assert Classifier(kb).heuristic("XSRF-TOKEN").name == "csrf_token"
    hj = Classifier(kb).classify("_hjSession_3517204")
    assert (hj.category, hj.source) == ("analytics", "knowledge_base:overrides")


def test_declared_exact_name_beats_declared_pattern(kb):
    site = declared(("intercom-*", "marketing"), ("intercom-session-*", "functional"), ("intercom-id-x", "analytics"))
    out = classify(kb, ["intercom-id-x", "intercom-session-abc", "intercom-device-id-y"], declared=site)
    assert out["category"].tolist() == ["analytics", "functional", "marketing"]
    assert out["classification_source"].tolist() == ["declared:declared/example.fr/cookies.yaml:12",
                                                      "declared:declared/example.fr/cookies.yaml:11",
                                                      "declared:declared/example.fr/cookies.yaml:10"]


def test_wildcard_knowledge_rows_match_id_suffixed_names(kb):
    out = classify(kb, ["_ga_ABC123", "_ga_ZZ9", "_pk_id.1.abcd"])
    assert out["category"].tolist() == ["analytics", "analytics", "analytics"]
    assert set(out["classification_source"]) == {"knowledge_base:open-cookie-database"}


def test_unknown_names_stay_unknown_never_necessary(kb):
    out = classify(kb, ["drdv_visitor", "bakup_onboarding", "session", "xyz"], consent_patterns=CONSENT)
    assert out["category"].tolist() == ["unknown"] * 4
    assert out["classification_source"].tolist() == ["unknown"] * 4
    assert out["likely_vendor"].isna().all()


def test_each_heuristic_is_named_and_exempt(kb):
    classifier = Classifier(KnowledgeBase([]))  # heuristics alone, no knowledge rows
    expected = {"PHPSESSID": "session_identifier", "JSESSIONID": "session_identifier",
                "ASP.NET_SessionId": "session_identifier", "connect.sid": "session_identifier",
                "laravel_session": "session_identifier", "csrftoken": "csrf_token", "XSRF-TOKEN": "csrf_token",
                "_csrf": "csrf_token", "__cf_bm": "anti_bot", "cf_clearance": "anti_bot", "AWSALB": "load_balancing",
                "AWSALBCORS": "load_balancing", "BIGipServer~web~pool": "load_balancing",
                "incap_ses_123_456": "anti_bot", "visid_incap_123": "anti_bot"}
    for name, heuristic in expected.items():
        found = classifier.classify(name)
        assert (found.category, found.source) == ("strictly_necessary", f"heuristic:{heuristic}"), name
    assert classifier.classify("_ga").category == "unknown"
    assert {h.category for h in HEURISTICS} == {"strictly_necessary"}


def test_a_bad_site_override_category_is_a_user_error(kb):
    with pytest.raises(UserError, match=r"'foo': 'necessary' is not one of strictly_necessary"):
        classify(kb, ["foo"], site_overrides={"foo": "necessary"})


def test_frame_is_copied_index_kept_and_missing_names_unknown(kb):
    frame = pd.DataFrame({"name": ["_ga", None, "_ga"], "kind": ["cookie", "local", "cookie"]}, index=[7, 8, 9])
    out = classify_frame(frame, kb=kb)
    assert "category" not in frame.columns and list(out.index) == [7, 8, 9]
    assert out["category"].tolist() == ["analytics", "unknown", "analytics"]
    assert out["kind"].tolist() == ["cookie", "local", "cookie"]
    assert set(out["category"]) <= set(CATEGORIES)
    empty = classify_frame(pd.DataFrame({"name": pd.Series([], dtype=object)}), kb=kb)
    assert list(empty.columns) == ["name", "category", "classification_source", "likely_vendor", "likely_purpose"]


def test_many_rows_are_classified_like_each_distinct_name(kb):
    names = np.array(["_ga", "_fbp", "PHPSESSID", "zz", "didomi_token"], dtype=object)
    frame = pd.DataFrame({"name": names[np.arange(50_000) % 5]})
    out = classify_frame(frame, kb=kb, consent_patterns=CONSENT)
    single = {n: Classifier(kb, consent_patterns=CONSENT).classify(n) for n in names}
    expected = [single[n].source for n in frame["name"]]
    assert out["classification_source"].tolist() == expected


# ----------------------------------------------------------- replica sites ---

# Every cookie and storage key the replica sites (and their third parties) set, as it
# appears in the fixture web, with a sample full name and the class expected with no
# declared table (docrdv.fr and www.mybakup.com publish none).
REPLICA = {
    # first party
    "PHPSESSID": ("PHPSESSID", "strictly_necessary", "knowledge_base:overrides"),
    "drdv_visitor": ("drdv_visitor", "unknown", "unknown"),
    "drdv_form_step": ("drdv_form_step", "unknown", "unknown"),
    "XSRF-TOKEN": ("XSRF-TOKEN", "strictly_necessary", "knowledge_base:open-cookie-database"),
    "svSession": ("svSession", "marketing", "knowledge_base:open-cookie-database"),
    "bakup_onboarding": ("bakup_onboarding", "unknown", "unknown"),
    # OCD knows an `ssid` of Springserve (marketing): a name collision the declared table must settle.
    "ssid": ("ssid", "marketing", "knowledge_base:open-cookie-database"),
    "esid": ("esid", "unknown", "unknown"),
    "__cf_bm": ("__cf_bm", "strictly_necessary", "knowledge_base:overrides"),
    "_cfduid": ("_cfduid", "strictly_necessary", "knowledge_base:overrides"),
    "last_agenda_route": ("last_agenda_route", "unknown", "unknown"),
    "dl_ab_bucket": ("dl_ab_bucket", "unknown", "unknown"),
    "dl_last_page": ("dl_last_page", "unknown", "unknown"),
    "_doctolib_session": ("_doctolib_session", "strictly_necessary", "heuristic:session_identifier"),
    "pin_login": ("pin_login", "unknown", "unknown"),
    # consent platforms (tarteaucitron and Klaro are the real npm libraries)
    "tarteaucitron": ("tarteaucitron", "strictly_necessary", "consent_platform:tarteaucitron"),
    "klaro": ("klaro", "strictly_necessary", "consent_platform:klaro"),
    "didomi_token": ("didomi_token", "strictly_necessary", "consent_platform:didomi"),
    "euconsent-v2": ("euconsent-v2", "strictly_necessary", "consent_platform:didomi"),
    # third parties
    "_ga": ("_ga", "analytics", "knowledge_base:open-cookie-database"),
    "_ga_": ("_ga_DLPRO7FR", "analytics", "knowledge_base:open-cookie-database"),
    "_fbp": ("_fbp", "marketing", "knowledge_base:open-cookie-database"),
    "fr": ("fr", "marketing", "knowledge_base:open-cookie-database"),
    "_hjSession_": ("_hjSession_3517204", "analytics", "knowledge_base:overrides"),
    "_hjSessionUser_": ("_hjSessionUser_3517204", "analytics", "knowledge_base:overrides"),
    "_hjRecordingLastActivity": ("_hjRecordingLastActivity", "analytics", "knowledge_base:overrides"),
    "intercom-session-": ("intercom-session-dl7fr2k9", "functional", "knowledge_base:overrides"),
    "intercom-id-": ("intercom-id-dl7fr2k9", "functional", "knowledge_base:overrides"),
    "intercom-device-id-": ("intercom-device-id-dl7fr2k9", "functional", "knowledge_base:overrides"),
    "intercom.intercom-state-": ("intercom.intercom-state-bk9x4w2p", "functional", "knowledge_base:overrides"),
    "hubspotutk": ("hubspotutk", "marketing", "knowledge_base:open-cookie-database"),
    "__hstc": ("__hstc", "marketing", "knowledge_base:open-cookie-database"),
    "__hssc": ("__hssc", "marketing", "knowledge_base:open-cookie-database"),
    "bcookie": ("bcookie", "marketing", "knowledge_base:open-cookie-database"),
    "lidc": ("lidc", "marketing", "knowledge_base:open-cookie-database"),
    "IDE": ("IDE", "marketing", "knowledge_base:open-cookie-database"),
    "YSC": ("YSC", "functional", "knowledge_base:open-cookie-database"),
    "VISITOR_INFO1_LIVE": ("VISITOR_INFO1_LIVE", "marketing", "knowledge_base:open-cookie-database"),
}
_SET = re.compile(r"""Set-Cookie: *([^=\s]+)=|cookie *= *["'`]([^="'`]+)|setItem\(["']([^"']+)["']""")


def replica_names() -> set[str]:
    """Names the replica sites set, read from the fixture web's files.

    The engine-test site, the consent-banner test pages, the hostile-web site, the plain benchmark sites,
    the behaviour fixtures' libraries
    and the untuned fixture web (judged by its own ground truth, tests/fixtures/expected/untuned/)
    are not replicas.
    """
    untuned = {p.stem for p in (WEB.parents[2] / "tests" / "fixtures" / "expected" / "untuned").glob("*.yaml")}
    names = set()
    for path in WEB.rglob("*"):
        host = path.relative_to(WEB).parts[0]
        if host in untuned:
            continue
        # FingerprintJS and rrweb serve the behaviour fixtures (www.behaviour-*.test), not the replicas;
        # FingerprintJS probes cookie support with a throwaway "cookietest" cookie.
        if any(part.startswith(("@fingerprintjs", "rrweb@")) for part in path.relative_to(WEB).parts):
            continue
        if path.is_file() and not any(t in host for t in ("engine-", "consent-", "hostile-", "plain-")) and path.suffix in (".headers", ".js", ".html", ""):
            for m in _SET.finditer(path.read_text(encoding="utf-8", errors="replace")):
                names.add(next(g for g in m.groups() if g))
    return names


def test_the_expectations_cover_every_cookie_the_replicas_set():
    missing = replica_names() - set(REPLICA)
    assert not missing, f"replica cookies without an expected class: {sorted(missing)}"


def test_every_replica_cookie_gets_the_expected_class_and_source(kb):
    samples = [sample for sample, _, _ in REPLICA.values()]
    out = classify(kb, samples, consent_patterns=CONSENT)
    got = dict(zip(samples, zip(out["category"], out["classification_source"])))
    expected = {sample: (cat, src) for sample, cat, src in REPLICA.values()}
    assert got == expected


def test_pro_doctolib_fr_declared_table_takes_precedence(kb):
    # Rows of the seed 000 cookie table (strictly necessary section) as the declared side would read them.
    site = declared(("_doctolib_session", "strictly_necessary"), ("last_agenda_route", "strictly_necessary"),
                    ("pin_login", "strictly_necessary"), ("ssid", "strictly_necessary"),
                    ("esid", "strictly_necessary"), ("intercom-session", "strictly_necessary"),
                    ("_cfduid", "strictly_necessary"))
    names = ["_doctolib_session", "ssid", "_cfduid", "intercom-session-dl7fr2k9", "_ga", "dl_ab_bucket"]
    out = classify(kb, names, declared=site, consent_patterns=CONSENT)
    assert out["classification_source"].str.split(":").str[0].tolist() == [
        "declared", "declared", "declared", "declared", "knowledge_base", "unknown"]
    # The table declares `intercom-session` without the app id: the knowledge base knows it as the
    # stem of the family `intercom-session-*`, so the row covers the member, and says how.
    assert out["category"].tolist() == ["strictly_necessary"] * 4 + ["analytics", "unknown"]
    assert out["classification_source"].iat[3].endswith("(through the family intercom-session-*)")


# ----------------------------------------------- with the reconcile rules ---

def test_an_unknown_cookie_before_consent_is_reported_for_review_with_its_source(kb):
    # The classified frames through the reconcile engine's real before-consent rule.
    frames = scan_frames(scan())
    for key in ("cookies", "storage"):
        frames[key] = classify_frame(frames[key], kb=kb, consent_patterns=CONSENT)
    frames["cookies"]["owner"] = frames["cookies"]["likely_vendor"]
    frames["requests"]["owner"] = None
    findings = reconcile_frames(frames, declared_frame(None), facts=SiteFacts(site="docrdv.fr", cookie_table="missing"))
    before = {f.subject: f for f in findings if f.kind == "before_consent"}
    review = {f.subject: f for f in findings if f.kind == "unclassified_before_consent"}
    assert "PHPSESSID" not in before | review and "tarteaucitron" not in before | review  # session, consent storage
    # An unknown is not a violation: it goes to review (low), never to before_consent.
    visitor = review["drdv_visitor"]
    assert "drdv_visitor" not in before
    assert (visitor.classification, visitor.classification_source, visitor.severity) == ("unknown", "unknown", "low")
    assert "to review" in visitor.message
    assert review["drdv_form_step"].classification == "unknown"  # storage keys too
    assert (before["YSC"].classification, before["YSC"].classification_source) == (
        "functional", "knowledge_base:open-cookie-database")
