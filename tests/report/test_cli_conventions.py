"""CLI conventions: --json on diff/history/check, diff --fail-on with its reason, loud missing declared data,
a config site without start_url refused with file and line, the example baseline still valid."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from scanner.cli import build_app
from scanner.history.baseline import load_baseline
from tests.report.test_diff import db, write_config  # noqa: F401 (the db fixture)

runner = CliRunner(env={"COLUMNS": "80"})
REPO = Path(__file__).resolve().parents[2]


def test_history_json(db):  # noqa: F811
    result = runner.invoke(build_app(), ["history", "shop.example", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert [r["started_at"][:10] for r in records] == ["2026-01-02", "2026-01-01"]
    assert all(isinstance(r["id"], int) and "n_findings" in r for r in records)


def test_diff_json_fail_on_and_loud_missing_declared(db, tmp_path):  # noqa: F811
    args = ["diff", "shop.example", "--from-history", "--db", str(db), "--json"]
    result = runner.invoke(build_app(), args)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["site"] == "shop.example" and doc["declared_found"] is False
    assert {r["name"] for r in doc["rows"]} >= {"fresh", "keep"}
    warning = " ".join(result.stderr.split())
    assert "warning: no declared data found for shop.example (looked in declared/shop.example)" in warning

    gated = runner.invoke(build_app(), args + ["--fail-on", "low"])
    assert gated.exit_code == 1
    assert gated.stderr.strip().splitlines()[-1].startswith("failing (--fail-on low): ")
    assert runner.invoke(build_app(), args + ["--fail-on", "urgent"]).exit_code == 2


def test_check_json_and_the_reason_it_failed(db, tmp_path):  # noqa: F811
    config = write_config(tmp_path, db)
    result = runner.invoke(build_app(), ["check", "--config", str(config), "--from-history", "--out",
                                         str(tmp_path / "reports"), "--json", "--quiet"])
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["failed"] is True and doc["sites"][0]["site"] == "shop.example" and doc["sites"][0]["failing"]
    assert result.stderr.strip().splitlines()[-1].startswith("gate failed (--fail-on medium): ")


def test_check_refuses_a_site_without_start_url(tmp_path):
    config = tmp_path / "cookiescan.toml"
    config.write_text('[defaults]\npages = 2\n\n[[site]]\nname = "a.example"\nstart_url = "https://a.example/"\n\n'
                      '[[site]]\nname = "b.example"\n', encoding="utf-8")
    result = runner.invoke(build_app(), ["check", "--config", str(config)])
    assert result.exit_code == 2
    assert f"{config}:8: [[site]] #2 'b.example': needs start_url" in " ".join(result.output.split())


def test_help_texts_are_clean():
    for command in ([], ["scan"], ["diff"], ["history"], ["check"], ["report"], ["declared", "show"]):
        out = runner.invoke(build_app(), [*command, "--help"]).output
        assert "<bool>" not in out and "{" not in out, command
    assert "Usage: root scan [OPTIONS] TARGET" in " ".join(runner.invoke(build_app(), ["scan", "--help"]).output.split())


def test_example_baseline_entry_is_valid_and_not_expired(tmp_path):
    text = (REPO / "baseline.yaml").read_text(encoding="utf-8")
    example = "\n".join(line.removeprefix("# ") for line in text.splitlines()
                        if line.startswith("# ") and ("accepted:" in line or line.startswith("#  ")))
    path = tmp_path / "baseline.yaml"
    path.write_text(example + "\n", encoding="utf-8")
    entries = load_baseline(path).entries
    assert len(entries) == 1 and entries[0].expires > date.today()
