"""CLI commands: login."""
from __future__ import annotations

import os
from pathlib import Path

import typer

from scanner.collect.browser import BrowserOptions
from scanner.commands.options import DEFAULT_CONFIG, ConfigOption
from scanner.config import ConfigError, load_config
from scanner.errors import UserError
from scanner.common.terminal import console as terminal_console, safe_markup as escape


def register(app: typer.Typer) -> None:
    app.command("login")(login_command)


def login_command(
    site: str = typer.Argument(..., help="Site name (or host) from the config."),
    config: ConfigOption = None,
    out: Path | None = typer.Option(None, "--out", "-o", help="Where to save the Playwright storage state "
                                    "(JSON). Default: the site's [site.login] storage_state."),
    headed: bool | None = typer.Option(None, "--headed/--headless",
                                       help="Show the browser. Default: headed when a display exists."),
    wait: float = typer.Option(300, help="Seconds a person has to finish logging in (headed only)."),
    timeout: float = typer.Option(15, help="Seconds each login step may take."),
    host_resolver_rules: str | None = typer.Option(None, hidden=True),  # tests: the fixture web
    ignore_https_errors: bool = typer.Option(False, hidden=True),
) -> None:
    """Log in to SITE with its configured steps (or by hand) and save the session for later scans.

    The saved file holds live session cookies: keep it out of git and out of CI artefacts.
    """
    from scanner.collect.login.state import record_storage_state  # playwright import only when the command runs

    config = config or DEFAULT_CONFIG
    site_config = load_config(config).site(site)
    if site_config.login is None:
        raise ConfigError(f"{config}: site {site_config.name!r} has no [site.login]")
    out = out or (Path(site_config.login.storage_state) if site_config.login.storage_state else None)
    if out is None:
        raise UserError(f"{config}: give --out, or storage_state in [site.login] of {site_config.name!r}")
    from scanner.collect.login.perform import missing_env  # Playwright loads only when a login runs

    missing = missing_env(site_config.login)
    if missing:
        raise UserError(f"{config}: login of {site_config.name!r} needs environment variable(s) "
                        f"{', '.join(missing)}")
    show = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) if headed is None else headed
    if not show and not site_config.login.steps:
        raise UserError(f"{config}: site {site_config.name!r} has no login steps and there is no display "
                        "to log in by hand (use --headed on a desktop)")
    options = BrowserOptions(headless=not show, host_resolver_rules=host_resolver_rules,
                             ignore_https_errors=ignore_https_errors)
    console = terminal_console(stderr=True)
    outcome = record_storage_state(site_config.login, out, options, person_wait_s=wait, timeout_s=timeout)
    if not outcome.logged_in:
        raise UserError(f"{config}: not logged in to {site_config.name!r}: {outcome.reason}")
    console.print(f"logged in to {escape(site_config.name)} ({escape(outcome.reason)}); "
                  f"storage state saved to {escape(str(out))}", highlight=False)
    console.print("[yellow]warning:[/yellow] this file holds live session cookies (secrets): "
                  "it is readable by you only; never commit it or upload it as a CI artefact.",
                  highlight=False)
