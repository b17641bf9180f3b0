"""Precision on sites never seen (issue 13): category precedence by strength of evidence, name
collisions, consent storage from evidence, review items, declared families, the gate."""
from __future__ import annotations

import dataclasses

import pytest

from scanner.collect.consent import consent_cookie_patterns
from scanner.history.gate import SiteOutcome
from scanner.knowledge.classify import Classifier, Origin
from scanner.knowledge.cookies import load_knowledge_base
from scanner.knowledge.vendors import load_vendor_map
from scanner.judge import judge
from scanner.models import ACCEPT, BEFORE_CONSENT, REJECT, DeclaredCookie
from tests.support.builders_reconcile import DAY, cookie, declared, declared_cookie, scan


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


def row(name, category="unknown", purpose="p", category_source="stated"):
    return dataclasses.replace(declared_cookie(name, category=category), purpose=purpose,
                               category_source=category_source)


def kinds(findings, *wanted):
    return {(f.kind, f.subject) for f in findings if f.kind in wanted}


def test_a_declared_row_without_category_never_forces_one(kb):
    # The policy lists the session cookie and the consent cookie but states no category.
    site = declared([row("PHPSESSID"), row("tarteaucitron"), row("mystery")])
    c = Classifier(kb, declared=site, consent_patterns=consent_cookie_patterns())
    assert c.classify("PHPSESSID").category == "strictly_necessary"
    assert c.classify("tarteaucitron").source == "consent_platform:tarteaucitron"
    assert (c.classify("mystery").category, c.classify("mystery").source) == ("unknown", "unknown")


def test_a_stated_category_beats_everything_a_purpose_guess_comes_last(kb):
    site = declared([row("_ga", "functional"), row("sid_x", "analytics", "Hält Ihre Sitzung",
                                                   category_source="purpose_text"),
                     row("PHPSESSID", "analytics", "Statistiques", category_source="purpose_text"),
                     row("opaque_id", purpose="Mesure d'audience")])
    c = Classifier(kb, declared=site)
    assert (c.classify("_ga").category, c.classify("_ga").source.split(":")[0]) == ("functional", "declared")
    assert c.classify("PHPSESSID").category == "strictly_necessary"  # the knowledge base outranks a guess
    assert c.classify("sid_x").source.startswith("purpose_text:")
    assert (c.classify("opaque_id").category, c.classify("opaque_id").source.split(":")[0]) == (
        "analytics", "purpose_text")  # a hand-written row with no category: its purpose speaks


@pytest.mark.parametrize("name", ["PHPSESSID", "JSESSIONID", "ASP.NET_SessionId", "connect.sid", "laravel_session",
                                  "sessionid", "myshop_session", "_rails_app_session", "csrftoken", "XSRF-TOKEN",
                                  "__Host-sid", "__Secure-next-auth.session-token", "AWSALB", "BIGipServerpool_web"])
def test_session_ids_and_security_tokens_are_strictly_necessary(kb, name):
    site_itself = Origin(set_by_host="shop.example", host="shop.example")
    c = Classifier(kb, vendors=load_vendor_map(), site_domain="shop.example")
    assert c.classify(name, site_itself).category == "strictly_necessary", c.classify(name, site_itself)


def test_a_knowledge_base_row_counts_only_for_the_vendor_that_sets_it(kb):
    c = Classifier(kb, vendors=load_vendor_map(), site_domain="shop.example")
    own = c.classify("ssid", Origin(set_by_host="www.shop.example", host="shop.example"))
    assert own.category == "unknown" and "name collision: ssid matches" in own.source
    assert "set by the site itself" in own.source and own.vendor is None
    theirs = c.classify("ssid", Origin(set_by_host="x.springserve.com", host=".springserve.com"))
    assert theirs.category == "marketing" and theirs.source.startswith("knowledge_base")
    # A site's own `sessionid` is not Instagram's: the collision falls through to the session heuristic.
    django = c.classify("sessionid", Origin(set_by_host="shop.example", host="shop.example"))
    assert django.category == "strictly_necessary" and "name collision" in django.source
    # _ga written by Google's script on the site's domain is Google's cookie.
    assert c.classify("_ga", Origin(set_by_host="www.googletagmanager.com", host=".shop.example")).category == "analytics"
    assert c.classify("ssid").category == "marketing"  # no evidence of who set it: the row counts


def test_a_first_party_consent_cookie_written_by_the_click_is_consent_storage(kb):
    # A hand-made notice: nothing knows "consenso_cookie", but the click wrote it and its name says consent.
    s = scan(cookies=[cookie("consenso_cookie", ACCEPT, lifetime=180 * DAY), cookie("consenso_cookie", REJECT),
                      cookie("vetrina", ACCEPT), cookie("vetrina", REJECT)])
    findings = judge(s, None, vendors=load_vendor_map(), kb=kb).findings
    assert ("unclassified_after_refusal", "vetrina") in kinds(findings, "unclassified_after_refusal")
    assert not [f for f in findings if f.subject == "consenso_cookie" and "refusal" in f.kind]


def test_unknown_before_consent_is_a_review_item_and_never_fails_the_gate(kb):
    pixel = dataclasses.replace(cookie("_fbp", BEFORE_CONSENT, domain=".shop.example"), set_by="script",
                                set_by_url="https://connect.facebook.net/en_US/fbevents.js")
    s = scan(cookies=[cookie("opaque", BEFORE_CONSENT), pixel])
    findings = judge(s, None, vendors=load_vendor_map(), kb=kb).findings
    review = next(f for f in findings if f.kind == "unclassified_before_consent")
    assert (review.subject, review.severity, review.classification) == ("opaque", "low", "unknown")
    assert "to review" in review.message
    assert ("before_consent", "_fbp") in kinds(findings, "before_consent")
    outcome = SiteOutcome(site="shop.example", scan_id=1, findings=tuple(findings), kept=tuple(findings), suppressed=0,
                          reports=(), synthetic=True)
    assert review not in outcome.failing("low")  # review items never fail a gate, whatever the threshold
    assert any(f.subject == "_fbp" for f in outcome.failing("high"))


def test_a_declared_family_stem_covers_its_members(kb):
    site = declared([declared_cookie("intercom-session", "1 Semaine", seconds=7 * DAY, kind="duration",
                                     category="functional")])
    s = scan(cookies=[cookie("intercom-session-dl7fr2k9", ACCEPT, lifetime=30 * DAY)])
    findings = judge(s, site, vendors=load_vendor_map(), kb=kb).findings
    assert not kinds(findings, "undeclared_cookie", "stale_declaration")
    over = next(f for f in findings if f.kind == "over_long_cookie")
    assert "matched through the family intercom-session-*" in over.message
    assert "(through the family intercom-session-*)" in over.classification_source
