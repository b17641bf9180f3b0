"""Consent handling: detect the consent platform on a page and click accept-all / reject-all.

    driver = ConsentDriver(accept_selector=None, reject_selector=None, timeout_s=10.0)
    driver.install(context)             # once per BrowserContext, before pages open
    driver.detect(page) -> str | None   # never clicks
    driver.apply(page, "accept" | "reject") -> ConsentOutcome

See docs/consent.md for the layers (override, autoconsent, rules, heuristic).
"""
from scanner.collect.consent.driver import ConsentDriver
from scanner.collect.consent.rules import consent_cookie_patterns

__all__ = ["ConsentDriver", "consent_cookie_patterns"]
