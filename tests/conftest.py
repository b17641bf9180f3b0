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


# ------------------------------------------------ real services (marker: services) ---

@pytest.fixture(scope="session")
def postgres_service():
    """A PostgreSQL cluster for the session (base URL); each test takes a fresh database from it."""
    from tests.support.servers import postgres_bin_dir, postgres_server

    if postgres_bin_dir() is None:
        pytest.skip("PostgreSQL is not installed (scripts/setup.sh installs it)")
    with postgres_server() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_service) -> str:
    from tests.support.servers import fresh_database
    return fresh_database(postgres_service)


@pytest.fixture
def redis_service():
    """A redis-server of the test's own (tests restart or stop it)."""
    from tests.support.servers import redis_binary, redis_server

    if redis_binary() is None:
        pytest.skip("redis-server is not installed (scripts/setup.sh installs it)")
    with redis_server() as server:
        yield server
