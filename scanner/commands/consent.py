"""CLI commands: consent."""
from __future__ import annotations

import dataclasses
import json
from typing import Optional

import typer
from scanner.common.terminal import console as terminal_console, safe_markup as escape


def register(app: typer.Typer) -> None:
    consent_app = typer.Typer(help="Consent banners: detect the platform, try accept and reject.", no_args_is_help=True)
    app.add_typer(consent_app, name="consent")
    consent_app.command("probe")(probe_command)


def probe_command(
    url: str = typer.Argument(..., help="Page to open."),
    action: str = typer.Option("both", "--action", help="accept, reject, both or detect (no click)."),
    accept_selector: Optional[str] = typer.Option(None, "--accept-selector", help="Override: selector to click to accept."),
    reject_selector: Optional[str] = typer.Option(None, "--reject-selector", help="Override: selector to click to reject."),
    timeout: float = typer.Option(10.0, "--timeout", help="Seconds to wait for the banner and the click's effect."),
    no_autoconsent: bool = typer.Option(False, "--no-autoconsent", help="Skip autoconsent (test our own rules)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    resolver_rules: Optional[str] = typer.Option(None, "--host-resolver-rules", help="Chromium host resolver rules (testing)."),
    insecure: bool = typer.Option(False, "--ignore-https-errors", help="Accept invalid certificates (testing)."),
) -> None:
    """Open URL and print the consent platform found and whether accept / reject take effect."""
    from scanner.collect.browser import BrowserOptions
    from scanner.collect.consent.probe import probe
    from scanner.errors import UserError

    actions = {"both": ("accept", "reject"), "accept": ("accept",), "reject": ("reject",), "detect": ()}
    if action not in actions:
        raise UserError(f"--action {action!r}: use accept, reject, both or detect")
    result = probe(url, actions[action], BrowserOptions(host_resolver_rules=resolver_rules, ignore_https_errors=insecure),
                   accept_selector=accept_selector, reject_selector=reject_selector, timeout_s=timeout,
                   use_autoconsent=not no_autoconsent)
    if as_json:
        typer.echo(json.dumps({"url": result.url, "platform": result.platform, "outcomes": [
            {**dataclasses.asdict(o), "evidence": list(o.evidence), "apply_s": round(s, 2)} for o, s in result.outcomes]},
            indent=2))
    else:
        console = terminal_console(soft_wrap=True)
        console.print(f"{escape(result.url)}: platform {escape(result.platform or 'none detected')}")
        for o, seconds in result.outcomes:
            mark = "[green]OK[/green]" if o.effective else "[bold red]NOT EFFECTIVE[/bold red]"
            console.print(f"  {o.action}: {mark} {escape(o.status)} via {escape(o.method or 'nothing')} "
                          f"in {seconds:.1f} s: {escape(o.reason)}")
            for line in o.evidence:
                console.print(f"      {escape(line)}")
    if any(not o.effective for o, _ in result.outcomes):
        raise typer.Exit(1)
