"""Take secrets out of a HAR file before anyone keeps it.

A HAR recorded during a logged-in phase holds the session cookie in every
request, the password in the login POST, and tokens in URLs. `redact_har`
rewrites the file in place so that none of it survives:
- values of credential headers (Authorization, Cookie, Set-Cookie, ...),
- every cookie value, every request body (postData text and params),
- query values whose name says secret (password, token, code, session...),
  in `queryString` and in the URLs themselves,
- and any literal secret given by the caller (the password, cookie values),
  wherever it appears, also percent-encoded.
Names are kept: a reader still sees which header, cookie or parameter was there.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Iterable
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

REDACTED = "[redacted]"

SECRET_HEADERS = frozenset({
    "authorization", "proxy-authorization", "cookie", "set-cookie", "x-csrf-token", "x-xsrf-token",
    "x-api-key", "x-auth-token", "x-amz-security-token",
})

# A query parameter is secret when its name contains one of these words.
SECRET_PARAM_WORDS = (
    "pass", "pwd", "token", "secret", "session", "auth", "code", "key", "sig", "otp", "ticket",
    "credential", "jwt", "sid",
)

# Shorter literals would clobber unrelated text ("1234" is fine, "ab" is not).
MIN_SECRET_LENGTH = 4


def redact_har(path: Path, secrets: Iterable[str] = ()) -> None:
    """Rewrite the HAR at `path` in place with every secret replaced by "[redacted]"."""
    path = Path(path)
    har = json.loads(path.read_text(encoding="utf-8"))
    for entry in har.get("log", {}).get("entries", []):
        _redact_request(entry.get("request") or {})
        _redact_response(entry.get("response") or {})
    literals = _literal_forms(secrets)
    har = _replace_literals(har, literals)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(har, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)  # never leave a half-redacted file behind


def redact_url(url: str) -> str:
    """The URL with the values of secret-named query parameters replaced."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if not any(_secret_param(k) for k, _ in pairs):
        return url
    query = urlencode([(k, REDACTED if _secret_param(k) else v) for k, v in pairs], safe="[]")
    return urlunsplit(parts._replace(query=query))


def _redact_request(request: dict) -> None:
    if "url" in request:
        request["url"] = redact_url(request["url"])
    _redact_headers(request.get("headers"))
    _redact_cookies(request.get("cookies"))
    for item in request.get("queryString") or []:
        if _secret_param(item.get("name", "")):
            item["value"] = REDACTED
    post = request.get("postData")
    if isinstance(post, dict):
        # Form bodies of a login hold the password whatever the field is called.
        if "text" in post:
            post["text"] = REDACTED
        for param in post.get("params") or []:
            param["value"] = REDACTED


def _redact_response(response: dict) -> None:
    _redact_headers(response.get("headers"))
    _redact_cookies(response.get("cookies"))
    if response.get("redirectURL"):
        response["redirectURL"] = redact_url(response["redirectURL"])
    for header in response.get("headers") or []:
        if header.get("name", "").lower() == "location":
            header["value"] = redact_url(header.get("value", ""))


def _redact_headers(headers) -> None:
    for header in headers or []:
        if header.get("name", "").lower() in SECRET_HEADERS:
            header["value"] = REDACTED


def _redact_cookies(cookies) -> None:
    for cookie in cookies or []:
        cookie["value"] = REDACTED


def _secret_param(name: str) -> bool:
    name = name.lower()
    return any(word in name for word in SECRET_PARAM_WORDS)


def _literal_forms(secrets: Iterable[str]) -> list[str]:
    forms = set()
    for secret in secrets:
        if secret and len(secret) >= MIN_SECRET_LENGTH:
            forms |= {secret, quote(secret, safe=""), quote_plus(secret), quote(secret)}
    return sorted(forms, key=len, reverse=True)  # longest first: no partial leftovers


def _replace_literals(value, literals: list[str]):
    if not literals:
        return value
    if isinstance(value, str):
        if any(lit in value for lit in literals):
            pattern = re.compile("|".join(re.escape(lit) for lit in literals))
            return pattern.sub(REDACTED, value)
        return value
    if isinstance(value, list):
        return [_replace_literals(v, literals) for v in value]
    if isinstance(value, dict):
        return {_replace_literals(k, literals): _replace_literals(v, literals) for k, v in value.items()}
    return value
