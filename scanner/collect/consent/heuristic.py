"""The multilingual fallback for banners no rule knows: button texts by language.

Phrases are matched against a button's whole (normalised, lower-case) text,
or, for multi-word phrases, its start or end. Earlier phrases win within a
language, so "tout accepter" beats "accepter". A button counts only inside
something that reads like a consent notice (`NOTICE_WORDS`), so "Accepter"
on a form elsewhere is never clicked. A reject with no direct button goes
through the settings screen ("Paramétrer" -> "Tout refuser").
"""
from __future__ import annotations

ACCEPT = {
    "fr": ["tout accepter", "accepter tout", "accepter et fermer", "accepter et continuer", "accepter les cookies",
           "tout autoriser", "autoriser tous les cookies", "j'accepte", "accepter", "ok pour moi"],
    "de": ["alle akzeptieren", "alles akzeptieren", "alle cookies akzeptieren", "alle zulassen", "alle annehmen",
           "akzeptieren und schließen", "akzeptieren und weiter", "ich stimme zu", "einverstanden", "zustimmen",
           "akzeptieren", "annehmen"],
    "it": ["accetta tutto", "accetta tutti", "accetta tutti i cookie", "accetta i cookie", "consenti tutti",
           "accetta e chiudi", "accetto", "accetta"],
    "en": ["accept all", "accept all cookies", "allow all", "allow all cookies", "accept cookies", "i accept",
           "i agree", "agree", "accept", "allow"],
    "es": ["aceptar todo", "aceptar todas", "aceptar todas las cookies", "aceptar cookies", "permitir todas",
           "acepto", "aceptar"],
}

REJECT = {
    "fr": ["tout refuser", "refuser tout", "refuser tous les cookies", "refuser les cookies", "refuser et fermer",
           "continuer sans accepter", "je refuse", "refuser", "non merci"],
    "de": ["alle ablehnen", "alles ablehnen", "alle cookies ablehnen", "nur notwendige cookies akzeptieren",
           "nur essenzielle cookies akzeptieren", "nur notwendige cookies", "nur notwendige", "nur essenzielle",
           "weiter ohne einwilligung", "ohne zustimmung fortfahren", "ablehnen"],
    "it": ["rifiuta tutto", "rifiuta tutti", "rifiuta tutti i cookie", "continua senza accettare", "solo necessari",
           "rifiuta", "rifiuto"],
    "en": ["reject all", "reject all cookies", "decline all", "deny all", "refuse all", "continue without accepting",
           "only necessary", "necessary only", "necessary cookies only", "reject", "decline", "deny", "refuse"],
    "es": ["rechazar todo", "rechazar todas", "rechazar todas las cookies", "continuar sin aceptar",
           "solo necesarias", "rechazar"],
}

SETTINGS = {
    "fr": ["paramétrer", "personnaliser", "paramètres", "gérer mes choix", "gérer les cookies", "gérer mes préférences"],
    "de": ["einstellungen", "cookie-einstellungen", "individuelle einstellungen", "anpassen", "mehr optionen",
           "details anzeigen"],
    "it": ["personalizza", "impostazioni", "gestisci preferenze", "gestisci le preferenze", "preferenze"],
    "en": ["cookie settings", "manage preferences", "manage options", "customize", "customise", "settings",
           "preferences", "more options"],
    "es": ["configurar", "personalizar", "configuración", "gestionar preferencias", "ajustes"],
}

# A button is a consent button only inside text like this (any of the five languages).
NOTICE_WORDS = (r"cookie|consent|consentement|traceur|einwilligung|zustimmung|datenschutz|privacy|"
                r"confidentialit|riservatezza|privacidad|tracker")

KINDS = {"accept": ACCEPT, "reject": REJECT, "settings": SETTINGS}


def pick_argument(order: tuple[str, ...], token: str) -> dict:
    """Argument of page.js `pick`: look for the first kind in `order` that has a button."""
    return {"order": list(order), "kinds": {k: KINDS[k] for k in order}, "words": NOTICE_WORDS, "token": token}
