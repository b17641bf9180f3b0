"""Reconciliation rules on hand-built scans: each rule fires on what it should and nothing else."""
from __future__ import annotations

from dataclasses import replace

from scanner.models import ACCEPT, AUTHENTICATED, BEFORE_CONSENT, REJECT, SEVERITIES, LoginOutcome, PhaseResult
from scanner.judge import judge
from scanner.judge.reconcile import FINDING_KINDS, ReconcileOptions, observed_frames
from tests.support.builders_reconcile import (DAY, START, DictVendors, cookie, declared, declared_cookie, request, scan,
                                      storage)

VENDORS = DictVendors({"zz-analytics.test": "ZZ Analytics", "cmp.test": "Didomi", "shop.example": "Shop SA",
                       "shop-cdn.test": "Shop SA"}, aliases={"Didomi SAS": "Didomi"})


def kinds(findings, kind):
    return {f.subject: f for f in findings if f.kind == kind}


def run(s, d=None, **kw):
    return judge(s, d, vendors=VENDORS, **kw).findings


def test_undeclared_cookie_once_with_every_page_as_evidence():
    s = scan(cookies=[cookie("zz_id", ACCEPT, START + p) for p in ("a", "b", "c")] + [cookie("zz_id", REJECT)])
    found = kinds(run(s, declared([declared_cookie("sid", "Session", kind="session")])), "undeclared_cookie")
    assert set(found) == {"zz_id"}
    f = found["zz_id"]
    assert f.phase == ACCEPT and f.page_url == START + "a"
    assert "accept, reject" in f.evidence and "pages (4)" in f.evidence
    assert f.severity in SEVERITIES and f.fingerprint


def test_pattern_declared_cookie_is_not_undeclared_and_not_stale():
    s = scan(cookies=[cookie("_zz_ABC123", ACCEPT)])
    d = declared([declared_cookie("_zz_*", "1 mois", 30 * DAY)])
    out = run(s, d)
    assert not kinds(out, "undeclared_cookie") and not kinds(out, "stale_declaration")


def test_over_long_respects_tolerance_and_legal_cap_is_separate():
    s = scan(cookies=[cookie("a_ok", ACCEPT, lifetime=30 * DAY + 3600),  # within 1 day tolerance
                      cookie("b_long", ACCEPT, lifetime=32 * DAY),
                      cookie("c_cap", ACCEPT, lifetime=5 * 365 * DAY)])
    d = declared([declared_cookie(n, "1 mois", 30 * DAY, category="functional") for n in ("a_ok", "b_long")]
                 + [declared_cookie("c_cap", "6 ans", 6 * 365 * DAY, category="functional")])
    out = run(s, d)
    assert set(kinds(out, "over_long_cookie")) == {"b_long"}
    assert set(kinds(out, "over_legal_cap")) == {"c_cap"}
    assert kinds(out, "over_long_cookie")["b_long"].declared_ref.endswith(":1")
    strict = run(s, d, options=ReconcileOptions(tolerance_s=0))
    assert set(kinds(strict, "over_long_cookie")) == {"a_ok", "b_long"}


def test_session_mismatch_both_ways():
    s = scan(cookies=[cookie("sess_kept", ACCEPT, lifetime=10 * DAY), cookie("dur_session", ACCEPT, lifetime=None)])
    d = declared([declared_cookie("sess_kept", "Session", kind="session"),
                  declared_cookie("dur_session", "1 an", 365 * DAY)])
    assert set(kinds(run(s, d), "session_mismatch")) == {"sess_kept", "dur_session"}


def test_stale_declaration_counts_every_phase_and_storage():
    s = scan(cookies=[cookie("seen_auth", ACCEPT)], storage_items=[storage("ls_key", ACCEPT)])
    d = declared([declared_cookie("seen_auth"), declared_cookie("ls_key"), declared_cookie("never", line=7)])
    stale = kinds(run(s, d), "stale_declaration")
    assert set(stale) == {"never"}
    assert stale["never"].declared_ref.endswith(":7") and stale["never"].phase is None


def test_before_consent_flags_only_not_strictly_necessary():
    s = scan(cookies=[cookie("sid", BEFORE_CONSENT), cookie("zz_track", BEFORE_CONSENT), cookie("zz_track", ACCEPT)],
             storage_items=[storage("zz_ls", BEFORE_CONSENT)],
             requests=[request("t.zz-analytics.test"), request("sdk.cmp.test"), request("img.shop-cdn.test")])
    d = declared([declared_cookie("sid", "Session", kind="session"),
                  declared_cookie("zz_track", "1 mois", 30 * DAY, category="marketing"),
                  declared_cookie("zz_ls", category="analytics")], ["ZZ Analytics", "Didomi SAS"])
    out = kinds(run(s, d), "before_consent")
    # sid is strictly necessary; the CMP (Didomi) is necessary; shop-cdn.test belongs to the site's own company
    assert set(out) == {"zz_track", "zz_ls", "t.zz-analytics.test"}
    assert out["zz_track"].severity == "high" and out["zz_track"].classification == "marketing"
    assert out["t.zz-analytics.test"].vendor == "ZZ Analytics"


def test_after_refusal_only_when_refusal_took_effect():
    cookies = [cookie("zz_track", REJECT)]
    d = declared([declared_cookie("zz_track", "1 mois", 30 * DAY, category="analytics")])
    assert set(kinds(run(scan(cookies=cookies), d), "after_refusal")) == {"zz_track"}
    out = run(scan(cookies=cookies, unverified=(REJECT,)), d)
    assert not kinds(out, "after_refusal")
    loud = kinds(out, "consent_not_verified")
    assert set(loud) == {REJECT} and loud[REJECT].severity == "high"
    assert "NOT VERIFIED" in loud[REJECT].message


def test_undeclared_third_party_compares_canonical_annex_names():
    s = scan(requests=[request("sdk.cmp.test"), request("t.zz-analytics.test", ACCEPT), request("x.nobody.test", ACCEPT),
                       request("img.shop-cdn.test")],
             cookies=[cookie("tp", ACCEPT, domain=".zz-analytics.test", party="third")])
    out = kinds(run(s, declared([], ["Didomi SAS"])), "undeclared_third_party")
    assert set(out) == {"ZZ Analytics", "x.nobody.test"}
    assert "t.zz-analytics.test" in out["ZZ Analytics"].evidence and "zz-analytics.test" in out["ZZ Analytics"].evidence
    assert "no known owner" in out["x.nobody.test"].message
    no_annex = kinds(run(s, declared([])), "undeclared_third_party")
    assert set(no_annex) == {"Didomi", "ZZ Analytics", "x.nobody.test"}
    assert all("no subprocessor annex" in f.message for f in no_annex.values())


def test_failed_pages_and_login_are_reported():
    s = scan(cookies=[cookie("sid")], failed_pages=(START + "broken",))
    auth = PhaseResult(phase=AUTHENTICATED, pages=(), cookies=(), blocked_cookies=(), storage=(), requests=(),
                       consent=s.phases[1].consent, login=LoginOutcome(attempted=True, logged_in=False,
                                                                       reason="success selector never appeared"))
    s = replace(s, phases=s.phases + (auth,))
    out = run(s, declared([declared_cookie("sid")]))
    failed = kinds(out, "page_failed")
    assert set(failed) == {START + "broken"} and failed[START + "broken"].severity == "info"
    assert "before_consent: timeout" in failed[START + "broken"].evidence
    assert "success selector" in kinds(out, "login_failed")[AUTHENTICATED].message


def test_fingerprint_stable_across_pages_and_time_but_not_phase_class():
    a = run(scan(cookies=[cookie("zz", BEFORE_CONSENT, START + "a")]))
    b = run(replace(scan(cookies=[cookie("zz", BEFORE_CONSENT, START + "z")]), started_at="2027-01-01T00:00:00Z"))
    fa = {(f.kind, f.subject): f.fingerprint for f in a}
    fb = {(f.kind, f.subject): f.fingerprint for f in b}
    assert fa == fb
    c = run(scan(cookies=[cookie("zz", REJECT)]))
    assert {f.fingerprint for f in c if f.kind == "after_refusal"}.isdisjoint(fa.values())
    other_site = run(scan(cookies=[cookie("zz", BEFORE_CONSENT)], site="other.example"))
    assert {f.fingerprint for f in other_site}.isdisjoint(fa.values())


def test_every_finding_kind_is_known_and_sorted_by_severity():
    s = scan(cookies=[cookie("zz", BEFORE_CONSENT, lifetime=900 * DAY)], requests=[request("x.nobody.test")],
             failed_pages=(START + "f",))
    out = run(s, declared([declared_cookie("gone")]))
    assert {f.kind for f in out} <= set(FINDING_KINDS)
    ranks = [SEVERITIES.index(f.severity) for f in out]
    assert ranks == sorted(ranks, reverse=True)


def test_observed_frames_carry_classification_and_owner():
    s = scan(cookies=[cookie("sid"), cookie("tp", ACCEPT, domain=".zz-analytics.test", party="third")],
             requests=[request("t.zz-analytics.test")])
    frames = observed_frames(s, declared([declared_cookie("sid")]), vendors=VENDORS)
    c = frames["cookies"].set_index("name")
    assert c.loc["sid", "category"] == "strictly_necessary"
    assert c.loc["tp", "owner"] == "ZZ Analytics"
    assert list(frames["requests"]["owner"]) == ["ZZ Analytics"]
    for col in ("category", "classification_source", "likely_vendor", "likely_purpose"):
        assert col in frames["cookies"] and col in frames["storage"]


def test_evidence_lists_pages_in_scan_order_capped_with_full_count():
    pages = [START + f"p{i:02d}" for i in range(30)]
    s = scan(cookies=[cookie("zz", ACCEPT, p) for p in pages])
    (f,) = [f for f in run(s, None) if f.kind == "undeclared_cookie"]
    assert "pages (30)" in f.evidence and "+10 more" in f.evidence
    assert f.evidence.index(pages[0]) < f.evidence.index(pages[19]) and pages[20] not in f.evidence
    assert len(run(s, None, options=ReconcileOptions(evidence_pages=50))[0].evidence) > len(f.evidence)


def test_table_by_reference_skips_undeclared_but_none_reports_every_cookie():
    s = scan(cookies=[cookie("zz", ACCEPT)])
    assert not kinds(run(s, declared([], table="by_reference")), "undeclared_cookie")
    none = kinds(run(s, declared([], table="none")), "undeclared_cookie")
    assert "no cookie table" in none["zz"].message


def test_authenticated_phase_counts_for_stale_and_lifetimes():
    s = scan()
    auth = PhaseResult(phase=AUTHENTICATED, pages=(), cookies=(cookie("pin_login", AUTHENTICATED, lifetime=390 * DAY),),
                       blocked_cookies=(), storage=(), requests=(), consent=s.phases[1].consent,
                       login=LoginOutcome(attempted=True, logged_in=True))
    s = replace(s, phases=s.phases + (auth,))
    out = run(s, declared([declared_cookie("pin_login", "3 Mois", 3 * 30.44 * DAY)]))
    assert not kinds(out, "stale_declaration") and not kinds(out, "login_failed")
    assert kinds(out, "over_long_cookie")["pin_login"].phase == AUTHENTICATED
