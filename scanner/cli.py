"""The `cookiescan` command: thin typer commands over the library.

Each module of scanner/commands/ registers its commands (`register(app)`).
Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or input error.
"""
from __future__ import annotations

import atexit
import os
import signal
import sys

import typer
from typer.core import TyperGroup

from scanner import __version__
from scanner.commands import consent, declared, history, knowledge, login, reporting, scale, scan
from scanner.common.terminal import console, safe_markup
from scanner.errors import UserError

EXIT_FINDINGS = 1
EXIT_USAGE = 2


class _Commands(TyperGroup):
    """Turns a UserError raised anywhere below into one line and exit code 2; tidies help texts."""

    def get_command(self, ctx, cmd_name):
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _tidy_help(command)
        return command

    def get_help_option(self, ctx):
        for param in self.params:  # the group's own flags (--version)
            if getattr(param, "is_flag", False):
                param.display_type_rich = lambda ctx: None
        option = super().get_help_option(ctx)
        if option is not None:
            option.display_type_rich = lambda ctx: None
        return option

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except UserError as exc:
            # The message may quote a file or a page: one inert line, no emoji (`file.yaml:100:` stays).
            console(stderr=True, soft_wrap=True).print(f"[red]error:[/red] {safe_markup(exc, limit=1000)}")
            raise typer.Exit(EXIT_USAGE) from None


def _tidy_help(command) -> None:
    """Help as CLIs usually show it: `TARGET` (not `{target}`), flags without a `<bool>` type."""
    for sub in getattr(command, "commands", {}).values():
        _tidy_help(sub)
    make_help_option = command.get_help_option

    def get_help_option(ctx):
        option = make_help_option(ctx)
        if option is not None:
            option.display_type_rich = lambda ctx: None
        return option

    command.get_help_option = get_help_option
    for param in command.params:
        if getattr(param, "is_flag", False):
            param.display_type_rich = lambda ctx: None
        elif param.param_type_name == "argument":
            param.metavar = param.name.upper()
            shown = param.metavar + ("..." if param.nargs != 1 else "")
            param._usage_display_name = (lambda text: lambda: text)(shown if param.required else f"[{shown}]")


def build_app() -> typer.Typer:
    app = typer.Typer(cls=_Commands, help="Scan what a website really drops and reconcile it with what it declares.",
                      no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
    app.callback()(_main_options)
    for module in (scan, declared, history, reporting, knowledge, consent, login, scale):
        module.register(app)
    return app


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"cookiescan {__version__}")
        raise typer.Exit()


def _main_options(
    version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """Scan what a website really drops and reconcile it with what it declares."""


def main() -> None:
    # SIGTERM (a CI job cancelled, `kill`) unwinds like Ctrl-C, so `finally` blocks remove browser
    # profiles; SIGKILL cannot be caught: the next run sweeps what it leaves (collect/browser.py).
    signal.signal(signal.SIGTERM, _terminate)
    build_app()()


def run() -> None:
    """The console script: `main()`, then a quick exit. Once a command is done the interpreter's own
    teardown (pandas, numpy, Playwright's modules) takes a quarter of a second and frees nothing the
    operating system does not; exit handlers still run and output is flushed first."""
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)  # what SystemExit("message") prints
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`| head`): nothing more to say
            pass
    os._exit(code or 0)


def _terminate(signum, frame) -> None:
    raise SystemExit(128 + signum)
