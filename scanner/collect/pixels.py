"""Decode tracking-pixel hits: Meta pixel events, Google Analytics (GA4, Universal) and Google Ads.

Only the event name, the account id, the page the hit names (path only) and the
names of custom-data parameters are kept, never their values. The formats are
the documented ones: Meta's /tr endpoint (id, ev, dl, cd[...]), GA4's
Measurement Protocol (/g/collect: tid, en, dl, ep.*; a POST body holds one hit
per line), Universal Analytics (/collect: tid, t, dl/dp, ec/ea) and Google Ads
conversion tags (/pagead/conversion/<id>/, /pagead/viewthroughconversion/<id>/).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

GOOGLE_ADS_PATH = re.compile(r"/pagead/(?:viewthrough)?conversion/(\d+)/?")


@dataclass(frozen=True)
class Hit:
    vendor: str
    pixel_id: str
    event: str
    page: str
    parameters: tuple[str, ...] = ()


def decode(url: str, body: str = "") -> list[Hit]:
    """The pixel hits one request carries (empty for anything that is not a known pixel)."""
    parts = urlsplit(url)
    host, path = (parts.hostname or "").lower(), parts.path
    query = dict(parse_qsl(parts.query))
    if _is(host, "facebook.com") and path.rstrip("/") == "/tr":
        params = {**query, **dict(parse_qsl(body))} if body and "=" in body else query
        custom = tuple(sorted(k for k in params if k.startswith("cd[")))
        return [Hit("Meta pixel", params.get("id", ""), params.get("ev", ""), _path(params.get("dl", "")), custom)]
    if (_is(host, "google-analytics.com") or _is(host, "analytics.google.com")) and path.endswith("/g/collect"):
        lines = [line for line in (body or "").splitlines() if line.strip()] or [""]
        hits = []
        for line in lines:
            params = {**query, **dict(parse_qsl(line))}
            custom = tuple(sorted(k for k in params if k.startswith(("ep.", "epn.", "up."))))
            hits.append(Hit("Google Analytics 4", params.get("tid", ""), params.get("en", ""),
                            _path(params.get("dl", "")), custom))
        return hits
    if _is(host, "google-analytics.com") and path.endswith(("/collect", "/j/collect", "/r/collect")):
        params = {**query, **dict(parse_qsl(body))} if body and "=" in body else query
        event = params.get("t", "")
        if event == "event":
            event = f"event {params.get('ec', '')}/{params.get('ea', '')}".rstrip("/")
        page = _path(params.get("dl", "")) or params.get("dp", "")
        return [Hit("Universal Analytics", params.get("tid", ""), event, page)]
    match = GOOGLE_ADS_PATH.search(path)
    if match and (_is(host, "doubleclick.net") or _is(host, "googleadservices.com") or _is(host, "google.com")):
        event = "remarketing" if "viewthrough" in path else "conversion"
        label = query.get("label")
        return [Hit("Google Ads", "AW-" + match.group(1), f"{event} {label}" if label else event,
                    _path(query.get("url", "")))]
    return []


def _is(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def _path(url: str) -> str:
    """The path of a page URL a hit names (its query may hold personal data: dropped)."""
    return urlsplit(url).path if url else ""
