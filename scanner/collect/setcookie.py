"""Parse a Set-Cookie line (header or document.cookie write) into what the site asked for.

The browser caps what it stores (Chromium: 400 days); a compliance judgement
needs the lifetime the site *requested*, which only the raw line tells.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from email.utils import parsedate_to_datetime


@dataclass(frozen=True)
class CookieWrite:
    """One attempt by a site to set a cookie."""

    name: str
    domain: str  # as the cookie will be stored: ".example.com" or host-only "www.example.com"
    path: str | None
    requested_lifetime_s: float | None  # None = session cookie
    deletes: bool  # Max-Age<=0 or an expiry in the past
    set_by: str  # "header" | "script"
    set_by_url: str
    at: float  # epoch seconds when observed
    value_hash: str


def hash_value(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def parse_set_cookie(line: str, *, host: str, set_by: str, set_by_url: str, at: float,
                     response_date: float | None = None) -> CookieWrite | None:
    """None for a line that is not a cookie (no "name=")."""
    pieces = line.split(";")
    first = pieces[0]
    if "=" not in first:
        return None
    name, value = first.split("=", 1)
    name = name.strip()
    if not name:
        return None
    domain, path, max_age, expires = None, None, None, None
    for attr in pieces[1:]:
        key, _, val = attr.strip().partition("=")
        key = key.strip().lower()
        val = val.strip()
        if key == "domain" and val:
            domain = "." + val.lstrip(".").lower()
        elif key == "path":
            path = val or None
        elif key == "max-age":
            try:
                max_age = float(val)
            except ValueError:
                pass
        elif key == "expires":
            try:
                expires = parsedate_to_datetime(val).timestamp()
            except (TypeError, ValueError, IndexError, OverflowError):
                pass
    lifetime = None
    if max_age is not None:  # Max-Age wins over Expires (RFC 6265 5.3)
        lifetime = max_age
    elif expires is not None:
        lifetime = expires - (response_date or at)
    return CookieWrite(
        name=name,
        domain=domain or host.lower(),
        path=path,
        requested_lifetime_s=lifetime,
        deletes=lifetime is not None and lifetime <= 0,
        set_by=set_by,
        set_by_url=set_by_url,
        at=at,
        value_hash=hash_value(value.strip()),
    )
