"""A policy document (plain text, Markdown or HTML) as numbered lines, table rows split into cells.

Cells are separated by tabs, by pipes (Markdown or plain "a | b | c |") or are HTML cells.
Inline HTML inside a text table (`<p><b>Sentry</b></p>`) is reduced to its text.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from scanner.errors import UserError
from scanner.common.limits import POLICY_BYTES, check_size


class DocumentError(UserError):
    """A policy document that cannot be read."""


@dataclass(frozen=True)
class DocLine:
    number: int  # 1-based line in the source document
    text: str  # the line as plain text (tags removed)
    cells: tuple[str, ...] | None = None  # set when the line is a table row
    heading: bool = False  # set for Markdown / HTML headings


# Real HTML tags only: "_ga_<container-id>" in a text table is a name placeholder, not a tag.
_TAG = re.compile(r"</?(?:p|b|i|u|em|strong|span|a|div|li|ul|ol|td|tr|th|table|thead|tbody|h[1-6]|sup|sub|"
                  r"small|font|code|section|article|blockquote)(?:\s[^>]*)?/?>", re.I)


# Markdown strong emphasis and code spans, paired and flanking as CommonMark reads them:
# `**_ga**` and `` `_ga` `` give `_ga`, while `__Host-sid`, `__utma, __utmz` or `_pk_id.*`
# are cookie names and stay verbatim (no closing marker right after a non-space).
_STRONG = re.compile(r"(?<![\w*])(\*\*|__)(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_CODE = re.compile(r"`([^`]+)`")


def clean(text: str) -> str:
    """Plain text of an inline-HTML / Markdown fragment, on one line."""
    text = re.sub(r"<br\s*/?>", " ", text, flags=re.I)
    text = html.unescape(_TAG.sub(" ", text))
    text = _CODE.sub(r"\1", _STRONG.sub(r"\2", text))
    # A soft hyphen (&shy;) is invisible: "Unterauftrags&shy;verarbeiter" is one word.
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u00ad", "")).strip()


def _cells(line: str) -> tuple[str, ...] | None:
    if "\t" in line:
        parts = line.split("\t")
    elif line.count("|") >= 2 or line.lstrip().startswith("|"):
        parts = line.strip().split("|")
        if parts and not parts[0].strip():
            parts = parts[1:]
    else:
        return None
    cells = [clean(p) for p in parts]
    while cells and not cells[-1]:
        cells.pop()
    return tuple(cells) if len(cells) >= 2 else None


_MD_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _text_lines(text: str) -> list[DocLine]:
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if _MD_SEPARATOR.match(raw):
            continue
        stripped = raw.strip()
        is_heading = stripped.startswith("#")
        plain = clean(stripped.lstrip("#")) if is_heading else clean(stripped)
        lines.append(DocLine(number, plain, None if is_heading else _cells(raw), is_heading))
    return lines


class _HtmlLines(HTMLParser):
    """Flattens HTML into lines: one per block, one per table row (cells kept apart)."""

    BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "section", "article",
              "ul", "ol", "table", "thead", "tbody", "caption", "dt", "dd", "header", "footer"}
    SKIP = {"script", "style", "noscript", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[DocLine] = []
        self._text: list[str] = []
        self._start = 1
        self._heading = False
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._row_line = 1
        self._skip = 0

    def _flush(self) -> None:
        text = clean(" ".join(self._text))
        if text:
            self.lines.append(DocLine(self._start, text, None, self._heading))
        self._text, self._heading = [], False
        self._start = self.getpos()[0]

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skip += 1
        elif tag == "tr":
            self._flush()
            self._row, self._row_line = [], self.getpos()[0]
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag in self.BLOCKS and self._cell is None:
            self._flush()
            self._heading = tag in {"h1", "h2", "h3", "h4", "h5", "h6"}

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(clean(" ".join(self._cell)))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            row = list(self._row)
            while row and not row[-1]:
                row.pop()
            if row:
                self.lines.append(DocLine(self._row_line, " | ".join(row), tuple(row) if len(row) >= 2 else None))
            self._row = None
        elif tag in self.BLOCKS and self._cell is None:
            self._flush()

    def handle_data(self, data):
        if self._skip:
            return
        if self._cell is not None:
            self._cell.append(data)
        elif self._row is None:
            if not self._text:
                self._start = self.getpos()[0]
            self._text.append(data)


_HTML_DOCUMENT = re.compile(r"<(html|body|table|tr|td|h[1-6])\b", re.I)


def read_document(path: Path | str) -> list[DocLine]:
    """Numbered lines of a policy document; DocumentError when it is not a readable text."""
    path = Path(path)
    if path.is_dir():
        raise DocumentError(f"{path}: is a directory, not a policy document")
    check_size(path, POLICY_BYTES)  # a 50 MB "policy" took minutes and gigabytes: refuse it in one line
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if b"\x00" in raw[:4096]:
        raise DocumentError(f"{path}: not a text document (binary content)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    if not text.strip():
        raise DocumentError(f"{path}: empty document")
    if _HTML_DOCUMENT.search(text):
        parser = _HtmlLines()
        parser.feed(text)
        parser.close()
        parser._flush()
        return parser.lines
    return _text_lines(text)
