"""Save a logged-in browser state for later scans (`cookiescan login SITE`).

Sites whose login a script cannot finish (captcha, two-factor code) are logged
in once by a person in a headed browser; the saved Playwright storage state is
then given to scans through `[site.login] storage_state`. The file holds live
session cookies, so it is written readable by its owner only.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Mapping

from playwright.sync_api import Error as PlaywrightError

from scanner.collect.browser import BrowserOptions, open_context, playwright_driver
from scanner.config import LoginConfig
from scanner.collect.login.perform import cookie_names, login_confirmed, new_cookie_names, perform_login
from scanner.models import LoginOutcome

def record_storage_state(login: LoginConfig, out: Path, browser_options: BrowserOptions, *,
                         environ: Mapping[str, str] = os.environ, person_wait_s: float = 300,
                         timeout_s: float = 15) -> LoginOutcome:
    """Log in (steps, then a person when the browser is headed) and save the storage state to `out`."""
    by_steps = replace(login, storage_state=None)
    with playwright_driver() as playwright, open_context(playwright, browser_options) as context:
        page = context.pages[0] if context.pages else context.new_page()
        before = cookie_names(context)
        outcome = LoginOutcome(attempted=False, logged_in=False, reason="no login steps configured")
        if login.steps:
            outcome = perform_login(context, page, by_steps, environ=environ, timeout_s=timeout_s)
        if not outcome.logged_in and not browser_options.headless and person_wait_s > 0:
            # A person at the screen finishes what steps cannot: captcha, two-factor code.
            if not login.steps:
                _open_quietly(page, login.login_url, timeout_s)
            outcome = _wait_for_person(context, page, by_steps, before, person_wait_s, outcome)
        if outcome.logged_in:
            _write_private_json(Path(out), context.storage_state())
    return outcome


def _wait_for_person(context, page, login: LoginConfig, before: set[str], wait_s: float,
                     previous: LoginOutcome) -> LoginOutcome:
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if login_confirmed(page, login):
            return LoginOutcome(attempted=True, logged_in=True, method="manual", reason="logged in by hand",
                                cookies_at_login=new_cookie_names(context, before, login))
        try:
            page.wait_for_timeout(500)
        except PlaywrightError:  # the person closed the window
            break
    reason = f"{previous.reason}; " if previous.attempted else ""
    return LoginOutcome(attempted=True, logged_in=False, method="manual",
                        reason=f"{reason}no login completed within {wait_s:g}s")


def _open_quietly(page, url: str, timeout_s: float) -> None:
    try:
        page.goto(url, timeout=timeout_s * 1000)
    except PlaywrightError:
        pass  # the person sees the page and can retry


def _write_private_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1)
    os.chmod(tmp, 0o600)  # also when tmp existed with wider rights
    tmp.replace(path)
