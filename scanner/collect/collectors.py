"""What watches a phase's pages, behind one small lifecycle (as tracker-radar-collector's collectors).

The engine calls, in order: `install(context)` once before any page opens,
`attach(context, page, cdp)` for every page it opens (a hung or crashed page is
replaced by a new one; `cdp` is the page's one CDP session, whose Network domain
is enabled once every collector has subscribed: each event crosses from the
browser to Python once, whoever listens), `after_page(context, page, visit)` after each visit,
`finish(context, page)` before the context closes, and `result()` once it has
closed. `result()` returns PhaseResult fields by name; a collector never sees
another's data. One collector failing is said through progress and does not
sink the visit or the others.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Protocol

from playwright.sync_api import Error as PlaywrightError

from scanner.common.text import first_line
from scanner.models import PageVisit


class Collector(Protocol):
    """Subclass it to inherit do-nothing hooks; override the ones a collector needs."""

    def install(self, context) -> None:
        return None

    def attach(self, context, page, cdp) -> None:
        return None

    def after_page(self, context, page, visit: PageVisit) -> None:
        return None

    def finish(self, context, page) -> None:
        return None

    def result(self) -> dict[str, object]:
        return {}


class Collectors:
    """The collectors of one phase, each call isolated from the others' failures."""

    def __init__(self, collectors: list[Collector], say: Callable[[str, str], None]):
        self.collectors = collectors
        self.say = say

    def _each(self, hook: str, *args) -> None:
        for collector in self.collectors:
            try:
                getattr(collector, hook)(*args)
            except Exception as exc:  # a collector's bug or a dead page: the visit and the others go on
                self.say("collector-failed", f"{type(collector).__name__}.{hook}: {first_line(exc)}")

    def install(self, context) -> None:
        self._each("install", context)

    def attach(self, context, page) -> None:
        cdp = context.new_cdp_session(page)
        self._each("attach", context, page, cdp)
        cdp.send("Network.enable")

    def after_page(self, context, page, visit: PageVisit) -> None:
        self._each("after_page", context, page, visit)

    def finish(self, context, page) -> None:
        self._each("finish", context, page)

    def result(self) -> dict[str, object]:
        fields: dict[str, object] = {}
        for collector in self.collectors:
            try:
                fields.update(collector.result())
            except Exception as exc:
                self.say("collector-failed", f"{type(collector).__name__}.result: {first_line(exc)}")
        return fields


class Screenshots(Collector):
    """The first page as the visitor saw it (`start`), and any moment a step asks for (`take`).
    A screenshot costs the renderer a frame and a PNG encoding: phases whose start page looks as
    before consent's (accept, reject) keep only the moment after their click."""

    def __init__(self, out_dir: Path, phase: str, start: bool = True):
        self.out_dir = out_dir
        self.phase = phase
        self.paths: list[str] = []  # relative to the scan file
        self._first_seen = not start

    def after_page(self, context, page, visit: PageVisit) -> None:
        if not self._first_seen and visit.ok:  # a page that failed to load shows nothing worth keeping
            self.take(page, f"{self.phase}-start.png")
        self._first_seen = True

    def take(self, page, name: str) -> str | None:
        try:
            page.screenshot(path=str(self.out_dir / name), timeout=5000)
        except PlaywrightError:
            return None
        self.paths.append(name)
        return name

    def result(self) -> dict[str, object]:
        return {"screenshots": tuple(self.paths)}


class Har(Collector):
    """A HAR file of the phase (Playwright writes it when the context closes), then redacted:
    cookie values, credential headers, form bodies and the login's secrets, wherever they appear."""

    def __init__(self, path: Path, secrets: tuple[str, ...] = ()):
        self.path = path  # handed to open_context(record_har_path=...)
        self.secrets = list(secrets)

    def finish(self, context, page) -> None:
        self.secrets += [c.get("value", "") for c in context.cookies()]  # only to scrub them; never stored

    def result(self) -> dict[str, object]:
        from scanner.collect.har import redact_har

        if not self.path.is_file():
            return {"har": None}
        redact_har(self.path, self.secrets)
        return {"har": self.path.name}
