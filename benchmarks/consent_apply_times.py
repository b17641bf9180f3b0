"""Print how long ConsentDriver.apply() takes per consent fixture (real Chromium, fixture web; SYNTHETIC pages).

    .venv/bin/python benchmarks/consent_apply_times.py
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright  # noqa: E402

from scanner.collect.browser import BrowserOptions, open_context  # noqa: E402
from scanner.collect.consent import ConsentDriver  # noqa: E402
from scanner.demo.fixtureweb import FixtureWeb  # noqa: E402

PAGES = ["consent-tarteaucitron.test/", "consent-klaro.test/", "consent-cookieconsent.test/", "consent-onetrust.test/",
         "consent-axeptio.test/", "pro.doctolib.fr/", "consent-unknown-de.test/", "consent-unknown-it.test/",
         "consent-none.test/", "consent-broken-reject.test/"]


def main() -> None:
    with FixtureWeb() as web, sync_playwright() as pw:
        options = BrowserOptions(host_resolver_rules=web.resolver_rules, ignore_https_errors=True)
        print(f"{'page':32} {'action':7} {'status':12} {'method':34} {'apply s':>7}")
        for path in PAGES:
            for action in ("accept", "reject"):
                with open_context(pw, options) as context:
                    driver = ConsentDriver()
                    driver.install(context)
                    page = context.new_page()
                    page.goto("https://" + path)
                    started = time.monotonic()
                    o = driver.apply(page, action)
                    print(f"{path:32} {action:7} {o.status:12} {o.method or '-':34} {time.monotonic() - started:7.2f}")


if __name__ == "__main__":
    main()
