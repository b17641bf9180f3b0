"""Print how long ConsentDriver.apply() takes per consent fixture (real Chromium, fixture web; SYNTHETIC pages).

    .venv/bin/python benchmarks/consent_apply_times.py [--no-autoconsent]

Each click gets a fresh context with the phase recorder installed (the consent step reads the
load-time timers it tracks), as a scan phase does. The page is loaded before apply() is called,
and apply() is told so: its waits count from the call here, from the navigation in a scan.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from procstats import machine  # noqa: E402

from playwright.sync_api import sync_playwright  # noqa: E402

from scanner.collect.browser import BrowserOptions, launch_browser, open_context  # noqa: E402
from scanner.collect.consent import ConsentDriver  # noqa: E402
from scanner.collect.recorder import PhaseRecorder  # noqa: E402
from scanner.demo.fixtureweb import WEB_ROOT, FixtureWeb  # noqa: E402

def pages() -> list[str]:
    """Every consent fixture of the fixture web, and the replica whose banner the docs cite."""
    return sorted(p.name + "/" for p in WEB_ROOT.iterdir() if p.name.startswith("consent-")) + ["pro.doctolib.fr/"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-autoconsent", action="store_true", help="our rules and heuristic only")
    args = parser.parse_args()
    print(f"machine: {machine()}" + ("; autoconsent off" if args.no_autoconsent else ""))
    with FixtureWeb() as web, sync_playwright() as pw:
        options = BrowserOptions(host_resolver_rules=web.resolver_rules, ignore_https_errors=True)
        print(f"{'page':32} {'action':7} {'status':12} {'method':34} {'apply s':>7}")
        with launch_browser(pw, options) as browser:  # a fresh context per click, as in a scan
            for path in pages():
                for action in ("accept", "reject"):
                    with open_context(pw, options, browser=browser) as context:
                        PhaseRecorder(phase=action, site_domain=path.split("/")[0]).install(context)
                        driver = ConsentDriver(use_autoconsent=not args.no_autoconsent)
                        driver.install(context)
                        page = context.new_page()
                        page.goto("https://" + path)
                        started = time.monotonic()
                        o = driver.apply(page, action)
                        print(f"{path:32} {action:7} {o.status:12} {o.method or '-':34} {time.monotonic() - started:7.2f}")


if __name__ == "__main__":
    main()
