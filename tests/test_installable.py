"""What a user of the installed tool meets first: --version, a missing browser, the demo's options.
(scripts/wheel_smoke.sh runs the built wheel itself, outside the checkout, from `make test`.)"""
from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scanner import __version__
from scanner.cli import build_app
from scanner.collect import browser
from scanner.scanfile import load_scan

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def test_version_is_the_package_version():
    result = runner.invoke(build_app(), ["--version"])
    assert result.exit_code == 0
    assert result.output == f"cookiescan {__version__}\n"
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "scanner.__version__"}


def test_no_chromium_is_one_line_saying_how_to_install_one_and_exit_2(tmp_path, monkeypatch):
    # No system Chromium, and an empty folder where Playwright looks for its own.
    monkeypatch.setattr(browser, "SYSTEM_CHROMIUM_CANDIDATES", ())
    monkeypatch.delenv("COOKIESCAN_CHROMIUM", raising=False)
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "no-browsers"))
    result = runner.invoke(build_app(), ["scan", "https://example.test/", "--out", str(tmp_path / "out"),
                                         "--no-history", "--pages", "1"])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: no Chromium found"), result.output
    assert "apt-get install chromium" in lines[0] and "playwright install chromium" in lines[0]
    assert "Traceback" not in result.output


def test_a_chromium_path_that_does_not_exist_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("COOKIESCAN_CHROMIUM", str(tmp_path / "chromium"))
    result = runner.invoke(build_app(), ["scan", "https://example.test/", "--out", str(tmp_path / "out"),
                                         "--no-history", "--pages", "1"])
    assert result.exit_code == 2
    assert result.output.strip() == f"error: {browser.no_chromium_message(str(tmp_path / 'chromium'))}"


def test_demo_site_must_be_one_of_the_replicas(tmp_path):
    before = dict(os.environ)
    result = runner.invoke(build_app(), ["demo", "--out", str(tmp_path), "--site", "example.com"])
    assert result.exit_code == 2
    assert result.output.strip().startswith("error: --site example.com: not a demo site (choose from pro.doctolib.fr")
    assert dict(os.environ) == before


def test_the_demo_reads_only_files_inside_the_package():
    from scanner.config import load_config
    from scanner.commands.scan import DEMO_CONFIG
    from scanner.history.gate import declared_for

    config = load_config(DEMO_CONFIG)
    package = (ROOT / "scanner").resolve()
    for site in config.sites:
        folder = (DEMO_CONFIG.parent / site.declared).resolve()
        assert package in folder.parents and folder.is_dir(), site.declared
        assert declared_for(site, DEMO_CONFIG.parent).site == site.name


@pytest.mark.browser
def test_demo_logs_in_with_the_replica_account_without_touching_the_environment(tmp_path, monkeypatch):
    """One replica, one page: the fixture web, the vendored consent engine and the login all from the package."""
    monkeypatch.delenv("COOKIESCAN_TEST_USER", raising=False)
    monkeypatch.delenv("COOKIESCAN_TEST_PASSWORD", raising=False)
    before = dict(os.environ)
    result = runner.invoke(build_app(), ["demo", "--out", str(tmp_path), "--site", "pro.doctolib.fr", "--pages", "1"])
    assert result.exit_code == 0, result.output
    assert "SYNTHETIC" in result.output and "pro.doctolib.fr" in result.output
    assert dict(os.environ) == before
    scan = load_scan(next(tmp_path.glob("pro.doctolib.fr/*/scan.json")))
    by_phase = {p.phase: p for p in scan.phases}
    assert scan.synthetic and by_phase["authenticated"].login.logged_in, by_phase["authenticated"].login
    assert (by_phase["accept"].consent.status, by_phase["reject"].consent.status) == ("given", "refused")
    assert sorted(p.name for p in (tmp_path / "pro.doctolib.fr").glob("report.*")) == [
        "report.html", "report.json", "report.md", "report.sarif"]
