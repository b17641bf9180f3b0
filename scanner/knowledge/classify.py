"""Classify observed cookies and storage keys, recording where each category came from.

Precedence, first match wins:
  1. the site's declared category ("declared:<file>:<line>"), exact name before pattern;
  2. a per-site override from the site config ("site_config");
  3. the consent cookie of a consent platform ("consent_platform:<platform>") -> strictly necessary;
  4. the knowledge base, exact name then wildcard ("knowledge_base:<source>");
  5. a named heuristic ("heuristic:<name>"), all of them CNIL exemptions;
  6. otherwise "unknown": never silently necessary.

A scan has many rows but few distinct names, so each distinct name is
classified once and the result is mapped back by position (pd.factorize).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scanner.errors import UserError
from scanner.common.names import NameMatcher
from scanner.knowledge.cookies import KnowledgeBase
from scanner.models import CATEGORIES, STRICTLY_NECESSARY, UNKNOWN, DeclaredSite

if TYPE_CHECKING:
    import pandas as pd

OUTPUT_COLUMNS = ("category", "classification_source", "likely_vendor", "likely_purpose")
SITE_CONFIG = "site_config"


@dataclass(frozen=True)
class Classification:
    category: str
    source: str
    vendor: str | None = None
    purpose: str | None = None


@dataclass(frozen=True)
class Heuristic:
    """A name rule for cookies the knowledge base may lack; every one is a CNIL exemption."""

    name: str
    regex: str
    purpose: str
    category: str = STRICTLY_NECESSARY


HEURISTICS = (
    Heuristic("session_identifier",
              r"PHPSESSID|JSESSIONID.*|ASP\.NET_SessionId|connect\.sid|laravel_session|sessionid"
              r"|_[A-Za-z0-9]+_session|S?SESS[0-9a-f]{32}",
              "first-party session identifier (CNIL exemption: a session for a service the user asked for)"),
    Heuristic("csrf_token", r"(?i:.*(csrf|xsrf).*)|__RequestVerificationToken.*",
              "anti-forgery token (CNIL exemption: security)"),
    Heuristic("load_balancing", r"AWSALB|AWSALBCORS|AWSALBTG|AWSALBTGCORS|BIGipServer.*|nlbi_.*|__cflb|SERVERID|ROUTEID",
              "load-balancer affinity (CNIL exemption: load balancing)"),
    Heuristic("anti_bot", r"__cf_bm|cf_clearance|incap_ses_.*|visid_incap_.*|datadome|_GRECAPTCHA",
              "bot and abuse protection (CNIL exemption: security and anti-fraud)"),
)


class Classifier:
    """The precedence rules of one site, built once, applied to any number of names."""

    def __init__(self, kb: KnowledgeBase, *, declared: DeclaredSite | None = None,
                 site_overrides: dict[str, str] | None = None,
                 consent_patterns: dict[str, tuple[str, ...]] | None = None):
        self.kb = kb
        self.declared = declared.cookies if declared else ()
        self._declared = NameMatcher([c.name for c in self.declared])
        self.overrides = list((site_overrides or {}).items())
        for name, category in self.overrides:
            if category not in CATEGORIES:
                raise UserError(f"site config [site.classify] {name!r}: {category!r} is not one of "
                                f"{', '.join(CATEGORIES)}")
        self._overrides = NameMatcher([name for name, _ in self.overrides])
        self.consent = [(platform, p) for platform, patterns in (consent_patterns or {}).items() for p in patterns]
        self._consent = NameMatcher([p for _, p in self.consent])
        self._heuristics = [(h, re.compile(h.regex)) for h in HEURISTICS]

    def classify(self, name: str) -> Classification:
        known = self.kb.best(name)
        # Vendor and purpose come from the knowledge base wherever the deciding rule has none.
        vendor = known.vendor or None if known else None
        purpose = known.purpose or None if known else None
        i = self._declared.match(name)
        if i >= 0:
            row = self.declared[i]
            return Classification(row.category, f"declared:{row.source}", row.vendor or vendor, row.purpose or purpose)
        i = self._overrides.match(name)
        if i >= 0:
            return Classification(self.overrides[i][1], SITE_CONFIG, vendor, purpose)
        i = self._consent.match(name)
        if i >= 0:
            platform = self.consent[i][0]
            return Classification(STRICTLY_NECESSARY, f"consent_platform:{platform}", vendor or platform,
                                  purpose or f"stores the visitor's consent choices ({platform})")
        if known is not None:
            return Classification(known.category, known.classification_source, vendor, purpose)
        heuristic = self.heuristic(name)
        if heuristic is not None:
            return Classification(heuristic.category, f"heuristic:{heuristic.name}", None, heuristic.purpose)
        return Classification(UNKNOWN, "unknown")

    def heuristic(self, name: str) -> Heuristic | None:
        return next((h for h, regex in self._heuristics if regex.fullmatch(name)), None)

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        import numpy as np  # here, not at the top: `cookiescan explain` classifies one name without pandas
        import pandas as pd

        codes, uniques = pd.factorize(frame["name"])  # missing names get code -1
        found = [self.classify(str(n)) for n in uniques] + [Classification(UNKNOWN, "unknown")]
        out = frame.copy()
        for column, values in zip(OUTPUT_COLUMNS, zip(*((c.category, c.source, c.vendor, c.purpose) for c in found))):
            out[column] = np.array(values, dtype=object)[codes]
        return out


def classify_frame(frame: pd.DataFrame, *, kb: KnowledgeBase, declared: DeclaredSite | None = None,
                   site_overrides: dict[str, str] | None = None,
                   consent_patterns: dict[str, tuple[str, ...]] | None = None) -> pd.DataFrame:
    """A copy of `frame` (column `name`) with category, classification_source, likely_vendor, likely_purpose."""
    classifier = Classifier(kb, declared=declared, site_overrides=site_overrides, consent_patterns=consent_patterns)
    return classifier.apply(frame)
