"""Units of time and the one way a duration is written for a reader.

A year is 365.25 days and a month a twelfth of it (30.4375 days): declared
retentions ("13 Mois") and the legal cap are read with the same month, so an
exactly-13-month cookie is never over a 13-month declaration.
"""
from __future__ import annotations

import math

from scanner.common.lifetimes import BEYOND_MAXIMUM, is_beyond_maximum

DAY_S = 86400.0
YEAR_S = 365.25 * DAY_S
MONTH_S = YEAR_S / 12


def format_duration(seconds: float | None, session: bool | None = True) -> str:
    """Lifetimes as a reader says them: "session", "13 months", "90 days", "1 day", "2 h", "30 min".

    No lifetime reads "session", or "" when the thing has no session flag (`session=None`: web storage).
    """
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return "session" if session else ""
    if is_beyond_maximum(seconds):  # Max-Age=inf, 1e400, an expiry in year 99999: never a number of months
        return BEYOND_MAXIMUM
    if seconds >= 365 * DAY_S:
        return f"{seconds / MONTH_S:.0f} months"
    if seconds >= DAY_S:
        days = seconds / DAY_S
        return "1 day" if round(days) == 1 else f"{days:.0f} days"
    if seconds >= 2 * 3600:
        return f"{seconds / 3600:.0f} h"
    if seconds >= 120:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"
