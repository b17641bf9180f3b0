"""Logging in: steps, storage state, failures, deny patterns (`cookiescan login`: test_login_cli.py).

Browser tests drive real Chromium against the SYNTHETIC pro.doctolib.fr replica
of the fixture web (scanner/demo/pro_app.py).
"""
from __future__ import annotations

import json
import re
import time

import pytest

from scanner.collect.browser import open_context
from scanner.config import DEFAULT_DENY_PATTERNS, ConfigError, LoginConfig, LoginStep, load_config
from scanner.collect.login.perform import is_denied, login_secrets, missing_env, perform_login
from scanner.demo import pro_app

LOGIN_URL = "https://pro.doctolib.fr/login"
ENV = {"COOKIESCAN_TEST_USER": pro_app.TEST_USER, "COOKIESCAN_TEST_PASSWORD": pro_app.TEST_PASSWORD}
STEPS = (
    LoginStep("goto", url="/login"),
    LoginStep("fill", selector="#email", value="$username"),
    LoginStep("fill", selector="#password", value="$password"),
    LoginStep("click", selector="#login-submit"),
    LoginStep("wait_for_url", url="/agenda"),
)
BY_STEPS = LoginConfig(login_url=LOGIN_URL, username_env="COOKIESCAN_TEST_USER",
                       password_env="COOKIESCAN_TEST_PASSWORD", steps=STEPS,
                       success_selector="#agenda-title", expired_selector=".session-expired",
                       app_paths=("/agenda", "/patients"))

CONFIG_TOML = """
[[site]]
name = "pro.doctolib.fr"
start_url = "https://pro.doctolib.fr/"
[site.login]
login_url = "https://pro.doctolib.fr/login"
username_env = "COOKIESCAN_TEST_USER"
password_env = "COOKIESCAN_TEST_PASSWORD"
success_selector = "#agenda-title"
expired_selector = ".session-expired"
app_paths = ["/agenda", "/patients"]
steps = [
  {action = "goto", url = "/login"},
  {action = "fill", selector = "#email", value = "$username"},
  {action = "fill", selector = "#password", value = "env:COOKIESCAN_TEST_PASSWORD"},
  {action = "click", selector = "#login-submit"},
  {action = "wait_for_url", url = "/agenda"},
]
"""


# ------------------------------------------------------------ no browser ---

@pytest.mark.parametrize("url", [
    "https://pro.doctolib.fr/logout",
    "https://pro.doctolib.fr/users/sign_out",
    "https://pro.doctolib.fr/users/signout",
    "https://pro.doctolib.fr/Sign-Out?x=1",
    "https://pro.doctolib.fr/d%C3%A9connexion",
    "https://pro.doctolib.fr/Déconnexion",
    "https://pro.doctolib.it/esci",
    "https://pro.doctolib.de/konto/abmelden",
    "https://pro.doctolib.fr/agenda/supprimer-rdv?id=1",
    "https://pro.doctolib.fr/account?action=logout",
    "https://pro.doctolib.fr/deleteAccount",
    "https://pro.doctolib.fr/appointments/42/cancel",
])
def test_links_that_end_or_change_the_session_are_denied(url):
    assert is_denied(url, DEFAULT_DENY_PATTERNS)


@pytest.mark.parametrize("url", [
    "https://pro.doctolib.fr/agenda",
    "https://pro.doctolib.fr/agenda/semaine",
    "https://pro.doctolib.fr/patients/123",
    "https://pro.doctolib.it/rescissione",  # "esci" only at the start of a word
    "https://logout.example.com/agenda",  # the host is not a link's action
    "https://pro.doctolib.fr/login",
])
def test_ordinary_app_links_are_not_denied(url):
    assert not is_denied(url, DEFAULT_DENY_PATTERNS)


def test_custom_deny_patterns_replace_the_defaults():
    assert is_denied("https://x.test/archive/7", ("archive",))
    assert not is_denied("https://x.test/logout", ("archive",))


def test_config_reads_login_steps(tmp_path):
    path = tmp_path / "cookiescan.toml"
    path.write_text(CONFIG_TOML, encoding="utf-8")
    login = load_config(path).site("pro.doctolib.fr").login
    assert [s.action for s in login.steps] == ["goto", "fill", "fill", "click", "wait_for_url"]
    assert login.app_paths == ("/agenda", "/patients")
    assert missing_env(login, {}) == ("COOKIESCAN_TEST_USER", "COOKIESCAN_TEST_PASSWORD")
    assert missing_env(login, ENV) == ()
    assert set(login_secrets(login, ENV)) == {pro_app.TEST_USER, pro_app.TEST_PASSWORD}


@pytest.mark.parametrize("step, message", [
    ('{action = "type", selector = "#x"}', "action 'type' is not one of"),
    ('{action = "fill", selector = "#x"}', "login step 1 (fill) needs value"),
    ('{action = "click"}', "login step 1 (click) needs selector"),
])
def test_config_rejects_bad_login_steps(tmp_path, step, message):
    path = tmp_path / "cookiescan.toml"
    path.write_text(f'[[site]]\nstart_url = "https://a.test/"\n[site.login]\nlogin_url = "https://a.test/l"\n'
                    f'steps = [{step}]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(path)


def test_config_needs_steps_or_storage_state(tmp_path):
    path = tmp_path / "cookiescan.toml"
    path.write_text('[[site]]\nstart_url = "https://a.test/"\n[site.login]\nlogin_url = "https://a.test/l"\n',
                    encoding="utf-8")
    with pytest.raises(ConfigError, match="needs steps or storage_state"):
        load_config(path)


# ---------------------------------------------------------- real browser ---

def _login(pw, browser_options, login, environ=ENV, storage_state=None, timeout_s=10):
    with open_context(pw, browser_options, storage_state=storage_state) as context:
        page = context.pages[0] if context.pages else context.new_page()
        outcome = perform_login(context, page, login, environ=environ, timeout_s=timeout_s)
        cookies = {c["name"]: c for c in context.cookies()}
        return outcome, page.url, cookies


@pytest.mark.browser
def test_login_by_steps(pw, browser_options, fixture_web):
    outcome, url, cookies = _login(pw, browser_options, BY_STEPS)
    assert outcome.logged_in, outcome.reason
    assert outcome.method == "steps"
    assert url == "https://pro.doctolib.fr/agenda"
    # Set by the login answer, the agenda page's header (esid) and its script (last_agenda_route).
    assert {"_doctolib_session", "pin_login", "esid", "last_agenda_route"} <= set(outcome.cookies_at_login)
    assert cookies["_doctolib_session"]["httpOnly"] and cookies["_doctolib_session"]["expires"] == -1
    assert pro_app.TEST_PASSWORD not in repr(outcome)


@pytest.mark.browser
def test_wrong_password_is_reported_with_the_page_error(pw, browser_options, fixture_web):
    started = time.monotonic()
    outcome, url, cookies = _login(pw, browser_options, BY_STEPS,
                                   environ={**ENV, "COOKIESCAN_TEST_PASSWORD": "wrong-password-123"})
    assert not outcome.logged_in and outcome.attempted
    assert outcome.reason == "login failed: still on /login with error 'Identifiants incorrects'"
    assert "_doctolib_session" not in cookies
    assert "wrong-password-123" not in repr(outcome)
    assert time.monotonic() - started < 8  # judged from the page, not by waiting out the timeout


@pytest.mark.browser
@pytest.mark.parametrize("user, reason", [
    (pro_app.TWO_FACTOR_USER, "two-factor prompt detected"),
    (pro_app.CAPTCHA_USER, "captcha detected"),
])
def test_two_factor_and_captcha_stop_the_login(pw, browser_options, fixture_web, user, reason):
    outcome, _, cookies = _login(pw, browser_options, BY_STEPS, environ={**ENV, "COOKIESCAN_TEST_USER": user})
    assert (outcome.logged_in, outcome.reason) == (False, reason)
    assert "_doctolib_session" not in cookies


@pytest.mark.browser
def test_missing_environment_variable_is_named_not_guessed(pw, browser_options, fixture_web):
    outcome, _, _ = _login(pw, browser_options, BY_STEPS, environ={"COOKIESCAN_TEST_USER": pro_app.TEST_USER})
    assert not outcome.logged_in
    assert "COOKIESCAN_TEST_PASSWORD" in outcome.reason and "not set" in outcome.reason


@pytest.mark.browser
def test_a_broken_login_page_gives_a_reason_not_an_exception(pw, browser_options, fixture_web):
    broken = LoginConfig(login_url="https://pro.doctolib.fr/no-such-login", username_env="COOKIESCAN_TEST_USER",
                         password_env="COOKIESCAN_TEST_PASSWORD", steps=(
                             LoginStep("goto", url="/no-such-login"),
                             LoginStep("fill", selector="#email", value="$username")))
    outcome, _, _ = _login(pw, browser_options, broken, timeout_s=1)
    assert not outcome.logged_in
    assert outcome.reason.startswith("login step 2 (fill #email) failed:")
    assert outcome.reason.endswith("on /no-such-login")


@pytest.mark.browser
def test_login_by_storage_state_then_expired_state(pw, browser_options, fixture_web, tmp_path):
    state_path = tmp_path / "state.json"
    with open_context(pw, browser_options) as context:
        page = context.new_page()
        assert perform_login(context, page, BY_STEPS, environ=ENV, timeout_s=10).logged_in
        state_path.write_text(json.dumps(context.storage_state()), encoding="utf-8")

    by_state = LoginConfig(login_url=LOGIN_URL, storage_state=str(state_path), success_selector="#agenda-title",
                           expired_selector=".session-expired", app_paths=("/agenda",))
    outcome, url, _ = _login(pw, browser_options, by_state, environ={}, storage_state=str(state_path))
    assert (outcome.logged_in, outcome.method) == (True, "storage_state"), outcome.reason
    assert url == "https://pro.doctolib.fr/agenda"
    assert "_doctolib_session" in outcome.cookies_at_login

    # The server no longer knows this session: it sends the browser back to /login?expired=1.
    state = json.loads(state_path.read_text(encoding="utf-8"))
    for cookie in state["cookies"]:
        if cookie["name"] == "_doctolib_session":
            cookie["value"] = "s.0000.forged"
    state_path.write_text(json.dumps(state), encoding="utf-8")
    outcome, url, _ = _login(pw, browser_options, by_state, environ={}, storage_state=str(state_path))
    assert (outcome.logged_in, outcome.reason) == (False, "storage state expired: expired_selector matched")
    assert url.startswith("https://pro.doctolib.fr/login")


def test_config_storage_state_path_is_relative_to_the_config_file(tmp_path):
    path = tmp_path / "conf" / "cookiescan.toml"
    path.parent.mkdir()
    path.write_text('[[site]]\nstart_url = "https://a.test/"\n[site.login]\nlogin_url = "https://a.test/l"\n'
                    'storage_state = "state/a.json"\n', encoding="utf-8")
    assert load_config(path).sites[0].login.storage_state == str(tmp_path / "conf" / "state" / "a.json")
