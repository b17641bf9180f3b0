"""Pure checks on one outgoing request: typed values and first-party paths inside it.

The behaviour collector calls these on every request to a third party while the
request is in memory; only the verdicts (which value, which encoding, which
path) are kept, never the URL's values, the body or the headers.
"""
from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, quote_plus, unquote, urlsplit

from scanner.common.domains import host_of, party

# Synthetic values the key-logging step types (never real data, never submitted).
PROBE_VALUES = {
    "email": "camille.probe@example.org",
    "name": "Camille Probenom",
    "phone": "0612345678",
    "search": "dermatologue probe",
}
ENCODINGS = ("plain", "url", "base64", "md5", "sha1", "sha256")
MAX_SCANNED_CHARS = 256 * 1024  # a recording upload can be big; beyond this nothing is searched

FIRST_PARTY_URL = re.compile(r"https?://([A-Za-z0-9.-]+)(?::\d+)?(/[^\s\"'<>&#?\\]*)?(\?[^\s\"'<>#\\]*)?")
PATH_PARAMS = ("dp", "page", "path", "page_path", "pagepath", "pathname")  # params that carry a bare path


def encoded_variants(values: dict[str, str] = PROBE_VALUES) -> tuple[tuple[str, str, str], ...]:
    """(field, encoding, text) for every value: as typed, URL-encoded, base64, MD5, SHA-1, SHA-256.

    Hashes are of the value and of its trimmed lower-case form (how pixels' advanced
    matching normalises before hashing); both in lower-case hex.
    """
    out: list[tuple[str, str, str]] = []
    for field, value in values.items():
        forms = dict.fromkeys((value, value.strip().lower()))
        out.append((field, "plain", value))
        for encoded in dict.fromkeys((quote(value, safe=""), quote_plus(value), quote(value))):
            if encoded != value:
                out.append((field, "url", encoded))
        for form in forms:
            raw = form.encode()
            out.append((field, "base64", base64.b64encode(raw).decode().rstrip("=")))
            for name in ("md5", "sha1", "sha256"):
                out.append((field, name, hashlib.new(name, raw).hexdigest()))
    return tuple(out)


@dataclass(frozen=True)
class ValueHit:
    field: str
    encoding: str
    channel: str  # "url" | "body" | "header"


def find_values(url: str, body: str, headers: dict, variants) -> list[ValueHit]:
    """Every (field, encoding, channel) of `variants` found in the request; one hit per field and channel."""
    header_text = "\n".join(f"{k}: {v}" for k, v in headers.items())
    hits: list[ValueHit] = []
    for channel, text in (("url", url), ("body", body[:MAX_SCANNED_CHARS]), ("header", header_text)):
        if not text:
            continue
        lowered = text.lower()
        found: set[str] = set()
        for field, encoding, needle in variants:
            if field in found:
                continue
            haystack = text if encoding in ("plain", "base64") else lowered
            if (needle if encoding in ("plain", "base64") else needle.lower()) in haystack:
                found.add(field)
                hits.append(ValueHit(field, encoding, channel))
    return hits


@dataclass(frozen=True)
class PathHit:
    channel: str  # "referer" | "param <name>" | "body"
    path: str
    with_query: bool


def find_paths(url: str, body: str, referer: str | None, site_domain: str) -> list[PathHit]:
    """First-party URLs with a path beyond "/" (the page's address) found in a request to a third party."""
    hits: list[PathHit] = []
    if referer and party(host_of(referer), site_domain) == "first":
        parts = urlsplit(referer)
        if parts.path not in ("", "/"):
            hits.append(PathHit("referer", parts.path, bool(parts.query)))
    for name, value in parse_qsl(urlsplit(url).query, keep_blank_values=False):
        hit = _first_party_path(value, site_domain)
        if hit is None and name.lower() in PATH_PARAMS and value.startswith("/") and len(value) > 1:
            hit = (urlsplit(value).path, "?" in value)
        if hit:
            hits.append(PathHit(f"param {name}", *hit))
    if body:
        hit = _first_party_path(unquote(body[:MAX_SCANNED_CHARS]), site_domain)
        if hit:
            hits.append(PathHit("body", *hit))
    return hits


def _first_party_path(text: str, site_domain: str) -> tuple[str, bool] | None:
    for match in FIRST_PARTY_URL.finditer(text):
        host, path, query = match.group(1), match.group(2) or "", match.group(3) or ""
        if path not in ("", "/") and party(host.lower(), site_domain) == "first":
            return path, bool(query)
    return None
