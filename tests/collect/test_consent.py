"""Consent rules data, cookie patterns and the heuristic's phrase lists (no browser)."""
from __future__ import annotations

import json

import pytest

from scanner.knowledge.classify import Classifier
from scanner.collect.consent import consent_cookie_patterns
from scanner.collect.consent.autoconsent import _assets, init_message, popup_selectors, version
from scanner.collect.consent.heuristic import ACCEPT, REJECT, SETTINGS
from scanner.collect.consent.rules import RULES_DIR, RuleError, load_rules, matches, parse_rule, platform_of_autoconsent
from scanner.knowledge.cookies import load_knowledge_base
from scanner.models import STRICTLY_NECESSARY

REQUIRED = ("didomi", "onetrust", "axeptio", "tarteaucitron", "cookiebot", "usercentrics", "consentmanager", "klaro",
            "cookieconsent", "iubenda", "borlabs", "complianz", "cookieyes", "sourcepoint", "tcf")


def test_every_required_platform_has_a_rule_file():
    assert {r.platform for r in load_rules()} >= set(REQUIRED)
    assert load_rules()[-1].platform == "tcf"  # the generic check comes after every specific platform


@pytest.mark.parametrize("platform", [p for p in REQUIRED if p != "tcf"])
def test_platform_rules_can_detect_accept_and_reject(platform):
    rule = next(r for r in load_rules() if r.platform == platform)
    assert rule.detect_selectors or rule.detect_globals
    assert rule.banner and rule.accept and rule.reject and rule.cookies
    for flow in (*rule.accept, *rule.reject):
        assert flow, f"{rule.source}: empty flow"


def test_a_frame_gets_the_general_rules_and_only_its_own_sites_rules():
    assets = _assets()
    pattern, rule = next((p, r) for p, r in assets.specific if p is not None and "aa|envoyair" in p.pattern)
    elsewhere = json.loads(init_message("https://shop.example/"))["rules"]["autoconsent"]
    there = json.loads(init_message("https://www.aa.com/booking"))["rules"]["autoconsent"]
    names = {r["name"] for r in elsewhere}
    assert rule["name"] not in names and rule["name"] in {r["name"] for r in there}
    assert {r["name"] for r in assets.general} <= names and len(elsewhere) == len(assets.general)
    assert len(json.dumps(elsewhere)) < len(json.dumps(list(assets.by_name.values()))) / 3


def test_autoconsent_names_in_rules_exist_in_the_pinned_autoconsent():
    rules_by_name = _assets().by_name
    dynamic = {"Onetrust", "Klaro", "Cybotcookiebot", "consentmanager.net", "Sourcepoint-frame"}  # written in TS
    for rule in load_rules():
        for name in rule.autoconsent:
            if name in ("Sourcepoint-top", "usercentrics-1"):
                continue  # older rule names kept so scans with older autoconsent versions still map
            assert name in rules_by_name or name in dynamic, f"{rule.source}: autoconsent has no rule {name!r}"
    assert version() == json.loads(open("package.json").read())["dependencies"]["@duckduckgo/autoconsent"]


def test_autoconsent_rule_names_map_to_platforms():
    assert platform_of_autoconsent("didomi") == "didomi"
    assert platform_of_autoconsent("Onetrust") == "onetrust"
    assert platform_of_autoconsent("tarteaucitron.js") == "tarteaucitron"
    assert platform_of_autoconsent("cookieconsent3") == "cookieconsent"
    assert platform_of_autoconsent("no-such-cmp") is None
    assert "#cc-main .cm-wrapper" in popup_selectors("cookieconsent3")


def test_consent_cookie_patterns_cover_the_platforms_cookies():
    patterns = consent_cookie_patterns()
    expect = {"didomi": ["didomi_token", "euconsent-v2"], "onetrust": ["OptanonConsent", "OptanonAlertBoxClosed"],
              "cookiebot": ["CookieConsent"], "axeptio": ["axeptio_cookies", "axeptio_authorized_vendors"],
              "tarteaucitron": ["tarteaucitron"], "klaro": ["klaro"], "cookieconsent": ["cc_cookie"],
              "complianz": ["cmplz_banner-status"], "consentmanager": ["__cmpconsentx12345"],
              "iubenda": ["_iub_cs-123456"], "cookieyes": ["cookieyes-consent"], "borlabs": ["borlabs-cookie"],
              "usercentrics": ["uc_user_interaction"], "sourcepoint": ["consentUUID"], "tcf": ["euconsent-v2"]}
    for platform, names in expect.items():
        for name in names:
            assert matches(name, patterns[platform]), (platform, name)
    assert not matches("_ga", [p for ps in patterns.values() for p in ps])


def test_consent_cookies_classify_as_strictly_necessary():
    classifier = Classifier(load_knowledge_base(), consent_patterns=consent_cookie_patterns())
    for name in ("didomi_token", "OptanonConsent", "tarteaucitron", "klaro", "cc_cookie", "axeptio_cookies"):
        c = classifier.classify(name)
        assert c.category == STRICTLY_NECESSARY, name
        assert c.source.startswith("consent_platform:"), (name, c.source)
    assert classifier.classify("_ga").category != STRICTLY_NECESSARY


def test_a_malformed_rule_file_is_refused(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: Bad\naccept: '#x'\n", encoding="utf-8")
    with pytest.raises(RuleError, match="bad.yaml"):
        parse_rule(bad)
    bad.write_text("name: Bad\nbanner: ['#x']\nclick_everything: true\n", encoding="utf-8")
    with pytest.raises(RuleError, match="unknown keys"):
        parse_rule(bad)


def test_shipped_rule_files_are_all_yaml_and_parse():
    assert len(list(RULES_DIR.glob("*.yaml"))) == len(load_rules())


def test_heuristic_phrases_cover_five_languages_and_never_overlap():
    for table in (ACCEPT, REJECT, SETTINGS):
        assert set(table) == {"fr", "de", "it", "en", "es"}
    accept = {p for ps in ACCEPT.values() for p in ps}
    reject = {p for ps in REJECT.values() for p in ps}
    settings = {p for ps in SETTINGS.values() for p in ps}
    assert not accept & reject and not accept & settings and not reject & settings
    for phrase in ("tout accepter", "alle akzeptieren", "accetta tutto", "aceptar todo", "accept all"):
        assert phrase in accept
    for phrase in ("continuer sans accepter", "ablehnen", "rifiuta", "rechazar", "reject all", "tout refuser"):
        assert phrase in reject
    for table in (ACCEPT, REJECT, SETTINGS):  # page.js compares against lower-case text
        assert all(p == p.lower().strip() for ps in table.values() for p in ps)


def test_a_notice_no_rule_knows_counts_any_record_named_for_consent():
    from scanner.collect.consent.effect import Snapshot, stored_since
    from scanner.collect.consent.rules import rule_for

    before = Snapshot(cookies={"_ga": "1"}, storage={}, tc_string=None)
    after = Snapshot(cookies={"_ga": "2", "news_consent": "3", "ad_id": "4"}, storage={"cookie_choice": "5"},
                     tc_string=None)
    # Unknown notice: the consent-named cookie and key are records (so the click's effect is seen at
    # once); an analytics cookie that changed and an ad cookie are not.
    assert stored_since(before, after, None) == ("consent cookie news_consent stored",
                                                 "localStorage cookie_choice stored")
    # A known platform: only its own names count.
    assert stored_since(before, after, rule_for("didomi")) == ()


@pytest.mark.parametrize("name", ["hinweis_wahl", "scelta_cookie", "choix_cookies", "cookieNotice", "gdpr_ok",
                                  "cookiesAccepted", "cookie_consent", "euconsent-v2", "banner_closed"])
def test_names_of_a_consent_choice(name):
    from scanner.collect.consent.effect import names_a_choice
    assert names_a_choice(name)


@pytest.mark.parametrize("name", ["_ga", "_fbp", "ad_id", "PHPSESSID", "sessionid", "wahlkreis", "cart"])
def test_names_that_record_no_choice(name):
    from scanner.collect.consent.effect import names_a_choice
    assert not names_a_choice(name)


def test_an_unknown_notice_waits_for_known_platforms_only_where_one_may_be_coming():
    from scanner.collect.consent.layers import AUTOCONSENT_LOOK_S, HEURISTIC_DELAY_S, Seen, heuristic_due

    def seen(present):
        return Seen(autoconsent=None, open_rules=(), open_platform=None, present=present, unknown_notice=True,
                    anything=True, loaded=False)

    shown = 100.0
    # Nothing known on the page: the turn comes once autoconsent's first pass had time to report.
    assert heuristic_due(seen(None), shown, shown + 0.4) == shown + 0.4 + AUTOCONSENT_LOOK_S
    # ...never later than for a page where a platform is known to be present.
    assert heuristic_due(seen(None), shown, shown + 5) == shown + HEURISTIC_DELAY_S
    # autoconsent has not looked yet, or a known platform is there: it gets its time to render.
    assert heuristic_due(seen(None), shown, None) == shown + HEURISTIC_DELAY_S
    assert heuristic_due(seen("klaro"), shown, shown + 0.1) == shown + HEURISTIC_DELAY_S
