"""The GitHub workflows parse, run the right commands, and call only commands that exist."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer.main
import yaml

from scanner.cli import build_app

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
# `cookiescan <command>` in a shell line, whether called as cookiescan or .venv/bin/cookiescan.
INVOCATION = re.compile(r"(?:^|[\s/])cookiescan\s+([^\n;&|]+)")


def load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def triggers(workflow: dict) -> dict:
    return workflow.get("on", workflow.get(True)) or {}  # PyYAML reads the key `on` as True


def run_steps(workflow: dict) -> list[str]:
    return [step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step]


def cli_commands() -> dict:
    group = typer.main.get_command(build_app())
    return group.commands


WORKFLOW_FILES = ("ci.yml", "nightly.yml", "nightly-sharded.yml")


def test_every_workflow_parses_with_jobs_and_steps():
    for name in WORKFLOW_FILES:
        workflow = load(name)
        assert workflow["jobs"], name
        for job in workflow["jobs"].values():
            assert job["runs-on"] == "ubuntu-latest"
            assert all("run" in step or "uses" in step for step in job["steps"])


def test_ci_runs_exactly_the_test_command():
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    commands = [line for line in lines if line and not line.startswith(("#", "set ", "cd "))]
    assert commands, ".ci/run names a test command"
    workflow = load("ci.yml")
    assert {"push", "pull_request"} <= set(triggers(workflow))
    assert commands[-1] in [run.strip() for run in run_steps(workflow)]


def test_nightly_is_scheduled_and_on_demand():
    workflow = load("nightly.yml")
    on = triggers(workflow)
    assert "workflow_dispatch" in on
    cron = on["schedule"][0]["cron"]
    assert len(cron.split()) == 5 and cron.split()[2:] == ["*", "*", "*"]  # every day


def test_nightly_gates_uploads_and_summarises_even_on_failure():
    steps = [step for job in load("nightly.yml")["jobs"].values() for step in job["steps"]]
    runs = [s.get("run", "") for s in steps]
    assert any("make setup" == r.strip() for r in runs)
    gate = next(s for s in steps if "cookiescan check" in s.get("run", ""))
    assert "--fail-on high" in gate["run"] and "--baseline baseline.yaml" in gate["run"]
    after_gate = steps[steps.index(gate) + 1:]
    uses = {s["uses"].split("@")[0]: s for s in after_gate if "uses" in s}
    assert "actions/upload-artifact" in uses and "github/codeql-action/upload-sarif" in uses
    assert uses["github/codeql-action/upload-sarif"]["if"].startswith("always()")
    assert uses["actions/upload-artifact"]["if"] == "always()"
    summary = next(s for s in after_gate if "GITHUB_STEP_SUMMARY" in s.get("run", ""))
    assert summary["if"] == "always()"
    env = next(iter(load("nightly.yml")["jobs"].values()))["env"]
    assert env["COOKIESCAN_DOCTOLIB_USER"] == "${{ secrets.COOKIESCAN_DOCTOLIB_USER }}"


def invocations() -> list[tuple[str, list[str]]]:
    found = []
    for name in WORKFLOW_FILES:
        for run in run_steps(load(name)):
            for match in INVOCATION.finditer(run):
                found.append((name, shlex.split(match.group(1).replace("$", ""))))
    return found


def test_the_nightly_calls_cookiescan():
    assert "check" in {args[0] for _, args in invocations()}


@pytest.mark.parametrize("workflow, args", invocations(), ids=lambda v: " ".join(v) if isinstance(v, list) else v)
def test_every_cookiescan_invocation_names_a_real_command_and_options(workflow, args):
    commands = cli_commands()
    assert args[0] in commands, f"{workflow}: cookiescan {args[0]} is not a command"
    command, rest = commands[args[0]], args[1:]
    while hasattr(command, "commands") and rest and rest[0] in command.commands:  # a group: `history import`
        command, rest = command.commands[rest[0]], rest[1:]
    assert not hasattr(command, "commands"), f"{workflow}: cookiescan {' '.join(args)} names no subcommand"
    known = {opt for param in command.params for opt in param.opts + param.secondary_opts}
    for option in (a for a in rest if a.startswith("--")):
        assert option.split("=")[0] in known, f"{workflow}: cookiescan {args[0]} has no option {option}"


def test_files_the_nightly_names_exist_and_load():
    from scanner.history.baseline import load_baseline
    from scanner.config import load_config

    gate = next(args for _, args in invocations() if args[0] == "check")
    config = ROOT / gate[gate.index("--config") + 1]
    baseline = ROOT / gate[gate.index("--baseline") + 1]
    assert load_config(config).sites
    assert load_baseline(baseline) is not None


def _steps(workflow: dict, job: str | None = None) -> list[dict]:
    jobs = [workflow["jobs"][job]] if job else workflow["jobs"].values()
    return [step for j in jobs for step in j["steps"]]


def _uses(step: dict) -> str:
    return step.get("uses", "").split("@")[0]


def _history_kept_between_runs(steps: list[dict], gate_index: int, env: dict) -> None:
    """Restored from the cache before the gate, saved after it (even when it fails), unless a PostgreSQL secret."""
    assert env["COOKIESCAN_DB"] == "${{ secrets.COOKIESCAN_DB }}"
    restore = next(i for i, s in enumerate(steps) if _uses(s) == "actions/cache/restore")
    save = next(i for i, s in enumerate(steps) if _uses(s) == "actions/cache/save")
    assert restore < gate_index < save
    restore_with, save_with = steps[restore]["with"], steps[save]["with"]
    assert restore_with["path"] == save_with["path"] == "reports/cookiescan.db"
    assert save_with["key"] == restore_with["key"]  # a new key per run...
    assert save_with["key"].startswith(restore_with["restore-keys"])  # ...found by the next run's prefix
    assert "github.run_id" in save_with["key"]
    assert steps[save]["if"].startswith("always()") and "env.COOKIESCAN_DB == ''" in steps[save]["if"]
    assert steps[restore]["if"] == "env.COOKIESCAN_DB == ''"


def test_nightly_keeps_its_history_from_one_night_to_the_next():
    workflow = load("nightly.yml")
    (job,) = workflow["jobs"].values()
    steps = job["steps"]
    gate = next(i for i, s in enumerate(steps) if "cookiescan check" in s.get("run", ""))
    _history_kept_between_runs(steps, gate, job["env"])


def test_sharded_nightly_scans_shards_then_imports_and_gates_once():
    workflow = load("nightly-sharded.yml")
    assert "workflow_dispatch" in triggers(workflow)
    scan, gate = workflow["jobs"]["scan"], workflow["jobs"]["gate"]
    shards = scan["strategy"]["matrix"]["shard"]
    assert scan["strategy"]["fail-fast"] is False and len(shards) >= 2
    (scan_run,) = [s["run"] for s in scan["steps"] if "cookiescan check" in s.get("run", "")]
    assert f"--shard ${{{{ matrix.shard }}}}/{len(shards)}" in scan_run and "--no-gate" in scan_run
    upload = next(s for s in scan["steps"] if _uses(s) == "actions/upload-artifact")
    assert upload["if"] == "always()" and upload["with"]["name"] == "scans-${{ matrix.shard }}"
    assert gate["needs"] == "scan" and gate["if"] == "always()"
    steps = gate["steps"]
    runs = [s.get("run", "") for s in steps]
    download = next(i for i, s in enumerate(steps) if _uses(s) == "actions/download-artifact")
    assert steps[download]["with"]["pattern"] == "scans-*" and steps[download]["with"]["merge-multiple"] is True
    imported = next(i for i, r in enumerate(runs) if "cookiescan history import reports" in r)
    gated = next(i for i, r in enumerate(runs) if "cookiescan check" in r)
    assert download < imported < gated
    assert "--from-history" in runs[gated] and "--fail-on high" in runs[gated] and "--baseline baseline.yaml" in runs[gated]
    assert sum("cookiescan check" in r for r in runs) == 1  # judged and gated once
    _history_kept_between_runs(steps, gated, gate["env"])
