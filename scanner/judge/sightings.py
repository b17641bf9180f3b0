"""Helpers reconciliation uses to turn many observation rows into one finding.

One finding per (kind, subject): every phase and page where the subject was
seen becomes evidence of that single finding. Fingerprints are stable across
scans (no page, no timestamp) so baselines and diffs can recognise a finding.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scanner.models import PHASE_ORDER, PHASES


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

    Works on integer codes: (key, phase, page) triples are packed into one
    int64 and de-duplicated with numpy, so a million rows collapse to the few
    distinct places each subject appeared before any Python loop runs. Pages
    keep the order in which the scan first met them.
    """
    if frame.empty:
        return {}
    k, keys = pd.factorize(frame[key])
    ph = frame["phase"].map(PHASE_ORDER).fillna(len(PHASES)).to_numpy(dtype="int64")
    pg, pages = pd.factorize(frame["page_url"])
    keys, pages = list(keys), list(pages)
    n_pg, n_ph = max(len(pages), 1), len(PHASES) + 1
    k = k.astype("int64")
    triples = _sorted_unique((k * n_ph + ph) * n_pg + pg)
    t_pg, t_rest = triples % n_pg, triples // n_pg
    t_ph, t_k = t_rest % n_ph, t_rest // n_ph
    first_at = np.searchsorted(t_k, np.arange(len(keys)))  # triples are sorted by key, then phase, then page
    key_phases = _sorted_unique(t_rest)
    pairs = _sorted_unique(t_k * n_pg + t_pg)
    p_k, p_pg = pairs // n_pg, pairs % n_pg
    page_start = np.searchsorted(p_k, np.arange(len(keys) + 1))
    phase_start = np.searchsorted(key_phases // n_ph, np.arange(len(keys) + 1))
    phase_names = list(PHASES) + ["?"]
    extras_of: list[list[str]] = [[] for _ in keys]
    if extra:
        e, ex_values = pd.factorize(frame[extra])
        ok = e >= 0
        ex_pairs = _sorted_unique(k[ok] * max(len(ex_values), 1) + e[ok])
        ex_names = [str(v) for v in ex_values]
        for kk, ee in zip((ex_pairs // max(len(ex_values), 1)).tolist(), (ex_pairs % max(len(ex_values), 1)).tolist()):
            extras_of[kk].append(ex_names[ee])
    # Plain lists from here: indexing numpy arrays one scalar at a time costs more than the loop itself.
    p_pg_list, kp_list = p_pg.tolist(), (key_phases % n_ph).tolist()
    page_at, phase_at, first_list = page_start.tolist(), phase_start.tolist(), first_at.tolist()
    t_ph_list, t_pg_list = t_ph.tolist(), t_pg.tolist()
    out = {}
    for i, name in enumerate(keys):
        a, b = page_at[i], page_at[i + 1]
        first = first_list[i]
        out[name] = Sightings(
            phases=tuple([phase_names[x] for x in kp_list[phase_at[i]:phase_at[i + 1]]]),
            first_phase=phase_names[t_ph_list[first]],
            first_page=pages[t_pg_list[first]],
            pages=tuple([pages[x] for x in p_pg_list[a:min(b, a + cap)]]),
            n_pages=b - a,
            extras=tuple(sorted(extras_of[i])),
        )
    return out


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    # pandas' hash table de-duplicates int64 faster than np.unique; sorting only the uniques is cheap.
    return np.sort(pd.unique(values))
