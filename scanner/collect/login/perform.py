"""Log in to a site inside a browser context, and judge whether it worked.

Two ways in, both configured per site (`[site.login]`, see docs/login.md):
- steps: goto / fill / click / wait_for_url / wait_for_selector, with the
  username and password read from environment variables at run time;
- a Playwright storage-state file (from `cookiescan login SITE`), which the
  engine loads into the context; here we only check it still opens the app.

A login that does not work (wrong password, captcha, two-factor prompt,
expired state) is a result, not an exception: the outcome says
logged_in=False with a reason a person can act on. Secrets (the password, any
value read from the environment) never reach the outcome: reasons are
scrubbed, and fill steps are described by their selector only.
"""
from __future__ import annotations

import fnmatch
import json
import os
import time
from pathlib import Path
from typing import Iterable, Mapping
from urllib.parse import urljoin, urlsplit

from playwright.sync_api import Error as PlaywrightError

from scanner.common.text import first_line
from scanner.config import LoginConfig, LoginStep
# Links never to follow once logged in; the crawler and the engine share the one rule.
from scanner.collect.crawl import is_denied  # noqa: F401  (public: scanner.collect.login.perform.is_denied)
from scanner.models import LoginOutcome

STEP_ACTIONS = ("goto", "fill", "click", "wait_for_url", "wait_for_selector")

# What a page that asks for more than a password looks like. Checked only when
# the login has not (yet) succeeded, so a word on an app page does no harm.
TWO_FACTOR_SELECTORS = (
    'input[autocomplete="one-time-code"]', 'input[name*="otp" i]', 'input[id*="otp" i]',
    'input[name*="totp" i]', 'input[name*="mfa" i]', 'input[name*="2fa" i]',
)
TWO_FACTOR_WORDS = (
    "two-factor", "two-step", "2-step", "verification code", "authentication code",
    "deux étapes", "double authentification", "code de vérification",
    "zwei-faktor", "bestätigungscode", "sicherheitscode", "due fattori", "codice di verifica",
)
CAPTCHA_SELECTORS = (
    ".g-recaptcha", 'iframe[src*="recaptcha"]', ".h-captcha", 'iframe[src*="hcaptcha"]',
    ".cf-turnstile", 'iframe[src*="challenges.cloudflare.com"]', "[data-sitekey]",
)
ERROR_SELECTORS = (
    '[role="alert"]', ".error", ".alert-danger", ".alert-error", ".flash-error", ".form-error",
    ".error-message", ".invalid-feedback",
)

_INSPECT_JS = """([twoFactorSelectors, twoFactorWords, captchaSelectors, errorSelectors]) => {
  const visible = (el) => !!el && !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  const anyVisible = (sels) => sels.some((s) => [...document.querySelectorAll(s)].some(visible));
  const text = (document.body ? document.body.innerText : "").toLowerCase();
  const passwordField = anyVisible(['input[type="password"]']);
  let error = "";
  for (const s of errorSelectors) {
    const el = [...document.querySelectorAll(s)].find((e) => visible(e) && e.innerText.trim());
    if (el) { error = el.innerText.trim(); break; }
  }
  return {
    // Words count only once the password field is gone: a login page may advertise 2FA.
    twoFactor: anyVisible(twoFactorSelectors)
      || (!passwordField && twoFactorWords.some((w) => text.includes(w))),
    captcha: anyVisible(captchaSelectors),
    passwordField,
    error,
  };
}"""

_POLL_S = 0.25
REDACTED = "[redacted]"


class _LoginFailed(Exception):
    """Internal: ends a login attempt with a reason (never escapes this module)."""


def perform_login(context, page, login: LoginConfig, *, environ: Mapping[str, str] = os.environ,
                  timeout_s: float = 15) -> LoginOutcome:
    """Log in on `page` (a context that already accepted consent) and say whether it worked.

    With `login.storage_state` the engine has already loaded the state into the
    context; this only verifies it. Otherwise the configured steps run.
    """
    secrets = login_secrets(login, environ)
    method = "storage_state" if login.storage_state else "steps"
    before = cookie_names(context)
    try:
        if login.storage_state:
            _open(page, _verify_url(login), timeout_s)
        else:
            _run_steps(page, login, environ, timeout_s)
        _wait_for_success(page, login, time.monotonic() + timeout_s)
    except _LoginFailed as failed:
        return LoginOutcome(attempted=True, logged_in=False, method=method,
                            reason=scrub(str(failed), secrets),
                            cookies_at_login=new_cookie_names(context, before, login))
    return LoginOutcome(attempted=True, logged_in=True, method=method,
                        reason=scrub(f"logged in ({_describe_success(login)})", secrets),
                        cookies_at_login=new_cookie_names(context, before, login))


def login_secrets(login: LoginConfig, environ: Mapping[str, str] = os.environ) -> tuple[str, ...]:
    """Every value the login reads from the environment: to scrub from logs, reports and HAR files."""
    names = {login.username_env, login.password_env}
    for step in login.steps:
        name = _env_name(step.value, login)
        if name:
            names.add(name)
    return tuple(sorted({environ[n] for n in names if n and environ.get(n)}, key=len, reverse=True))


def missing_env(login: LoginConfig, environ: Mapping[str, str] = os.environ) -> tuple[str, ...]:
    """Environment variables the login steps need that are not set (for a clear error up front)."""
    names = []
    for step in login.steps:
        name = _env_name(step.value, login)
        if name and not environ.get(name) and name not in names:
            names.append(name)
    if any(s.value in ("$username", "$password") for s in login.steps):
        for ref, name in (("$username", login.username_env), ("$password", login.password_env)):
            if any(s.value == ref for s in login.steps) and not name:
                names.append(f"{ref[1:]}_env (not configured)")
    return tuple(names)


def scrub(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


# ------------------------------------------------------------------ steps ---

def _run_steps(page, login: LoginConfig, environ: Mapping[str, str], timeout_s: float) -> None:
    if not login.steps:
        raise _LoginFailed("login not attempted: no steps and no storage_state configured")
    missing = missing_env(login, environ)
    if missing:
        raise _LoginFailed(f"login not attempted: environment variable(s) not set: {', '.join(missing)}")
    timeout_ms = timeout_s * 1000
    for number, step in enumerate(login.steps, 1):
        try:
            _run_step(page, step, login, environ, timeout_ms)
        except PlaywrightError as exc:
            # The page may say why (wrong password, 2FA...) better than the timeout does.
            verdict = _failure_on_page(page, login)
            raise _LoginFailed(verdict or f"login step {number} ({_describe_step(step)}) failed: "
                                          f"{_short(first_line(exc))}; on {_path(page.url)}") from None


def _run_step(page, step: LoginStep, login: LoginConfig, environ: Mapping[str, str], timeout_ms: float) -> None:
    if step.action == "goto":
        page.goto(urljoin(login.login_url, step.url or login.login_url), timeout=timeout_ms, wait_until="load")
    elif step.action == "fill":
        page.fill(step.selector, _resolve_value(step.value, login, environ), timeout=timeout_ms)
    elif step.action == "click":
        page.click(step.selector, timeout=timeout_ms)
        _settle(page, timeout_ms)
    elif step.action in ("wait_for_url", "wait_for_selector"):
        _wait_step(page, step, login, timeout_ms)
    else:  # config.py rejects unknown actions; a hand-built LoginConfig may not
        raise _LoginFailed(f"login step action {step.action!r} is not one of {', '.join(STEP_ACTIONS)}")


def _wait_step(page, step: LoginStep, login: LoginConfig, timeout_ms: float) -> None:
    """Wait for a URL or selector, but stop at once when the page shows the login failed.

    A wrong password should not cost the whole timeout.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        if step.action == "wait_for_url":
            reached = _url_matches(page.url, step.url, login.login_url)
        else:
            reached = _visible(page, step.selector)
        if reached:
            _settle(page, timeout_ms)
            return
        failure = _failure_on_page(page, login)
        if failure:
            raise _LoginFailed(failure)
        if time.monotonic() >= deadline:
            raise PlaywrightError(f"not reached within {timeout_ms / 1000:g}s")
        page.wait_for_timeout(_POLL_S * 1000)


def _env_name(value: str | None, login: LoginConfig) -> str | None:
    """The environment variable a step value refers to, if any."""
    if value == "$username":
        return login.username_env
    if value == "$password":
        return login.password_env
    if value and value.startswith("env:"):
        return value[4:]
    if value and value.startswith("$") and len(value) > 1:
        return value[1:]
    return None


def _resolve_value(value: str | None, login: LoginConfig, environ: Mapping[str, str]) -> str:
    name = _env_name(value, login)
    return environ.get(name, "") if name else (value or "")


def _describe_step(step: LoginStep) -> str:
    # Never the value: it may be a password.
    target = step.selector or step.url or ""
    return f"{step.action} {target}".strip()


# ---------------------------------------------------------------- verdict ---

def _wait_for_success(page, login: LoginConfig, deadline: float) -> None:
    """Return once the login is confirmed; raise _LoginFailed as soon as the page shows it failed."""
    while True:
        if login.expired_selector and _visible(page, login.expired_selector):
            raise _LoginFailed("storage state expired: expired_selector matched" if login.storage_state
                               else f"session expired: expired_selector matched on {_path(page.url)}")
        if login_confirmed(page, login):
            return
        failure = _failure_on_page(page, login)
        if failure:
            raise _LoginFailed(failure)
        if time.monotonic() >= deadline:
            raise _LoginFailed(_timeout_reason(page, login))
        page.wait_for_timeout(_POLL_S * 1000)


def login_confirmed(page, login: LoginConfig) -> bool:
    """Whether the page shows the configured sign of a working login."""
    if login.success_url and not _url_matches(page.url, login.success_url, login.login_url):
        return False
    if login.success_selector and not _visible(page, login.success_selector):
        return False
    if login.success_url or login.success_selector:
        return True
    # Nothing configured: away from the login page with no password field left.
    facts = _inspect(page)
    return not _on_login_page(page, login) and facts is not None and not facts["passwordField"]


def _failure_on_page(page, login: LoginConfig) -> str | None:
    facts = _inspect(page)
    if facts is None:
        return None
    if facts["captcha"]:
        return "captcha detected"
    if facts["twoFactor"]:
        return "two-factor prompt detected"
    if facts["error"] and (_on_login_page(page, login) or facts["passwordField"]):
        return f"login failed: still on {_path(page.url)} with error {_short(facts['error'])!r}"
    if login.storage_state and _on_login_page(page, login) and facts["passwordField"]:
        return f"storage state expired: redirected to the login page {_path(page.url)}"
    return None


def _timeout_reason(page, login: LoginConfig) -> str:
    if _on_login_page(page, login):
        return f"login failed: still on {_path(page.url)}"
    wanted = _describe_success(login)
    return f"login not confirmed: {wanted} not seen on {_path(page.url)}"


def _describe_success(login: LoginConfig) -> str:
    parts = []
    if login.success_selector:
        parts.append(f"success_selector {login.success_selector!r}")
    if login.success_url:
        parts.append(f"success_url {login.success_url!r}")
    return " and ".join(parts) or "left the login page"


def _inspect(page) -> dict | None:
    try:
        return page.evaluate(_INSPECT_JS, [list(TWO_FACTOR_SELECTORS), list(TWO_FACTOR_WORDS),
                                           list(CAPTCHA_SELECTORS), list(ERROR_SELECTORS)])
    except PlaywrightError:  # navigating: the next poll will see the new page
        return None


def _visible(page, selector: str) -> bool:
    try:
        return page.locator(selector).first.is_visible()
    except PlaywrightError:
        return False


def _on_login_page(page, login: LoginConfig) -> bool:
    return _path(page.url) == _path(login.login_url)


# ------------------------------------------------------------------ utils ---

def _open(page, url: str, timeout_s: float) -> None:
    try:
        page.goto(url, timeout=timeout_s * 1000, wait_until="load")
    except PlaywrightError as exc:
        raise _LoginFailed(f"could not open {url}: {_short(first_line(exc))}") from None


def _verify_url(login: LoginConfig) -> str:
    return urljoin(login.login_url, login.app_paths[0]) if login.app_paths else login.login_url


def _settle(page, timeout_ms: float) -> None:
    try:
        page.wait_for_load_state("load", timeout=timeout_ms)
    except PlaywrightError:
        pass  # the verdict below decides what a page that never loads means


def _url_matches(url: str, pattern: str | None, base: str) -> bool:
    """A URL pattern: a glob ("**/agenda*"), a path ("/agenda" and below) or a full URL."""
    if not pattern:
        return True
    path = _path(url)
    if "*" in pattern:
        return fnmatch.fnmatchcase(url, pattern) or fnmatch.fnmatchcase(path, pattern)
    if pattern.startswith("/"):
        prefix = pattern.rstrip("/")
        return path == (prefix or "/") or path.startswith(prefix + "/")
    return url.split("#")[0].rstrip("/") == urljoin(base, pattern).rstrip("/")


def _path(url: str) -> str:
    return urlsplit(url).path or "/"


def cookie_names(context) -> set[str]:
    try:
        return {c["name"] for c in context.cookies()}
    except PlaywrightError:
        return set()


def new_cookie_names(context, before: set[str], login: LoginConfig) -> tuple[str, ...]:
    names = cookie_names(context) - before
    if login.storage_state:
        names |= _state_cookie_names(login.storage_state)
    return tuple(sorted(names))


def _state_cookie_names(path: str) -> set[str]:
    try:
        state = json.loads(Path(path).read_text(encoding="utf-8"))
        return {c["name"] for c in state.get("cookies", []) if isinstance(c, dict) and "name" in c}
    except (OSError, ValueError, AttributeError):
        return set()


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
