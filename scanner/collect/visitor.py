"""Drive one page of a phase through its URLs: load, settle, and tell the collectors.

A page that hangs or crashes is replaced by a new one, so the next visit starts clean.
The start page revisited after a consent click opens in a new tab (`beside_current`):
the clicked page stays open, and recorded, until the new one has settled.
"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING, Callable

from playwright.sync_api import Error as PlaywrightError

from scanner.collect.behaviour import BehaviourCollector
from scanner.collect.collectors import Collectors
from scanner.collect.recorder import PhaseRecorder
from scanner.common.text import first_line
from scanner.models import PageVisit

if TYPE_CHECKING:
    from scanner.collect.engine import ScanOptions


class Visitor:
    """Drives one page through a list of URLs; a page that hangs or crashes is replaced."""

    def __init__(self, context, recorder: PhaseRecorder, collectors: Collectors, options: "ScanOptions",
                 say: Callable[[str, str], None], behaviour: BehaviourCollector | None = None):
        self.context = context
        self.recorder = recorder  # which page a cookie first appeared on is the visitor's to say
        self.behaviour = behaviour  # the same for what scripts do; it also runs the key-logging step
        self.collectors = collectors
        self.options = options
        self.say = say
        self.page = None
        self.shown_since = time.monotonic()  # when the current page started loading
        self._new_page()

    def _new_page(self) -> None:
        if self.page is not None:
            try:
                self.page.close()
            except PlaywrightError:
                pass
        self.page = self._open_tab()

    def _open_tab(self):
        page = self.context.new_page()
        self.collectors.attach(self.context, page)
        return page

    def visit(self, url: str, probe_inputs: bool = True, beside_current: bool = False, settle: bool = True) -> PageVisit:
        """Load `url` and (`settle`) wait for its network and load-time timers. `settle=False` hands the
        page over once its document is parsed (DOMContentLoaded), still loading and recorded: the
        consent step then waits for the notice itself. `beside_current`: in a new tab, the current
        page staying open (and recorded) until the new one has settled, then closed."""
        self.recorder.current_page = url
        if self.behaviour:
            self.behaviour.current_page = url
        previous = self.page if beside_current else None
        if previous is not None:
            # A page clicked before it finished loading stops loading now: the revisit would
            # otherwise wait behind its requests for the same URLs (Chromium lets one request per
            # URL at a time into its cache). The revisit makes them again, after the choice.
            try:
                previous.evaluate("() => { if (document.readyState !== 'complete') window.stop(); }")
            except PlaywrightError:
                pass
            self.page = self._open_tab()
        self.shown_since = started = time.monotonic()
        try:
            response = self.page.goto(url, wait_until="load" if settle else "domcontentloaded")
            if settle:
                self.settle(self.options.settle_s)
                self.dwell(self.options.dwell_s)
            let_go(previous, self.options.after_click_s)
            title = self.page.title()
            visit = PageVisit(url=url, phase=self.recorder.phase, ok=True, final_url=self.page.url,
                              http_status=response.status if response else None, title=title,
                              duration_s=round(time.monotonic() - started, 3))
            self.collectors.after_page(self.context, self.page, visit)
            if probe_inputs and self.behaviour:  # the key-logging step: type into visible fields, never submit
                self.behaviour.probe_inputs(self.page)
        except PlaywrightError as exc:
            let_go(previous, 0)
            visit = PageVisit(url=url, phase=self.recorder.phase, ok=False, error=first_line(exc),
                              duration_s=round(time.monotonic() - started, 3))
            self.collectors.after_page(self.context, self.page, visit)
            self._new_page()  # a hung or crashed page must not poison the next visit
        self.say("page", f"{'ok' if visit.ok else 'FAILED'} {url}")
        return visit

    def dwell(self, cap_s: float) -> None:
        """Wait for the short timers the page scheduled while loading (recorder.js), then for the
        network: a cookie written two seconds after load is recorded, a page with no such
        timer costs one evaluate."""
        if cap_s <= 0:
            return
        try:
            remaining_ms = self.page.evaluate(
                "cap => window.__cookiescanPendingTimers ? window.__cookiescanPendingTimers(cap) : 0", cap_s * 1000)
        except PlaywrightError:
            return
        if remaining_ms:
            self.page.wait_for_timeout(min(float(remaining_ms), cap_s * 1000) + 50)
            self.settle(self.options.settle_s)

    def settle(self, cap_s: float) -> None:
        try:
            self.page.wait_for_load_state("networkidle", timeout=cap_s * 1000)
        except PlaywrightError:
            pass  # long-polling pages never go idle; the cap is the answer


def let_go(page, cap_s: float) -> None:
    """Close a page once its network has settled (up to `cap_s`; it has usually long settled)."""
    if page is None:
        return
    try:
        if cap_s > 0:
            page.wait_for_load_state("networkidle", timeout=cap_s * 1000)
    except PlaywrightError:
        pass
    try:
        page.close()
    except PlaywrightError:
        pass
