"""`report` (every format reads one model), `diff` and `check` lay out the same Judgement:
for one scan and one config they show the same category and declared row for every observation,
including a [site.classify] override (which `report` once ignored)."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from scanner.cli import build_app
from scanner.config import load_config
from scanner.declared import load_declared, write_declared
from scanner.history.store import SQLiteStore
from scanner.judge import judge
from scanner.scanfile import safe_name, save_scan
from tests.support.report_sample import SCRIPT_COOKIE, SITE, sample_declared, sample_scan

CONFIG = f"""
[[site]]
name = "{SITE}"
start_url = "https://{SITE}/"
declared = "declared/{SITE}"
[site.classify]
"{SCRIPT_COOKIE}" = "marketing"
"_ga*" = "functional"
"""


def rows_of(report: dict) -> set[tuple]:
    return {(p["phase"], r["kind"], r["name"], r["domain"], r["category"], r["classification_source"],
             r["declared_name"]) for p in report["phases"] for r in p["inventory"]}


def test_report_diff_and_check_agree_with_one_judgement(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cookiescan.toml").write_text(CONFIG, encoding="utf-8")
    write_declared(sample_declared(), tmp_path / "declared" / SITE)
    scan = sample_scan()
    save_scan(scan, tmp_path / "scan.json")
    site = load_config(tmp_path / "cookiescan.toml").site(SITE)
    judgement = judge(scan, load_declared(tmp_path / "declared" / SITE), site)
    with SQLiteStore(tmp_path / "h.db") as store:
        store.save_scan(scan, list(judgement.findings))

    expected = {(o.observation.phase, o.kind, o.name, o.where, o.category, o.category_source,
                 o.declared.name if o.declared else None) for o in judgement.inventory}
    by_name = {o.name: o for o in judgement.inventory}
    # The override counts where nothing is declared; a declared row still wins (_ga, _ga_* are declared).
    assert (by_name[SCRIPT_COOKIE].category, by_name[SCRIPT_COOKIE].category_source) == ("marketing", "site_config")
    assert by_name["_ga_ABC123"].declared.name == "_ga_*" and by_name["_ga_ABC123"].category == "analytics"

    runner = CliRunner(env={"COLUMNS": "300"})
    app = build_app()
    report = runner.invoke(app, ["report", "scan.json", "--format", "json", "--out", "r.json"])
    assert report.exit_code == 0, report.output
    assert rows_of(json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))) == expected

    check = runner.invoke(app, ["check", "--from-history", "--db", "h.db", "--out", "out", "--fail-on", "high"])
    assert check.exit_code in (0, 1), check.output
    gate_report = json.loads((tmp_path / "out" / safe_name(SITE) / "report.json").read_text(encoding="utf-8"))
    assert rows_of(gate_report) == expected
    assert [f["fingerprint"] for f in gate_report["findings"]] == [f.fingerprint for f in judgement.findings]

    diff = runner.invoke(app, ["diff", SITE, "--from-history", "--db", "h.db"])
    assert diff.exit_code == 0, diff.output
    cells = {}
    for line in diff.output.splitlines():
        parts = [c.strip() for c in line.split("│")]
        if len(parts) > 7 and parts[2] == "cookie":
            cells[parts[3]] = (parts[6], parts[7].split(" (")[0] or None)
    cookies = {o.name: (o.category, o.declared.name if o.declared else None)
               for o in judgement.inventory if o.kind == "cookie"}
    assert cells == cookies
