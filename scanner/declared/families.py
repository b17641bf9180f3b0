"""Declared families: a declared exact name that the knowledge base knows as the stem of a
cookie family (its wildcard rows: `intercom-session-*`, `_pk_id*`) covers the family's members,
as a DPO reads a policy row `intercom-session` for Intercom's `intercom-session-<app id>`."""
from __future__ import annotations

from scanner.common.names import NameMatcher, is_pattern


def family_pattern(name: str, kb) -> str | None:
    """The pattern of the family `name` is the stem of, or None (a pattern, or a cookie of its own)."""
    if is_pattern(name) or kb is None:
        return None
    row = kb.family(name)
    return row.pattern if row is not None else None


def declared_names_with_families(names: list[str], kb) -> tuple[list[str], list[int]]:
    """(names, rows) for a NameMatcher: every declared name, then each family pattern
    pointing back to the row it was derived from."""
    families = [(family_pattern(n, kb), i) for i, n in enumerate(names)]
    extra = [(p, i) for p, i in families if p and p not in names]
    return list(names) + [p for p, _ in extra], list(range(len(names))) + [i for _, i in extra]


def matches(pattern: str, name: str) -> bool:
    return NameMatcher([pattern]).match(name) >= 0
