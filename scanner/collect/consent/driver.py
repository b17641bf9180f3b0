"""ConsentDriver: find the consent notice and click accept-all or reject-all, in layers.

The site's own selectors (`SiteConfig.accept_selector` / `reject_selector`), when
set, are the only thing tried. Otherwise the layers of layers.py are asked in
order on every look at the page: autoconsent (DuckDuckGo's maintained rules), our
platform rules, the multilingual heuristic. Every click is judged by its effect
(effect.py); a layer whose click did not take effect hands over to the next one.
apply() never raises for page problems: the outcome says what happened and why.
"""
from __future__ import annotations

import time

from playwright.sync_api import Error as PlaywrightError

from scanner.common.text import first_line
from scanner.models import ConsentOutcome
from scanner.collect.consent import dom
from scanner.collect.consent.autoconsent import AutoconsentBridge
from scanner.collect.consent.heuristic import pick_argument
from scanner.collect.consent.layers import (HEURISTIC_DELAY_S, HOLD, POLL_S, REPORT_POLL_S, Attempt, Autoconsent,
                                            Heuristic, Override, PlatformRules, Seen, Tokens, Turn, heuristic_due)
from scanner.collect.consent.rules import TCF, load_rules, platform_of_autoconsent, rule_for

ACTIONS = ("accept", "reject")
QUIET_S = 5.0  # nothing at all on the page this long into the consent step: no notice is coming
IDLE_QUIET_S = 1.0  # ...or once the page has shown this long, is network-idle and has no timer left to fire
NOTHING_LEFT_S = 1.0  # after a failed click, give up once no other layer has found anything for this long


class ConsentDriver:
    """One per phase: install() on the context, then detect() or apply() on its page."""

    def __init__(self, accept_selector: str | None = None, reject_selector: str | None = None,
                 timeout_s: float = 10.0, *, use_autoconsent: bool = True):
        self.selectors = {"accept": accept_selector, "reject": reject_selector}
        self.timeout_s = timeout_s
        self.rules = load_rules()
        self.bridge = AutoconsentBridge()
        self.tokens = Tokens()
        if not use_autoconsent:  # tests of the second layer; `consent probe --no-autoconsent`
            self.bridge.available = False

    def install(self, context) -> None:
        # navigator.webdriver is already false: browser.py launches Chromium without the
        # automation flag (consent libraries hide their notice from bots).
        self.bridge.install(context)

    def stand_down(self) -> None:
        """The consent step is over: pages loaded from now on get no autoconsent (its script, its
        rules and a detection loop per frame), since nothing will be clicked there any more."""
        self.bridge.stand_down()

    # ------------------------------------------------------------- detect --
    def detect(self, page, *, shown_since: float | None = None) -> str | None:
        """Name of the consent platform on the page ("unknown" for a notice no rule knows); never clicks.
        `shown_since`: when the page started loading (time.monotonic()); default now."""
        start = time.monotonic()
        since = shown_since if shown_since is not None else start
        deadline = start + self.timeout_s
        try:
            while True:
                seen = self._look(page)
                if seen.open_platform:
                    return seen.open_platform
                now = time.monotonic()
                if seen.unknown_notice and now - since >= HEURISTIC_DELAY_S:
                    return seen.present or "unknown"
                if now >= deadline or (now - start >= QUIET_S and not seen.unknown_notice):
                    return seen.present
                if not seen.anything and now - since >= IDLE_QUIET_S and self._nothing_coming(page):
                    return None
                self._pause(page)
        except PlaywrightError:
            return None

    # -------------------------------------------------------------- apply --
    def apply(self, page, action: str, *, expect_notice: bool = True, shown_since: float | None = None) -> ConsentOutcome:
        """`expect_notice=False`: the same page showed no notice in a fresh profile already (the
        before-consent phase), so an idle page with nothing on it is answered at once.
        `shown_since`: when the page started loading (time.monotonic()); default now."""
        if action not in ACTIONS:
            raise ValueError(f"consent action must be one of {ACTIONS}, not {action!r}")
        try:
            return self._apply(page, action, IDLE_QUIET_S if expect_notice else 0.0, shown_since)
        except PlaywrightError as exc:
            return _outcome(action, None, None, False, False, f"consent step failed: {first_line(exc)}", ())

    def _apply(self, page, action: str, idle_quiet_s: float, shown_since: float | None) -> ConsentOutcome:
        # The step may start while the page still loads (at DOMContentLoaded): the notice is clicked as
        # soon as it shows, but the clocks that give up (QUIET_S, timeout_s) count from the load event.
        start = time.monotonic()
        since = shown_since if shown_since is not None else start
        deadline = start + self.timeout_s
        if self.selectors[action]:
            attempt = Override(self.selectors[action], self.tokens).run(page, action, self._look(page).present, deadline)
            return self._conclude(action, [attempt], attempt.platform)
        autoconsent = Autoconsent(self.bridge)
        layers = (autoconsent, PlatformRules(self.tokens), Heuristic(self.tokens))
        attempts: list[Attempt] = []
        last: Seen | None = None
        last_attempt_at = start
        loaded_at: float | None = None
        while True:
            seen = last = self._look(page)
            if seen.loaded and loaded_at is None:
                loaded_at = time.monotonic()
                deadline = max(deadline, loaded_at + self.timeout_s)
            turn = Turn(page=page, action=action, seen=seen, now=time.monotonic(), shown_since=since,
                        deadline=deadline, autoconsent_pending=autoconsent.pending,
                        autoconsent_looked_at=self.bridge.looked_at(page) if self.bridge.available else since)
            attempt = None
            for layer in layers:
                answer = layer.step(turn)
                if answer is None:
                    continue
                attempt = answer if answer != HOLD else None
                break
            now = time.monotonic()
            if attempt:
                attempts.append(attempt)
                last_attempt_at = now
                if attempt.effect and attempt.effect.effective:
                    break
            if now >= deadline:
                break
            if attempts and not attempt and now - last_attempt_at >= NOTHING_LEFT_S:
                break  # every layer that saw the notice has had its tries
            if not attempts and not seen.anything and loaded_at is not None and (
                    now - loaded_at >= QUIET_S or (now - since >= idle_quiet_s and self._nothing_coming(page))):
                break
            # An unknown notice's turn may come before the next look: look again then.
            self._pause(page, heuristic_due(seen, since, turn.autoconsent_looked_at) if seen.unknown_notice else None)
        return self._conclude(action, attempts, (last.present if last else None), waited=time.monotonic() - since)

    def _nothing_coming(self, page) -> bool:
        """The page is idle with no load-time timer left, and still shows nothing: the look is made
        again after the idle check, since the timer that just ran out may have shown the notice."""
        return _page_idle(page) and not self._look(page).anything

    def _pause(self, page, due: float | None = None) -> None:
        """Until the next look: POLL_S, or less when autoconsent reports something (a popup found)
        or a layer's turn is `due` (time.monotonic()) sooner."""
        now = time.monotonic()
        reports, until = self.bridge.reports, now + POLL_S
        if due is not None and now < due < until:
            until = due
        while self.bridge.reports == reports and time.monotonic() < until:
            page.wait_for_timeout(min(REPORT_POLL_S, max(until - time.monotonic(), 0.001)) * 1000)

    # --------------------------------------------------------------- look --
    def _look(self, page) -> Seen:
        selectors = {s for r in self.rules for s in (*r.detect_selectors, *r.banner)}
        globals_ = {g for r in self.rules for g in r.detect_globals}
        state = dom.probe(page, selectors, globals_)
        present = [r for r in self.rules
                   if any(s in state.exists for s in r.detect_selectors) or any(g in state.globals for g in r.detect_globals)]
        open_rules = [r for r in present if any(s in state.shown for s in r.banner)]
        popup = self.bridge.popup(page)
        detected = self.bridge.detected(page)
        unknown = None
        if not open_rules and not popup:
            unknown = dom.pick(page, pick_argument(("accept", "reject"), self.tokens.new("probe")))
        ac_platform = (platform_of_autoconsent(popup[0]) or popup[0]) if popup else None
        specific = [r.platform for r in present if r.platform != TCF]
        if ac_platform and specific and ac_platform not in specific and rule_for(ac_platform) is not None:
            # autoconsent named the notice by markup several libraries share (Complianz is built
            # on Osano's cookieconsent): the rule whose own signs are on the page names it.
            ac_platform = specific[0]
        name = (ac_platform or (open_rules[0].platform if open_rules else None)
                or (specific[0] if specific else None)
                or (platform_of_autoconsent(detected[0]) or detected[0] if detected else None)
                or (TCF if any(r.platform == TCF for r in present) else None))
        return Seen(
            autoconsent=popup, open_rules=tuple(open_rules),
            open_platform=ac_platform or (open_rules[0].platform if open_rules else None),
            present=name, unknown_notice=bool(unknown),
            anything=bool(present or popup or detected or unknown), loaded=state.loaded)

    # ------------------------------------------------------------ outcome --
    def _conclude(self, action, attempts: list[Attempt], platform: str | None, waited: float = 0.0) -> ConsentOutcome:
        evidence = tuple(e for a in attempts for e in (f"[{a.method}]", *a.evidence, *(a.effect.evidence if a.effect else ())))
        done = next((a for a in attempts if a.effect and a.effect.effective), None)
        if done:
            return _outcome(action, done.platform, done.method, True, True,
                            f"{action} took effect: {'; '.join(done.effect.evidence[:2])}", evidence)
        clicked = [a for a in attempts if a.clicked]
        last = clicked[-1] if clicked else (attempts[-1] if attempts else None)
        if clicked:
            reason = (f"{action} button clicked ({last.method}) but banner still visible and no consent stored"
                      if last.effect and last.effect.banner_gone is False else
                      f"{action} button clicked ({last.method}) but no consent was stored and no banner change was seen")
        elif attempts:
            reason = f"{platform or 'consent platform'} detected but no {action} button could be clicked ({last.evidence[-1]})"
        elif platform:
            reason = f"{platform} detected but no consent banner was shown within {waited:.0f} s"
        else:
            reason = f"no consent banner found within {waited:.0f} s"
        return _outcome(action, (last.platform if last else None) or platform, last.method if last else None,
                        bool(clicked), False, reason, evidence)


def _page_idle(page) -> bool:
    """The page reached network idle since it loaded, and no timer it set while loading is still to fire
    (recorder.js): the scripts that would show a notice have all run."""
    try:
        page.wait_for_load_state("networkidle", timeout=1)
        pending = page.evaluate(
            f"() => window.__cookiescanPendingTimers ? window.__cookiescanPendingTimers({QUIET_S * 1000}) : 0")
    except PlaywrightError:
        return False
    return not pending


def _outcome(action, platform, method, clicked, effective, reason, evidence) -> ConsentOutcome:
    verb = "given" if action == "accept" else "refused"
    return ConsentOutcome(action=action, platform=platform, method=method, clicked=clicked, effective=effective,
                          status=verb if effective else f"not_{verb}", reason=reason, evidence=tuple(evidence))
