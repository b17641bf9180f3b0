"""HAR redaction: a HAR of a real login on the fixture web keeps no secret."""
from __future__ import annotations

import json

import pytest
from playwright.sync_api import sync_playwright

from scanner.collect.browser import open_context
from scanner.collect.har import REDACTED, redact_har, redact_url
from scanner.collect.login.perform import login_secrets, perform_login
from scanner.demo import pro_app
from tests.collect.test_login import BY_STEPS, ENV


def _har(entries):
    return {"log": {"version": "1.2", "creator": {"name": "test"}, "entries": entries}}


def test_credential_headers_cookies_bodies_and_secret_query_values_are_redacted(tmp_path):
    path = tmp_path / "a.har"
    path.write_text(json.dumps(_har([{
        "request": {
            "method": "POST",
            "url": "https://a.test/cb?code=abc123&state=ok&access_token=tok9",
            "headers": [{"name": "Authorization", "value": "Bearer zzz"}, {"name": "cookie", "value": "sid=s1"},
                        {"name": "Accept", "value": "text/html"}],
            "cookies": [{"name": "sid", "value": "s1"}],
            "queryString": [{"name": "code", "value": "abc123"}, {"name": "state", "value": "ok"}],
            "postData": {"mimeType": "application/x-www-form-urlencoded", "text": "email=a%40b.test&password=pw",
                         "params": [{"name": "password", "value": "pw"}]},
        },
        "response": {
            "status": 302, "redirectURL": "/next?session=s2",
            "headers": [{"name": "Set-Cookie", "value": "sid=s2; Path=/"}, {"name": "Location", "value": "/next?session=s2"}],
            "cookies": [{"name": "sid", "value": "s2"}],
            "content": {"size": 0, "mimeType": "text/html"},
        },
    }])), encoding="utf-8")
    redact_har(path)
    entry = json.loads(path.read_text(encoding="utf-8"))["log"]["entries"][0]
    request, response = entry["request"], entry["response"]
    assert [h["value"] for h in request["headers"]] == [REDACTED, REDACTED, "text/html"]
    assert request["cookies"] == [{"name": "sid", "value": REDACTED}]  # names stay: a reader sees what was sent
    assert request["queryString"] == [{"name": "code", "value": REDACTED}, {"name": "state", "value": "ok"}]
    assert request["url"] == "https://a.test/cb?code=[redacted]&state=ok&access_token=[redacted]"
    assert request["postData"]["text"] == REDACTED and request["postData"]["params"][0]["value"] == REDACTED
    assert response["redirectURL"] == "/next?session=[redacted]"
    assert [h["value"] for h in response["headers"]] == [REDACTED, "/next?session=[redacted]"]
    assert response["cookies"][0]["value"] == REDACTED


def test_literal_secrets_are_redacted_anywhere_also_percent_encoded(tmp_path):
    secret = "p@ss word/42"
    path = tmp_path / "b.har"
    path.write_text(json.dumps(_har([{
        "request": {"method": "GET", "url": "https://ab.test/x?q=p%40ss%20word%2F42", "headers": [],
                    "comment": f"echo {secret}", "_weird": {"p%40ss+word%2F42": 1}},
        "response": {"status": 200, "headers": [], "content": {"text": f"<p>{secret}</p>"}},
    }])), encoding="utf-8")
    redact_har(path, secrets=[secret, "ab"])  # too short to redact safely: ignored
    text = path.read_text(encoding="utf-8")
    for form in (secret, "p%40ss%20word%2F42", "p%40ss+word%2F42"):
        assert form not in text
    assert text.count(REDACTED) == 4
    assert "https://ab.test/x?q=" in text  # the short "ab" left alone


def test_redact_url_keeps_urls_without_secrets_untouched():
    url = "https://a.test/agenda?view=week&x=%2F"
    assert redact_url(url) == url


@pytest.mark.browser
def test_har_of_a_real_login_holds_neither_password_nor_cookie_values(fixture_web, browser_options, tmp_path):
    har_path = tmp_path / "login.har"
    with sync_playwright() as pw:
        with open_context(pw, browser_options, record_har_path=str(har_path)) as context:
            page = context.new_page()
            outcome = perform_login(context, page, BY_STEPS, environ=ENV, timeout_s=10)
            assert outcome.logged_in, outcome.reason
            page.goto("https://pro.doctolib.fr/patients/123")
            cookie_values = [c["value"] for c in context.cookies() if len(c["value"]) >= 4]
    raw = har_path.read_text(encoding="utf-8")
    session = next(v for v in cookie_values if v.startswith("s."))
    # What the test proves must be there before redaction.
    assert pro_app.TEST_PASSWORD in raw and session in raw

    redact_har(har_path, secrets=[*login_secrets(BY_STEPS, ENV), *cookie_values])
    text = har_path.read_text(encoding="utf-8")
    assert pro_app.TEST_PASSWORD not in text
    assert pro_app.TEST_USER not in text
    for value in cookie_values:
        assert value not in text
    har = json.loads(text)  # still a HAR a viewer can open
    urls = [e["request"]["url"] for e in har["log"]["entries"]]
    assert "https://pro.doctolib.fr/patients/123" in urls
    login_post = next(e for e in har["log"]["entries"] if e["request"]["method"] == "POST")
    assert login_post["request"]["postData"]["text"] == REDACTED
