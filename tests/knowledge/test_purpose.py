"""Purpose-text inference (issue 13): a category from a row's own purpose text, in FR, DE, IT,
EN and ES. The phrasings differ from the untuned fixture policies on purpose."""
from __future__ import annotations

import pytest

from scanner.knowledge.purpose import infer_category, speaks_of_consent

CASES = {
    "fr": [("Permet de rester connecté à votre espace client", "strictly_necessary"),
           ("Protection contre la falsification de requêtes", "strictly_necessary"),
           ("Mémorise votre consentement aux traceurs", "strictly_necessary"),
           ("Répartition de charge entre nos serveurs", "strictly_necessary"),
           ("Statistiques de fréquentation des pages", "analytics"),
           ("Affichage de publicités ciblées", "marketing"),
           ("Lecture des vidéos intégrées", "functional")],
    "de": [("Erkennt angemeldete Nutzer während der Sitzung", "strictly_necessary"),
           ("Speichert die Zustimmung zu Cookies", "strictly_necessary"),
           ("Lastverteilung auf mehrere Server", "strictly_necessary"),
           ("Inhalt des Warenkorbs", "strictly_necessary"),
           ("Erstellt Statistiken über Seitenaufrufe", "analytics"),
           ("Zeigt personalisierte Werbung an", "marketing"),
           ("Live-Chat mit dem Kundenservice", "functional")],
    "it": [("Mantiene l'accesso all'area riservata", "strictly_necessary"),
           ("Registra il consenso espresso dall'utente", "strictly_necessary"),
           ("Prevenzione delle frodi nei pagamenti", "strictly_necessary"),
           ("Misurazione del pubblico del sito", "analytics"),
           ("Annunci pubblicitari personalizzati", "marketing"),
           ("Ricorda la lingua scelta", "strictly_necessary")],
    "en": [("Keeps you logged in between pages", "strictly_necessary"),
           ("Guards forms against CSRF attacks", "strictly_necessary"),
           ("Remembers your cookie choices", "strictly_necessary"),
           ("Counts visits for audience measurement", "analytics"),
           ("Retargeting on partner websites", "marketing"),
           ("Remembers your display preferences", "functional")],
    "es": [("Mantiene la sesión del usuario", "strictly_necessary"),
           ("Guarda el consentimiento del visitante", "strictly_necessary"),
           ("Contenido del carrito de compra", "strictly_necessary"),
           ("Estadísticas de uso del sitio", "analytics"),
           ("Muestra anuncios en redes sociales", "marketing")],
}


@pytest.mark.parametrize("lang,text,category", [(lang, t, c) for lang, rows in CASES.items() for t, c in rows])
def test_each_language(lang, text, category):
    assert infer_category(text) == category


def test_consent_storage_wins_over_the_categories_it_names():
    assert infer_category("Stores your consent to analytics and advertising cookies") == "strictly_necessary"


@pytest.mark.parametrize("text", ["", "   ", "Cookie", "Session recording for usage analysis",
                                  "Identifiant unique"])
def test_no_guess_when_the_text_names_no_category_or_several(text):
    assert infer_category(text) is None


def test_consent_names():
    assert speaks_of_consent("consenso_cookie") and speaks_of_consent("cookie_consent")
    assert speaks_of_consent("Einwilligung") and not speaks_of_consent("panier_id")
