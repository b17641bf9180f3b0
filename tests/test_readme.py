"""The README stays true: its set-up commands are the ones CI runs, and every
`cookiescan` command it shows exists with the options it shows; those that need
no browser are run for real."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer.main
from typer.core import TyperGroup
from typer.testing import CliRunner

from scanner.cli import build_app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
FENCED = re.compile(r"```(?:sh|console|bash)?\n(.*?)```", re.S)


def shown_invocations() -> list[list[str]]:
    calls = []
    for block in FENCED.findall(README):
        for line in block.splitlines():
            line = line.strip().removeprefix("$ ")
            if line.startswith("cookiescan "):
                words = shlex.split(line.split(" > ")[0], comments=True)
                calls.append(words[1:])
    return calls


def resolve(args: list[str]):
    """The (sub)command an argument list names, and the arguments left for it."""
    command = typer.main.get_command(build_app())
    rest = list(args)
    while isinstance(command, TyperGroup) and rest and rest[0] in command.commands:
        command = command.commands[rest.pop(0)]
    return command, rest


def test_quick_start_is_the_two_commands_and_ci_runs_the_test_one():
    quick = README.split("## Quick start", 1)[1]
    first_block = FENCED.search(quick).group(1)
    assert [line.split("#")[0].strip() for line in first_block.strip().splitlines()] == ["make demo", "make test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert "demo: setup" in makefile and "test: setup" in makefile


@pytest.mark.parametrize("args", shown_invocations(), ids=lambda a: " ".join(a))
def test_every_readme_command_exists_with_its_options(args):
    command, rest = resolve(args)
    assert not isinstance(command, TyperGroup), f"cookiescan {' '.join(args)}: no such command"
    known = {opt for param in command.params for opt in param.opts + param.secondary_opts}
    for option in (a for a in rest if a.startswith("--")):
        assert option.split("=")[0] in known, f"cookiescan {' '.join(args)}: unknown option {option}"


@pytest.mark.parametrize("args, expected", [
    (["declared", "show", "pro.doctolib.fr"], "_doctolib_session"),
    (["declared", "validate"], ""),
    (["declared", "compare", "pro.doctolib.it", "pro.doctolib.de"], "Docusign"),
    (["explain", "_ga"], "Google"),
], ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_readme_commands_without_a_browser_run(args, expected, monkeypatch):
    assert args in shown_invocations()
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(build_app(), args)
    assert result.exit_code == 0, result.output
    assert expected in result.output
