"""Which pages of a site to visit: same-site links, breadth-first, deterministic."""
from __future__ import annotations

import re
from urllib.parse import unquote, urldefrag, urlsplit, urlunsplit

from scanner.common.domains import registrable_domain
from scanner.common.text import fold

SKIPPED_EXTENSIONS = (
    ".pdf", ".zip", ".gz", ".jpg", ".jpeg", ".png", ".gif", ".svg", ".webp", ".ico", ".css", ".js",
    ".xml", ".json", ".ics", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".mp4", ".mp3", ".dmg", ".exe",
)


def normalise(url: str) -> str | None:
    """Canonical form used to deduplicate links; None for links we never follow."""
    if not isinstance(url, str):
        return None
    try:
        url, _ = urldefrag(url.strip())
        parts = urlsplit(url)
        hostname, port = parts.hostname, parts.port  # .port raises on "host:99999" or "host:abc"
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not hostname:
        return None
    netloc = hostname.lower()
    if port and port not in (80, 443):
        netloc += f":{port}"
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))


def is_denied(url: str, deny_patterns) -> bool:
    """True for a link never to follow (logout, delete, cancel...).

    A pattern matches at the start of a word of the URL's path or query, so
    "logout" denies /logout and ?action=logout, "delete" denies /deleteAccount,
    "sign-out" also denies /sign_out and /signout, "déconnexion" /deconnexion;
    "esci" does not deny /rescission.
    """
    parts = urlsplit(url)
    words = [w for w in re.split(r"[^a-z0-9]+", fold(unquote(parts.path + " " + parts.query))) if w]
    # Two neighbouring words joined: "sign" + "out" -> "signout".
    candidates = words + [a + b for a, b in zip(words, words[1:])]
    for pattern in deny_patterns:
        needle = re.sub(r"[^a-z0-9]", "", fold(pattern))
        if needle and any(c.startswith(needle) for c in candidates):
            return True
    return False


def follow_candidates(links: list[str], site_domain: str, deny_patterns, seen: set[str]) -> list[str]:
    """The links of one page worth queueing, in document order, without repeats."""
    out = []
    for link in links:
        url = normalise(link)
        if not url or url in seen or url in out:
            continue
        parts = urlsplit(url)
        if registrable_domain(parts.hostname or "") != site_domain:
            continue
        if parts.path.lower().endswith(SKIPPED_EXTENSIONS) or is_denied(url, deny_patterns):
            continue
        out.append(url)
    return out


LINKS_JS = "els => els.map(e => e.href).filter(h => typeof h === 'string')"


def page_links(page) -> list[str]:
    try:
        return page.eval_on_selector_all("a[href]", LINKS_JS)
    except Exception:  # a page that navigated away or crashed has no links to give
        return []
