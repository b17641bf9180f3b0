"""HTML report: one self-contained file a DPO can e-mail.

CSS is inline, screenshots are embedded as data URIs, nothing is fetched.
Jinja2 autoescaping is on for every value, and a Content-Security-Policy
forbids scripts outright, so a cookie named `<script>...` stays text.
Page URLs are shown as text, never as links (a page may report `javascript:`).
"""
from __future__ import annotations

from pathlib import Path

import jinja2

from scanner.common.durations import format_duration
from scanner.report.model import ReportModel

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["duration"] = format_duration
    return env


def render(model: ReportModel) -> str:
    return _environment().get_template("report.html.j2").render(m=model)
