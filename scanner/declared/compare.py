"""Two declared sites side by side: where their subprocessor lists differ.

The Italian and German annexes describe the same list in two languages, so vendors are
matched by canonical vendor (vendor map) or, failing that, by normalised legal name;
countries are compared after mapping "UE"/"EU", "USA", "REGNO UNITO"/"UK"... to one code.
"""
from __future__ import annotations

from dataclasses import dataclass

from scanner.models import DeclaredSite, Subprocessor
from scanner.knowledge.vendors import VendorMap, load_vendor_map, normalise_name

ONLY_IN_A = "only_in_a"
ONLY_IN_B = "only_in_b"
COUNTRY_DIFFERS = "country_differs"
NAME_DIFFERS = "name_differs"
SPELLING_DIFFERS = "spelling_differs"  # same name but for case or spacing ("IQvia" / "IQVIA")
GROUP_DIFFERS = "group_differs"

# Annex group headings in FR / IT / DE / EN → one key, so "Supporto" and "Support" compare equal.
_GROUPS = {
    "hosting": "hosting|hebergement|hosting dei dati",
    "support": "support|supporto|assistance|supporto utenti|kundensupport",
    "telecom": "telecomunicazioni|telekommunikation|telecommunications|telecommunication|telecom",
    "analytics": "analytics|analytique|analisi|analyse|statistiques",
    "marketing": "marketing",
    "finance_legal": "finanziario-legale|finanziario legale|finanzen / recht|finanzen recht|finance / legal|"
                     "finance legal|financier / juridique|financier juridique|finance|finanziario|finanzen",
    "other": "altro|andere|other|others|autres|autre|sonstige",
}
_GROUP_KEY = {word: key for key, words in _GROUPS.items() for word in words.split("|")}

_COUNTRIES = {
    "EU": "ue|eu|union europeenne|unione europea|europaische union|european union|europe|europa|eee|eea|see|ewr",
    "US": "usa|us|united states|etats-unis|etats unis|stati uniti|vereinigte staaten|u.s.a|u.s",
    "GB": "uk|united kingdom|royaume-uni|royaume uni|regno unito|vereinigtes konigreich|grossbritannien|gb",
    "IL": "israel|israele",
    "CH": "suisse|switzerland|svizzera|schweiz",
    "CA": "canada|kanada",
    "IN": "inde|india|indien",
    "FR": "france|francia|frankreich",
    "DE": "allemagne|germania|deutschland|germany",
    "IE": "irlande|irlanda|irland|ireland",
}
_COUNTRY_CODE = {word: code for code, words in _COUNTRIES.items() for word in words.split("|")}


def country_code(text: str) -> str:
    """"REGNO UNITO" → "GB"; unknown wording is returned normalised, never guessed."""
    norm = normalise_name(text)
    return _COUNTRY_CODE.get(norm, norm.upper())


def group_key(group: str) -> str:
    """"Finanziario-Legale" → "finance_legal"; "" when the heading is not a known group."""
    return _GROUP_KEY.get(normalise_name(group), "")


@dataclass(frozen=True)
class SubprocessorDifference:
    kind: str  # ONLY_IN_A | ONLY_IN_B | COUNTRY_DIFFERS | NAME_DIFFERS | SPELLING_DIFFERS | GROUP_DIFFERS
    vendor: str  # canonical vendor (or the legal name when not in the vendor map)
    a: Subprocessor | None
    b: Subprocessor | None
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.vendor}: {self.detail}"


def _key(sub: Subprocessor, vendors: VendorMap) -> str:
    return vendors.canonical(sub.name) or normalise_name(sub.name)


def compare_subprocessors(a: DeclaredSite, b: DeclaredSite,
                          vendors: VendorMap | None = None) -> list[SubprocessorDifference]:
    """Differences between the subprocessor lists of `a` and `b`, in `a`'s order then `b`'s."""
    vendors = vendors or load_vendor_map()
    in_b = {_key(s, vendors): s for s in b.subprocessors}
    seen: set[str] = set()
    differences: list[SubprocessorDifference] = []
    for sub_a in a.subprocessors:
        key = _key(sub_a, vendors)
        seen.add(key)
        sub_b = in_b.get(key)
        where_a = f"{a.site} {sub_a.source}"
        if sub_b is None:
            differences.append(SubprocessorDifference(
                ONLY_IN_A, key, sub_a, None, f"'{sub_a.name}' listed by {where_a}, not by {b.site}"))
            continue
        where_b = f"{b.site} {sub_b.source}"
        if country_code(sub_a.country) != country_code(sub_b.country):
            differences.append(SubprocessorDifference(
                COUNTRY_DIFFERS, key, sub_a, sub_b,
                f"country '{sub_a.country}' ({where_a}) vs '{sub_b.country}' ({where_b})"))
        if sub_a.name != sub_b.name:
            kind = NAME_DIFFERS if normalise_name(sub_a.name) != normalise_name(sub_b.name) else SPELLING_DIFFERS
            differences.append(SubprocessorDifference(
                kind, key, sub_a, sub_b, f"'{sub_a.name}' ({where_a}) vs '{sub_b.name}' ({where_b})"))
        group_a, group_b = group_key(sub_a.group), group_key(sub_b.group)
        if group_a and group_b and group_a != group_b:
            differences.append(SubprocessorDifference(
                GROUP_DIFFERS, key, sub_a, sub_b,
                f"group '{sub_a.group}' ({where_a}) vs '{sub_b.group}' ({where_b})"))
    for key, sub_b in in_b.items():
        if key not in seen:
            differences.append(SubprocessorDifference(
                ONLY_IN_B, key, None, sub_b, f"'{sub_b.name}' listed by {b.site} {sub_b.source}, not by {a.site}"))
    return differences
