"""A category inferred from a cookie's own purpose text (FR, DE, IT, EN, ES).

Weakest evidence short of "unknown": used by `declared import` and `declared draft`
(written as `category_source: purpose_text` so a human sees it is a guess) and by the
classifier for a declared row whose policy states no category. Only the row's own
purpose text is read, never the document around it.
"""
from __future__ import annotations

import re

from scanner.common.text import fold
from scanner.models import ANALYTICS, FUNCTIONAL, MARKETING, STRICTLY_NECESSARY

# Storing the visitor's consent choice is exempt (CNIL délibération 2020-091 §50); it wins
# over every other word, since such texts also name the categories consented to.
CONSENT_WORDS = (r"consent|einwilligung|zustimmung|consenso|consentimiento|cookie[- ]?choices?|choix (en matiere )?"
                 r"de cookies|cookie[- ]?(preferences|einstellungen|settings)|preferences (de|en matiere de) cookies|"
                 r"preferenze (sui|dei|relative ai) cookie|scelte (sui|dei|relative ai) cookie|"
                 r"preferencias de cookies")

_WORDS = {
    # CNIL exemptions: a session or login the user asked for, security, fraud prevention,
    # load balancing, the interface language, a shopping basket.
    STRICTLY_NECESSARY: r"session|sitzung|sesion|\blog ?in\b|logged in|connexion|connecte|angemeldet|anmeld|"
                        r"eingeloggt|accesso|autentica|authenti|identifica l'utente|security|securite|"
                        r"sicherheit|sicurezza|seguridad|csrf|xsrf|forgery|falsification|contrefacon|fraud|"
                        r"betrug|frod[ei]|load[- ]balanc|repartition de (la )?charge|equilibrage de charge|"
                        r"lastverteil|bilanciamento del carico|balanceo de carga|equilibrio de carga|"
                        r"\bpanier|basket|\bcart\b|warenkorb|carrello|carrito|\blangue\b|language|sprache|"
                        r"\blingua\b|idioma",
    ANALYTICS: r"statisti|estadistic|audience|audiencia|analyt|analys|analiz|analitic|mesure|measurement|"
               r"messung|misurazion|medicion|reichweite|frequentation|besucherzahl|visitor count",
    MARKETING: r"advertis|publicit|werbung|werbe|pubblicit|retarget|reciblage|remarketing|social media|"
               r"reseaux sociaux|soziale(n)? (netzwerke|medien)|social network|redes sociales|ciblage|targeting|"
               r"\bannonces?\b|anzeigen|annunci|anuncios|personalised ads|profilage|profilazione",
    FUNCTIONAL: r"preference|praferenz|preferenz|\bchat\b|video|personnalis|personalis|personaliz|"
                r"kundenservice|assistenza",
}
_CONSENT = re.compile(CONSENT_WORDS)
_COMPILED = {category: re.compile(words) for category, words in _WORDS.items()}


def speaks_of_consent(text: str) -> bool:
    """True when a name or purpose text is about storing a consent choice."""
    return bool(text) and _CONSENT.search(fold(text).replace("_", " ")) is not None


def infer_category(purpose: str) -> str | None:
    """The one category a purpose text speaks of, or None when it names none or several."""
    if not purpose or not purpose.strip():
        return None
    plain = fold(purpose)
    if speaks_of_consent(plain):
        return STRICTLY_NECESSARY
    found = [category for category, regex in _COMPILED.items() if regex.search(plain)]
    if MARKETING in found and FUNCTIONAL in found:
        found.remove(FUNCTIONAL)  # "personalised ads" are ads
    return found[0] if len(found) == 1 else None
