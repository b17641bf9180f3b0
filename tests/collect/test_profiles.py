"""Browser profiles hold a site's cookie jar: private, removed, and swept after a SIGKILL (issue 14)."""
from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from scanner.collect.browser import private_profile, profiles_root, sweep_stale_profiles


def jars(root: Path) -> list[Path]:
    return [p for p in root.glob("profile-*/Default/Cookies")]


def profiles(root: Path) -> list[Path]:
    return [p for p in root.glob("profile-*") if (p / "Default").is_dir()]


def test_profiles_are_private_and_removed():
    root = profiles_root()
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    with private_profile() as profile:
        assert profile.parent == root and stat.S_IMODE(profile.stat().st_mode) == 0o700
        assert profile not in sweep_stale_profiles(root)  # in use: locked, never swept
    assert not profile.exists()


@pytest.mark.browser
def test_a_killed_scan_leaves_no_cookie_jar_after_the_next_run(fixture_web, tmp_path):
    # A short TMPDIR: Chromium's singleton socket path there must stay under the 108-byte limit.
    tmp = Path(tempfile.mkdtemp(prefix="cs-"))
    env = {**os.environ, "TMPDIR": str(tmp)}
    root = tmp / f"cookiescan-{os.getuid()}"

    def command(url):
        return [sys.executable, "-c", "from scanner.cli import main; main()", "scan", url, "--pages", "1",
                "--no-history", "--out", str(tmp_path / "out"), "--timeout", "30",
                "--host-resolver-rules", fixture_web.resolver_rules, "--ignore-https-errors"]

    try:
        for _attempt in range(3):  # a loaded machine sometimes fails to start Chromium: try again
            # A start page that takes 20 s to answer: the kill surely lands while the profile is in use.
            victim = subprocess.Popen(command("https://www.engine-test.fr/__slow?s=20"), env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
            deadline = time.monotonic() + 90
            while not profiles(root) and victim.poll() is None and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(1.0)
            if profiles(root) and victim.poll() is None:
                break
            victim.kill()
            victim.wait()
        assert profiles(root), f"the scan never made a profile (exit code {victim.poll()})"
        os.killpg(victim.pid, signal.SIGKILL)  # the scan, its Playwright driver and Chromium: no finally runs
        victim.wait()
        time.sleep(0.5)
        assert profiles(root), "precondition: a killed scan leaves its profile behind"

        nxt = subprocess.run(command("https://www.engine-test.fr/"), env=env, capture_output=True, text=True,
                             timeout=300)
        assert nxt.returncode == 0, nxt.stderr[-2000:]
        assert jars(root) == [] and list(root.glob("profile-*")) == []
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.mark.browser
def test_phase_contexts_hold_only_the_pages_they_visit(pw, browser_options):
    """Headless Chromium preloads web UIs (the omnibox popups) in a renderer of every profile, which
    cost a scan a third of its CPU: the launch flags keep them out. A Chromium that renames the
    feature makes this fail, rather than the scan silently slow again."""
    from scanner.collect.browser import launch_browser, open_context

    with launch_browser(pw, browser_options) as browser:
        with open_context(pw, browser_options, browser=browser) as one, \
                open_context(pw, browser_options, browser=browser) as two:
            for context in (one, two):
                context.new_page().goto("https://www.engine-test.fr/")
            targets = browser.new_browser_cdp_session().send("Target.getTargets")["targetInfos"]
    kinds = sorted(t["type"] for t in targets)
    assert [t["url"] for t in targets if t["type"] == "browser_ui"] == []
    assert kinds.count("page") >= 2  # the two phases' pages are there: the listing itself works


def test_the_driver_keeps_its_compiled_code_in_the_user_cache(tmp_path, monkeypatch):
    # Playwright's driver (Node) starts faster from its compile cache; it holds Playwright's own
    # JavaScript only, in the XDG cache folder, and a user's own NODE_COMPILE_CACHE wins.
    from scanner.collect.browser import node_compile_cache, playwright_driver

    monkeypatch.delenv("NODE_COMPILE_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    cache = node_compile_cache()
    assert cache == tmp_path / "cache" / "cookiescan" / "node-compile-cache"
    # A process of its own: this module's Playwright may be running in this one.
    code = "from scanner.collect.browser import playwright_driver\nwith playwright_driver() as p: print(p.chromium.name)"
    done = subprocess.run([sys.executable, "-c", code], env=dict(os.environ), capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "chromium", done.stderr
    assert [p for p in cache.rglob("*") if p.is_file()], "Node wrote no compile cache"

    playwright_driver()  # not started: only the environment is set
    assert os.environ["NODE_COMPILE_CACHE"] == str(cache)
    monkeypatch.setenv("NODE_COMPILE_CACHE", str(tmp_path / "mine"))
    playwright_driver()
    assert os.environ["NODE_COMPILE_CACHE"] == str(tmp_path / "mine")
