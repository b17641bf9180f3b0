"""ConsentDriver: find the consent notice and click accept-all or reject-all, in layers.

1. the site's own selectors (`SiteConfig.accept_selector` / `reject_selector`), when set: nothing else runs;
2. autoconsent (DuckDuckGo's maintained rules, see autoconsent.py);
3. our platform rules (rules/*.yaml), for what autoconsent misses or fails;
4. the multilingual heuristic (heuristic.py) for notices nothing recognises.
Every click is judged by its effect (effect.py); a layer whose click did not
take effect hands over to the next one. apply() never raises for page
problems: the outcome says what happened and why.
"""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

from playwright.sync_api import Error as PlaywrightError

from scanner.common.text import first_line
from scanner.models import ConsentOutcome
from scanner.collect.consent import dom, effect
from scanner.collect.consent.autoconsent import AutoconsentBridge, popup_selectors
from scanner.collect.consent.heuristic import NOTICE_WORDS, pick_argument
from scanner.collect.consent.rules import TCF, PlatformRule, load_rules, platform_of_autoconsent, rule_for

ACTIONS = ("accept", "reject")
POLL_S = 0.25
QUIET_S = 5.0  # nothing at all on the page after this long: no notice is coming
IDLE_QUIET_S = 1.0  # ...or after this long once the page's network has gone idle (its scripts have all loaded)
AUTOCONSENT_GRACE_S = 3.0  # a rule waits this long for autoconsent to handle a notice it sees first
HEURISTIC_DELAY_S = 1.5  # an unknown notice is clicked only once known CMPs had time to render
STEP_WAIT_S = 4.0  # a two-step flow's next button must appear within this
EFFECT_WAIT_S = 3.0
MAX_TRIES = 2  # per rule / heuristic: a notice clicked before its script bound the buttons ignores the click
NOTHING_LEFT_S = 1.0  # after a failed click, give up once no other layer has found anything for this long


@dataclass
class _Attempt:
    method: str
    platform: str | None
    clicked: bool
    effect: effect.Effect | None
    evidence: list[str] = field(default_factory=list)


class ConsentDriver:
    """One per phase: install() on the context, then detect() or apply() on its page."""

    def __init__(self, accept_selector: str | None = None, reject_selector: str | None = None,
                 timeout_s: float = 10.0, *, use_autoconsent: bool = True):
        self.selectors = {"accept": accept_selector, "reject": reject_selector}
        self.timeout_s = timeout_s
        self.rules = load_rules()
        self.bridge = AutoconsentBridge()
        # Marks the DOM helpers set on the elements they pick; per driver, as phases run in parallel threads.
        self._tokens = itertools.count(1)
        if not use_autoconsent:  # tests of the second layer; `consent probe --no-autoconsent`
            self.bridge.available = False

    def install(self, context) -> None:
        # navigator.webdriver is already false: browser.py launches Chromium without the
        # automation flag (consent libraries hide their notice from bots).
        self.bridge.install(context)

    def stand_down(self) -> None:
        """The consent step is over: pages loaded from now on get no autoconsent rules (700 KB
        and a detection loop per frame), since nothing will be clicked there any more."""
        self.bridge.active = False

    # ------------------------------------------------------------- detect --
    def detect(self, page) -> str | None:
        """Name of the consent platform on the page ("unknown" for a notice no rule knows); never clicks."""
        start = time.monotonic()
        deadline = start + self.timeout_s
        try:
            while True:
                seen = self._look(page)
                if seen.open_platform:
                    return seen.open_platform
                elapsed = time.monotonic() - start
                if seen.unknown_notice and elapsed >= HEURISTIC_DELAY_S:
                    return seen.present or "unknown"
                if time.monotonic() >= deadline or (elapsed >= QUIET_S and not seen.unknown_notice):
                    return seen.present
                if not seen.anything and elapsed >= IDLE_QUIET_S and _network_idle(page):
                    return None
                page.wait_for_timeout(POLL_S * 1000)
        except PlaywrightError:
            return None

    # -------------------------------------------------------------- apply --
    def apply(self, page, action: str, *, expect_notice: bool = True) -> ConsentOutcome:
        """`expect_notice=False`: the same page showed no notice in a fresh profile already (the
        before-consent phase), so an idle page with nothing on it is answered at once."""
        if action not in ACTIONS:
            raise ValueError(f"consent action must be one of {ACTIONS}, not {action!r}")
        try:
            return self._apply(page, action, IDLE_QUIET_S if expect_notice else 0.0)
        except PlaywrightError as exc:
            return _outcome(action, None, None, False, False, f"consent step failed: {first_line(exc)}", ())

    def _apply(self, page, action: str, idle_quiet_s: float) -> ConsentOutcome:
        start = time.monotonic()
        deadline = start + self.timeout_s
        if self.selectors[action]:
            attempt = self._override(page, action, deadline)
            return self._conclude(action, [attempt], attempt.platform)
        attempts: list[_Attempt] = []
        tries: dict[str, int] = {}  # layer -> clicks so far (a notice clicked before its script is ready ignores it)
        rule_seen_at: dict[str, float] = {}
        last: _Seen | None = None
        last_attempt_at = start

        def may_try(layer: str) -> bool:
            return tries.get(layer, 0) < MAX_TRIES

        while True:
            seen = last = self._look(page)
            now = time.monotonic()
            attempt = None
            if seen.autoconsent and tries.get("autoconsent", 0) == 0:
                tries["autoconsent"] = 1  # autoconsent runs its flow once per frame
                attempt = self._autoconsent(page, action, seen.autoconsent, deadline, seen.open_platform)
            else:
                for rule in seen.open_rules:
                    first = rule_seen_at.setdefault(rule.platform, now)
                    waiting_for_autoconsent = ("autoconsent" not in tries and self.bridge.available
                                               and now - first < AUTOCONSENT_GRACE_S)
                    if may_try(rule.platform) and rule.flows(action) and not waiting_for_autoconsent:
                        tries[rule.platform] = tries.get(rule.platform, 0) + 1
                        attempt = self._rule(page, action, rule, deadline)
                        break
                else:
                    heuristic_ready = now - start >= HEURISTIC_DELAY_S and not any(
                        may_try(r.platform) and r.flows(action) for r in seen.open_rules)
                    if seen.unknown_notice and heuristic_ready and may_try("heuristic"):
                        tries["heuristic"] = tries.get("heuristic", 0) + 1
                        attempt = self._heuristic(page, action, seen.present, deadline)
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
            if not attempts and not seen.anything and (
                    now - start >= QUIET_S or (now - start >= idle_quiet_s and _network_idle(page))):
                break
            page.wait_for_timeout(POLL_S * 1000)
        return self._conclude(action, attempts, (last.present if last else None), waited=time.monotonic() - start)

    # ------------------------------------------------------------- layers --
    def _look(self, page) -> "_Seen":
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
            unknown = dom.pick(page, pick_argument(("accept", "reject"), f"probe{next(self._tokens)}"))
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
        return _Seen(
            autoconsent=popup, open_rules=open_rules,
            open_platform=ac_platform or (open_rules[0].platform if open_rules else None),
            present=name, unknown_notice=bool(unknown),
            anything=bool(present or popup or detected or unknown))

    def _autoconsent(self, page, action, popup, deadline, platform: str | None = None) -> _Attempt:
        name, record = popup
        before = effect.snapshot(page)
        platform = platform or platform_of_autoconsent(name) or name
        rule = rule_for(platform)
        evidence = [f"autoconsent rule {name!r} found the notice"]
        n = self.bridge.send(record, action)
        # autoconsent's own flows wait internally (OneTrust up to ~7 s): give it the remaining time.
        while len(record.results) <= n and time.monotonic() < deadline:
            page.wait_for_timeout(POLL_S * 1000)
        if len(record.results) > n:
            result = record.results[n]
            evidence.append(f"autoconsent {result.get('type')}: {result.get('result')}")
        else:
            evidence.append("autoconsent did not report a result in time")
        banner = rule.banner if rule else popup_selectors(name)
        judged = effect.judge(page, before, rule, banner, (), self._effect_wait(deadline))
        return _Attempt(f"autoconsent:{name}", platform, True, judged, evidence)

    def _rule(self, page, action, rule: PlatformRule, deadline) -> _Attempt:
        _wait_for_load(page, deadline)
        before = effect.snapshot(page)
        token = f"rule{next(self._tokens)}"
        evidence: list[str] = []
        for flow in rule.flows(action):
            if not dom.wait_visible(page, flow[0], 0):
                continue
            clicked = []
            for i, selector in enumerate(flow):
                wait = 0 if i == 0 else min(STEP_WAIT_S, max(deadline - time.monotonic(), 0.5))
                if not dom.wait_visible(page, selector, wait) or not dom.click_visible(
                        page, selector, token, NOTICE_WORDS, min(STEP_WAIT_S, wait + 2)):
                    evidence.append(f"step {i + 1} of {' -> '.join(flow)} not found: {selector}")
                    break
                clicked.append(selector)
            if clicked:
                evidence.append("clicked " + " -> ".join(clicked))
                judged = effect.judge(page, before, rule, rule.banner, (), self._effect_wait(deadline))
                return _Attempt(f"rule:{rule.platform}", rule.platform, True, judged, evidence)
        evidence.append(f"no {action} button of {rule.source} is visible")
        return _Attempt(f"rule:{rule.platform}", rule.platform, False, None, evidence)

    def _heuristic(self, page, action, platform, deadline) -> _Attempt:
        _wait_for_load(page, deadline)
        before = effect.snapshot(page)
        token = f"heur{next(self._tokens)}"
        order = ("accept",) if action == "accept" else ("reject", "settings")
        found = dom.pick(page, pick_argument(order, token))
        if not found:
            return _Attempt("heuristic", platform or "unknown", False, None,
                            [f"no {action} button text found in the notice"])
        frame, what = found
        evidence = [f"{what['kind']} button {what['text']!r} ({what['lang']})"]
        dom.click_marked(frame, token, STEP_WAIT_S)
        if what["kind"] == "settings":  # two-step refusal: settings screen, then its reject-all
            second = None
            step_deadline = min(deadline, time.monotonic() + STEP_WAIT_S)
            while not second and time.monotonic() < step_deadline:
                page.wait_for_timeout(POLL_S * 1000)
                second = dom.pick(page, pick_argument(("reject",), token + "b"))
            if not second:
                evidence.append("settings opened but no reject button appeared")
                return _Attempt(f"heuristic:{what['lang']}", platform or "unknown", True,
                                effect.judge(page, before, None, (), (token,), 0.5), evidence)
            frame, what2 = second
            evidence.append(f"then reject button {what2['text']!r}")
            dom.click_marked(frame, token + "b", STEP_WAIT_S)
        judged = effect.judge(page, before, rule_for(platform), (), (token, token + "b"), self._effect_wait(deadline))
        return _Attempt(f"heuristic:{what['lang']}", platform or "unknown", True, judged, evidence)

    def _override(self, page, action, deadline) -> _Attempt:
        before = effect.snapshot(page)
        selector = self.selectors[action]
        token = f"over{next(self._tokens)}"
        platform = self._look(page).present
        if not dom.wait_visible(page, selector, max(deadline - time.monotonic(), 0)):
            return _Attempt("override", platform, False, None,
                            [f"{action}_selector {selector!r} never became visible"])
        if not dom.click_visible(page, selector, token, NOTICE_WORDS, STEP_WAIT_S):
            return _Attempt("override", platform, False, None, [f"{action}_selector {selector!r} could not be clicked"])
        judged = effect.judge(page, before, rule_for(platform), (selector,), (token,), self._effect_wait(deadline))
        return _Attempt("override", platform, True, judged, [f"clicked {action}_selector {selector!r}"])

    def _effect_wait(self, deadline: float) -> float:
        return min(EFFECT_WAIT_S, max(deadline - time.monotonic(), 1.0))

    # ------------------------------------------------------------ outcome --
    def _conclude(self, action, attempts: list[_Attempt], platform: str | None, waited: float = 0.0) -> ConsentOutcome:
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


@dataclass
class _Seen:
    autoconsent: tuple | None  # (rule name, frame record) of an open popup autoconsent found
    open_rules: list[PlatformRule]  # our rules whose banner is visible
    open_platform: str | None
    present: str | None  # best platform name, open or not
    unknown_notice: bool  # the heuristic sees accept/reject buttons in a consent-like notice
    anything: bool


def _network_idle(page) -> bool:
    """The page has reached network idle since it loaded: the scripts that would show a notice are in."""
    try:
        page.wait_for_load_state("networkidle", timeout=1)
        return True
    except PlaywrightError:
        return False


def _wait_for_load(page, deadline: float) -> None:
    """Notices bind their buttons as late as the load event (tarteaucitron): click after it."""
    try:
        page.wait_for_load_state("load", timeout=max(deadline - time.monotonic(), 0.1) * 1000)
    except PlaywrightError:
        pass  # a page that never finishes loading can still be clicked


def _outcome(action, platform, method, clicked, effective, reason, evidence) -> ConsentOutcome:
    verb = "given" if action == "accept" else "refused"
    return ConsentOutcome(action=action, platform=platform, method=method, clicked=clicked, effective=effective,
                          status=verb if effective else f"not_{verb}", reason=reason, evidence=tuple(evidence))
