"""Progress of a scan, for a person at a terminal and for a CI log.

At a terminal a spinner shows the current step and disappears; failed pages
and phase errors are printed as lines that stay. In a log (stdout or stderr not
a terminal) a spinner prints nothing, so every site and phase gets a plain line
instead. `--quiet` keeps only errors; `--verbose` adds every page.
Everything a page controls is printed as text, control characters made visible.
"""
from __future__ import annotations

import contextlib
import importlib
import sys
import threading
from dataclasses import dataclass

from rich.console import Console
from rich.markup import escape

from scanner.common.terminal import safe


def printable(text: str) -> str:
    # Imported on use: `scanner.report` loads every renderer (and pandas), which `--help` must not pay for.
    from scanner.report.text import printable as strip
    return strip(text)


@dataclass(frozen=True)
class Verbosity:
    quiet: bool = False
    verbose: bool = False


def say(console: Console, text: str, style: str = "") -> None:
    """One line: long ones wrap up to 400 characters (a hostile page's URL can be 100 KB; its middle gives
    way), markup and emoji codes in `text` are not interpreted."""
    console.print(safe(text, limit=400), style=style or None, markup=False, highlight=False, emoji=False,
                  soft_wrap=True)


def interactive(console: Console) -> bool:
    return console.is_terminal and sys.stdout.isatty()


@contextlib.contextmanager
def site_progress(console: Console, site: str, verbosity: Verbosity = Verbosity()):
    """Yields `progress(event, detail)` for scan_site."""
    live = interactive(console) and not verbosity.quiet

    def lines(event: str, detail: str) -> None:
        failed = (event == "page" and detail.startswith("FAILED")) or event == "phase-failed"
        if failed:
            say(console, f"{site}: {'page ' if event == 'page' else 'phase failed: '}{detail}", "yellow")
        elif verbosity.quiet:
            return
        elif event == "phase" and not live:
            say(console, f"{site}: phase {detail}")
        elif event == "saved" or (verbosity.verbose and event == "page"):
            say(console, f"{site}: {event} {detail}")

    if not live:
        yield lines
        return
    with console.status(escape(printable(f"{site}: starting"))) as status:
        def update(event: str, detail: str) -> None:
            lines(event, detail)
            status.update(escape(safe(f"{site}: {event} {detail}", limit=160)))
        yield update


def import_meanwhile(*modules: str) -> None:
    """Import what a command needs after its scan (the judge: pandas, half a second of CPU) on a
    second thread while the browser starts: the scan mostly waits on the network meanwhile.
    An import error here is not lost: the real import after the scan raises it again."""
    def run() -> None:
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:
                return

    threading.Thread(target=run, name="import-meanwhile", daemon=True).start()
