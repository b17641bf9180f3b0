"""Page- and file-controlled text is inert in the terminal (issue 14)."""
from __future__ import annotations

import io

from scanner.common.terminal import console, safe, safe_markup, shorten

HOSTILE = "k\x1b[31mred\x1b]0;pwned\x07\x9b2J\u202egpj.exe\r\nnext"


def test_safe_leaves_no_control_character():
    out = safe(HOSTILE)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or c == "\u202e" for c in out)
    assert "\\x1b[31m" in out and "\\x1b]0;pwned\\x07" in out and "\\u202e" in out and "\n" not in out


def test_markup_and_emoji_codes_stay_text():
    buffer = io.StringIO()
    c = console(file=buffer, width=200, color_system=None)
    c.print(f"[red]error:[/red] {safe_markup('declared/cookies.yaml:100: [bold]x[/bold] :smile:')}")
    assert buffer.getvalue().strip() == "error: declared/cookies.yaml:100: [bold]x[/bold] :smile:"


def test_shorten_keeps_both_ends_and_says_how_long():
    url = "https://a.test/" + "x" * 100_000 + "/end"
    short = shorten(url, 200)
    assert len(short) <= 200 and short.startswith("https://a.test/") and short.endswith("/end")
    assert "100,019 chars" in short
