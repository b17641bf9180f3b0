"""Retention parsing: every phrasing in the seed documents plus the four languages' units."""
from __future__ import annotations

import pytest

from scanner.common.durations import DAY_S, MONTH_S, YEAR_S
from scanner.declared.retention import parse_retention

WEEK = 7 * DAY_S


@pytest.mark.parametrize("text, seconds", [
    # 000 cookie table (FR)
    ("3 Mois", 3 * MONTH_S), ("13 Mois", 13 * MONTH_S), ("13 mois", 13 * MONTH_S),
    ("1 Semaine", WEEK), ("1 Mois", MONTH_S),
    # the four languages' units
    ("13 mesi", 13 * MONTH_S), ("13 Monate", 13 * MONTH_S), ("1 Woche", WEEK), ("2 years", 2 * YEAR_S),
    ("24 heures", DAY_S), ("1 an", YEAR_S), ("un an", YEAR_S), ("2 ans", 2 * YEAR_S), ("1 Jahr", YEAR_S),
    ("2 Jahre", 2 * YEAR_S), ("1 anno", YEAR_S), ("30 jours", 30 * DAY_S), ("30 giorni", 30 * DAY_S),
    ("30 Tage", 30 * DAY_S), ("7 days", 7 * DAY_S), ("2 settimane", 2 * WEEK), ("2 Wochen", 2 * WEEK),
    ("30 minutes", 1800), ("30 Minuten", 1800), ("1 hour", 3600), ("12 Stunden", 12 * 3600),
    ("6 months", 6 * MONTH_S), ("1,5 an", 1.5 * YEAR_S), ("thirteen months", 13 * MONTH_S),
    # bounded durations are durations (the bound is the lifetime a cookie may not exceed)
    ("massimo 13 mesi", 13 * MONTH_S), ("max. 13 Monate", 13 * MONTH_S), ("jusqu'à 13 mois", 13 * MONTH_S),
    ("jusqu’à 13 mois", 13 * MONTH_S), ("up to 2 years", 2 * YEAR_S), ("13 Monate", 13 * MONTH_S),
])
def test_durations(text, seconds):
    parsed = parse_retention(text)
    assert (parsed.kind, parsed.seconds, parsed.text) == ("duration", pytest.approx(seconds), text)


@pytest.mark.parametrize("text", ["Session", "session", "Sitzung", "sessione", "end of session",
                                  "fin de session", "fine della sessione", "Cookie de session",
                                  "Browsersitzung"])
def test_sessions(text):
    assert parse_retention(text).kind == "session"


@pytest.mark.parametrize("text", [
    # 001 / 002 processing tables and the brief
    "Durata del rapporto contrattuale + 3 mesi", "Durata del rapporto contrattuale + 10 anni",
    "<p>Sino alla revoca del consenso</p>", "Sino alla cancellazione da parte dell'utente",
    "3 Monate nach Ende der Vertragsbeziehung", "Bis zur Einlegung eines Widerspruchs",
    "Bis zur Beantragung der Löschung", "3 Jahre ab der Telekonsultation",
    "jusqu'à la révocation du consentement", "until consent is withdrawn",
    "durant toute la durée de notre collaboration",
])
def test_relative_retentions_are_not_comparable(text):
    parsed = parse_retention(text)
    assert (parsed.kind, parsed.seconds, parsed.text) == ("relative", None, text)


@pytest.mark.parametrize("text", [
    "persistent", "", "13 moiss", "forever-ish", "n/a",
    # two lifetimes in one cell: neither is the cookie's, so nothing is guessed
    "Für die Verbindungs-Logs: 6 Monate Für die IP-Adresse: 1 Jahr ab dem Tag der Registrierung",
    "Per i registri di connessione: 6 mesi a partire dalla connessione Per l'indirizzo IP: 1 anno",
])
def test_unknown_is_kept_never_guessed(text):
    parsed = parse_retention(text)
    assert (parsed.kind, parsed.seconds, parsed.text) == ("unknown", None, text)


def test_month_and_year_are_consistent():
    """12 months are a year, and 13 months (CNIL's ceiling) stay under Chromium's 400-day cap."""
    assert parse_retention("12 mois").seconds == parse_retention("1 an").seconds
    assert 395 * DAY_S < parse_retention("13 mois").seconds < 400 * DAY_S
