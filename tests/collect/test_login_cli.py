"""`cookiescan login SITE`: log in with the configured steps and save a private storage state.

The command runs in a child process, as a user runs it: Playwright's sync API
cannot start twice in one thread, and other test modules may hold one.
"""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.demo import pro_app
from tests.collect.test_login import CONFIG_TOML, ENV

REPO = Path(__file__).resolve().parents[2]

RUN_CLI = "from scanner.cli import main; main()"


def _cookiescan_login(fixture_web, config, out, environ):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(environ, COLUMNS="250")  # rich wraps stderr at 80 columns otherwise
    return subprocess.run(
        [sys.executable, "-c", RUN_CLI, "login", "pro.doctolib.fr", "--config", str(config), "--out", str(out),
         "--host-resolver-rules", fixture_web.resolver_rules, "--ignore-https-errors", "--timeout", "10"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.browser
def test_login_command_saves_a_private_storage_state(fixture_web, tmp_path):
    config = tmp_path / "cookiescan.toml"
    config.write_text(CONFIG_TOML, encoding="utf-8")
    out = tmp_path / "secrets" / "state.json"
    result = _cookiescan_login(fixture_web, config, out, ENV)
    assert result.returncode == 0, result.stderr
    assert "holds live session cookies" in result.stderr
    assert pro_app.TEST_PASSWORD not in result.stdout + result.stderr
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    state = json.loads(out.read_text(encoding="utf-8"))
    assert "_doctolib_session" in {c["name"] for c in state["cookies"]}


@pytest.mark.browser
def test_login_command_fails_in_one_line_on_a_wrong_password(fixture_web, tmp_path):
    config = tmp_path / "cookiescan.toml"
    config.write_text(CONFIG_TOML, encoding="utf-8")
    out = tmp_path / "state.json"
    result = _cookiescan_login(fixture_web, config, out, {**ENV, "COOKIESCAN_TEST_PASSWORD": "not-the-password"})
    assert result.returncode == 2
    assert "not logged in" in result.stderr and "Identifiants incorrects" in result.stderr
    assert "Traceback" not in result.stderr and "not-the-password" not in result.stderr
    assert not out.exists()


def test_login_command_names_missing_environment_variables(fixture_web, tmp_path):
    config = tmp_path / "cookiescan.toml"
    config.write_text(CONFIG_TOML, encoding="utf-8")
    env = {"COOKIESCAN_TEST_USER": "", "COOKIESCAN_TEST_PASSWORD": ""}
    result = _cookiescan_login(fixture_web, config, tmp_path / "state.json", env)
    assert result.returncode == 2
    assert "COOKIESCAN_TEST_USER, COOKIESCAN_TEST_PASSWORD" in result.stderr
