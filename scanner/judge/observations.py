"""A ScanResult as pandas frames: one row per observation.

Reconciliation, diffs and the renderers' inventories all work on these
frames, so a nightly run over many sites and pages stays vectorised.
The frames hold no cookie values (the scan result already keeps only hashes).
"""
from __future__ import annotations

import pandas as pd

from scanner.models import ScanResult

COOKIE_COLUMNS = (
    "name", "domain", "host", "path", "secure", "http_only", "same_site", "session",
    "requested_lifetime_s", "stored_lifetime_s", "party", "registrable_domain",
    "set_by", "set_by_url", "phase", "page_url",
)
STORAGE_COLUMNS = ("name", "origin", "host", "kind", "party", "phase", "page_url")
REQUEST_COLUMNS = (
    "url", "host", "registrable_domain", "resource_type", "phase", "page_url", "status", "failure",
)
PAGE_COLUMNS = ("url", "phase", "ok", "error", "http_status")


def cookie_frame(scan: ScanResult) -> pd.DataFrame:
    rows = [
        (c.name, c.domain, c.domain.lstrip("."), c.path, c.secure, c.http_only, c.same_site, c.session,
         c.requested_lifetime_s, c.stored_lifetime_s, c.party, c.registrable_domain,
         c.set_by, c.set_by_url, c.phase, c.page_url)
        for p in scan.phases for c in p.cookies
    ]
    frame = pd.DataFrame(rows, columns=list(COOKIE_COLUMNS))
    for col in ("requested_lifetime_s", "stored_lifetime_s"):
        frame[col] = frame[col].astype("float64")
    frame["session"] = frame["session"].astype(bool)
    return frame


def storage_frame(scan: ScanResult) -> pd.DataFrame:
    rows = [
        (s.key, s.origin, _origin_host(s.origin), s.kind, s.party, s.phase, s.page_url)
        for p in scan.phases for s in p.storage
    ]
    return pd.DataFrame(rows, columns=list(STORAGE_COLUMNS))


def request_frame(scan: ScanResult) -> pd.DataFrame:
    rows = [
        (r.url, r.host, r.registrable_domain, r.resource_type, r.phase, r.page_url, r.status, r.failure)
        for p in scan.phases for r in p.requests
    ]
    return pd.DataFrame(rows, columns=list(REQUEST_COLUMNS))


def page_frame(scan: ScanResult) -> pd.DataFrame:
    rows = [(v.url, v.phase, v.ok, v.error, v.http_status) for p in scan.phases for v in p.pages]
    return pd.DataFrame(rows, columns=list(PAGE_COLUMNS))


def scan_frames(scan: ScanResult) -> dict[str, pd.DataFrame]:
    """The raw inventories, before classification."""
    return {
        "cookies": cookie_frame(scan),
        "storage": storage_frame(scan),
        "requests": request_frame(scan),
        "pages": page_frame(scan),
    }


def _origin_host(origin: str) -> str:
    rest = origin.split("://", 1)[-1]
    return rest.split("/", 1)[0].split(":", 1)[0].lower()
