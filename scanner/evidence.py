"""Helpers reconciliation uses to turn many observation rows into one finding.

One finding per (kind, subject): every phase and page where the subject was
seen becomes evidence of that single finding. Fingerprints are stable across
scans (no page, no timestamp) so baselines and diffs can recognise a finding.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import pandas as pd

from .models import PHASES
from .names import is_pattern, pattern_regex

PHASE_ORDER = {p: i for i, p in enumerate(PHASES)}


def fingerprint(site: str, kind: str, subject: str, phase_class: str = "") -> str:
    """Stable id of a finding: what and where in the consent flow, never which page or when."""
    raw = "\x1f".join((site, kind, subject, phase_class))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Sightings:
    """Where one subject was seen: phases in scan order, pages (capped), counts."""

    phases: tuple[str, ...]
    first_phase: str | None
    first_page: str | None
    pages: tuple[str, ...]
    n_pages: int
    extras: tuple[str, ...] = ()  # e.g. hosts or domains

    def text(self, *prefix: str) -> str:
        parts = [p for p in prefix if p]
        parts.append("phases: " + ", ".join(self.phases))
        shown = ", ".join(self.pages)
        more = self.n_pages - len(self.pages)
        parts.append(f"pages ({self.n_pages}): {shown}" + (f", +{more} more" if more > 0 else ""))
        return "; ".join(parts)


def sightings(frame: pd.DataFrame, key: str, *, cap: int, extra: str | None = None) -> dict[str, Sightings]:
    """Group observation rows by `key` into where-seen summaries.

    Works on de-duplicated (key, phase, page) triples first so a million rows
    collapse to the few distinct places each subject appeared.
    """
    if frame.empty:
        return {}
    cols = [key, "phase", "page_url"] + ([extra] if extra else [])
    sub = frame[cols].drop_duplicates()
    sub = sub.assign(_order=sub["phase"].map(PHASE_ORDER).fillna(len(PHASES)).astype(int))
    first = sub.sort_values("_order", kind="stable").drop_duplicates(key)
    first_of = dict(zip(first[key], zip(first["phase"], first["page_url"])))
    phase_pairs = sub[[key, "phase", "_order"]].drop_duplicates([key, "phase"]).sort_values([key, "_order"])
    phases_of: dict[str, list[str]] = {}
    for k, ph in zip(phase_pairs[key], phase_pairs["phase"]):
        phases_of.setdefault(k, []).append(ph)
    pages = sub[[key, "page_url"]].drop_duplicates().sort_values([key, "page_url"])
    n_pages = pages.groupby(key, sort=False).size().to_dict()
    pages_of: dict[str, list[str]] = {}
    for k, url in zip(*(pages.groupby(key, sort=False).head(cap)[c] for c in (key, "page_url"))):
        pages_of.setdefault(k, []).append(url)
    extras_of: dict[str, list[str]] = {}
    if extra:
        ex = sub[[key, extra]].dropna().drop_duplicates().sort_values([key, extra])
        for k, v in zip(ex[key], ex[extra]):
            extras_of.setdefault(k, []).append(str(v))
    return {
        k: Sightings(
            phases=tuple(phases_of.get(k, ())),
            first_phase=first_of[k][0],
            first_page=first_of[k][1],
            pages=tuple(pages_of.get(k, ())),
            n_pages=int(n_pages.get(k, 0)),
            extras=tuple(extras_of.get(k, ())),
        )
        for k in first_of
    }


class NameMatcher:
    """Match observed names to declared rows: exact names first, then patterns.

    Patterns are tried most specific first (longest literal text), through one
    combined regular expression so each distinct name costs one match.
    """

    def __init__(self, declared_names: list[str]):
        self.exact: dict[str, int] = {}
        patterns: list[tuple[int, str]] = []
        for i, name in enumerate(declared_names):
            if is_pattern(name):
                patterns.append((i, name))
            else:
                self.exact.setdefault(name, i)
        patterns.sort(key=lambda p: -len(p[1].replace("*", "")))
        self.pattern_rows = [i for i, _ in patterns]
        self.combined = (
            re.compile("|".join(f"(?:{pattern_regex(p)})()" for _, p in patterns)) if patterns else None
        )

    def match(self, name: str) -> int:
        """Row index of the declared entry for `name`, or -1."""
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
        """Declared row index per name (-1 = undeclared), computed once per distinct name."""
        codes, uniques = pd.factorize(names)
        rows = [self.match(n) for n in uniques]
        lookup = pd.Series(rows + [-1], dtype="int64").to_numpy()
        return pd.Series(lookup[codes], index=names.index)
