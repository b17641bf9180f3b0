"""Declarative consent platform rules: one YAML file per platform in rules/.

The file format is described in rules/README.md. Rules are the second layer
after autoconsent, and the source of each platform's consent-storage names.
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from scanner.common import yamllines

RULES_DIR = Path(__file__).resolve().parent / "rules"
TCF = "tcf"  # the generic __tcfapi rule: detection and confirmation only


@dataclass(frozen=True)
class PlatformRule:
    platform: str  # file stem, e.g. "didomi"
    name: str
    autoconsent: tuple[str, ...]
    detect_selectors: tuple[str, ...]
    detect_globals: tuple[str, ...]
    banner: tuple[str, ...]
    accept: tuple[tuple[str, ...], ...]  # alternative flows, each a sequence of clicks
    reject: tuple[tuple[str, ...], ...]
    cookies: tuple[str, ...]
    storage: tuple[str, ...]
    source: str

    def flows(self, action: str) -> tuple[tuple[str, ...], ...]:
        return self.accept if action == "accept" else self.reject


class RuleError(ValueError):
    """A rule file is malformed (a bug in the shipped data, caught by the tests)."""


def _strings(value, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise RuleError(f"{where}: expected a list of strings")
    return tuple(value)


def parse_rule(path: Path) -> PlatformRule:
    data = yamllines.load(path.read_text(encoding="utf-8")) or {}
    where = str(path)
    unknown = set(data) - {"name", "autoconsent", "detect", "banner", "accept", "reject", "cookies", "storage"}
    if unknown:
        raise RuleError(f"{where}: unknown keys {sorted(unknown)}")
    detect = data.get("detect") or {}

    def flows(key: str) -> tuple[tuple[str, ...], ...]:
        raw = data.get(key) or []
        if not isinstance(raw, list):
            raise RuleError(f"{where}: {key} must be a list of flows")
        return tuple(_strings(f, f"{where}: {key}[{i}]") for i, f in enumerate(raw))

    return PlatformRule(
        platform=path.stem,
        name=str(data.get("name") or path.stem),
        autoconsent=_strings(data.get("autoconsent"), f"{where}: autoconsent"),
        detect_selectors=_strings(detect.get("selectors"), f"{where}: detect.selectors"),
        detect_globals=_strings(detect.get("globals"), f"{where}: detect.globals"),
        banner=_strings(data.get("banner"), f"{where}: banner"),
        accept=flows("accept"),
        reject=flows("reject"),
        cookies=_strings(data.get("cookies"), f"{where}: cookies"),
        storage=_strings(data.get("storage"), f"{where}: storage"),
        source=path.name,
    )


@lru_cache(maxsize=1)
def load_rules() -> tuple[PlatformRule, ...]:
    """All platform rules, specific platforms first and the generic TCF rule last."""
    rules = [parse_rule(p) for p in sorted(RULES_DIR.glob("*.yaml"))]
    return tuple(sorted(rules, key=lambda r: (r.platform == TCF, r.platform)))


def rule_for(platform: str | None) -> PlatformRule | None:
    return next((r for r in load_rules() if r.platform == platform), None)


def platform_of_autoconsent(rule_name: str) -> str | None:
    """Our platform id for an autoconsent rule name ("Onetrust" -> "onetrust")."""
    for r in load_rules():
        if rule_name in r.autoconsent:
            return r.platform
    return None


def consent_cookie_patterns() -> dict[str, tuple[str, ...]]:
    """Platform -> names (or "*" patterns) of the cookies that store the visitor's consent choice."""
    return {r.platform: r.cookies for r in load_rules() if r.cookies}


def matches(name: str, patterns) -> bool:
    return any(fnmatch.fnmatchcase(name, p) if "*" in p else name == p for p in patterns)
