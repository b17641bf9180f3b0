"""The consent layers, in the order the driver asks them on every look at the page.

1. `Autoconsent`: DuckDuckGo's maintained rules (autoconsent.py), once per notice;
2. `PlatformRules`: our rules (rules/*.yaml), for what autoconsent misses or fails;
3. `Heuristic`: accept/reject words in FR/DE/IT/EN/ES (heuristic.py), for notices nothing knows.

On each look the driver asks the layers in turn; the first that answers decides:
an attempt (it clicked, or tried to), or `HOLD` (its notice is there and it will act
soon: the layers after it must not click first). A layer that has nothing to do
answers None. Each layer is made anew for every apply(): its tries are per page.
The site's own selectors (`Override`) are not a layer in the list: when set, nothing else runs.
"""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

from scanner.collect.consent import dom, effect
from scanner.collect.consent.autoconsent import AutoconsentBridge, popup_selectors
from scanner.collect.consent.heuristic import NOTICE_WORDS, pick_argument
from scanner.collect.consent.rules import PlatformRule, platform_of_autoconsent, rule_for

POLL_S = 0.25  # between two looks at the page (a look evaluates in every frame)
REPORT_POLL_S = 0.05  # between two checks for an autoconsent report (a Python list: cheap)
AUTOCONSENT_GRACE_S = 3.0  # a rule waits this long for autoconsent to handle a notice it sees first
HEURISTIC_DELAY_S = 1.5  # an unknown notice is clicked only once the page has shown this long (known CMPs render first)
AUTOCONSENT_LOOK_S = 0.3  # autoconsent's first pass reports a match within this (measured: 0.02-0.06 s)
STEP_WAIT_S = 4.0  # a two-step flow's next button must appear within this
EFFECT_WAIT_S = 3.0
MAX_TRIES = 2  # per rule / heuristic: a notice clicked before its script bound the buttons ignores the click

HOLD = "hold"


@dataclass
class Attempt:
    method: str
    platform: str | None
    clicked: bool
    effect: effect.Effect | None
    evidence: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Seen:
    """One look at the page (driver._look)."""

    autoconsent: tuple | None  # (rule name, frame record) of an open popup autoconsent found
    open_rules: tuple[PlatformRule, ...]  # our rules whose banner is visible
    open_platform: str | None
    present: str | None  # best platform name, open or not
    unknown_notice: bool  # the heuristic sees accept/reject buttons in a consent-like notice
    anything: bool
    loaded: bool  # the page has fired its load event (the consent step may start before it)


@dataclass(frozen=True)
class Turn:
    """What a layer is told when asked."""

    page: object
    action: str
    seen: Seen
    now: float
    shown_since: float  # when the page started to load: the time a notice has had to appear
    deadline: float
    autoconsent_pending: bool  # autoconsent is on and has not acted on this page yet
    autoconsent_looked_at: float | None  # when autoconsent began its first pass over the page (None: not yet)


class Tokens:
    """Marks the DOM helpers set on the elements they pick; one per driver (phases run side by side)."""

    def __init__(self):
        self._next = itertools.count(1)

    def new(self, prefix: str) -> str:
        return f"{prefix}{next(self._next)}"


def heuristic_due(seen: Seen, shown_since: float, autoconsent_looked_at: float | None) -> float:
    """When an unknown notice may be clicked (time.monotonic()). HEURISTIC_DELAY_S after the page started
    loading, so that a known platform gets to render and claim it first; sooner when nothing on the page
    is known to any rule, ours or autoconsent's, once autoconsent has made its first pass over the page."""
    late = shown_since + HEURISTIC_DELAY_S
    if seen.present is None and autoconsent_looked_at is not None:
        return min(late, autoconsent_looked_at + AUTOCONSENT_LOOK_S)
    return late


def effect_wait(deadline: float) -> float:
    return min(EFFECT_WAIT_S, max(deadline - time.monotonic(), 1.0))


class Autoconsent:
    name = "autoconsent"

    def __init__(self, bridge: AutoconsentBridge):
        self.bridge = bridge
        self.tried = False  # autoconsent runs its flow once per frame

    @property
    def pending(self) -> bool:
        return self.bridge.available and not self.tried

    def step(self, turn: Turn) -> Attempt | str | None:
        if not turn.seen.autoconsent or self.tried:
            return None
        self.tried = True
        return self._run(turn)

    def _run(self, turn: Turn) -> Attempt:
        page, (name, record) = turn.page, turn.seen.autoconsent
        before = effect.snapshot(page)
        platform = turn.seen.open_platform or platform_of_autoconsent(name) or name
        rule = rule_for(platform)
        evidence = [f"autoconsent rule {name!r} found the notice"]
        n = self.bridge.send(record, turn.action)
        # autoconsent's own flows wait internally (OneTrust up to ~7 s): give it the remaining time.
        while len(record.results) <= n and time.monotonic() < turn.deadline:
            page.wait_for_timeout(REPORT_POLL_S * 1000)
        if len(record.results) > n:
            result = record.results[n]
            evidence.append(f"autoconsent {result.get('type')}: {result.get('result')}")
        else:
            evidence.append("autoconsent did not report a result in time")
        banner = rule.banner if rule else popup_selectors(name)
        judged = effect.judge(page, before, rule, banner, (), effect_wait(turn.deadline))
        return Attempt(f"autoconsent:{name}", platform, True, judged, evidence)


class PlatformRules:
    name = "rules"

    def __init__(self, tokens: Tokens):
        self.tokens = tokens
        self.tries: dict[str, int] = {}
        self.first_seen: dict[str, float] = {}  # platform -> when its banner was first seen open

    def step(self, turn: Turn) -> Attempt | str | None:
        for rule in turn.seen.open_rules:
            first = self.first_seen.setdefault(rule.platform, turn.now)
            if self.tries.get(rule.platform, 0) >= MAX_TRIES or not rule.flows(turn.action):
                continue
            if turn.autoconsent_pending and turn.now - first < AUTOCONSENT_GRACE_S:
                return HOLD  # autoconsent may yet find it: its flows are maintained upstream
            self.tries[rule.platform] = self.tries.get(rule.platform, 0) + 1
            return self._run(turn, rule)
        return None

    def _run(self, turn: Turn, rule: PlatformRule) -> Attempt:
        page, action, deadline = turn.page, turn.action, turn.deadline
        wait_for_load(page, deadline)
        before = effect.snapshot(page)
        token = self.tokens.new("rule")
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
                judged = effect.judge(page, before, rule, rule.banner, (), effect_wait(deadline))
                return Attempt(f"rule:{rule.platform}", rule.platform, True, judged, evidence)
        evidence.append(f"no {action} button of {rule.source} is visible")
        return Attempt(f"rule:{rule.platform}", rule.platform, False, None, evidence)


class Heuristic:
    name = "heuristic"

    def __init__(self, tokens: Tokens):
        self.tokens = tokens
        self.tries = 0

    def step(self, turn: Turn) -> Attempt | str | None:
        if not turn.seen.unknown_notice or self.tries >= MAX_TRIES:
            return None
        if turn.now < heuristic_due(turn.seen, turn.shown_since, turn.autoconsent_looked_at):
            return HOLD
        # Before HEURISTIC_DELAY_S (nothing known on the page), the notice on screen must be the page's
        # last word: no timer its scripts set while loading is still to fire (one may render the real
        # notice beside a button that only looks like one), and it offers this action's button.
        early = turn.now < turn.shown_since + HEURISTIC_DELAY_S
        if early and load_timers_pending(turn.page, HEURISTIC_DELAY_S):
            return HOLD
        attempt = self._run(turn, early)
        if attempt is None:
            return HOLD
        self.tries += 1
        return attempt

    def _run(self, turn: Turn, early: bool) -> Attempt | None:
        """The try, or None when an early turn found no button for the action (the try is not spent)."""
        page, action, deadline, platform = turn.page, turn.action, turn.deadline, turn.seen.present
        if self.tries > 0:
            # A hand-written notice mostly binds its buttons as its markup is parsed, so the first
            # try does not wait for a slow page's load; a try that met unbound buttons (effect.judge
            # stops at the load event) is made again once the page has loaded.
            wait_for_load(page, deadline)
        before = effect.snapshot(page)
        token = self.tokens.new("heur")
        order = ("accept",) if action == "accept" else ("reject", "settings")
        found = dom.pick(page, pick_argument(order, token))
        if not found and early:
            return None
        if not found:
            return Attempt("heuristic", platform or "unknown", False, None,
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
                return Attempt(f"heuristic:{what['lang']}", platform or "unknown", True,
                               effect.judge(page, before, None, (), (token,), 0.5), evidence)
            frame, what2 = second
            evidence.append(f"then reject button {what2['text']!r}")
            dom.click_marked(frame, token + "b", STEP_WAIT_S)
        judged = effect.judge(page, before, rule_for(platform), (), (token, token + "b"), effect_wait(deadline))
        return Attempt(f"heuristic:{what['lang']}", platform or "unknown", True, judged, evidence)


class Override:
    """The site's own accept/reject selector (cookiescan.toml): when set, the only thing tried."""

    def __init__(self, selector: str, tokens: Tokens):
        self.selector = selector
        self.tokens = tokens

    def run(self, page, action: str, platform: str | None, deadline: float) -> Attempt:
        before = effect.snapshot(page)
        token = self.tokens.new("over")
        if not dom.wait_visible(page, self.selector, max(deadline - time.monotonic(), 0)):
            return Attempt("override", platform, False, None,
                           [f"{action}_selector {self.selector!r} never became visible"])
        if not dom.click_visible(page, self.selector, token, NOTICE_WORDS, STEP_WAIT_S):
            return Attempt("override", platform, False, None,
                           [f"{action}_selector {self.selector!r} could not be clicked"])
        judged = effect.judge(page, before, rule_for(platform), (self.selector,), (token,), effect_wait(deadline))
        return Attempt("override", platform, True, judged, [f"clicked {action}_selector {self.selector!r}"])


def load_timers_pending(page, within_s: float) -> bool:
    """A timer the page's scripts set while loading, with a delay up to `within_s`, is still to fire
    (recorder.js tracks them; a page without the recorder has none)."""
    from playwright.sync_api import Error as PlaywrightError

    try:
        return bool(page.evaluate(
            "cap => window.__cookiescanPendingTimers ? window.__cookiescanPendingTimers(cap) : 0", within_s * 1000))
    except PlaywrightError:
        return False


def wait_for_load(page, deadline: float) -> None:
    """Notices bind their buttons as late as the load event (tarteaucitron): click after it."""
    from playwright.sync_api import Error as PlaywrightError

    try:
        page.wait_for_load_state("load", timeout=max(deadline - time.monotonic(), 0.1) * 1000)
    except PlaywrightError:
        pass  # a page that never finishes loading can still be clicked
