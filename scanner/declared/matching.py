"""Which declared row an observed cookie name falls under."""
from __future__ import annotations

from scanner.models import DeclaredCookie, DeclaredSite
from scanner.common.names import is_pattern, name_matches


def match_declared_cookie(declared: DeclaredSite, name: str) -> DeclaredCookie | None:
    """The row declaring `name`: an exact name beats any pattern; among patterns the longest
    (most specific) wins, then the first listed."""
    exact = next((c for c in declared.cookies if not is_pattern(c.name) and c.name == name), None)
    if exact:
        return exact
    patterns = [c for c in declared.cookies if is_pattern(c.name) and name_matches(c.name, name)]
    # Longest pattern = most literal characters; ties keep table order (max returns the first).
    return max(patterns, key=lambda c: len(c.name.replace("*", "")), default=None)
