"""Find cookie tables and subprocessor tables in a document's lines, by their headers.

A header row is recognised by its column names in French, Italian, German or English
("Partenaire / Nom du Cookie / Finalité / Durée de conservation", "Responsabili / Paese di
destinazione / ...", "Unterauftrags- verarbeiter | Bestimmungsland | ..."). Rows with the
header's number of cells follow it; a heading between rows names the group the rows belong
to ("Hosting:", "### Supporto:"); a paragraph of prose ends the table.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from scanner.declared.document import DocLine
from scanner.common.text import fold

COOKIES = "cookies"
SUBPROCESSORS = "subprocessors"


def _key(text: str) -> str:
    """Accent-free, lower-case, hyphen- and space-insensitive form of a header cell."""
    text = fold(text).strip(" :*.")
    return re.sub(r"[\s\-_]+", "", text)


def _vocab(**fields: str) -> dict[str, str]:
    return {_key(word): name for name, words in fields.items() for word in words.split("|")}


COOKIE_HEADERS = _vocab(
    name="nom du cookie|nom des cookies|nom|cookie|cookies|nom du traceur|traceur|cookie name|"
         "name of the cookie|name|nome|nome del cookie|nome cookie|nome dei cookie|cookie-name|"
         "name des cookies|cookiename|bezeichnung",
    vendor="partenaire|partenaires|fournisseur|editeur|emetteur|societe|tiers|partner|partners|vendor|"
           "provider|third party|company|fornitore|terza parte|terze parti|anbieter|drittanbieter|dienst",
    purpose="finalite|finalites|objectif|but|description|purpose|finalita|scopo|descrizione|zweck|"
            "beschreibung|usage|utilisation|function|fonction|funzione",
    retention="duree de conservation|duree|duree de vie|duree de validite|expiration|retention|"
              "retention period|duration|expiry|expiration date|lifetime|lifespan|durata|"
              "durata di conservazione|scadenza|conservazione|speicherdauer|laufzeit|ablauf|ablaufzeit|"
              "gultigkeit|conservation|max-age",
    category="categorie|type|category|categoria|tipo|kategorie|typ|type de cookie|cookie type",
)

SUBPROCESSOR_HEADERS = _vocab(
    name="responsabili|responsabile|responsabili del trattamento|sous-traitant|sous-traitants|"
         "sous-traitants ulterieurs|subprocessor|subprocessors|sub-processor|sub-processors|processor|"
         "processors|unterauftragsverarbeiter|auftragsverarbeiter|dienstleister|prestataire|prestataires|"
         "entite|entity|name|nom|nome|fornitore|fournisseur|vendor|provider|societe|company|unternehmen",
    country="paese di destinazione|paese|pays|pays de destination|country|country of destination|location|"
            "localisation|bestimmungsland|land|sitz|sede|lieu de traitement|lieu d'hebergement|"
            "hosting location|standort",
    category="categoria di servizio interessato|categoria|kategorie des betroffenen services|kategorie|"
             "categorie|category|categorie de service|service category|service|type de service|"
             "tipo di servizio",
    task="tipo di compito svolto|compito|art der erfolgten verarbeitung|art der verarbeitung|taches|tache|"
         "task|tasks|purpose|finalite|prestation|activite|activity|nature du traitement|description|"
         "zweck|tatigkeit|finalita|scopo|services provided|service provided",
)


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str]  # field → cell text
    group: str  # heading above the row ("Hosting", "Supporto"), "" when none


@dataclass(frozen=True)
class Table:
    kind: str  # COOKIES | SUBPROCESSORS
    header_line: int
    columns: tuple[str | None, ...]  # field per column, None for a column we do not know
    header_cells: tuple[str, ...]
    rows: tuple[Row, ...]
    context: str  # heading and prose just above the header
    skipped: tuple[tuple[int, str], ...] = ()  # (line, why) for rows that did not fit
    heading: str = ""  # the heading the table sits under ("" when none)

    @property
    def unknown_columns(self) -> tuple[str, ...]:
        return tuple(cell for cell, field in zip(self.header_cells, self.columns) if field is None)


def header_kind(cells: tuple[str, ...]) -> tuple[str, tuple[str | None, ...]] | None:
    """(kind, field per column) when `cells` is a cookie or subprocessor table header."""
    sub = tuple(SUBPROCESSOR_HEADERS.get(_key(c)) for c in cells)
    if "name" in sub and "country" in sub:
        return SUBPROCESSORS, _first_only(sub)
    cookie = tuple(COOKIE_HEADERS.get(_key(c)) for c in cells)
    if "name" in cookie and len({f for f in cookie if f}) >= 2:
        return COOKIES, _first_only(cookie)
    return None


def _first_only(fields: tuple[str | None, ...]) -> tuple[str | None, ...]:
    """A field named by two columns keeps the first; the second counts as unknown."""
    seen: set[str] = set()
    result = []
    for f in fields:
        result.append(f if f and f not in seen else None)
        if f:
            seen.add(f)
    return tuple(result)


def is_heading(line: DocLine) -> bool:
    """Markdown/HTML heading, a short line ending with ':', or a short line in capitals."""
    if line.heading:
        return True
    text = line.text
    if not text or len(text) > 90:
        return False
    letters = [c for c in text if c.isalpha()]
    return (text.endswith(":") or (len(letters) >= 4 and all(c.isupper() for c in letters))
            or bool(_NUMBERED.match(text)) and not text.endswith("."))


# A numbered section title: "1. Cookies strictement nécessaires", "2) Analytics", "3.1 Werbung".
_NUMBERED = re.compile(r"^(\d+(\.\d+)*[.)]?|[IVX]+[.)])\s+[^\W\d]")


def _group_name(text: str) -> str:
    return text.strip(" #*:").strip()


def find_tables(lines: list[DocLine]) -> list[Table]:
    """Every cookie / subprocessor table in the document, in order."""
    tables: list[Table] = []
    current: dict | None = None
    group, context_start = "", 0

    def close():
        nonlocal current
        if current:
            tables.append(Table(current["kind"], current["line"], current["columns"], current["cells"],
                                tuple(current["rows"]), current["context"], tuple(current["skipped"]),
                                current["group"]))
        current = None

    for index, line in enumerate(lines):
        if line.cells:
            found = header_kind(line.cells)
            if found:
                close()
                context = "\n".join(l.text for l in lines[context_start:index] if not l.cells and l.text)
                current = {"kind": found[0], "columns": found[1], "cells": line.cells, "line": line.number,
                           "rows": [], "skipped": [], "context": context, "group": group}
            elif current and len(line.cells) == len(current["columns"]):
                values = {f: c for f, c in zip(current["columns"], line.cells) if f}
                current["rows"].append(Row(line.number, values, group))
            elif current:
                current["skipped"].append((line.number, f"{len(line.cells)} cells where the header at line "
                                                        f"{current['line']} has {len(current['columns'])}"))
        elif not line.text:
            continue
        elif is_heading(line):
            group, context_start = _group_name(line.text), index
        else:
            close()
    close()
    return tables
