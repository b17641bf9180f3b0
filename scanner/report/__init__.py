"""Reports: one model (`build_report`), many renderers chosen by name (`render`).

    model = build_report(scan, findings, declared, scan_dir=scan_path.parent)
    html = render("html", model)
"""
from __future__ import annotations

from typing import Callable

from scanner.errors import UserError
from scanner.report import csv_report, html, json_report, junit, markdown, sarif, terminal
from scanner.report.model import ReportModel, build_report

# name -> (renderer, file extension)
RENDERERS: dict[str, tuple[Callable[[ReportModel], str], str]] = {
    "html": (html.render, "html"),
    "json": (json_report.render, "json"),
    "csv": (csv_report.render, "csv"),
    "md": (markdown.render, "md"),
    "sarif": (sarif.render, "sarif"),
    "junit": (junit.render, "xml"),
    "terminal": (terminal.render, "txt"),
}
FORMATS = tuple(RENDERERS)


def render(fmt: str, model: ReportModel) -> str:
    if fmt not in RENDERERS:
        raise UserError(f"unknown report format {fmt!r} (choose from {', '.join(FORMATS)})")
    return RENDERERS[fmt][0](model)


def extension(fmt: str) -> str:
    if fmt not in RENDERERS:
        raise UserError(f"unknown report format {fmt!r} (choose from {', '.join(FORMATS)})")
    return RENDERERS[fmt][1]


__all__ = ["FORMATS", "ReportModel", "build_report", "extension", "render"]
