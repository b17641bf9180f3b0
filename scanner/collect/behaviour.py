"""What scripts do beyond cookies: fingerprinting, session recording, key logging,
the page's path sent to third parties, decoded pixel events.

One `BehaviourCollector` per phase, a `Collector` (scanner.collect.collectors):
`install` (once per browser context: the binding and `behaviour.js`), `attach`
(each new page: its own CDP session on the network), `after_page` (recorder
globals) and `result` (the phase's `behaviour` field). `probe_inputs` is the explicit key-logging step
the engine runs after a page has loaded. Rules and sources: docs/behaviour.md.

Request bodies and header values are inspected here, in memory, and dropped:
only which probe value matched in which encoding, or which path leaked, is kept.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError

from scanner.collect import pixels
from scanner.collect.collectors import Collector
from scanner.collect.leaks import PROBE_VALUES, encoded_variants, find_paths, find_values
from scanner.common.domains import host_of, party, strip_query_values
from scanner.knowledge.behaviour import Recorder, load_recorders, match_recorder
from scanner.models import (FingerprintingCall, InputLeak, PageVisit, PhaseBehaviour, PixelEvent,
                            SessionRecording, UrlLeak)

BEHAVIOUR_JS = (Path(__file__).parent / "behaviour.js").read_text(encoding="utf-8")
BINDING = "__cookiescanBehaviour"
TECHNIQUES = ("canvas", "webgl", "audio", "fonts")
MAX_FIELDS = 8  # inputs typed into per page

# Visible, editable text fields, never passwords nor hidden ones; each is marked so
# Playwright can type into exactly that element. Returns the kind of value to type.
FIELDS_JS = """(max) => {
  const sel = 'input:not([type]), input[type=text], input[type=email], input[type=tel], input[type=search], textarea';
  const out = [];
  for (const el of document.querySelectorAll(sel)) {
    if (out.length >= max) break;
    if (el.disabled || el.readOnly || !el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    const hint = [el.type, el.name, el.id, el.autocomplete, el.placeholder].join(' ').toLowerCase();
    const kind = el.type === 'email' || hint.includes('mail') ? 'email'
      : el.type === 'tel' || /phone|tel|mobile|portable|telefon/.test(hint) ? 'phone'
      : el.type === 'search' || /search|query|recherche|suche|cerca|\\bq\\b/.test(hint) ? 'search' : 'name';
    el.setAttribute('data-cookiescan-probe', String(out.length));
    out.push(kind);
  }
  return out;
}"""

GLOBALS_JS = """(names) => names.filter((n) => {
  try { const v = window[n]; return v !== undefined && v !== null && !(v instanceof Element); } catch (e) { return false; }
})"""


@dataclass
class BehaviourCollector(Collector):
    phase: str
    site_domain: str
    input_wait_s: float = 0.6  # keyloggers send on a timer or on blur: give them this long
    current_page: str = ""
    recorders: tuple[Recorder, ...] = field(default_factory=load_recorders)
    _variants: tuple = field(default_factory=encoded_variants)
    _fingerprinting: dict = field(default_factory=dict)
    _recordings: dict = field(default_factory=dict)
    _input_leaks: dict = field(default_factory=dict)
    _url_leaks: dict = field(default_factory=dict)
    _pixels: dict = field(default_factory=dict)
    _fields_typed: int = 0
    _loaders: dict = field(default_factory=dict)  # script URL -> URL of what loaded it

    # -- lifecycle -------------------------------------------------------
    def install(self, context) -> None:
        context.expose_binding(BINDING, self._on_script_event)
        context.add_init_script(BEHAVIOUR_JS)

    def attach(self, context, page, cdp) -> None:
        cdp.on("Network.requestWillBeSent", self._on_request)

    def after_page(self, context, page, visit: PageVisit) -> None:
        if not visit.ok:
            return  # a page that failed to load may be dead: nothing to ask it
        names = sorted({g for r in self.recorders for g in r.globals})
        try:
            answer = page.main_frame.evaluate(GLOBALS_JS, names)
        except PlaywrightError:
            return
        present = {n for n in answer if isinstance(n, str)} if isinstance(answer, list) else set()
        for recorder in self.recorders:  # what the page answered is only trusted as a subset of our names
            for name in recorder.globals:
                if name in present:
                    self._add_recording(recorder, "global", name, host="", initiator="")

    def result(self) -> dict[str, object]:
        return {"behaviour": self.behaviour()}

    def behaviour(self) -> PhaseBehaviour:
        return PhaseBehaviour(
            fingerprinting=tuple(self._fingerprinting.values()), session_recordings=tuple(self._recordings.values()),
            input_leaks=tuple(self._input_leaks.values()), url_leaks=tuple(self._url_leaks.values()),
            pixel_events=tuple(self._pixels.values()), fields_typed=self._fields_typed)

    # -- the key-logging step ------------------------------------------
    def probe_inputs(self, page) -> int:
        """Type a synthetic value into each visible text field (never a password), never submit."""
        try:
            kinds = page.main_frame.evaluate(FIELDS_JS, MAX_FIELDS)
        except PlaywrightError:
            return 0
        typed = 0
        for i, kind in enumerate(kinds if isinstance(kinds, list) else []):
            if kind not in PROBE_VALUES:  # a page that tampered with the probe's answer
                continue
            try:
                page.locator(f'[data-cookiescan-probe="{i}"]').press_sequentially(
                    PROBE_VALUES[kind], timeout=2000)
                typed += 1
            except PlaywrightError:
                continue  # covered or detached meanwhile: the next field
        if typed:
            try:
                page.evaluate("() => document.activeElement && document.activeElement.blur()")
                page.wait_for_timeout(self.input_wait_s * 1000)
            except PlaywrightError:
                pass
        self._fields_typed += typed
        return typed

    # -- events ----------------------------------------------------------
    def _on_script_event(self, source, payload: dict) -> None:
        technique = str(payload.get("technique", ""))
        if technique not in TECHNIQUES:
            return
        script = strip_query_values(str(payload.get("script") or ""))
        initiator = strip_query_values(str(payload.get("initiator") or script))
        if initiator == script:  # an async library call: who loaded the library is who uses it
            initiator = self._loaders.get(script) or script
        key = (technique, script, self.current_page)
        if key not in self._fingerprinting:
            self._fingerprinting[key] = FingerprintingCall(
                technique=technique, script_url=script, initiator_url=initiator,
                detail=str(payload.get("detail", ""))[:200], phase=self.phase, page_url=self.current_page)

    def _on_request(self, event: dict) -> None:
        request = event.get("request") or {}
        url = request.get("url", "")
        host = host_of(url)
        if not host or not url.startswith("http"):
            return
        parts = urlsplit(url)
        host_path = host + parts.path
        initiator = _initiator_url(event.get("initiator") or {})
        if (event.get("type") or "").lower() == "script":
            if initiator:
                self._loaders.setdefault(strip_query_values(url), strip_query_values(initiator))
            recorder = match_recorder(host_path, self.recorders, "scripts")
            if recorder:
                self._add_recording(recorder, "script", strip_query_values(url), host, initiator)
        if party(host, self.site_domain) == "first":
            return
        recorder = match_recorder(host_path, self.recorders, "endpoints")
        if recorder:
            self._add_recording(recorder, "endpoint", strip_query_values(url), host, initiator)
        body = _post_data(request)
        headers = request.get("headers") or {}
        stripped = strip_query_values(url)
        for hit in find_values(url, body, headers, self._variants):
            self._input_leaks.setdefault((hit.field, hit.encoding, hit.channel, host, self.current_page), InputLeak(
                field=hit.field, encoding=hit.encoding, channel=hit.channel, host=host, request_url=stripped,
                phase=self.phase, page_url=self.current_page))
        referer = next((v for k, v in headers.items() if k.lower() == "referer"), None)
        page_path = urlsplit(self.current_page).path.rstrip("/")
        for hit in find_paths(url, body, referer, self.site_domain):
            if not page_path or hit.path.rstrip("/") != page_path:
                continue  # an asset's address, or another page's: not this page leaking
            self._url_leaks.setdefault((host, hit.channel, hit.path), UrlLeak(
                host=host, channel=hit.channel, leaked_path=hit.path, with_query=hit.with_query,
                referrer_policy=str(request.get("referrerPolicy") or ""), request_url=stripped,
                phase=self.phase, page_url=self.current_page))
        for hit in pixels.decode(url, body):
            self._pixels.setdefault((hit.vendor, hit.pixel_id, hit.event, hit.page, self.current_page), PixelEvent(
                vendor=hit.vendor, pixel_id=hit.pixel_id, event=hit.event, page=hit.page, host=host,
                phase=self.phase, page_url=self.current_page, parameters=hit.parameters))

    def _add_recording(self, recorder: Recorder, signal: str, evidence: str, host: str, initiator: str) -> None:
        key = (recorder.vendor, signal, evidence)
        if key not in self._recordings:
            self._recordings[key] = SessionRecording(
                vendor=recorder.vendor, signal=signal, evidence=evidence, host=host,
                initiator_url=strip_query_values(initiator) if initiator else "", phase=self.phase,
                page_url=self.current_page)


def _post_data(request: dict) -> str:
    if request.get("postData"):
        return str(request["postData"])
    chunks = []
    for entry in request.get("postDataEntries") or []:
        try:
            chunks.append(base64.b64decode(entry.get("bytes", "")).decode("utf-8", "replace"))
        except (ValueError, TypeError):
            continue
    return "".join(chunks)


def _initiator_url(initiator: dict) -> str:
    """The script that caused a request: the innermost frame of its stack, else the parser's document."""
    stack = initiator.get("stack") or {}
    while stack:
        for frame in stack.get("callFrames") or []:
            if str(frame.get("url", "")).startswith("http"):
                return frame["url"]
        stack = stack.get("parent") or {}
    return str(initiator.get("url") or "")
