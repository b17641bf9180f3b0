"""The collector lifecycle without a browser: hooks in order, one failing collector isolated."""
from __future__ import annotations

from scanner.collect.collectors import Collector, Collectors, Screenshots
from scanner.models import PageVisit


class Tape(Collector):
    def __init__(self):
        self.calls = []

    def install(self, context):
        self.calls.append(("install", context))

    def attach(self, context, page, cdp):
        self.calls.append(("attach", page, cdp.enabled))

    def after_page(self, context, page, visit):
        self.calls.append(("after_page", visit.url))

    def finish(self, context, page):
        self.calls.append(("finish", page))

    def result(self):
        return {"screenshots": ("a.png",)}


class Session:
    """A page's CDP session: records whether the Network domain was enabled yet."""

    def __init__(self):
        self.enabled = False

    def send(self, method):
        self.enabled = self.enabled or method == "Network.enable"


class Context:
    def __init__(self):
        self.sessions = []

    def new_cdp_session(self, page):
        self.sessions.append(Session())
        return self.sessions[-1]


class Broken(Collector):
    def after_page(self, context, page, visit):
        raise RuntimeError("boom\nwith a call log")

    def result(self):
        raise ValueError("no data")


def test_hooks_run_in_order_and_a_failing_collector_is_said_not_raised():
    said = []
    tape = Tape()
    collectors = Collectors([Broken(), tape], lambda event, detail: said.append((event, detail)))
    context = Context()
    collectors.install(context)
    collectors.attach(context, "page1")
    collectors.after_page(context, "page1", PageVisit(url="https://a.example/", phase="accept", ok=True))
    collectors.finish(context, "page1")
    assert [c[0] for c in tape.calls] == ["install", "attach", "after_page", "finish"]
    # One CDP session for the page, its Network domain enabled once every collector has subscribed.
    assert tape.calls[1] == ("attach", "page1", False) and len(context.sessions) == 1 and context.sessions[0].enabled
    assert collectors.result() == {"screenshots": ("a.png",)}
    assert said == [("collector-failed", "Broken.after_page: boom"), ("collector-failed", "Broken.result: no data")]


def test_screenshots_keep_the_first_loaded_page_only(tmp_path):
    class Page:
        def __init__(self):
            self.shots = []

        def screenshot(self, path, timeout):
            self.shots.append(path)

    page, shots = Page(), Screenshots(tmp_path, "accept")
    shots.after_page(None, page, PageVisit(url="https://a.example/", phase="accept", ok=True))
    shots.after_page(None, page, PageVisit(url="https://a.example/2", phase="accept", ok=True))
    assert shots.take(page, "accept-after-click.png") == "accept-after-click.png"
    assert shots.result() == {"screenshots": ("accept-start.png", "accept-after-click.png")}
    assert page.shots == [str(tmp_path / "accept-start.png"), str(tmp_path / "accept-after-click.png")]
