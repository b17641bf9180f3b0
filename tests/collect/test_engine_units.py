"""Fast unit tests of the pieces the engine stands on (no browser)."""
from __future__ import annotations

from scanner.collect.browser import launch_args, BrowserOptions, write_profile
from scanner.collect.crawl import follow_candidates, is_denied, normalise
from scanner.common.domains import party, registrable_domain, strip_query_values
from scanner.collect.setcookie import parse_set_cookie

import json


def test_parse_set_cookie_max_age_wins_over_expires():
    w = parse_set_cookie("a=secret; Expires=Wed, 21 Oct 2099 07:28:00 GMT; Max-Age=60; Domain=Example.com",
                         host="www.example.com", set_by="header", set_by_url="u", at=0)
    assert (w.name, w.domain, w.requested_lifetime_s, w.deletes) == ("a", ".example.com", 60, False)
    assert "secret" not in w.value_hash and len(w.value_hash) == 16


def test_parse_set_cookie_expires_relative_to_response_date_and_session():
    w = parse_set_cookie("b=1; expires=Thu, 01 Jan 2071 00:00:00 GMT", host="h.test", set_by="script",
                         set_by_url="u", at=0, response_date=2000000000.0)
    assert w.requested_lifetime_s == 3187296000 - 2000000000
    session = parse_set_cookie("c=1; Path=/", host="h.test", set_by="header", set_by_url="u", at=0)
    assert session.requested_lifetime_s is None and session.domain == "h.test"
    assert parse_set_cookie("garbage", host="h", set_by="header", set_by_url="u", at=0) is None
    assert parse_set_cookie("d=; Max-Age=0", host="h", set_by="header", set_by_url="u", at=0).deletes


def test_registrable_domains_offline():
    assert registrable_domain("pro.doctolib.fr") == "doctolib.fr"
    assert registrable_domain(".a.b.co.uk") == "b.co.uk"
    assert registrable_domain("x.consent-trackers.test") == "consent-trackers.test"
    assert party(".doctolib.fr", "doctolib.fr") == "first"
    assert party("widget.intercom.io", "doctolib.fr") == "third"


def test_query_values_dropped():
    assert strip_query_values("https://t.test/p?uid=42&ev=x&uid=7#f") == "https://t.test/p?uid=&ev="


def test_crawl_candidates_and_deny():
    seen = {"https://s.test/"}
    links = ["https://s.test/a#x", "https://s.test/a", "https://other.example/", "https://s.test/logout",
             "https://s.test/f.pdf", "mailto:x@y", "https://www.s.test/b", "https://s.test/rescission"]
    assert follow_candidates(links, "s.test", ("logout", "esci"), seen) == [
        "https://s.test/a", "https://www.s.test/b", "https://s.test/rescission"]
    assert is_denied("https://s.test/compte?action=D%C3%A9connexion", ("déconnexion",))
    assert normalise("HTTPS://S.test:443/a?b=1#c") == "https://s.test/a?b=1"


def test_profile_allows_third_party_cookies(tmp_path):
    write_profile(tmp_path)
    prefs = json.loads((tmp_path / "Default" / "Preferences").read_text())
    assert prefs["profile"]["cookie_controls_mode"] == 0
    args = launch_args(BrowserOptions(host_resolver_rules="MAP * 127.0.0.1:1"))
    assert "--disable-background-networking" in args and "--host-resolver-rules=MAP * 127.0.0.1:1" in args
