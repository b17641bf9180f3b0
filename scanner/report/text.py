"""Text every renderer shares: control characters made visible (terminals, CSV, XML, Markdown)."""
from __future__ import annotations


def printable(text: str | None) -> str:
    """Text with control characters made visible, for terminals, CSV, XML and Markdown."""
    if text is None:
        return ""
    out = []
    for ch in str(text):
        code = ord(ch)
        if ch in "\n\r\t":
            out.append(" ")
        elif code < 0x20 or 0x7F <= code < 0xA0 or code in (0xFFFE, 0xFFFF):
            out.append(f"\\x{code:02x}")
        else:
            out.append(ch)
    return "".join(out)
