"""CLI commands: explain (what the knowledge base says about a cookie name)."""
from __future__ import annotations

import json

import typer

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scanner.knowledge.cookies import KnownCookie
from scanner.common.terminal import console as terminal_console, safe_markup as escape


def register(app: typer.Typer) -> None:
    app.command("explain")(explain_command)


def explain_command(
    name: str = typer.Argument(..., help="cookie name or storage key"),
    as_json: bool = typer.Option(False, "--json", help="print JSON for machines"),
) -> None:
    """Print what is known about a cookie name: every matching row, with its source."""
    from scanner.collect.consent.rules import consent_cookie_patterns  # here: `--help` loads none of these
    from scanner.knowledge.classify import Classifier
    from scanner.knowledge.cookies import load_knowledge_base

    kb = load_knowledge_base()
    classifier = Classifier(kb, consent_patterns=consent_cookie_patterns())
    rows = kb.lookup(name)
    verdict = classifier.classify(name)
    heuristic = classifier.heuristic(name)
    if as_json:
        print(json.dumps({
            "name": name,
            "classification": {"category": verdict.category, "source": verdict.source,
                               "vendor": verdict.vendor, "purpose": verdict.purpose},
            "heuristic": heuristic.name if heuristic else None,
            "rows": [_row_dict(name, r) for r in rows],
        }, indent=2, ensure_ascii=False))
        return
    console = terminal_console(highlight=False)
    console.print(f"[bold]{escape(name)}[/bold]: {verdict.category} ({escape(verdict.source)}), "
                  "before any site's declared table or config")
    for i, r in enumerate(rows, 1):
        d = _row_dict(name, r)
        console.print(escape(f"  {i}. {d['match']}: {r.category} [{r.source_category}], "
                             f"{r.vendor or '?'}: {r.purpose}"))
        console.print(escape(f"     retention {r.retention or '?'}; {d['source']}"))
    if not rows:
        console.print("  not in the knowledge base")
    if heuristic is not None:
        console.print(f"heuristic {heuristic.name}: {heuristic.purpose}")
    if verdict.category == "unknown":
        console.print("unknown: before consent it is reported for review, never assumed necessary")


def _row_dict(name: str, r: KnownCookie) -> dict:
    exact = not r.wildcard and r.name == name
    source = f"{r.source} {r.ref}" + (f" ({r.note})" if r.note else "")
    match = f"wildcard {r.pattern}" if r.wildcard else ("exact" if exact else f"exact, other case: {r.name}")
    return {"match": match,
            "pattern": r.pattern, "category": r.category, "source_category": r.source_category,
            "vendor": r.vendor, "platform": r.platform, "purpose": r.purpose, "retention": r.retention,
            "domain": r.domain, "privacy_link": r.privacy_link, "source": source}
