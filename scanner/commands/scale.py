"""Scale-out: `cookiescan worker`, and how `check` scans (one site after another, a local pool, or Celery)."""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Optional

import typer
from rich.console import Console
from rich.markup import escape

from scanner.config import SiteConfig
from scanner.models import ScanResult

if TYPE_CHECKING:  # the browser stack loads only when a scan runs
    from scanner.collect.engine import ScanOptions

Scan = Callable[[SiteConfig], ScanResult]


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)


def worker(
    broker: str = typer.Option(..., "--broker", envvar="COOKIESCAN_BROKER", help="redis://HOST:PORT/0"),
    concurrency: int = typer.Option(1, "--concurrency", min=1, help="Units (browsers) run at once."),
    unit_timeout: float = typer.Option(600.0, "--unit-timeout", min=10,
                                       help="Seconds one unit may take; also how long a lost unit waits to be re-run."),
    name: Optional[str] = typer.Option(None, "--name", help="Worker name (default: celery@host)."),
) -> None:
    """Run scan units from the broker. Login credentials come from this machine's environment, never the broker."""
    from scanner.distributed.celery_app import run_worker

    run_worker(broker, concurrency, unit_timeout, name)


@contextlib.contextmanager
def scanning(sites: tuple[SiteConfig, ...], simple: Scan, options: ScanOptions, *, workers: int | None,
             broker: str | None, unit_timeout: float, console: Console) -> Iterator[Scan]:
    """The scan step of `check`: `simple` (sites one after another) unless --workers or --broker."""
    if not workers and not broker:
        yield simple
        return
    from scanner.distributed.sites import LocalRunner, SiteScans

    say = lambda message: console.print(escape(message))  # noqa: E731
    if broker:
        from scanner.distributed.broker import CeleryRunner
        runner = CeleryRunner(broker, unit_timeout_s=unit_timeout, say=say)
        in_flight = max(4, 2 * (workers or 8))
    else:
        runner = LocalRunner(workers, say=say)
        in_flight = 2 * workers  # enough sites ahead to keep every browser busy, few scans held in memory
    with SiteScans(sites, runner, options, in_flight=in_flight, say=say) as scans:
        yield scans.scan


def write_scan_files(sites: tuple[SiteConfig, ...], scan: Scan, out: Path, console: Console) -> int:
    """`check --no-gate` (a shard): scan files only; returns how many sites could not be scanned."""
    from scanner.scanfile import scan_dir

    failed = 0
    for site in sites:
        try:
            result = scan(site)
        except Exception as exc:  # the other sites still get their scan files
            failed += 1
            console.print(f"[red]{escape(site.name)}: no scan ({escape(type(exc).__name__)}: "
                          f"{escape(str(exc).splitlines()[0] if str(exc) else '')})[/red]", soft_wrap=True)
            continue
        path = scan_dir(out, result.site, result.started_at) / "scan.json"
        console.print(f"{escape(site.name)}: {escape(str(path))}", soft_wrap=True)
    return failed
