"""Text every renderer shares: control characters made visible (terminals, CSV, XML, Markdown)."""
from __future__ import annotations

from scanner.common.terminal import safe


def printable(text: str | None) -> str:
    """Text with control characters (C0, C1, ESC/OSC, bidi overrides) made visible, on one line."""
    return safe(text)
