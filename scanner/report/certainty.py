"""How sure a report is: the declared side's status.

A DPO reading "declared" must know whether a person wrote that row or an import guessed
it: rows imported as drafts, rows whose policy states no category, categories inferred
from a purpose text are counted here and shown by every human-facing renderer. Where each
observed cookie's category came from is the Judgement's `category_source`.
"""
from __future__ import annotations

from scanner.models import UNKNOWN, DeclaredSite


def declared_status(declared: DeclaredSite | None) -> str:
    """One line: "loaded, 12 cookie rows: 3 imported as drafts (to review); ..."."""
    if declared is None:
        return "none (inventory not compared)"
    rows = declared.cookies
    if not rows:
        return {"by_reference": "loaded, no cookie table (the policy refers to another document)",
                "none": "loaded, no cookie table (every cookie is undeclared)"}.get(declared.cookie_table,
                                                                                    "loaded, no cookie rows")
    parts = [f"{n} {what}" for n, what in (
        (sum(1 for c in rows if c.draft), "imported as drafts (to review)"),
        (sum(1 for c in rows if c.category == UNKNOWN), "without a stated category (classified from other evidence)"),
        (sum(1 for c in rows if c.category_source == "purpose_text"), "with a category inferred from the purpose text"),
    ) if n]
    return f"loaded, {len(rows)} cookie rows" + (": " + "; ".join(parts) if parts else ", all stated by the policy")
