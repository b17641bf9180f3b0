"""HTML report: one self-contained file a DPO can read, print and e-mail.

CSS is inline, screenshots are embedded as data URIs, charts are inline SVG,
nothing is fetched. Jinja2 autoescaping is on for every value, and a
Content-Security-Policy forbids scripts outright, so a cookie named
`<script>...` stays text. Page URLs are shown as text, never as links (a page
may report `javascript:`). Collapsing uses <details>, which needs no script.
"""
from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import jinja2

from scanner.common.durations import format_duration
from scanner.models import Finding
from scanner.report import charts
from scanner.report.kinds import describe
from scanner.report.model import ReportModel

TEMPLATES = Path(__file__).resolve().parent / "templates"
BASELINE_DAYS = 90  # a suggested expiry: long enough to fix, short enough to be looked at again

PHASE_WORDS = {"before_consent": "before consent", "accept": "after “accept all”", "reject": "after “reject all”",
               "authenticated": "logged in (after accept)", "authenticated_reject": "logged in (after reject)"}
CONSENT_WORDS = {"not_applicable": "no choice made", "given": "accepted — took effect",
                 "refused": "refused — took effect", "not_given": "NOT GIVEN — the accept click had no effect",
                 "not_refused": "NOT REFUSED — the reject click had no effect"}


def baseline_entry(f: Finding, started_at: str) -> str:
    """The YAML a team pastes into baseline.yaml to accept this finding (JSON strings are valid YAML)."""
    try:
        expires = date.fromisoformat(started_at[:10]) + timedelta(days=BASELINE_DAYS)
    except ValueError:
        expires = date.today() + timedelta(days=BASELINE_DAYS)
    return (f"- fingerprint: {f.fingerprint}\n  kind: {f.kind}\n  subject: {json.dumps(f.subject)}\n"
            f"  reason: \"…why this is accepted, ticket…\"\n  expires: {expires.isoformat()}")


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["duration"] = format_duration
    env.filters["phase_words"] = lambda phase: PHASE_WORDS.get(phase, (phase or "").replace("_", " "))
    env.filters["consent_words"] = lambda status: CONSENT_WORDS.get(status, status)
    env.globals.update(describe=describe, baseline_entry=baseline_entry, charts=charts)
    return env


def render(model: ReportModel) -> str:
    per_phase = [(p.phase, len(p.inventory), p.third_party_hosts) for p in model.phases]
    return _environment().get_template("report.html.j2").render(m=model, per_phase=per_phase)
