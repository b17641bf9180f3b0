"""The shape of cookiescan.toml, checked before anything reads it.

tomllib hands back plain dicts with no line numbers, so a problem is located
by scanning the text: the section it belongs to (`[[site]]` number N, its
`[site.login]`...) and the line where its key is written. Unknown keys are
errors naming the closest known key: a misspelt `pagez` must not silently
scan with the default.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Callable

from scanner.models import CATEGORIES, SEVERITIES


@dataclass(frozen=True)
class Problem:
    path: tuple  # e.g. ("site", 0, "login", "steps", 1, "action")
    message: str


# A rule takes the value and returns a message when it is wrong, else None.
Rule = Callable[[object], "str | None"]


def text() -> Rule:
    return lambda v: None if isinstance(v, str) else f"expected a string, got {_kind(v)}"


def whole(minimum: int, maximum: int) -> Rule:
    def rule(v):
        if isinstance(v, bool) or not isinstance(v, int):
            return f"expected a whole number, got {_kind(v)}"
        if not minimum <= v <= maximum:
            return f"must be between {minimum} and {maximum}, got {v}"
        return None
    return rule


def flag() -> Rule:
    return lambda v: None if isinstance(v, bool) else f"expected true or false, got {_kind(v)}"


def one_of(choices) -> Rule:
    return lambda v: (f"expected a string, got {_kind(v)}" if not isinstance(v, str) else
                      None if v in choices else f"{v!r} is not one of {', '.join(choices)}")


def strings() -> Rule:
    def rule(v):
        if isinstance(v, str):  # iterating it would give one pattern per letter
            return f"expected a list of strings, got a string (write [\"{_short(v)}\"] for one item)"
        if not isinstance(v, list):
            return f"expected a list of strings, got {_kind(v)}"
        bad = next((x for x in v if not isinstance(x, str)), None)
        return f"expected a list of strings, found {_kind(bad)}" if bad is not None else None
    return rule


STEP = {"action": text(), "selector": text(), "value": text(), "url": text()}
LOGIN = {
    "login_url": text(), "username_env": text(), "password_env": text(), "steps": ("list", STEP),
    "storage_state": text(), "success_selector": text(), "success_url": text(), "expired_selector": text(),
    "app_paths": strings(), "deny_patterns": strings(), "after_reject": flag(),
}
SITE = {
    "name": text(), "start_url": text(), "pages": whole(1, 10_000), "declared": text(),
    "accept_selector": text(), "reject_selector": text(), "classify": ("map", one_of(CATEGORIES)),
    "login": ("table", LOGIN), "deny_patterns": strings(), "sensitive_terms": strings(),
}
DEFAULTS = {"pages": whole(1, 10_000), "fail_on": one_of(SEVERITIES), "history": text(), "baseline": text()}
TOP = {"defaults": ("table", DEFAULTS), "site": ("list", SITE)}


def check(data: dict) -> list[Problem]:
    """Every problem of a parsed config, in document order of the schema walk."""
    return list(_walk(data, TOP, ()))


def _walk(value, schema, path):
    for key, item in value.items():
        here = path + (key,)
        if key not in schema:
            close = difflib.get_close_matches(str(key), list(schema), n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(schema)})"
            yield Problem(here, f"unknown key {key!r}{hint}")
            continue
        rule = schema[key]
        if callable(rule):
            message = rule(item)
            if message:
                yield Problem(here, f"{key}: {message}")
        elif rule[0] == "table":
            if not isinstance(item, dict):
                yield Problem(here, f"{key}: expected a table, got {_kind(item)}")
            else:
                yield from _walk(item, rule[1], here)
        elif rule[0] == "list":
            if not isinstance(item, list) or not all(isinstance(x, dict) for x in item):
                got = _kind(item) if not isinstance(item, list) else \
                    "a list containing " + _kind(next(x for x in item if not isinstance(x, dict)))
                yield Problem(here, f"{key}: expected a list of tables ([[{'.'.join(_names(here))}]]), got {got}")
            else:
                for i, entry in enumerate(item):
                    yield from _walk(entry, rule[1], here + (i,))
        elif rule[0] == "map":
            if not isinstance(item, dict):
                yield Problem(here, f"{key}: expected a table, got {_kind(item)}")
            else:
                for name, v in item.items():
                    message = rule[1](v)
                    if message:
                        yield Problem(here + (name,), f"{key}.{name}: {message}")


def _names(path) -> list[str]:
    return [p for p in path if isinstance(p, str)]


def _kind(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"the string {_short(value)!r}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return {dict: "a table", list: "a list"}.get(type(value), type(value).__name__)


def _short(value: str) -> str:
    return value if len(value) <= 40 else value[:37] + "..."


# ------------------------------------------------------------ locating ---

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def line_of(source: str, path: tuple) -> int | None:
    """The 1-based line where `path` is written, found by scanning the text (tomllib keeps no positions)."""
    lines = source.splitlines()
    start, end = 0, len(lines)
    # Narrow to the N-th [[site]] block (and the N-th [[site.login.steps]] inside it) when the path says so.
    tables = []
    for i, part in enumerate(path):
        if isinstance(part, int):
            tables.append((".".join(_names(path[:i])), part))
    for name, index in tables:
        found = [n for n in range(start, end) if _is_array_header(lines[n], name)]
        if index < len(found):
            start = found[index]
            following = [n for n in range(start + 1, end) if _is_array_header(lines[n], name)]
            end = following[0] if following else end
    keys = [p for p in path if isinstance(p, str)]
    for key in reversed(keys):
        pattern = re.compile(r'(^|[\s{,.])["\']?' + re.escape(str(key)) + r'["\']?\s*=')
        header = re.compile(r"^\s*\[\[?\s*([\w.\"' -]*\.)?[\"']?" + re.escape(str(key)) + r"[\"']?\s*\]")
        for n in range(start, end):
            if pattern.search(lines[n]) or header.search(lines[n]):
                return n + 1
    return start + 1 if tables else None


def _is_array_header(line: str, name: str) -> bool:
    m = _HEADER.match(line)
    return bool(m) and m.group(1) == "[[" and m.group(2).replace(" ", "") == name
