"""Consent handling: detect the consent platform on a page and click accept-all / reject-all.

    driver = ConsentDriver(accept_selector=None, reject_selector=None, timeout_s=10.0)
    driver.install(context)             # once per BrowserContext, before pages open
    driver.detect(page) -> str | None   # never clicks
    driver.apply(page, "accept" | "reject") -> ConsentOutcome

See docs/consent.md for the layers (override, autoconsent, rules, heuristic).
"""
from __future__ import annotations

__all__ = ["ConsentDriver", "consent_cookie_patterns"]


def __getattr__(name: str):
    # Resolved on first use: the driver pulls in Playwright, which `cookiescan explain`
    # (it only needs the consent cookie patterns) must not pay for at start-up.
    if name == "ConsentDriver":
        from scanner.collect.consent.driver import ConsentDriver
        return ConsentDriver
    if name == "consent_cookie_patterns":
        from scanner.collect.consent.rules import consent_cookie_patterns
        return consent_cookie_patterns
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
