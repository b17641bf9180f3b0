"""Text a page or a user file controls, made inert for a terminal.

A storage key `\\x1b]0;pwned\\x07` retitles the terminal, `\\x1b[31m` recolours
it, a bidi override (U+202E) makes `gpj.exe` read `exe.jpg`, rich reads
`[red]` as markup and `:100:` as an emoji. Every command prints such text
through `safe` (control characters made visible, one line) and a console from
`console()` (no emoji codes, no highlighting); with markup on, use `safe_markup`.
"""
from __future__ import annotations

from rich.console import Console
from rich.markup import escape

# Bidirectional controls: embeddings/overrides, isolates, marks.
BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
LINE_BREAKS = frozenset("\n\r\t\u2028\u2029\x85")


def safe(text, limit: int | None = None) -> str:
    """One printable line: C0, DEL, C1 (ESC, OSC, CSI included) and bidi controls shown as escapes.

    `limit` shortens the result to that many characters, keeping both ends.
    """
    if text is None:
        return ""
    out = []
    for ch in str(text):
        code = ord(ch)
        if ch in LINE_BREAKS:
            out.append(" ")
        elif code < 0x20 or 0x7F <= code < 0xA0 or code in (0xFFFE, 0xFFFF) or 0xD800 <= code < 0xE000:
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        elif ch in BIDI:
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    line = "".join(out)
    return shorten(line, limit) if limit else line


def safe_markup(text, limit: int | None = None) -> str:
    """`safe`, then escaped for rich markup: for page text inside a markup string."""
    return escape(safe(text, limit))


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters; the middle gives way ("https://a.example/…(98,765 chars)…/end")."""
    if len(text) <= limit:
        return text
    keep = max(limit - 24, 2)
    head, tail = text[: keep * 2 // 3], text[len(text) - keep // 3:]
    return f"{head}…({len(text):,} chars)…{tail}"


def console(*, stderr: bool = False, **options) -> Console:
    """A rich console that never turns `:name:` into an emoji nor highlights numbers in page text."""
    options.setdefault("emoji", False)
    options.setdefault("highlight", False)
    return Console(stderr=stderr, **options)
