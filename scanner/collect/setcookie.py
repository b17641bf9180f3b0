"""Parse a Set-Cookie line (header or document.cookie write) into what the site asked for.

The browser caps what it stores (Chromium: 400 days); a compliance judgement
needs the lifetime the site *requested*, which only the raw line tells.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from email.utils import parsedate_tz

from scanner.common.lifetimes import bounded_lifetime


@dataclass(frozen=True)
class CookieWrite:
    """One attempt by a site to set a cookie."""

    name: str
    domain: str  # as the cookie will be stored: ".example.com" or host-only "www.example.com"
    path: str | None
    requested_lifetime_s: float | None  # None = session cookie; finite, within ±LIFETIME_CEILING_S
    deletes: bool  # Max-Age<=0 or an expiry in the past
    set_by: str  # "header" | "script"
    set_by_url: str
    at: float  # epoch seconds when observed
    value_hash: str
    lifetime_text: str | None = None  # the raw Max-Age / Expires text when the lifetime hit the ceiling


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
    max_age_text = expires_text = None
    for attr in pieces[1:]:
        key, _, val = attr.strip().partition("=")
        key = key.strip().lower()
        val = val.strip()
        if key == "domain" and val:
            domain = "." + val.lstrip(".").lower()
        elif key == "path":
            path = val or None
        elif key == "max-age":
            parsed = _number(val)
            if parsed is not None:
                max_age, max_age_text = parsed, attr.strip()[:80]
        elif key == "expires":
            parsed = _http_time(val)
            if parsed is not None:
                expires, expires_text = parsed, attr.strip()[:80]
    lifetime, text = None, None
    if max_age is not None:  # Max-Age wins over Expires (RFC 6265 5.3)
        lifetime, text = max_age, max_age_text
    elif expires is not None:
        lifetime, text = expires - (response_date or at), expires_text
    lifetime, text = bounded_lifetime(lifetime, text)
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
        lifetime_text=text,
    )


def _number(text: str) -> float | None:
    """Max-Age as a number: "inf", "1e400" and 400-digit values are huge, "NaN" is no number."""
    try:
        value = float(text)
    except (ValueError, OverflowError):
        return None
    return None if math.isnan(value) else value


def _http_time(text: str) -> float | None:
    """An HTTP date as epoch seconds, for any year (datetime stops at 9999; a site may ask for 99999)."""
    try:
        parsed = parsedate_tz(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if not parsed or not all(isinstance(v, int) for v in parsed[:6]):
        return None
    year, month, day, hour, minute, second = parsed[:6]
    if not (1 <= month <= 12 and 1 <= day <= 31 and 0 <= hour <= 24 and 0 <= minute < 60 and 0 <= second <= 61):
        return None
    return float(_days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - (parsed[9] or 0))


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 in the proleptic Gregorian calendar, for any year (H. Hinnant's algorithm)."""
    year -= month <= 2
    era = year // 400
    yoe = year - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468
