"""The README stays true.

- Its set-up commands are the ones CI runs.
- Every fenced block parses in the language it is tagged with (sh, toml, yaml, json).
- Every `cookiescan` command it shows (fenced, or indented as a code block) exists with the
  options it shows; finding none is a failure, not a skip.
- Those that need no browser run for real, in a scratch folder holding copies of the
  repository's declared files, configuration and policy documents plus scans made from
  the replicas' ground truth, and their output is checked for content.
"""
from __future__ import annotations

import json
import re
import shlex
import shutil
import tomllib
from pathlib import Path

import pytest
import typer.main
import yaml
from typer.core import TyperGroup
from typer.testing import CliRunner

from scanner import __version__
from scanner.cli import build_app
from scanner.config import load_config
from scanner.declared import load_declared
from scanner.history.store import SQLiteStore
from scanner.judge import judge
from scanner.scanfile import save_scan, scan_dir
from tests.support.replica_truth import truth_scan

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
FENCED = re.compile(r"^```([\w-]*)\n(.*?)^```", re.S | re.M)
INDENTED_COMMAND = re.compile(r"^ {4}(cookiescan .*)$", re.M)
# Commands that drive Chromium (or a person's login, or wait on a broker): checked for their options only.
NEEDS_BROWSER = {"scan", "check", "demo", "login", "consent probe", "worker"}
TIME = "20260101T000000Z"  # the folder of the scratch scans; README writes <time>


def blocks() -> list[tuple[str, str]]:
    return FENCED.findall(README)


def shown_invocations() -> list[list[str]]:
    lines = [line for lang, block in blocks() if lang in ("sh", "console", "bash", "")
             for line in block.splitlines()]
    lines += INDENTED_COMMAND.findall(README)
    calls = []
    for line in lines:
        line = line.strip().removeprefix("$ ")
        if line.startswith("cookiescan "):
            words = shlex.split(line.split(" > ")[0], comments=True)
            calls.append(words[1:])
    return calls


def resolve(args: list[str]):
    """The (sub)command an argument list names, its name, and the arguments left for it."""
    command = typer.main.get_command(build_app())
    rest, path = list(args), []
    while isinstance(command, TyperGroup) and rest:
        if rest[0] in command.commands:
            path.append(rest[0])
            command = command.commands[rest.pop(0)]
        else:
            break
    return command, " ".join(path), rest


def test_quick_start_is_the_two_commands_and_ci_runs_the_test_one():
    quick = README.split("## Quick start", 1)[1]
    first_block = FENCED.search(quick).group(2)
    assert [line.split("#")[0].strip() for line in first_block.strip().splitlines()] == ["make demo", "make test"]
    assert (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1] == "make test"
    makefile = (ROOT / "Makefile").read_text()
    assert "demo: setup" in makefile and "test: setup" in makefile
    assert "bash scripts/wheel_smoke.sh" in makefile.split("test: setup", 1)[1].split("\n\n")[0]


def test_the_readme_shows_commands():
    calls = shown_invocations()
    assert len(calls) >= 15, calls
    assert {resolve(c)[1] for c in calls} >= {"scan", "report", "history", "declared import", "explain"}


@pytest.mark.parametrize("lang, block", blocks(), ids=lambda v: v[:30] if isinstance(v, str) else None)
def test_every_fenced_block_parses_in_its_language(lang, block, tmp_path):
    if lang in ("sh", "console", "bash"):
        for line in block.splitlines():
            words = shlex.split(line.removeprefix("$ "), comments=True)  # raises on unbalanced quotes
            assert not words or re.match(r"^(cookiescan|make|python3?|pipx|pip|export|\.venv/bin/)", words[0]), line
    elif lang == "toml":
        data = tomllib.loads(block)
        if isinstance(data.get("site"), dict):  # a [site.login] fragment: check it inside a site
            block = '[[site]]\nname = "example.test"\nstart_url = "https://example.test/"\n' + block
        if "site" in data:  # cookiescan must accept it as a configuration
            (tmp_path / "cookiescan.toml").write_text(block, encoding="utf-8")
            assert load_config(tmp_path / "cookiescan.toml").sites
    elif lang == "yaml":
        assert yaml.safe_load(block)
    elif lang == "json":
        json.loads(block)
    else:
        assert lang == "", f"fenced block in an unchecked language {lang!r}"


@pytest.mark.parametrize("args", shown_invocations(), ids=lambda a: " ".join(a))
def test_every_readme_command_exists_with_its_options(args):
    command, name, rest = resolve(args)
    if isinstance(command, TyperGroup):  # options of the program itself: cookiescan --version
        assert rest and all(a.startswith("--") for a in rest), f"cookiescan {' '.join(args)}: no such command"
    known = {opt for param in command.params for opt in param.opts + param.secondary_opts}
    for option in (a for a in rest if a.startswith("--")):
        assert option.split("=")[0] in known, f"cookiescan {' '.join(args)}: unknown option {option}"


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    """A folder laid out like the README assumes: declared/, cookiescan.toml, policies, reports with history."""
    root = tmp_path_factory.mktemp("readme")
    shutil.copytree(ROOT / "declared", root / "declared")
    shutil.copytree(ROOT / "tests" / "fixtures" / "policies", root / "tests" / "fixtures" / "policies")
    for name in ("cookiescan.toml", "baseline.yaml"):
        shutil.copy(ROOT / name, root / name)
    with SQLiteStore(root / "reports" / "cookiescan.db") as store:
        for site in ("pro.doctolib.fr", "docrdv.fr"):
            scan = truth_scan(site)
            save_scan(scan, scan_dir(root / "reports", site, scan.started_at) / "scan.json")
            store.save_scan(scan, list(judge(scan, load_declared(root / "declared" / site)).findings))
    assert (root / "reports" / "pro.doctolib.fr" / TIME / "scan.json").is_file()
    return root


def _check_report(out: str, root: Path) -> None:
    html = (root / "reports" / "pro.doctolib.fr" / TIME / "report.html").read_text(encoding="utf-8")
    assert "pro.doctolib.fr" in html and "pin_login" in html and "Synthetic replica" in html


def _check_draft(out: str, root: Path) -> None:
    drafted = (root / "drafts" / "docrdv.fr" / "cookies.yaml").read_text(encoding="utf-8")
    assert "_ga" in drafted and "draft: true" in drafted


def _check_import(out: str, root: Path) -> None:
    assert "7 cookies from the table at pro.doctolib.fr-cookies.md:26" in out
    assert (root / "declared" / "pro.doctolib.fr" / "cookies.yaml").read_bytes() == \
        (ROOT / "declared" / "pro.doctolib.fr" / "cookies.yaml").read_bytes()


# What each runnable README command must print (or write). A command added to the README
# without an entry here fails test_readme_commands_without_a_browser_run: say what it should show.
EXPECTED = {
    "": lambda out, root: _check_equal(out.strip(), f"cookiescan {__version__}"),
    "report": _check_report,
    "diff": lambda out, root: _check_in(out, "pro.doctolib.fr", "pin_login"),
    # `history SITE` lists scans; `history import FILE` (the same command) stores one, here already stored.
    "history": lambda out, root: (_check_in(out, "0 imported, 1 already there") if "already in the history" in out
                                  else _check_in(out, "pro.doctolib.fr", "2026-01-01")),
    "declared import": _check_import,
    "declared show": lambda out, root: _check_in(out, "_doctolib_session", "13 Mois", "intercom-session", "7 cookies"),
    # The only warning of the shipped declared files: the FR table's `intercom-session` stem (issue 13).
    "declared validate": lambda out, root: _check_in(out, "0 errors, 1 warnings", "intercom-session-*"),
    "declared compare": lambda out, root: _check_in(out, "spelling_differs", "Docusign", "IQVIA"),
    "declared draft": _check_draft,
    "explain": lambda out, root: _check_in(out, "_ga", "analytics", "Google"),
}


def _check_in(out: str, *texts: str) -> None:
    for text in texts:
        assert text in out, f"{text!r} not in the output:\n{out}"


def _check_equal(out: str, expected: str) -> None:
    assert out == expected


RUNNABLE = [a for a in shown_invocations() if resolve(a)[1] not in NEEDS_BROWSER]


def test_most_readme_commands_run_for_real():
    assert len(RUNNABLE) >= 10 and {resolve(a)[1] for a in RUNNABLE} >= set(EXPECTED) - {""}


@pytest.mark.parametrize("args", RUNNABLE, ids=lambda a: " ".join(a))
def test_readme_commands_without_a_browser_run(args, scratch, monkeypatch):
    name = resolve(args)[1]
    assert name in EXPECTED, f"cookiescan {' '.join(args)}: runs without a browser, add what it must show to EXPECTED"
    monkeypatch.chdir(scratch)
    real_args = [a.replace("<time>", TIME) for a in args]
    result = CliRunner().invoke(build_app(), real_args)
    # 1 means "findings at or above --fail-on": a correct answer for a replica with planted findings.
    assert result.exit_code in (0, 1), f"exit {result.exit_code}: {result.output}"
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    EXPECTED[name](result.output, scratch)
