"""Registrable domains (eTLD+1) and first/third-party judgement, offline.

tldextract runs on the Public Suffix List snapshot bundled with it: no
download at scan time.
"""
from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import tldextract

_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@lru_cache(maxsize=65536)
def registrable_domain(host: str) -> str:
    """eTLD+1 of a host or cookie domain ("" for an empty host).

    Hosts under a suffix the list does not know (reserved TLDs such as .test,
    single-label hosts, IP addresses) fall back to their last two labels.
    """
    host = (host or "").strip().lstrip(".").lower().rstrip(".")
    if not host:
        return ""
    parts = _EXTRACT(host)
    if parts.suffix and parts.domain:
        return f"{parts.domain}.{parts.suffix}"
    if host.replace(".", "").isdigit():
        return host
    return ".".join(host.split(".")[-2:])


def party(host_or_domain: str, site_domain: str) -> str:
    return "first" if registrable_domain(host_or_domain) == site_domain else "third"


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def strip_query_values(url: str) -> str:
    """Keep a URL's query as parameter names only: values may carry identifiers."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url.split("?", 1)[0]
    if not parts.query:
        return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    names = list(dict.fromkeys(k for k, _ in parse_qsl(parts.query, keep_blank_values=True)))
    query = urlencode([(k, "") for k in names]) if names else ""
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
