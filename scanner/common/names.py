"""Cookie-name patterns: an exact name, or a pattern with `*` (e.g. `_ga_*`).

Real vendors suffix names with IDs (`_ga_ABC123`, `intercom-session-x1y2`),
so declared tables and the knowledge base use wildcards.
"""
from __future__ import annotations

import re
from functools import lru_cache


def is_pattern(name: str) -> bool:
    return "*" in name


def pattern_regex(pattern: str) -> str:
    """Anchored regular expression for a name pattern; `*` matches any run of characters."""
    return "^" + ".*".join(re.escape(part) for part in pattern.split("*")) + "$"


@lru_cache(maxsize=4096)
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern_regex(pattern))


def name_matches(pattern: str, name: str) -> bool:
    if not is_pattern(pattern):
        return pattern == name
    return _compiled(pattern).match(name) is not None
