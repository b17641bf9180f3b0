"""Shared test fixtures: the fixture web (real HTTPS server) and browser options for it."""
from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from scanner.collect.browser import BrowserOptions
from scanner.demo.fixtureweb import FixtureWeb


@pytest.fixture(scope="session")
def fixture_web():
    with FixtureWeb() as web:
        yield web


@pytest.fixture(scope="session")
def browser_options(fixture_web) -> BrowserOptions:
    return BrowserOptions(host_resolver_rules=fixture_web.resolver_rules, ignore_https_errors=True,
                          navigation_timeout_s=10)


@pytest.fixture(scope="module")
def pw():
    """One Playwright per test module (tests that drive pages themselves, not through the engine)."""
    with sync_playwright() as playwright:
        yield playwright
