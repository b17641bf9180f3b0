"""What each finding kind means and how to fix it: the one place every renderer reads.

SARIF puts `how_to_fix` in a rule's `help`, the HTML and Markdown reports show
it beside the findings of that kind. A kind missing here (a rule added later)
still renders: `describe` falls back to its name and a pointer to the docs.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KindText:
    kind: str
    title: str  # one short sentence: what was seen
    how_to_fix: str  # what the site's team does about it
    label: str  # a few words, the label on a cookie's or vendor's row


KINDS: dict[str, tuple[str, str, str]] = {
    "page_failed": (
        "Page could not be scanned",
        "Check that the URL loads from the machine that runs the scan (DNS, certificate, firewall, maintenance "
        "page). When the start page fails the whole scan failed: nothing else in the report can be trusted.",
        "page failed"),
    "consent_not_verified": (
        "Consent click did not take effect; the phase was not judged",
        "The banner was not recognised or the click changed nothing. Run `cookiescan consent probe URL`, then add "
        "accept_selector / reject_selector for the site in cookiescan.toml.",
        "consent not verified"),
    "login_failed": (
        "Login for the authenticated phase failed",
        "Check the login steps and the credential variables; for two-factor accounts save a session with "
        "`cookiescan login SITE`.",
        "login failed"),
    "before_consent": (
        "Non-essential cookie, storage or third-party request before consent",
        "Load this tag or script only after the visitor accepts (through the consent platform's API or tag "
        "manager consent mode), or declare and justify it as strictly necessary.",
        "before consent"),
    "after_refusal": (
        "Non-essential cookie, storage or third-party request after refusal",
        "The refusal is not honoured: gate this tag on the consent state so 'reject all' keeps it off, and delete "
        "cookies it set earlier.",
        "after refusal"),
    "unclassified_before_consent": (
        "To review: cookie or storage key of unknown category before consent",
        "Nobody could tell what it is for. Declare it in the cookie policy with its category (and in "
        "declared/<site>/cookies.yaml), or classify it in [site.classify]; gate it on consent if it is not "
        "strictly necessary. Review items never fail the gate.",
        "to review"),
    "unclassified_after_refusal": (
        "To review: cookie or storage key of unknown category after refusal",
        "Declare or classify it as above; if it is not strictly necessary, 'reject all' must keep it off.",
        "to review"),
    "over_legal_cap": (
        "Cookie lifetime longer than 13 months (CNIL)",
        "Set the cookie's Max-Age/Expires to at most 13 months (most tag managers have a cookie-expiry setting).",
        "over 13 months"),
    "undeclared_cookie": (
        "Cookie or storage key observed but not declared in the cookie policy",
        "Add a row to the cookie policy (name, vendor, purpose, retention), then to declared/<site>/cookies.yaml; "
        "or remove what sets it.",
        "undeclared"),
    "undeclared_third_party": (
        "Third party not named in the subprocessor annex",
        "Name the vendor in the subprocessor annex (declared/<site>/subprocessors.yaml) with its role and country, "
        "or stop loading it.",
        "not in annex"),
    "over_long_cookie": (
        "Cookie lifetime longer than the declared retention",
        "Shorten the cookie's lifetime to the declared retention, or correct the retention in the policy.",
        "longer than declared"),
    "session_mismatch": (
        "Declared session cookie is persistent, or the reverse",
        "Make the cookie match the policy (drop Max-Age/Expires for a session cookie) or correct the declared "
        "retention.",
        "session mismatch"),
    "stale_declaration": (
        "Declared cookie never observed",
        "Remove the row from the policy if the cookie is gone; if it is only set deeper in the site, scan more "
        "pages (--pages) or the logged-in area.",
        "never observed"),
    "fingerprinting": (
        "Script reads a browser fingerprint (canvas, WebGL, audio or fonts)",
        "Fingerprinting needs consent like a cookie: load the script only after 'accept all', or remove it.",
        "fingerprinting"),
    "session_recording": (
        "Session-recording script films the visit",
        "Load the recorder only after consent, mask every input and sensitive page, and name the vendor in the "
        "annex; on health pages prefer not recording at all.",
        "session recording"),
    "input_leak": (
        "Values typed into a form reach a third party before any submit",
        "Stop the third-party script from reading form fields (its masking or 'no capture' options), or remove it "
        "from pages with forms.",
        "input leak"),
    "sensitive_url_leak": (
        "The page's address (path) reaches a third party",
        "Strip or generalise page addresses sent to analytics and ad pixels (URL redaction in the tag settings), "
        "above all on sensitive pages.",
        "page address leak"),
    "baseline_expired": (
        "Accepted finding in the baseline has expired",
        "Fix the finding, or renew its baseline entry with a new reason and expiry date.",
        "baseline expired"),
}

FALLBACK_FIX = "See docs/reconcile.md for this kind of finding."

# GitHub code scanning reads `security-severity` (0-10) to rank alerts.
SECURITY_SEVERITY = {"high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}


def describe(kind: str) -> KindText:
    known = KINDS.get(kind)
    if known:
        return KindText(kind, *known)
    words = kind.replace("_", " ")
    return KindText(kind, words.capitalize(), FALLBACK_FIX, words)


def kind_order(kind: str) -> int:
    """Known kinds in the order above (the scan's health first), unknown ones after."""
    order = list(KINDS)
    return order.index(kind) if kind in order else len(order)
