"""Classify observed cookies and storage keys, recording where each category came from.

Precedence by strength of evidence, first that applies:
  1. the category the site's policy states for that row ("declared:<file>:<line>"): a category
     column or the section heading the row sits under; exact name before pattern;
  2. a per-site override from the site config ("site_config");
  3. the consent platform's own cookies ("consent_platform:<platform>") -> strictly necessary;
     also, generically, a first-party cookie first written by the consent click whose name
     or declared purpose speaks of consent ("consent_platform:generic");
  4. the knowledge base, exact name then wildcard ("knowledge_base:<source>"), but only when
     the cookie was set by that vendor's hosts or lives on its domain: otherwise the match
     is a name collision, noted in the source, and the next rule decides;
  5. a named heuristic ("heuristic:<name>"), all of them CNIL exemptions;
  6. a category inferred from the declared row's own purpose text ("purpose_text:<file>:<line>");
  7. otherwise "unknown": never silently necessary.
A declared row with no stated category makes the cookie declared (name, retention,
vendor) but never forces its category.

A scan has many rows but few distinct (name, setter, host) triples, so each is
classified once and the result is mapped back by position (pd.factorize).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scanner.common.domains import host_of, registrable_domain
from scanner.common.names import NameMatcher
from scanner.declared.families import declared_names_with_families, family_pattern, matches
from scanner.errors import UserError
from scanner.knowledge.cookies import KnowledgeBase, KnownCookie
from scanner.knowledge.purpose import infer_category, speaks_of_consent
from scanner.models import CATEGORIES, STRICTLY_NECESSARY, UNKNOWN, DeclaredCookie, DeclaredSite

if TYPE_CHECKING:
    import pandas as pd

OUTPUT_COLUMNS = ("category", "classification_source", "likely_vendor", "likely_purpose")
SITE_CONFIG = "site_config"
GENERIC_CONSENT = "generic"
PURPOSE_TEXT = "purpose_text"


@dataclass(frozen=True)
class Classification:
    category: str
    source: str
    vendor: str | None = None
    purpose: str | None = None


@dataclass(frozen=True)
class Origin:
    """Who set a cookie: the host of the response or script that wrote it, and the cookie's host."""

    set_by_host: str | None = None
    host: str | None = None


@dataclass(frozen=True)
class Heuristic:
    """A name rule for cookies the knowledge base may lack; every one is a CNIL exemption."""

    name: str
    regex: str
    purpose: str
    category: str = STRICTLY_NECESSARY


HEURISTICS = (
    # Framework defaults: PHP session.name, Java Servlet spec, ASP.NET SessionStateSection,
    # express-session, Laravel config/session.php, Django SESSION_COOKIE_NAME, Rails
    # `_<app>_session`, Drupal SESS<hash>/SSESS<hash>; CNIL délibération 2020-091 §50.
    Heuristic("session_identifier",
              r"PHPSESSID|JSESSIONID.*|ASP\.NET_SessionId|connect\.sid|laravel_session|sessionid"
              r"|[A-Za-z0-9_.\-]+_session|S?SESS[0-9a-f]{32}",
              "first-party session identifier (CNIL exemption: a session for a service the user asked for)"),
    # Cookie prefixes of RFC 6265bis §4.1.3: `__Host-sid`, `__Secure-session`... (session or
    # auth names only: a prefix alone says "secure", not "necessary").
    Heuristic("prefixed_session", r"__(Host|Secure)-(?i:.*(sess|sid|auth|token|login).*)",
              "__Host-/__Secure- session or authentication cookie (CNIL exemption: session, security)"),
    # Django `csrftoken`, Angular/Axios `XSRF-TOKEN`, ASP.NET `__RequestVerificationToken`.
    Heuristic("csrf_token", r"(?i:.*(csrf|xsrf).*)|__RequestVerificationToken.*",
              "anti-forgery token (CNIL exemption: security)"),
    # AWS ALB docs, F5 BIG-IP persistence, Imperva, Cloudflare load balancing, HAProxy `SERVERID`.
    Heuristic("load_balancing", r"AWSALB|AWSALBCORS|AWSALBTG|AWSALBTGCORS|BIGipServer.*|nlbi_.*|__cflb|SERVERID|ROUTEID",
              "load-balancer affinity (CNIL exemption: load balancing)"),
    # Cloudflare bot management, Imperva, DataDome, Google reCAPTCHA.
    Heuristic("anti_bot", r"__cf_bm|cf_clearance|incap_ses_.*|visid_incap_.*|datadome|_GRECAPTCHA",
              "bot and abuse protection (CNIL exemption: security and anti-fraud)"),
)


class Classifier:
    """The precedence rules of one site, built once, applied to any number of names.

    `vendors` (a VendorMap) enables the name-collision check; `site_domain` lets a
    collision say "set by the site itself"; `consent_written` names the first-party
    cookies first written by a consent click (from the scan's consent evidence).
    """

    def __init__(self, kb: KnowledgeBase, *, declared: DeclaredSite | None = None,
                 site_overrides: dict[str, str] | None = None,
                 consent_patterns: dict[str, tuple[str, ...]] | None = None,
                 vendors=None, site_domain: str | None = None, consent_written: frozenset[str] = frozenset()):
        self.kb = kb
        self.declared = declared.cookies if declared else ()
        self._declared = NameMatcher(*declared_names_with_families([c.name for c in self.declared], kb))
        self.overrides = list((site_overrides or {}).items())
        for name, category in self.overrides:
            if category not in CATEGORIES:
                raise UserError(f"site config [site.classify] {name!r}: {category!r} is not one of "
                                f"{', '.join(CATEGORIES)}")
        self._overrides = NameMatcher([name for name, _ in self.overrides])
        self.consent = [(platform, p) for platform, patterns in (consent_patterns or {}).items() for p in patterns]
        self._consent = NameMatcher([p for _, p in self.consent])
        self._heuristics = [(h, re.compile(h.regex)) for h in HEURISTICS]
        self.vendors = vendors
        self.site_domain = (site_domain or "").lower()
        self.consent_written = consent_written

    def declared_row(self, name: str) -> DeclaredCookie | None:
        i = self._declared.match(name)
        return self.declared[i] if i >= 0 else None

    def classify(self, name: str, origin: Origin | None = None) -> Classification:
        known = self.kb.best(name)
        row = self.declared_row(name)
        # Vendor and purpose come from the declared row, else the knowledge base, wherever
        # the deciding rule has none.
        vendor = (row.vendor if row else None) or (known.vendor if known else None) or None
        purpose = (row.purpose if row else None) or (known.purpose if known else None) or None
        if row is not None and row.category != UNKNOWN and row.category_source != PURPOSE_TEXT:
            family = "" if matches(row.name, name) else f" (through the family {family_pattern(row.name, self.kb)})"
            return Classification(row.category, f"declared:{row.source}{family}", vendor, purpose)
        i = self._overrides.match(name)
        if i >= 0:
            return Classification(self.overrides[i][1], SITE_CONFIG, vendor, purpose)
        i = self._consent.match(name)
        if i >= 0:
            platform = self.consent[i][0]
            return Classification(STRICTLY_NECESSARY, f"consent_platform:{platform}", vendor or platform,
                                  purpose or f"stores the visitor's consent choices ({platform})")
        if name in self.consent_written and (speaks_of_consent(name) or speaks_of_consent(row.purpose if row else "")):
            return Classification(STRICTLY_NECESSARY, f"consent_platform:{GENERIC_CONSENT}", vendor,
                                  purpose or "first written by the consent click; its name or purpose speaks of consent")
        collision = ""
        if known is not None:
            # A strictly necessary row (Cloudflare's __cf_bm, a load balancer's cookie) is set through the
            # site's own responses by design; and a collision can only matter where it raises an alarm.
            collision = "" if known.category == STRICTLY_NECESSARY else self.collision(name, known, origin)
            if not collision:
                return Classification(known.category, known.classification_source, vendor, purpose)
            # The vendor's row does not describe this cookie: do not lend its vendor or purpose.
            vendor = row.vendor if row and row.vendor else None
            purpose = row.purpose if row and row.purpose else None
        note = f" ({collision})" if collision else ""
        heuristic = self.heuristic(name)
        if heuristic is not None:
            return Classification(heuristic.category, f"heuristic:{heuristic.name}{note}", vendor,
                                  purpose or heuristic.purpose)
        if row is not None:
            inferred = row.category if row.category_source == PURPOSE_TEXT else infer_category(row.purpose)
            if inferred and inferred != UNKNOWN:
                return Classification(inferred, f"{PURPOSE_TEXT}:{row.source}{note}", vendor, purpose)
        return Classification(UNKNOWN, f"unknown{note}", vendor, purpose)

    def heuristic(self, name: str) -> Heuristic | None:
        return next((h for h, regex in self._heuristics if regex.fullmatch(name)), None)

    def collision(self, name: str, known: KnownCookie, origin: Origin | None) -> str:
        """Why a knowledge-base row does not describe this cookie ("" when it may).

        A vendor's row counts when the cookie was set by one of the vendor's hosts or lives
        on its domain. Without evidence of who set it, or without known vendor domains,
        nothing can be judged and the row counts.
        """
        if origin is None or not origin.set_by_host or self.vendors is None:
            return ""
        domains = vendor_domains(known, self.vendors)
        if not domains:
            return ""
        hosts = [h.lower().lstrip(".") for h in (origin.set_by_host, origin.host) if h]
        if any(h == d or h.endswith("." + d) for h in hosts for d in domains):
            return ""
        setter = origin.set_by_host.lower()
        who = ("the site itself" if self.site_domain and registrable_domain(setter) == self.site_domain
               else setter)
        return f"name collision: {name} matches {known.vendor or known.platform}'s cookie, but it was set by {who}"

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        import numpy as np  # here, not at the top: `cookiescan explain` classifies one name without pandas
        import pandas as pd

        keys = pd.Series(list(zip(frame["name"], _setter_hosts(frame), _column(frame, "host"))), dtype=object,
                         index=frame.index)
        codes, uniques = pd.factorize(keys)
        found = [self._classify_key(k) for k in uniques] + [Classification(UNKNOWN, "unknown")]
        out = frame.copy()
        for column, values in zip(OUTPUT_COLUMNS, zip(*((c.category, c.source, c.vendor, c.purpose) for c in found))):
            out[column] = np.array(values, dtype=object)[codes]
        return out

    def _classify_key(self, key) -> Classification:
        name, setter, host = key
        if name is None or (isinstance(name, float) and name != name):
            return Classification(UNKNOWN, "unknown")
        return self.classify(str(name), Origin(setter, host) if setter else None)


def vendor_domains(known: KnownCookie, vendors) -> tuple[str, ...]:
    """The vendor's domains: the vendor map's, plus the domain the knowledge base row gives."""
    domains = list(vendors.domains_of(known.vendor)) if known.vendor else []
    written = re.sub(r"\(.*?\)", " ", known.domain or "").strip().lower().lstrip(".")
    if written and "." in written and " " not in written:
        domains.append(written)
    return tuple(dict.fromkeys(d.lower().lstrip(".") for d in domains if d))


def _column(frame: pd.DataFrame, name: str) -> list:
    return frame[name].tolist() if name in frame else [None] * len(frame)


def _setter_hosts(frame: pd.DataFrame) -> list:
    """Host of the response or script that set each row (None when unknown or not a cookie)."""
    if "set_by_url" not in frame:
        return [None] * len(frame)
    lookup: dict = {}
    out = []
    for url in frame["set_by_url"].tolist():
        if url not in lookup:
            lookup[url] = host_of(url) or None if isinstance(url, str) and url else None
        out.append(lookup[url])
    return out


def classify_frame(frame: pd.DataFrame, *, kb: KnowledgeBase, declared: DeclaredSite | None = None,
                   site_overrides: dict[str, str] | None = None,
                   consent_patterns: dict[str, tuple[str, ...]] | None = None, vendors=None,
                   site_domain: str | None = None, consent_written: frozenset[str] = frozenset()) -> pd.DataFrame:
    """A copy of `frame` (column `name`; `set_by_url`, `host` when known) with category,
    classification_source, likely_vendor, likely_purpose."""
    classifier = Classifier(kb, declared=declared, site_overrides=site_overrides, consent_patterns=consent_patterns,
                            vendors=vendors, site_domain=site_domain, consent_written=consent_written)
    return classifier.apply(frame)
