"""Policy document → DeclaredSite: cookie table, subprocessor annex, or what the prose says.

The importer keeps the document's wording (purpose, retention text, country, task) and
records each row's source as "document:line". Where it has to infer (a category from
the section heading, a vendor it does not know), it says so; where it cannot, the row is
a draft for a human to review (`validate` warns "draft: needs review").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from scanner.models import (ANALYTICS, FUNCTIONAL, MARKETING, STRICTLY_NECESSARY, UNKNOWN, DeclaredCookie,
                      DeclaredSite, Subprocessor)
from scanner.declared.retention import parse_retention
from scanner.knowledge.vendors import VendorMap, load_vendor_map
from scanner.declared.document import DocLine, read_document
from scanner.declared.tables import COOKIES, SUBPROCESSORS, Row, Table, find_tables
from scanner.knowledge.purpose import infer_category
from scanner.common.text import fold

PURPOSE_TEXT = "purpose_text"

# Words that state a category, in FR / IT / DE / EN / ES (accent-free, lower-case): in a
# category column or in the heading of the section a row sits under.
_CATEGORY_WORDS = {
    STRICTLY_NECESSARY: r"strictement necessaire|cookies? techniques?|indispensable|strictly necessary|"
                        r"essential|necessary cookies|tecnici|strettamente necessari|necessari\b|unbedingt "
                        r"erforderlich|technisch notwendig|notwendige cookies|essenziell|erforderliche cookies|"
                        r"estrictamente necesari|cookies? tecnicas?|necesarias",
    ANALYTICS: r"analys|analyti|analyz|statisti|estadistic|mesure d'audience|audience measurement|analitic|"
               r"webanalyse|mesure de (la )?frequentation",
    MARKETING: r"publicit|advertis|marketing|ciblage|targeting|pubblicit|werbung|werbe|retargeting|profilazione|"
               r"profilage",
    FUNCTIONAL: r"fonctionnel|functional|preferences|personnalisation|personaliz|personalis|funzional|"
                r"funktional|praferenz|preferenze|preferencias|funcional",
}
# "Please refer to the cookie policy" in the four languages.
_REFERENCE = re.compile(
    r"(riferimento|rinvia|beachten|siehe|consult|voir|reportez|refer|see|verweis).{0,60}"
    r"(informativa|richtlinie|politique|policy|charte|erklarung|hinweise|notice).{0,20}cookie"
    r"|(riferimento|beachten|siehe|consult|voir|reportez|refer|see).{0,40}cookie.{0,20}"
    r"(informativa|richtlinie|politique|policy|charte|erklarung|hinweise|notice)")
_THIRD_PARTY = re.compile(r"third[- ]party|tiers|terze parti|terzi|drittanbieter|dritter")
_PLACEHOLDER = re.compile(r"(<[^>]*>|\[[^\]]*\]|\{[^}]*\}|x{3,}|#{2,}|\.\.\.|…)", re.I)


@dataclass(frozen=True)
class ImportReport:
    site: DeclaredSite
    summary: str  # one line for the terminal
    warnings: tuple[str, ...] = ()


def _plain(text: str) -> str:
    return fold(text)


def categories_in(text: str) -> list[str]:
    """Categories a piece of text names, in a fixed order."""
    plain = _plain(text)
    return [cat for cat, words in _CATEGORY_WORDS.items() if re.search(words, plain)]


# A heading that joins topics ("Cookies und Webanalyse", "Cookies et mesure d'audience") titles
# a document part, not a category of cookies: its rows keep their own evidence.
_JOINED = re.compile(r"\b(and|und|et|e|y|or|ou|oder|o|sowie|ed)\b|&|,|;")


def _heading_category(heading: str) -> str | None:
    """The one category a section heading names as the kind of cookies below it:
    "1. Cookies strictement nécessaires", "Technisch notwendige Cookies", "Cookie tecnici",
    "Strictly necessary". Never a document title that merely mentions a category."""
    plain = _plain(heading or "")
    words = re.sub(r"^[\divx.)\s]+", "", plain).split()
    if not words or _JOINED.search(plain) or len(words) > 8:
        return None
    if not re.search(r"cookie|traceur|tracker", plain) and len(words) > 3:
        return None
    found = categories_in(plain)
    return found[0] if len(found) == 1 else None


def _section_category(table: Table) -> str | None:
    """The one category the heading just above a cookie table states (never the prose around it)."""
    return _heading_category(table.heading)


def cookie_names(cell: str) -> list[str]:
    """Names in a cell: "_ga, _gid" → two; "_ga_<container-id>" → pattern "_ga_*"."""
    parts = [p.strip() for p in re.split(r"\s*(?:,|;|/|\s+et\s+|\s+and\s+|\s+und\s+|\s+e\s+)\s*", cell)]
    names = [p for p in parts if p]
    if len(names) > 1 and any(" " in n for n in names):
        names = [cell.strip()]  # prose, not a list of names: keep it whole for a human
    return [re.sub(r"\*+", "*", _PLACEHOLDER.sub("*", n)) for n in names]


def _row_category(row: Row) -> tuple[str, str]:
    """(category, category_source) of a row: its category cell, else the heading of the section
    it sits under, else what its own purpose text speaks of; never the document at large."""
    stated = categories_in(row.values.get("category", ""))
    if len(stated) == 1:
        return stated[0], "stated"
    section = _heading_category(row.group)
    if section:
        return section, "stated"
    inferred = infer_category(row.values.get("purpose", ""))
    if inferred:
        return inferred, PURPOSE_TEXT
    return UNKNOWN, ""


def _cookies(table: Table, source: str, vendors: VendorMap, warnings: list[str]) -> list[DeclaredCookie]:
    cookies = []
    for row in table.rows:
        written_vendor = row.values.get("vendor", "")
        vendor = vendors.canonical(written_vendor) if written_vendor else None
        category, category_source = _row_category(row)
        retention = parse_retention(row.values.get("retention", ""))
        draft = (category_source != "stated" or retention.kind == "unknown"
                 or (bool(written_vendor) and not vendor))
        for name in cookie_names(row.values.get("name", "")):
            if not name:
                warnings.append(f"{source}:{row.line}: row without a cookie name, skipped")
                continue
            cookies.append(DeclaredCookie(name=name, vendor=vendor or written_vendor,
                                          purpose=row.values.get("purpose", ""), category=category,
                                          retention=retention, source=f"{source}:{row.line}", draft=draft,
                                          category_source=category_source or "stated"))
    return cookies


def _subprocessors(table: Table, source: str) -> list[Subprocessor]:
    return [Subprocessor(name=row.values.get("name", ""), country=row.values.get("country", ""),
                         category=row.values.get("category", "").rstrip(" :"), task=row.values.get("task", ""),
                         source=f"{source}:{row.line}", group=row.group)
            for row in table.rows if row.values.get("name")]


def _prose_note(lines: list[DocLine], source: str) -> tuple[str, str]:
    """(cookie_table kind, notes) for a document without a cookie table."""
    for line in lines:
        if "cookie" in _plain(line.text) and _REFERENCE.search(_plain(line.text)) and len(line.text) < 300:
            return "by_reference", (f"No cookie table: the document refers to a separate cookie policy "
                                    f"({source}:{line.number}: \"{line.text}\").")
    mentions: dict[str, list[int]] = {}
    third_party: list[int] = []
    for line in lines:
        plain = _plain(line.text)
        if "cookie" not in plain:
            continue
        found = categories_in(line.text)
        for category in found:
            mentions.setdefault(category, []).append(line.number)
        if found and _THIRD_PARTY.search(plain):
            third_party.append(line.number)
    if not mentions:
        return "none", "No cookie table and no cookie category stated in the document."
    said = "; ".join(f"{cat} cookies at line{'s' if len(at) > 1 else ''} {', '.join(map(str, at))}"
                     for cat, at in mentions.items())
    parties = f" Third-party cookies mentioned at line(s) {', '.join(map(str, third_party))}." if third_party else ""
    return "none", (f"No cookie table: the policy declares cookies in prose only ({source}: {said}).{parties} "
                    f"Every observed cookie is therefore undeclared.")


def import_report(path: Path | str, site: str, vendors: VendorMap | None = None) -> ImportReport:
    """Import a policy document for `site`, with a one-line summary and warnings."""
    path = Path(path)
    vendors = vendors or load_vendor_map()
    lines = read_document(path)
    source = path.name
    tables = find_tables(lines)
    warnings: list[str] = []
    for table in tables:
        for cell in table.unknown_columns:
            warnings.append(f"{source}:{table.header_line}: unknown column '{cell}' ignored")
        warnings += [f"{source}:{line}: row skipped ({why})" for line, why in table.skipped]
    cookies = [c for t in tables if t.kind == COOKIES for c in _cookies(t, source, vendors, warnings)]
    subprocessors = [s for t in tables if t.kind == SUBPROCESSORS for s in _subprocessors(t, source)]
    cookie_tables = [t for t in tables if t.kind == COOKIES]
    if cookie_tables:
        kind = "table"
        lines_at = ", ".join(str(t.header_line) for t in cookie_tables)
        notes = f"Cookie table at {source}:{lines_at}."
        stated = sum(1 for c in cookies if c.category != UNKNOWN and c.category_source == "stated")
        inferred = sum(1 for c in cookies if c.category_source == PURPOSE_TEXT)
        unknown = sum(1 for c in cookies if c.category == UNKNOWN)
        notes += (f" Categories: {stated} stated by the policy (category column or section heading), "
                  f"{inferred} inferred from the purpose text (category_source: purpose_text), {unknown} unknown.")
        summary = f"{site}: {len(cookies)} cookies from the table at {source}:{lines_at}"
    else:
        kind, notes = _prose_note(lines, source)
        summary = f"{site}: no cookie table in {source} → cookie_table: {kind}"
    if subprocessors:
        groups = len({s.group for s in subprocessors})
        notes += f" Subprocessor annex: {len(subprocessors)} entries in {groups} groups."
        summary += f"; {len(subprocessors)} subprocessors"
    declared = DeclaredSite(site=site, cookie_table=kind, cookies=tuple(cookies),
                            subprocessors=tuple(subprocessors), notes=notes, sources=(source,))
    return ImportReport(declared, summary, tuple(warnings))


def import_document(path: Path | str, site: str) -> DeclaredSite:
    """The declared data a policy document gives for `site`."""
    return import_report(path, site).site
