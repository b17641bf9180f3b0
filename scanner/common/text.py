"""Text folding shared by everything that matches words across languages."""
from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower case, accents removed, typographic apostrophe made plain: "Durée d’un Mois" -> "duree d'un mois"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().replace("\u2019", "'")


def first_line(exc: BaseException, limit: int = 300) -> str:
    """The first line of an exception's message (its type when it has none), at most `limit` characters:
    Playwright errors carry a whole call log after the first line."""
    lines = str(exc).strip().splitlines()
    return (lines[0] if lines else type(exc).__name__)[:limit]
