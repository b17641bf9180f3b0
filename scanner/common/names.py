"""Cookie-name patterns and the one matcher from names to declared (or any listed) rows.

A name is exact, or a pattern with `*` (e.g. `_ga_*`): real vendors suffix
names with IDs (`_ga_ABC123`, `intercom-session-x1y2`), so declared tables,
site overrides and consent rules use wildcards.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


def is_pattern(name: str) -> bool:
    return "*" in name


def pattern_regex(pattern: str) -> str:
    """Anchored regular expression for a name pattern; `*` matches any run of characters."""
    return "^" + ".*".join(re.escape(part) for part in pattern.split("*")) + "$"


class NameMatcher:
    """Which listed row an observed name falls under.

    An exact name beats any pattern; among patterns the most specific (longest
    literal text) wins, then the first listed. Patterns go through one combined
    regular expression, so each distinct name costs one match.
    """

    def __init__(self, names: list[str], rows: list[int] | None = None):
        """`rows[i]` is the row `names[i]` stands for (default: i): a declared family
        pattern answers with the row of the name it was derived from."""
        rows = list(range(len(names))) if rows is None else rows
        self.exact: dict[str, int] = {}
        patterns: list[tuple[int, str]] = []
        for i, name in zip(rows, names):
            if is_pattern(name):
                patterns.append((i, name))
            else:
                self.exact.setdefault(name, i)
        patterns.sort(key=lambda p: -len(p[1].replace("*", "")))  # stable: ties keep table order
        self.pattern_rows = [i for i, _ in patterns]
        self.combined = (
            re.compile("|".join(f"(?:{pattern_regex(p)})()" for _, p in patterns)) if patterns else None
        )

    def match(self, name: str) -> int:
        """Row index of the entry for `name`, or -1."""
        hit = self.exact.get(name)
        if hit is not None:
            return hit
        if self.combined is not None:
            m = self.combined.match(name)
            if m is not None:
                # Each alternative ends with an empty group: the one that matched tells the row.
                return self.pattern_rows[m.lastindex - 1]
        return -1

    def match_series(self, names: pd.Series) -> pd.Series:
        """Row index per name (-1 = none), computed once per distinct name."""
        import pandas as pd  # here: matching one name (`cookiescan explain`) needs no pandas

        codes, uniques = pd.factorize(names)
        rows = [self.match(n) for n in uniques]
        lookup = pd.Series(rows + [-1], dtype="int64").to_numpy()
        return pd.Series(lookup[codes], index=names.index)
