"""Text folding shared by everything that matches words across languages."""
from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower case, accents removed, typographic apostrophe made plain: "Durée d’un Mois" -> "duree d'un mois"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().replace("\u2019", "'")
