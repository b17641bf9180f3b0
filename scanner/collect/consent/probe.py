"""`cookiescan consent probe URL`: open a page, name its consent platform, try accept and reject.

Each action runs in its own fresh browser profile, like the scan phases, so
one choice never hides the other's banner. Useful to write site overrides.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from playwright.sync_api import Error as PlaywrightError

from scanner.collect.browser import BrowserOptions, open_context, playwright_driver
from scanner.common.text import first_line
from scanner.errors import UserError
from scanner.models import ConsentOutcome
from scanner.collect.consent.driver import ConsentDriver


@dataclass(frozen=True)
class ProbeResult:
    url: str
    platform: str | None  # detect() on a fresh page
    outcomes: tuple[tuple[ConsentOutcome, float], ...]  # (outcome, seconds apply() took) per action


def probe(url: str, actions: tuple[str, ...], options: BrowserOptions, *, accept_selector: str | None = None,
          reject_selector: str | None = None, timeout_s: float = 10.0, use_autoconsent: bool = True) -> ProbeResult:
    if "://" not in url:
        url = "https://" + url
    if not url.startswith(("http://", "https://")):
        raise UserError(f"{url}: not an http(s) URL")
    platform = None
    outcomes = []
    with playwright_driver() as pw:
        for i, action in enumerate(("detect",) + actions):
            with open_context(pw, options) as context:
                driver = ConsentDriver(accept_selector, reject_selector, timeout_s, use_autoconsent=use_autoconsent)
                driver.install(context)
                page = context.new_page()
                try:
                    page.goto(url)
                except PlaywrightError as exc:
                    raise UserError(f"{url}: page failed to load ({first_line(exc)})") from None
                if action == "detect":
                    platform = driver.detect(page)
                    continue
                started = time.monotonic()
                outcomes.append((driver.apply(page, action), time.monotonic() - started))
    return ProbeResult(url, platform, tuple(outcomes))
