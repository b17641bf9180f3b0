"""Did a consent click take effect? Judged by what changed, never by the click itself.

Before the click we note the consent storage (cookies and localStorage keys
named by the platform rules, the TCF string); after it we look for a new or
changed consent record and for the notice being gone.
"""
from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass

from playwright.sync_api import Error as PlaywrightError

from scanner.collect.consent import dom
from scanner.collect.consent.rules import PlatformRule, load_rules, matches
from scanner.common.text import fold
from scanner.knowledge.purpose import speaks_of_consent

JUDGE_POLL_S = 0.1  # between two looks for the click's effect (a notice mostly closes within a frame or two)
LOAD_GRACE_S = 0.5  # after a click made during loading: time the page's load event gets to change anything


@dataclass(frozen=True)
class Snapshot:
    cookies: dict[str, str]  # name -> hash of domain/path/value (compared, never kept)
    storage: dict[str, str]  # localStorage key -> hash of value (main frame)
    tc_string: str | None


@dataclass(frozen=True)
class Effect:
    banner_gone: bool | None  # None: nothing to look at
    stored: tuple[str, ...]  # what consent record appeared or changed
    evidence: tuple[str, ...]

    @property
    def effective(self) -> bool:
        # A notice still on screen means the choice was not taken, whatever got stored.
        return self.banner_gone is True or (self.banner_gone is None and bool(self.stored))


def _hash(*parts) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:16]


def snapshot(page) -> Snapshot:
    cookies: dict[str, str] = {}
    try:
        for c in page.context.cookies():
            cookies[c["name"]] = _hash(cookies.get(c["name"], ""), c["domain"], c["path"], c["value"])
    except PlaywrightError:
        pass
    raw = dom.call(page.main_frame, "storage") or {}
    tc = dom.call(page.main_frame, "tcString")
    return Snapshot(cookies, {k: _hash(v) for k, v in raw.items()}, tc)


def consent_patterns(rule: PlatformRule | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(cookie patterns, storage patterns) to look for: the platform's, else every platform's."""
    rules = [rule] if rule and (rule.cookies or rule.storage) else list(load_rules())
    return (tuple(p for r in rules for p in r.cookies), tuple(p for r in rules for p in r.storage))


# What hand-written notices call the record of the choice, in the five languages of the heuristic:
# `hinweis_wahl`, `scelta_cookie`, `choix_cookies`, `cookieNotice`, `gdpr_ok`, `cookiesAccepted`.
_CHOICE_WORDS = frozenset(("choice", "choices", "choix", "scelta", "scelte", "wahl", "eleccion", "hinweis",
                           "avviso", "aviso", "notice", "banner", "bandeau", "optin", "optout"))
_CHOICE_PARTS = ("consent", "gdpr", "rgpd", "dsgvo", "cookiechoice", "cookienotice", "cookiebanner",
                 "cookielaw", "cookiebar", "cookiesaccepted", "cookieaccepted", "acceptcookies", "acceptedcookies")


def names_a_choice(name: str) -> bool:
    """Whether a cookie or storage key is named as the record of a consent choice."""
    plain = fold(name)
    return (speaks_of_consent(name) or any(part in plain.replace("_", "").replace("-", "") for part in _CHOICE_PARTS)
            or not _CHOICE_WORDS.isdisjoint(re.split(r"[^a-z]+", plain)))


def stored_since(before: Snapshot, after: Snapshot, rule: PlatformRule | None) -> tuple[str, ...]:
    """Consent records written or changed since `before`: names the platform rules know, and,
    for a notice no rule knows, any name of a consent choice (`news_consent`, `hinweis_wahl`)."""
    cookie_patterns, storage_patterns = consent_patterns(rule)

    def is_record(name: str, patterns: tuple[str, ...]) -> bool:
        return matches(name, patterns) or (rule is None and names_a_choice(name))

    found = []
    for name, h in sorted(after.cookies.items()):
        if is_record(name, cookie_patterns) and before.cookies.get(name) != h:
            found.append(f"consent cookie {name} {'stored' if name not in before.cookies else 'updated'}")
    for key, h in sorted(after.storage.items()):
        if is_record(key, storage_patterns) and before.storage.get(key) != h:
            found.append(f"localStorage {key} {'stored' if key not in before.storage else 'updated'}")
    if after.tc_string and after.tc_string != before.tc_string:
        found.append(f"TCF string stored ({len(after.tc_string)} chars)")
    return tuple(found)


def judge(page, before: Snapshot, rule: PlatformRule | None, banner: tuple[str, ...], marks: tuple[str, ...],
          wait_s: float) -> Effect:
    """Poll up to `wait_s` for the notice to go and a consent record to appear.

    A click made while the page was still loading may have met buttons its notice binds only at
    the load event: once the page has loaded (and LOAD_GRACE_S more) with nothing changed, the
    judging stops early, so the layer's next try (after load) comes at once."""
    start = time.monotonic()
    deadline = start + max(wait_s, 0.5)
    loading_at_click: bool | None = None
    loaded_at: float | None = None
    while True:
        state = dom.probe(page, banner, marks=marks)
        now = time.monotonic()
        if loading_at_click is None:
            loading_at_click = not state.loaded
        if loading_at_click and state.loaded and loaded_at is None:
            loaded_at = now
        still = sorted(state.shown) + [f"marked notice {m}" for m in sorted(state.marks)]
        gone = None if not banner and not marks else not still
        after = snapshot(page)
        stored = stored_since(before, after, rule)
        # A consent record usually follows the notice closing within a moment; an unknown
        # notice may store its choice under any name, so do not wait the full time for it.
        if (gone and (stored or now - start >= 1.0)) or now >= deadline:
            break
        if loaded_at is not None and not gone and not stored and now - loaded_at >= LOAD_GRACE_S:
            break
        page.wait_for_timeout(JUDGE_POLL_S * 1000)
    evidence = list(stored)
    if loading_at_click and not gone and not stored:
        evidence.append("clicked while the page was still loading")
    if gone is True:
        evidence.insert(0, "banner gone" + (f" ({', '.join(banner[:3])} not visible)" if banner else ""))
    elif gone is False:
        evidence.insert(0, f"banner still visible ({', '.join(still[:3])})")
    if not stored:
        evidence.append("no known consent record stored (no consent cookie, localStorage key or TCF string)")
    # Names only: the classifier treats a new first-party cookie named for consent as consent storage.
    new = sorted(set(after.cookies) - set(before.cookies))
    if new:
        evidence.append("cookies set since the click: " + ", ".join(new[:10]))
    return Effect(gone, stored, tuple(evidence))
