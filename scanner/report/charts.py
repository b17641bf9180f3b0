"""Inline SVG charts for the HTML report: no script, no fetched file, text escaped.

Each chart is an `<svg role="img">` with a <title> that says in words what it
shows, so a screen reader (and axe-core) gets the numbers without the picture.
"""
from __future__ import annotations

from html import escape

from markupsafe import Markup

from scanner.models import PHASES
from scanner.report.kinds import describe
from scanner.report.summary import KindSummary, TrendPoint

# One colour per phase, told apart in grey print too (light to dark).
PHASE_COLOURS = {"before_consent": "#b3261e", "accept": "#1f6feb", "reject": "#2e7d32",
                 "authenticated": "#6f42c1", "authenticated_reject": "#795548", "any": "#57606a"}
SEVERITY_COLOURS = {"high": "#b3261e", "medium": "#b85c00", "low": "#8a6d00", "info": "#4a6a8a"}
WIDTH = 640
FONT = 'font-family="system-ui, sans-serif" font-size="12"'


def _svg(title: str, height: int, body: list[str], chart_id: str) -> Markup:
    return Markup(
        f'<svg role="img" aria-labelledby="{chart_id}-t" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" class="chart"><title id="{chart_id}-t">{escape(title)}</title>'
        + "".join(body) + "</svg>")


def _legend(items: list[tuple[str, str]], y: int) -> list[str]:
    out, x = [], 0
    for label, colour in items:
        out.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}"/>'
                   f'<text x="{x + 16}" y="{y + 11}" {FONT} fill="#1d232a">{escape(label)}</text>')
        x += 30 + 8 * len(label)
    return out


def findings_by_kind(kinds: tuple[KindSummary, ...]) -> Markup | None:
    """One bar per finding kind, split by the phase where each finding was seen."""
    if not kinds:
        return None
    label_w, bar_w, row_h = 170, WIDTH - 170 - 40, 22
    top = max(k.count for k in kinds)
    body, phases_used = [], []
    for i, k in enumerate(kinds):
        y = i * row_h
        body.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" {FONT} fill="#1d232a">'
                    f'{escape(describe(k.kind).label.capitalize())}</text>')
        x = float(label_w)
        for phase, n in k.by_phase:
            w = bar_w * n / top
            colour = PHASE_COLOURS.get(phase, "#57606a")
            body.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="{colour}"/>')
            x += w
            if phase not in phases_used:
                phases_used.append(phase)
        body.append(f'<text x="{x + 4:.1f}" y="{y + 15}" {FONT} fill="#1d232a">{k.count}</text>')
    legend_y = len(kinds) * row_h + 6
    order = [p for p in (*PHASES, "any") if p in phases_used]
    body += _legend([(p.replace("_", " "), PHASE_COLOURS.get(p, "#57606a")) for p in order], legend_y)
    words = "; ".join(f"{k.title}: {k.count} (" + ", ".join(f"{p.replace('_', ' ')} {n}" for p, n in k.by_phase)
                      + ")" for k in kinds)
    return _svg(f"Findings by kind and phase. {words}", legend_y + 20, body, "chart-kinds")


def per_phase(rows: list[tuple[str, int, int]]) -> Markup | None:
    """(phase, cookies and storage keys, third-party hosts): two bars per phase."""
    if not rows:
        return None
    label_w, bar_w, row_h = 150, WIDTH - 150 - 60, 40
    top = max(max(c, t) for _, c, t in rows) or 1
    body = []
    for i, (phase, cookies, hosts) in enumerate(rows):
        y = i * row_h
        body.append(f'<text x="{label_w - 6}" y="{y + 20}" text-anchor="end" {FONT} fill="#1d232a">'
                    f'{escape(phase.replace("_", " "))}</text>')
        for j, (n, colour) in enumerate(((cookies, "#1f6feb"), (hosts, "#b85c00"))):
            w = bar_w * n / top
            body.append(f'<rect x="{label_w}" y="{y + 4 + j * 16}" width="{w:.1f}" height="14" fill="{colour}"/>'
                        f'<text x="{label_w + w + 4:.1f}" y="{y + 15 + j * 16}" {FONT} fill="#1d232a">{n}</text>')
    legend_y = len(rows) * row_h + 4
    body += _legend([("cookies and storage keys", "#1f6feb"), ("third-party hosts", "#b85c00")], legend_y)
    words = "; ".join(f"{p.replace('_', ' ')}: {c} cookies and storage keys, {t} third-party hosts"
                      for p, c, t in rows)
    return _svg(f"What each phase saw. {words}", legend_y + 20, body, "chart-phases")


def trend(points: tuple[TrendPoint, ...]) -> Markup | None:
    """Findings per scan over the last scans (stacked by severity), oldest left."""
    if len(points) < 2:
        return None
    height, base, left = 170, 130, 30
    step = (WIDTH - left - 10) / len(points)
    top = max(p.total for p in points) or 1
    body = [f'<line x1="{left}" y1="{base}" x2="{WIDTH - 10}" y2="{base}" stroke="#57606a"/>',
            f'<text x="0" y="12" {FONT} fill="#1d232a">{top}</text>',
            f'<text x="0" y="{base}" {FONT} fill="#1d232a">0</text>']
    for i, p in enumerate(points):
        x, y = left + i * step + 4, float(base)
        for severity, n in p.counts:
            h = (base - 10) * n / top
            y -= h
            body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{step - 8:.1f}" height="{h:.1f}" '
                        f'fill="{SEVERITY_COLOURS.get(severity, "#57606a")}"/>')
        body.append(f'<text x="{x + (step - 8) / 2:.1f}" y="{base + 14}" text-anchor="middle" {FONT} '
                    f'fill="#1d232a">{escape(p.started_at[5:16].replace("T", " "))}</text>')
    body += _legend([(s, c) for s, c in SEVERITY_COLOURS.items()], base + 24)
    words = "; ".join(f"{p.started_at}: {p.total} findings" for p in points)
    return _svg(f"Findings over the last {len(points)} scans. {words}", height, body, "chart-trend")
