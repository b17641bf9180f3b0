"""Python side of page.js: probe every frame of a page, pick and click buttons.

Every call here tolerates frames that detach or navigate mid-call: a frame that
cannot answer simply contributes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError

PAGE_JS = (Path(__file__).resolve().parent / "page.js").read_text(encoding="utf-8")


def call(frame, method: str, arg=None):
    """Run one page.js helper in a frame; None when the frame cannot answer."""
    try:
        return frame.evaluate(f"(arg) => ({PAGE_JS}).{method}(arg)", arg)
    except PlaywrightError:
        return None


@dataclass
class Probe:
    """Which selectors exist / are visible in any frame, which globals the main frame defines."""

    exists: set[str] = field(default_factory=set)
    shown: set[str] = field(default_factory=set)
    globals: set[str] = field(default_factory=set)
    marks: set[str] = field(default_factory=set)  # marked notices still visible
    shown_in: dict[str, object] = field(default_factory=dict)  # selector -> first frame showing it
    loaded: bool = False  # the main frame's document has fired its load event


def probe(page, selectors, globals_=(), marks=()) -> Probe:
    result = Probe()
    arg = {"selectors": sorted(set(selectors)), "marks": list(marks)}
    for frame in _frames(page):
        main = frame == page.main_frame
        answer = call(frame, "probe", {**arg, "globals": list(globals_) if main else []})
        if not answer:
            continue
        if main:
            result.loaded = bool(answer.get("loaded"))
        result.exists |= {s for s, v in answer["exists"].items() if v}
        for s, v in answer["shown"].items():
            if v:
                result.shown.add(s)
                result.shown_in.setdefault(s, frame)
        result.globals |= {g for g, v in answer["globals"].items() if v}
        result.marks |= {m for m, v in answer["marks"].items() if v}
    return result


def pick(page, argument: dict):
    """(frame, what) of the heuristic's button in the first frame that has one (main frame first)."""
    for frame in _frames(page):
        found = call(frame, "pick", argument)
        if found:
            return frame, found
    return None


def click_marked(frame, token: str, timeout_s: float) -> None:
    frame.locator(f'[data-cookiescan-pick="{token}"]').first.click(timeout=timeout_s * 1000)


def click_visible(page, selector: str, token: str, words: str, timeout_s: float) -> bool:
    """Click the first visible match of a Playwright selector in any frame; mark its notice first."""
    for frame in _frames(page):
        locator = frame.locator(selector).locator("visible=true").first
        try:
            if locator.count() == 0:
                continue
            locator.evaluate(f"(el, arg) => ({PAGE_JS}).markAround(el, arg)", {"token": token, "words": words})
            locator.click(timeout=timeout_s * 1000)
            return True
        except PlaywrightError:
            continue
    return False


def wait_visible(page, selector: str, timeout_s: float) -> bool:
    """Poll all frames until the selector is visible somewhere (Playwright selectors, shadow-piercing)."""
    import time

    deadline = time.monotonic() + timeout_s
    while True:
        for frame in _frames(page):
            try:
                if frame.locator(selector).locator("visible=true").count() > 0:
                    return True
            except PlaywrightError:
                pass
        if time.monotonic() >= deadline:
            return False
        page.wait_for_timeout(150)


def _frames(page) -> list:
    try:
        frames = page.frames
    except PlaywrightError:
        return []
    main = page.main_frame
    # A frame with no URL has not committed its first navigation (a slow iframe while the consent
    # step runs during loading): it shows nothing yet, and evaluating there would wait for the commit.
    return [main] + [f for f in frames if f != main and not f.is_detached() and f.url]
