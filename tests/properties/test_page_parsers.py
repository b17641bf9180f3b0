"""What a page controls, thrown at every parser: a valid value, never an exception (issue 14)."""
from __future__ import annotations

import json
import math

from hypothesis import given, strategies as st

from scanner.collect.crawl import follow_candidates, normalise
from scanner.collect.recorder import PhaseRecorder
from scanner.collect.setcookie import parse_set_cookie
from scanner.common.lifetimes import LIFETIME_CEILING_S
from scanner.common.terminal import safe

NUMBERS = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr), st.integers().map(str),
                    st.sampled_from(["inf", "-inf", "Infinity", "NaN", "1e400", "-1e400", "9" * 400, "1_000", ""]),
                    st.text(max_size=12))
DATES = st.one_of(st.text(max_size=40), st.builds(
    "{}, {:02d} {} {} {:02d}:{:02d}:{:02d} GMT".format,
    st.sampled_from(["Mon", "Fri", "Xyz"]), st.integers(-5, 40),
    st.sampled_from(["Jan", "Feb", "Dec", "Foo"]), st.integers(-10, 10**7), st.integers(-1, 30),
    st.integers(-1, 70), st.integers(-1, 70)))
ATTRIBUTES = st.one_of(st.builds("Max-Age={}".format, NUMBERS), st.builds("Expires={}".format, DATES),
                       st.builds("Domain={}".format, st.text(max_size=20)), st.just("Secure"), st.text(max_size=20))
LINES = st.one_of(st.text(), st.builds(lambda n, v, attrs: "; ".join([f"{n}={v}", *attrs]),
                                       st.text(max_size=10), st.text(max_size=10), st.lists(ATTRIBUTES, max_size=5)))


def check_write(write):
    if write is None:
        return
    assert write.name
    lifetime = write.requested_lifetime_s
    assert lifetime is None or (math.isfinite(lifetime) and abs(lifetime) <= LIFETIME_CEILING_S)
    json.dumps([lifetime, write.lifetime_text, write.domain], allow_nan=False)


@given(LINES, st.text(max_size=20), st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False)))
def test_set_cookie_parser(line, host, date):
    check_write(parse_set_cookie(line, host=host, set_by="header", set_by_url="https://a.test/", at=1.8e9,
                                 response_date=date))


JSON = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30)),
                    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner,
                                                                                          max_size=4)), max_leaves=10)
PAYLOADS = st.one_of(JSON, st.fixed_dictionaries({"line": st.one_of(LINES, JSON), "page": st.one_of(st.text(), JSON),
                                                  "script": st.one_of(st.text(), JSON)}))


@given(st.lists(PAYLOADS, max_size=5))
def test_document_cookie_hook_records(payloads):
    recorder = PhaseRecorder(phase="before_consent", site_domain="a.test")
    for payload in payloads:
        recorder._on_script_write(None, payload)  # any page script can call the binding with anything
    for write in recorder._writes:
        check_write(write)


URLS = st.one_of(st.text(), st.builds("{}://{}{}/{}".format, st.sampled_from(["http", "https", "ftp", "javascript"]),
                                      st.text(max_size=15), st.one_of(st.just(""), st.builds(":{}".format, NUMBERS)),
                                      st.text(max_size=15)), st.none(), st.integers())


@given(st.lists(URLS, max_size=6))
def test_crawl_url_normalisation(links):
    for link in links:
        url = normalise(link)
        assert url is None or (isinstance(url, str) and normalise(url) == url)
    for url in follow_candidates(links, "a.test", ("logout",), set()):
        assert isinstance(url, str)


@given(st.text())
def test_terminal_text_is_inert(text):
    out = safe(text)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
                   for c in out)
