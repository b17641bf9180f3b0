"""Record what one phase of a visit really does: cookies, storage, third-party requests.

One `PhaseRecorder` per browser context. It listens to the Chrome DevTools
Protocol of each page (raw Set-Cookie headers, blocked cookies, requests) and
to a binding fed by `recorder.js` (document.cookie writes), and snapshots the
cookie jar and web storage after each page. It never keeps a raw value.
"""
from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

from scanner.common.domains import host_of, party, registrable_domain, strip_query_values
from scanner.models import BlockedCookie, ObservedCookie, ObservedRequest, StorageItem
from scanner.collect.setcookie import CookieWrite, hash_value, parse_set_cookie
from scanner.common.limits import RECORDS_PER_PHASE

MAX_LINE = 8192  # a Set-Cookie line longer than this is cut: Chromium refuses cookies over 4 KB anyway

RECORDER_JS = (Path(__file__).parent / "recorder.js").read_text(encoding="utf-8")
BINDING = "__cookiescanCookieWrite"

STORAGE_JS = """() => {
  const dump = (s) => { const o = []; try { for (let i = 0; i < Math.min(s.length, 20000); i++) { const k = s.key(i);
    o.push([k, String(s.getItem(k)).slice(0, 4096)]); } } catch (e) {} return o; };
  let local = [], session = [];
  try { local = dump(window.localStorage); } catch (e) {}
  try { session = dump(window.sessionStorage); } catch (e) {}
  return {origin: location.origin, local, session};
}"""


@dataclass
class _PendingRequest:
    url: str
    host: str
    resource_type: str
    page_url: str
    status: int | None = None
    failure: str | None = None


@dataclass
class PhaseRecorder:
    """Collects observations for one phase; `results()` hands them back as records."""

    phase: str
    site_domain: str
    current_page: str = ""
    # A page writing 5,000 cookies or keys is counted, not kept whole: at most `limit` records per kind.
    limit: int = field(default_factory=RECORDS_PER_PHASE.value)
    attempted: set = field(default_factory=set)  # (name, domain) of every cookie a write asked for
    _dropped: set = field(default_factory=set)  # identities of the records past the limit
    _writes: deque = field(default_factory=lambda: deque(maxlen=4 * RECORDS_PER_PHASE.value()))
    _cookies: dict = field(default_factory=dict)  # (name, domain, path, partition) -> ObservedCookie
    _blocked: dict = field(default_factory=dict)
    _storage: dict = field(default_factory=dict)
    _requests: dict = field(default_factory=dict)  # CDP requestId -> _PendingRequest
    _request_urls: dict = field(default_factory=dict)  # requestId -> URLs of its redirect chain, in order
    _sessions: list = field(default_factory=list)

    # -- wiring ----------------------------------------------------------
    def install(self, context) -> None:
        """Once per context, before its pages load."""
        context.expose_binding(BINDING, self._on_script_write)
        context.add_init_script(RECORDER_JS)

    def attach(self, context, page, cdp) -> None:
        """Listen to a page's network through CDP (iframes share it: site isolation is off)."""
        cdp.on("Network.requestWillBeSent", self._on_request)
        cdp.on("Network.responseReceived", self._on_response)
        cdp.on("Network.loadingFailed", self._on_failed)
        cdp.on("Network.responseReceivedExtraInfo", self._on_extra_info)
        self._sessions.append(cdp)

    # -- CDP events --------------------------------------------------------
    def _on_request(self, event: dict) -> None:
        request = event.get("request", {})
        url = request.get("url", "")
        self._request_urls.setdefault(event.get("requestId"), []).append(url)
        host = host_of(url)
        if not host or url.startswith("data:") or party(host, self.site_domain) == "first":
            return
        key = (event.get("requestId"), url)
        if not self._room(self._requests, key):
            return
        self._requests[key] = _PendingRequest(
            url=strip_query_values(url), host=host,
            resource_type=(event.get("type") or "other").lower(), page_url=self.current_page)

    def _on_response(self, event: dict) -> None:
        url = event.get("response", {}).get("url", "")
        pending = self._requests.get((event.get("requestId"), url))
        if pending:
            pending.status = event["response"].get("status")

    def _on_failed(self, event: dict) -> None:
        rid = event.get("requestId")
        chain = self._request_urls.get(rid) or [""]
        pending = self._requests.get((rid, chain[-1]))
        if pending and pending.status is None:
            pending.failure = event.get("errorText") or "failed"

    def _on_extra_info(self, event: dict) -> None:
        headers = event.get("headers") or {}
        url = self._response_url(event.get("requestId"), event.get("statusCode"), headers)
        host = host_of(url)
        now = time.time()
        date = None
        for key, value in headers.items():
            if key.lower() == "date":
                date = _http_date(value)
        for key, value in headers.items():
            if key.lower() != "set-cookie":
                continue
            for line in str(value).split("\n"):
                self._add_write(parse_set_cookie(line[:MAX_LINE], host=host, set_by="header", set_by_url=url,
                                                 at=now, response_date=date))
        for blocked in event.get("blockedCookies") or []:
            cookie = blocked.get("cookie") or {}
            name = cookie.get("name") or blocked.get("cookieLine", "").split("=", 1)[0].strip()
            domain = cookie.get("domain") or host
            reasons = tuple(blocked.get("blockedReasons") or ())
            if (name, domain, reasons) not in self._blocked and not self._room(self._blocked, (name, domain, reasons)):
                continue
            self._blocked.setdefault((name, domain, reasons), BlockedCookie(
                name=name, domain=domain, reasons=reasons, url=strip_query_values(url),
                phase=self.phase, page_url=self.current_page))

    def _response_url(self, request_id, status, headers: dict) -> str:
        """The URL a response's extra info belongs to.

        Extra info carries no URL, and a redirect's may arrive after the next hop
        was requested: a 3xx belongs to the URL just before its Location target.
        """
        chain = self._request_urls.get(request_id) or [""]
        location = next((v for k, v in headers.items() if k.lower() == "location"), None)
        if status and 300 <= int(status) < 400 and location:
            for i in range(len(chain) - 1, 0, -1):
                if urljoin(chain[i - 1], location) == chain[i]:
                    return chain[i - 1]
        return chain[-1]

    def _on_script_write(self, source, payload) -> None:
        if not isinstance(payload, dict):  # the binding is reachable by any page script: trust nothing
            return
        line = str(payload.get("line", ""))[:MAX_LINE]
        page = str(payload.get("page", ""))[:MAX_LINE]
        self._add_write(parse_set_cookie(line, host=host_of(page), set_by="script",
                                         set_by_url=str(payload.get("script") or page)[:MAX_LINE], at=time.time()))

    def _add_write(self, write: CookieWrite | None) -> None:
        if write is None:
            return
        self._writes.append(write)  # the oldest writes give way: a later cookie matches a recent write
        if not write.deletes and len(self.attempted) < 50 * self.limit:
            self.attempted.add((write.name, write.domain.lstrip(".")))

    def _room(self, kept: dict, ident) -> bool:
        """True while `kept` may grow; once it is full, counts each record it could not keep, once."""
        if len(kept) < self.limit:
            return True
        if len(self._dropped) < 50 * self.limit:
            self._dropped.add((id(kept), ident))
        return False

    @property
    def dropped(self) -> int:
        return len(self._dropped)

    def cookie_keys(self) -> frozenset:
        """The cookies recorded so far, by (name, domain, path, partition)."""
        return frozenset(self._cookies)

    # -- snapshots after each page ---------------------------------------
    def snapshot(self, context, page) -> None:
        self.snapshot_cookies()
        self._snapshot_storage(page)

    def snapshot_cookies(self) -> None:
        for session in reversed(self._sessions):  # the newest page's session that still answers
            try:
                cookies = session.send("Network.getAllCookies")["cookies"]
                break
            except Exception:  # that page is closed (or crashed): its session died with it
                continue
        else:
            return
        now = time.time()
        for c in cookies:
            partition = c.get("partitionKey")
            key = (c["name"], c["domain"], c.get("path", "/"), str(partition) if partition else "")
            if key in self._cookies or not self._room(self._cookies, key):
                continue
            write = self._latest_write(c["name"], c["domain"])
            session = bool(c.get("session")) or c.get("expires", -1) in (-1, 0)
            set_at = write.at if write else now
            stored = None if session else max(0.0, c["expires"] - set_at)
            requested = write.requested_lifetime_s if write else stored
            self._cookies[key] = ObservedCookie(
                name=c["name"], domain=c["domain"], path=c.get("path", "/"),
                secure=bool(c.get("secure")), http_only=bool(c.get("httpOnly")),
                same_site=c.get("sameSite"), partitioned=bool(partition), session=session,
                requested_lifetime_s=requested, stored_lifetime_s=stored,
                party=party(c["domain"], self.site_domain),
                registrable_domain=registrable_domain(c["domain"]),
                set_by=write.set_by if write else "unknown",
                set_by_url=strip_query_values(write.set_by_url) if write else None,
                phase=self.phase, page_url=self.current_page,
                value_hash=hash_value(c.get("value", "")),
                requested_lifetime_text=write.lifetime_text if write else None)

    def _latest_write(self, name: str, domain: str) -> CookieWrite | None:
        bare = domain.lstrip(".")
        for write in reversed(self._writes):
            if write.name == name and not write.deletes and write.domain.lstrip(".") == bare:
                return write
        return None

    def _snapshot_storage(self, page) -> None:
        for frame in list(page.frames):
            if not frame.url:
                continue  # not committed yet (a slow iframe): evaluating there would wait for the commit
            try:
                dump = frame.evaluate(STORAGE_JS)
            except Exception:  # detached or cross-process frame: nothing readable now
                continue
            origin = dump.get("origin") or ""
            if not origin.startswith("http"):
                continue
            for kind in ("local", "session"):
                for key, value in dump.get(kind) or []:
                    ident = (origin, kind, key)
                    if ident not in self._storage and self._room(self._storage, ident):
                        self._storage[ident] = StorageItem(
                            origin=origin, kind=kind, key=key, value_hash=hash_value(value),
                            party=party(host_of(origin), self.site_domain),
                            phase=self.phase, page_url=self.current_page)

    # -- the collector lifecycle (scanner.collect.collectors) ---------------
    def after_page(self, context, page, visit) -> None:
        if visit.ok:
            self.snapshot(context, page)
        else:
            # Keep the cookies the page set before failing. Not its storage: evaluating
            # in a frame whose navigation never commits would wait for ever.
            self.snapshot_cookies()

    def finish(self, context, page) -> None:
        self.snapshot(context, page)

    def result(self) -> dict[str, object]:
        cookies, blocked, storage, requests = self.results()
        return {"cookies": cookies, "blocked_cookies": blocked, "storage": storage, "requests": requests,
                "cookies_attempted": len(self.attempted), "records_dropped": self.dropped}

    # -- hand back ---------------------------------------------------------
    def results(self) -> tuple[tuple[ObservedCookie, ...], tuple[BlockedCookie, ...],
                               tuple[StorageItem, ...], tuple[ObservedRequest, ...]]:
        requests = tuple(ObservedRequest(
            url=r.url, host=r.host, registrable_domain=registrable_domain(r.host),
            resource_type=r.resource_type, phase=self.phase, page_url=r.page_url,
            status=r.status, failure=r.failure if r.status is None else None)
            for r in self._requests.values())
        return (tuple(self._cookies.values()), tuple(self._blocked.values()),
                tuple(self._storage.values()), requests)


def _http_date(value: str) -> float | None:
    from email.utils import parsedate_to_datetime
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
