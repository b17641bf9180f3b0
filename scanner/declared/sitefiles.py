"""declared/<site>/: the human-edited files (site.yaml, cookies.yaml, subprocessors.yaml).

One pass reads a site folder into a `DeclaredSite` and lists every problem with file and
line; `validate` reports them all, `load_declared` refuses a folder with an error.
The format is documented in declared/README.md.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from scanner.errors import UserError
from scanner.models import CATEGORIES, DeclaredCookie, DeclaredSite, Subprocessor
from scanner.declared.families import family_pattern
from scanner.declared.retention import mentions_duration, parse_retention
from scanner.knowledge.vendors import VendorMap, load_vendor_map
from scanner.common.yamllines import Located, YamlFileError, locate_list, locate_mapping, read_yaml
from scanner.common.terminal import safe

SITE_FILE = "site.yaml"
COOKIES_FILE = "cookies.yaml"
SUBPROCESSORS_FILE = "subprocessors.yaml"
SITE_FIELDS = ("site", "cookie_table", "notes", "sources")
COOKIE_FIELDS = ("name", "vendor", "purpose", "category", "category_source", "retention", "source", "draft")
# How a row's category is known: stated by the policy, or inferred from its purpose text.
CATEGORY_SOURCES = ("stated", "purpose_text")
SUBPROCESSOR_FIELDS = ("name", "country", "category", "task", "group", "source", "draft")
COOKIE_TABLE_KINDS = ("table", "none", "by_reference")
# Characters a cookie name cannot hold (RFC 6265 token), "*" aside: it is our wildcard.
_BAD_NAME = re.compile(r"[\s;,=\"()<>@:/\[\]?{}\\]")


def is_declarable_name(name: str) -> bool:
    """A name `validate` accepts in cookies.yaml: not empty, no separators, quotes, brackets or controls."""
    return bool(name.strip()) and not _BAD_NAME.search(name) and all(ch.isprintable() for ch in name)


class DeclaredFileError(UserError):
    """A declared/ file with an error; the message names file and line."""


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str
    severity: str  # "error" | "warning"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.severity}: {self.message}"


class _Collector:
    """Problems found; a message quotes the file's text, so it is made one inert line here."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def error(self, path: Path, line: int, message: str) -> None:
        self.problems.append(Problem(str(path), line, safe(message), "error"))

    def warning(self, path: Path, line: int, message: str) -> None:
        self.problems.append(Problem(str(path), line, safe(message), "warning"))


def read_site(site_dir: Path, vendors: VendorMap | None = None, kb=None) -> tuple[DeclaredSite | None, list[Problem]]:
    """Read one site folder: (the site, or None when unusable; every problem found).

    With a knowledge base `kb`, a declared name that is the stem of a known cookie family
    gets a warning suggesting the explicit pattern."""
    site_dir = Path(site_dir)
    vendors = vendors or load_vendor_map()
    out = _Collector()
    header = _read_header(site_dir, out)
    cookies = _read_list(site_dir / COOKIES_FILE, out, lambda item: _cookie(item, site_dir / COOKIES_FILE, out))
    subprocessors = _read_list(site_dir / SUBPROCESSORS_FILE, out,
                               lambda item: _subprocessor(item, site_dir / SUBPROCESSORS_FILE, out, vendors))
    _check_duplicates(site_dir / COOKIES_FILE, cookies, out)
    if kb is not None:
        _suggest_families(site_dir / COOKIES_FILE, cookies, kb, out)
    for extra in sorted(site_dir.iterdir()) if site_dir.is_dir() else []:
        if extra.name not in (SITE_FILE, COOKIES_FILE, SUBPROCESSORS_FILE) and not extra.name.startswith("."):
            out.warning(extra, 1, "unexpected file in a declared site folder (ignored)")
    if header is None:
        return None, out.problems
    if header["kind_ok"] and header["cookie_table"] == "none" and cookies:
        out.error(site_dir / SITE_FILE, header["line"],
                  "cookie_table is 'none' but cookies.yaml lists cookies")
    if header["kind_ok"] and header["cookie_table"] == "table" and not cookies:
        out.warning(site_dir / COOKIES_FILE, 1, "cookie_table is 'table' but no cookie is listed")
    site = DeclaredSite(site=header["site"], cookie_table=header["cookie_table"],
                        cookies=tuple(c for c, _ in cookies), subprocessors=tuple(subprocessors),
                        notes=header["notes"], sources=header["sources"])
    return site, out.problems


def _load(path: Path, out: _Collector):
    try:
        return read_yaml(path)
    except YamlFileError as exc:
        out.error(path, _line_in(str(exc)), str(exc).split(": ", 1)[-1])
        return None, None


def _line_in(message: str) -> int:
    found = re.match(r"^.*?:(\d+):", message)
    return int(found.group(1)) if found else 1


def _unknown_fields(item: Located, known: tuple[str, ...], path: Path, out: _Collector) -> None:
    for key in item.values:
        if key not in known:
            out.error(path, item.line_of(key), f"unknown field '{key}' (known: {', '.join(known)})")
    for key, line in item.duplicate_keys:
        out.error(path, line, f"field '{key}' given twice")


def _read_header(site_dir: Path, out: _Collector) -> dict | None:
    path = site_dir / SITE_FILE
    if not path.is_file():
        out.error(path, 1, "missing site.yaml (site, cookie_table, notes, sources)")
        return None
    data, root = _load(path, out)
    item = locate_mapping(data, root) if root is not None else None
    if item is None:
        if root is not None or data is not None:
            out.error(path, 1, "site.yaml must be a mapping (site, cookie_table, notes, sources)")
        elif not any(p.file == str(path) for p in out.problems):
            out.error(path, 1, "site.yaml is empty")
        return None
    _unknown_fields(item, SITE_FIELDS, path, out)
    site = str(item.values.get("site") or "").strip()
    if not site:
        out.error(path, item.line, "missing 'site'")
    elif site != site_dir.name:
        out.error(path, item.line_of("site"), f"site '{site}' does not match its folder '{site_dir.name}'")
    kind = item.values.get("cookie_table")
    if kind not in COOKIE_TABLE_KINDS:
        out.error(path, item.line_of("cookie_table"),
                  f"cookie_table must be one of {', '.join(COOKIE_TABLE_KINDS)} (got {kind!r})")
        kind = None
    sources = item.values.get("sources") or []
    if not isinstance(sources, list):
        out.error(path, item.line_of("sources"), "'sources' must be a list")
        sources = []
    return {"site": site or site_dir.name, "cookie_table": kind or "none", "kind_ok": kind is not None, "notes": str(item.values.get("notes") or ""),
            "sources": tuple(str(s) for s in sources), "line": item.line_of("cookie_table")}


def _read_list(path: Path, out: _Collector, make) -> list:
    if not path.is_file():
        return []
    data, root = _load(path, out)
    if root is None:
        return []
    if not isinstance(data, list):
        out.error(path, root.start_mark.line + 1, "expected a list of entries (or [] for none)")
        return []
    made = []
    for item in locate_list(data, root):
        if not isinstance(item, Located):
            out.error(path, item[1], "an entry must be a mapping of fields")
            continue
        result = make(item)
        if result is not None:
            made.append(result)
    return made


def _text(item: Located, key: str) -> str:
    value = item.values.get(key)
    return "" if value is None else str(value).strip()


def _cookie(item: Located, path: Path, out: _Collector) -> tuple[DeclaredCookie, int] | None:
    _unknown_fields(item, COOKIE_FIELDS, path, out)
    name = _text(item, "name")
    if not name:
        out.error(path, item.line, "cookie without a 'name'")
        return None
    if not is_declarable_name(name):
        out.error(path, item.line_of("name"), f"'{name}' is not a cookie name or pattern")
    draft = item.values.get("draft", False)
    if not isinstance(draft, bool):
        out.error(path, item.line_of("draft"), "'draft' must be true or false")
        draft = True
    category = _text(item, "category") or "unknown"
    if category not in CATEGORIES:
        out.error(path, item.line_of("category"),
                  f"unknown category '{category}' (one of {', '.join(CATEGORIES)})")
    category_source = _text(item, "category_source") or "stated"
    if category_source not in CATEGORY_SOURCES:
        out.error(path, item.line_of("category_source"),
                  f"unknown category_source '{category_source}' (one of {', '.join(CATEGORY_SOURCES)})")
        category_source = "stated"
    if "retention" not in item.values:
        out.error(path, item.line, f"cookie '{name}' has no 'retention'")
    retention = parse_retention(_text(item, "retention"))
    if retention.kind == "unknown":
        what = "bad duration" if mentions_duration(retention.text) or not draft else "unknown retention"
        message = f"{what} '{retention.text}' for '{name}' (expected e.g. Session, 13 mois, 1 Woche, 2 years)"
        (out.warning if draft else out.error)(path, item.line_of("retention"), message)
    if draft:
        out.warning(path, item.line, f"draft: needs review ('{name}')")
    source = _text(item, "source") or f"{path}:{item.line}"
    cookie = DeclaredCookie(name=name, vendor=_text(item, "vendor"), purpose=_text(item, "purpose"),
                            category=category if category in CATEGORIES else "unknown",
                            retention=retention, source=source, draft=draft, row=f"{path}:{item.line}",
                            category_source=category_source)
    return cookie, item.line


def _subprocessor(item: Located, path: Path, out: _Collector, vendors: VendorMap) -> Subprocessor | None:
    _unknown_fields(item, SUBPROCESSOR_FIELDS, path, out)
    name = _text(item, "name")
    if not name:
        out.error(path, item.line, "subprocessor without a 'name'")
        return None
    if vendors.canonical(name) is None:
        out.warning(path, item.line_of("name"), f"'{name}' is not in the vendor map (scanner/knowledge/data/vendors.yaml)")
    if item.values.get("draft"):
        out.warning(path, item.line, f"draft: needs review ('{name}')")
    return Subprocessor(name=name, country=_text(item, "country"), category=_text(item, "category"),
                        task=_text(item, "task"), source=_text(item, "source") or f"{path}:{item.line}",
                        group=_text(item, "group"))


def _check_duplicates(path: Path, cookies: list[tuple[DeclaredCookie, int]], out: _Collector) -> None:
    first_line: dict[str, int] = {}
    for cookie, line in cookies:
        if cookie.name in first_line:
            out.error(path, line, f"duplicate cookie '{cookie.name}' (first at line {first_line[cookie.name]})")
        else:
            first_line[cookie.name] = line


def _suggest_families(path: Path, cookies: list[tuple[DeclaredCookie, int]], kb, out: _Collector) -> None:
    declared = {cookie.name for cookie, _ in cookies}
    for cookie, line in cookies:
        pattern = family_pattern(cookie.name, kb)
        if pattern and pattern not in declared:
            out.warning(path, line, f"'{cookie.name}' is the stem of the cookie family '{pattern}' and is read as "
                                    f"covering its members: write name: '{pattern}' to say so explicitly")


def load_declared(site_dir: Path | str) -> DeclaredSite:
    """The declared site in `site_dir`; DeclaredFileError (file:line) on the first error."""
    site_dir = Path(site_dir)
    if not site_dir.is_dir():
        raise DeclaredFileError(f"{site_dir}: no such declared site folder")
    site, problems = read_site(site_dir)
    errors = [p for p in problems if p.severity == "error"]
    if errors or site is None:
        first = errors[0] if errors else Problem(str(site_dir), 1, "unreadable", "error")
        more = f" (and {len(errors) - 1} more: run `cookiescan declared validate`)" if len(errors) > 1 else ""
        raise DeclaredFileError(f"{first.file}:{first.line}: {first.message}{more}")
    return site


def find_declared(site: str, root: Path = Path("declared")) -> DeclaredSite | None:
    """The declared data of `site` under `root`, or None when the site has no folder."""
    site_dir = Path(root) / site
    return load_declared(site_dir) if (site_dir / SITE_FILE).is_file() else None


def site_dirs(root: Path) -> list[Path]:
    """Site folders under `root` (or `root` itself when it is one)."""
    root = Path(root)
    if not root.is_dir():
        raise DeclaredFileError(f"{root}: no such folder")
    if (root / SITE_FILE).exists():
        return [root]
    return sorted(d for d in root.iterdir() if d.is_dir() and not d.name.startswith("."))


def validate(root: Path | str) -> list[Problem]:
    """Every problem in every site folder under `root`, with file and line."""
    from scanner.knowledge.cookies import load_knowledge_base
    vendors, kb = load_vendor_map(), load_knowledge_base()
    problems: list[Problem] = []
    for site_dir in site_dirs(Path(root)):
        problems += read_site(site_dir, vendors, kb)[1]
    return problems


# ------------------------------------------------------------------ writing ---

def _dump(rows: list[dict] | dict) -> str:
    return yaml.safe_dump(rows, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False)


def _cookie_row(c: DeclaredCookie) -> dict:
    row = {"name": c.name, "vendor": c.vendor, "purpose": c.purpose, "category": c.category}
    if c.category_source == "purpose_text":  # a guess: said so beside the category, for the reviewer
        row["category_source"] = c.category_source
    return row | {"retention": c.retention.text, "source": c.source, "draft": c.draft}


def write_declared(site: DeclaredSite, site_dir: Path | str) -> None:
    """Write `site` as site.yaml, cookies.yaml and subprocessors.yaml in `site_dir`."""
    site_dir = Path(site_dir)
    site_dir.mkdir(parents=True, exist_ok=True)
    header = {"site": site.site, "cookie_table": site.cookie_table, "notes": site.notes,
              "sources": list(site.sources)}
    (site_dir / SITE_FILE).write_text(
        f"# Declared data of {site.site}: see declared/README.md for the format.\n" + _dump(header),
        encoding="utf-8")
    cookies = [_cookie_row(c) for c in site.cookies]
    if site.cookie_table == "table":
        intro = "# Cookie table as declared by the site."
    elif site.cookie_table == "by_reference":
        intro = ("# No cookie table in the imported documents: they refer to another cookie policy.\n"
                 "# Until it is imported, every observed cookie is reported as undeclared.")
    else:
        intro = "# The site declares no cookie table: every observed cookie is reported as undeclared."
    (site_dir / COOKIES_FILE).write_text(f"{intro}\n" + (_dump(cookies) if cookies else "[]\n"),
                                         encoding="utf-8")
    subprocessors = [{"name": s.name, "country": s.country, "category": s.category, "task": s.task,
                      "group": s.group, "source": s.source} for s in site.subprocessors]
    (site_dir / SUBPROCESSORS_FILE).write_text(
        "# Subprocessors (data processors) the site declares.\n"
        + (_dump(subprocessors) if subprocessors else "[]\n"), encoding="utf-8")
