"""The bound on a cookie lifetime that any record, file or report carries.

A site may ask for `Max-Age=1e400`, `Max-Age=inf` or an expiry in year 99999.
JSON has no Infinity and no browser keeps a cookie that long, so such a request
is stored as LIFETIME_CEILING_S with its raw text, and said as BEYOND_MAXIMUM.
"""
from __future__ import annotations

import math

LIFETIME_CEILING_S = 10_000 * 365.25 * 86400  # 10,000 years: past any date a browser stores
BEYOND_MAXIMUM = "beyond the browser's maximum"


def bounded_lifetime(seconds: float | None, text: str | None = None) -> tuple[float | None, str | None]:
    """A finite lifetime within ±LIFETIME_CEILING_S; the raw text is kept only when it was clamped."""
    if seconds is None or math.isnan(seconds):
        return None, None
    if abs(seconds) >= LIFETIME_CEILING_S:
        return math.copysign(LIFETIME_CEILING_S, seconds), text
    return float(seconds), None


def is_beyond_maximum(seconds) -> bool:
    """True for a lifetime at the ceiling (or an infinite one that slipped through)."""
    try:
        return seconds is not None and not math.isnan(seconds) and seconds >= LIFETIME_CEILING_S
    except TypeError:
        return False
