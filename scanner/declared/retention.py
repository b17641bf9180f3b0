"""Declared retentions ("13 mois", "1 Woche", "Session"...) → `Retention`.

Four languages (FR, IT, DE, EN). A retention is one of:
- session:  the cookie ends with the browser session ("Session", "Sitzung", "sessione");
- duration: one number and one unit, optionally bounded ("max. 13 Monate", "jusqu'à 13 mois");
- relative: tied to an event rather than a clock ("jusqu'à la révocation du consentement",
  "Durata del rapporto contrattuale + 3 mesi"): not a cookie lifetime, so not comparable;
- unknown:  anything else, kept verbatim and flagged, never guessed.

Units (scanner.common.durations): a year is 365.25 days and a month a twelfth of it,
so that "13 mois" (CNIL's ceiling) is 395.7 days and "12 months" equals "1 year".
"""
from __future__ import annotations

import html
import re

from scanner.models import Retention
from scanner.common.durations import DAY_S, MONTH_S, YEAR_S
from scanner.common.text import fold

# Unit words, accent-free and lower-case, per unit length in seconds.
_UNITS: dict[float, tuple[str, ...]] = {
    1.0: ("s", "sec", "secs", "second", "seconds", "seconde", "secondes", "secondo", "secondi",
          "sekunde", "sekunden"),
    60.0: ("min", "mins", "minute", "minutes", "minuto", "minuti", "minuten"),
    3600.0: ("h", "hr", "hrs", "hour", "hours", "heure", "heures", "ora", "ore", "std", "stunde",
             "stunden"),
    DAY_S: ("d", "day", "days", "j", "jour", "jours", "giorno", "giorni", "gg", "tag", "tage",
            "tagen"),
    7 * DAY_S: ("w", "wk", "week", "weeks", "semaine", "semaines", "settimana", "settimane",
                "woche", "wochen"),
    MONTH_S: ("month", "months", "mois", "mese", "mesi", "monat", "monate", "monaten"),
    YEAR_S: ("y", "yr", "yrs", "year", "years", "an", "ans", "annee", "annees", "anno", "anni",
             "jahr", "jahre", "jahren"),
}
_UNIT_SECONDS = {word: seconds for seconds, words in _UNITS.items() for word in words}

_NUMBER_WORDS = {
    "one": 1, "un": 1, "une": 1, "uno": 1, "una": 1, "un'": 1, "ein": 1, "eine": 1, "einen": 1,
    "einem": 1, "two": 2, "deux": 2, "due": 2, "zwei": 2, "three": 3, "trois": 3, "tre": 3,
    "drei": 3, "six": 6, "sei": 6, "sechs": 6, "twelve": 12, "douze": 12, "dodici": 12,
    "zwolf": 12, "thirteen": 13, "treize": 13, "tredici": 13, "dreizehn": 13,
}

_SESSION = re.compile(
    r"^(?:(?:the|la|le|de|di|der|des|du|fin|end|ende|fine|durata|duree|dauer|until|jusqu'a|"
    r"fino|bis|of|della|alla|a|al|zum|zur|browser|navigateur|cookie|de la)\s+)*"
    r"(?:session|sessions|sessione|sitzung|browsersitzung|sitzungsende|sitzungscookie|"
    r"session cookie|cookie de session)"
    r"(?:\s+(?:cookie|only|uniquement|seulement|del browser|du navigateur|des browsers))*$")

# Words a bound may put before the number: "max. 13 Monate", "jusqu'à 13 mois", "up to 2 years".
_BOUND = (r"(?:(?:max(?:imum|imal|\.)?|massimo|massima|hochstens|au plus|au maximum|"
          r"jusqu'a|up to|fino a|bis zu|a|di|de|pour|for|per|fur|pendant|during|durant|"
          r"duree de|durata di|dauer von|valid for|valable|expires? (?:after|in)|"
          r"expire (?:apres|au bout de)|scade dopo|lauft ab nach|nach)\s*)*")

_AMOUNT = r"(\d+(?:[.,]\d+)?|" + "|".join(re.escape(w) for w in sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_UNIT = r"(" + "|".join(re.escape(w) for w in sorted(_UNIT_SECONDS, key=len, reverse=True)) + r")\.?"
_DURATION_ONLY = re.compile(rf"^{_BOUND}{_AMOUNT}\s*(?:\(\d+\)\s*)?{_UNIT}$")
_DURATION_ANY = re.compile(rf"(?<![\w']){_AMOUNT}\s*{_UNIT}(?!\w)")

# Events a retention can hang on: contract, consent, objection, deletion, account closure...
_RELATIVE = re.compile(
    r"revocation|retrait du consentement|retire|consentement|revoca|consenso|widerruf|"
    r"einwilligung|withdraw|consent|opposition|opposizione|widerspruch|objection|"
    r"contrat|contractuel|contrattual|vertrag|contract|relation|rapporto|beziehung|"
    r"suppression|cancellazione|loschung|deletion|delete|compte|account|konto|"
    r"jusqu'(?:a|au|aux) (?:la|le|l'|ce|ce que|votre|vos)|jusqu'a ce|until|fino al|fino alla|"
    r"sino al|sino alla|bis zur|bis zum|after the end|apres la fin|nach ende|dopo la fine|"
    r"collaboration|resiliation|termination|kundigung|cessazione|"
    r"\bab (?:der|dem|ihrer|seiner)\b|a partire d|a compter d|from the date|dalla data")


def _normalise(text: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    text = fold(text).replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip(" .;:,")


def _amount(word: str) -> float:
    if word in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[word])
    return float(word.replace(",", "."))


def parse_retention(text: str) -> Retention:
    """Normalise a declared retention; the original wording is always kept in `text`."""
    original = (text or "").strip()
    norm = _normalise(original)
    if not norm:
        return Retention(original, "unknown")
    if _SESSION.match(norm):
        return Retention(original, "session")
    only = _DURATION_ONLY.match(norm)
    if only:
        return Retention(original, "duration", _amount(only.group(1)) * _UNIT_SECONDS[only.group(2)])
    if len(_DURATION_ANY.findall(norm)) > 1:
        # "6 mois pour les journaux, 1 an pour l'adresse IP": several lifetimes, none is the cookie's.
        return Retention(original, "unknown")
    if _RELATIVE.search(norm):
        return Retention(original, "relative")
    return Retention(original, "unknown")


def describe(retention: Retention) -> str:
    """Short human reading: "13 mois (395.7 d)", "Session (session)", "… (relative)"."""
    if retention.kind == "duration" and retention.seconds is not None:
        return f"{retention.text} ({retention.seconds / DAY_S:.4g} d)"
    return f"{retention.text} ({retention.kind})"


def mentions_duration(text: str) -> bool:
    """True when the text contains something shaped like a duration ("13 mois")."""
    return _DURATION_ANY.search(_normalise(text)) is not None
