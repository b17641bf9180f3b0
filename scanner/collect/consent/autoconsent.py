"""Bridge to DuckDuckGo's autoconsent, the first layer of consent handling.

autoconsent (npm `@duckduckgo/autoconsent`, MPL-2.0) ships a content script and
a few hundred maintained CMP rules; an unmodified copy of both lives in
`vendor/autoconsent/` (version in its meta.json; refreshed from node_modules by
scripts/refresh_autoconsent.py), so an installed package needs no npm. Its Playwright build
talks to its host through one function, `autoconsentSendMessage`: it asks for
its config and rules (`init`), asks the host to run code in the page's main
world (`eval`), and reports what it found (`cmpDetected`, `popupFound`) and
did (`optInResult`, `optOutResult`). We answer `init` with `autoAction: null`
so it only detects; `apply()` later sends `optIn` / `optOut` to the frame that
found the popup. Cosmetic rules (which only hide a banner), prehiding and its
own heuristic are off: hiding is not consenting, and we have our own fallback.
"""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

VENDORED = Path(__file__).resolve().parent / "vendor" / "autoconsent"


@dataclass(frozen=True)
class Assets:
    script: str  # the content script
    config: dict  # autoconsent's settings: detect only, no cosmetics, no heuristic
    general: tuple[dict, ...]  # rules for every site
    specific: tuple[tuple[re.Pattern | None, dict], ...]  # rules for one site, with their URL pattern
    by_name: dict[str, dict]


@lru_cache(maxsize=1)
def _assets() -> Assets:
    """The vendored copy, read once per process."""
    script = (VENDORED / "autoconsent.playwright.js").read_text(encoding="utf-8")
    rules = json.loads((VENDORED / "rules.json").read_text(encoding="utf-8")).get("autoconsent", [])
    config = {
        "enabled": True, "autoAction": None, "disabledCmps": [], "enablePrehide": False,
        "enableCosmeticRules": False, "enableGeneratedRules": True, "detectRetries": 20,
        "enableHeuristicDetection": False, "heuristicMode": "off", "visualTest": False,
        "logs": {"lifecycle": False, "rulesteps": False, "detectionsteps": False, "evals": False,
                 "errors": False, "messages": False, "waits": False},
    }
    general, specific = [], []
    for rule in rules:
        pattern = (rule.get("runContext") or {}).get("urlPattern")
        if not pattern:
            general.append(rule)
            continue
        try:
            specific.append((re.compile(pattern), rule))
        except re.error:  # a JS-only regex: let autoconsent itself decide in the page
            specific.append((None, rule))
    return Assets(script, config, tuple(general), tuple(specific), {r["name"]: r for r in rules})


@lru_cache(maxsize=64)
def _init_message(site_rules: tuple[str, ...]) -> str:
    assets = _assets()
    rules = [*assets.general, *(assets.by_name[name] for name in site_rules)]
    return json.dumps({"type": "initResp", "config": assets.config, "rules": {"autoconsent": rules}})


def init_message(url: str) -> str:
    """autoconsent's initResp for a frame at `url`. Three rules in four apply to one site only
    (`runContext.urlPattern`, 590 of 715 KB): autoconsent would skip them in the page after
    parsing them in every frame; sending only the ones whose pattern matches is the same
    outcome for a fraction of the work."""
    return _init_message(tuple(rule["name"] for pattern, rule in _assets().specific
                               if pattern is None or pattern.search(url)))


def version() -> str:
    return json.loads((VENDORED / "meta.json").read_text(encoding="utf-8"))["version"]


def popup_selectors(rule_name: str) -> tuple[str, ...]:
    """CSS selectors of a declarative rule's `detectPopup` (to check the banner is gone after a click)."""
    rule = _assets().by_name.get(rule_name)
    found: list[str] = []

    def walk(steps):
        for step in steps or ():
            for key in ("visible", "exists"):
                if isinstance(step.get(key), str) and not step.get("negated"):
                    found.append(step[key])
            walk(step.get("any"))

    if rule:
        walk(rule.get("detectPopup"))
    return tuple(found)


@dataclass
class FrameMessages:
    """What autoconsent said in one frame."""

    frame: object
    detected: list[str] = field(default_factory=list)
    popups: list[str] = field(default_factory=list)
    results: list[dict] = field(default_factory=list)  # optInResult / optOutResult messages
    errors: list[str] = field(default_factory=list)
    instance: str | None = None  # autoconsent's instance in the frame's current document
    looked_at: float | None = None  # when that instance began its first detection pass (time.monotonic())


class AutoconsentBridge:
    """One per BrowserContext: the binding, the init script and what each frame reported."""

    def __init__(self):
        self.frames: dict[int, FrameMessages] = {}  # keyed by id(frame); frames die with their page
        self.available = True  # the copy ships in the package; False turns this layer off
        self.active = True  # frames that start while inactive get no rules: autoconsent stays idle there
        self.reports = 0  # how many reports (detected, popup, result, error) came so far: a wait ends on a new one
        self._script = None  # the init script's handle, to take it off the context (stand_down)

    def install(self, context) -> None:
        if not self.available:
            return
        context.expose_binding("autoconsentSendMessage", self._on_message)
        self._script = context.add_init_script(script=_assets().script)

    def stand_down(self) -> None:
        """Pages and frames that load from now on get no autoconsent: not its 137 KB script, parsed and
        run in every frame, nor its detection loop. Frames already running it keep it (and the binding
        it calls) until they go, but get no rules any more."""
        self.active = False
        if self._script is not None:
            script, self._script = self._script, None
            try:
                script.close()
            except Exception:  # the context or its browser already went: nothing left to take off
                pass

    # -- messages from the page ------------------------------------------
    def _on_message(self, source, msg) -> None:
        frame = source.get("frame")
        if frame is None or not isinstance(msg, dict):
            return
        kind = msg.get("type")
        try:
            if kind == "init":
                # A new tab's first document (about:blank, before its navigation) gets no rules:
                # nothing can be shown there, and its rules would be parsed for nothing.
                if self.active and not (frame.url == "about:blank" and frame.parent_frame is None):
                    frame.evaluate(f"autoconsentReceiveMessage({init_message(frame.url)})")
            elif kind == "eval":
                try:
                    result = frame.evaluate(msg.get("code", "false"))
                except Exception:  # the rule's code threw: autoconsent treats that as false
                    result = False
                frame.evaluate("([id, result]) => autoconsentReceiveMessage({id, type: 'evalResp', result})",
                               [msg.get("id"), result if isinstance(result, (bool, int, float, str)) else bool(result)])
            elif kind == "report":
                # Its state after each step; the first pass over the page begins with findCmpAttempts 1.
                record = self.frames.setdefault(id(frame), FrameMessages(frame))
                state = msg.get("state") if isinstance(msg.get("state"), dict) else {}
                if msg.get("instanceId") != record.instance:  # a new document in the frame (about:blank, then the page)
                    record.instance, record.looked_at = msg.get("instanceId"), None
                if record.looked_at is None and (state.get("findCmpAttempts") or 0) >= 1:
                    record.looked_at = time.monotonic()
                    self.reports += 1
            elif kind in ("cmpDetected", "popupFound", "optInResult", "optOutResult", "autoconsentError"):
                record = self.frames.setdefault(id(frame), FrameMessages(frame))
                self.reports += 1
                if kind == "cmpDetected":
                    record.detected.append(msg.get("cmp", ""))
                elif kind == "popupFound":
                    record.popups.append(msg.get("cmp", ""))
                elif kind == "autoconsentError":
                    record.errors.append(str(msg.get("details"))[:200])
                else:
                    record.results.append(msg)
        except Exception:
            pass  # frame navigated away or detached mid-answer: its content script dies with it

    # -- questions from the driver ---------------------------------------
    def page_frames(self, page) -> list[FrameMessages]:
        alive = {id(f) for f in page.frames}
        return [r for k, r in self.frames.items() if k in alive]

    def detected(self, page) -> list[str]:
        return [c for r in self.page_frames(page) for c in r.detected]

    def looked_at(self, page) -> float | None:
        """When autoconsent began its first pass over the page's top document; None if not yet."""
        record = self.frames.get(id(page.main_frame))
        return record.looked_at if record and record.frame is page.main_frame else None

    def popup(self, page) -> tuple[str, FrameMessages] | None:
        """(rule name, frame record) of the first open popup autoconsent found on the page."""
        for r in self.page_frames(page):
            if r.popups:
                return r.popups[0], r
        return None

    def send(self, record: FrameMessages, action: str) -> int:
        """Ask the frame to opt in ("accept") or out ("reject"); returns how many results came before."""
        before = len(record.results)
        kind = "optIn" if action == "accept" else "optOut"
        # Not awaited: the run sends eval messages we answer from the binding meanwhile.
        record.frame.evaluate(f"() => {{ autoconsentReceiveMessage({{type: '{kind}'}}); }}")
        return before
