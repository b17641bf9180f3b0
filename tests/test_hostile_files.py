"""Hostile user files (tests/fixtures/hostile/): one line naming file and line, exit 2, never a traceback."""
from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scanner.cli import build_app
from scanner.history.store import SQLiteStore
from scanner.scanfile import save_scan
from tests.support.report_sample import sample_scan

HOSTILE = Path(__file__).parent / "fixtures" / "hostile"
runner = CliRunner(env={"COLUMNS": "300"})
ESCAPES = ("\x1b", "\x07", "\x9b", "\u202e")


def run(*args):
    result = runner.invoke(build_app(), [str(a) for a in args])
    assert "Traceback" not in result.output and not isinstance(result.exception, (ValueError, TypeError,
                                                                                  sqlite3.Error)), result.output
    return result


def one_error_line(result, *needles):
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


# ------------------------------------------------------------ config ---

CONFIG_CASES = {
    "pages_string.toml": ":3: pages: expected a whole number", "start_url_number.toml": ":2: start_url:",
    "name_number.toml": ":2: name:", "steps_numbers.toml": ":5: steps:", "classify_string.toml": ":3: classify:",
    "defaults_number.toml": ":1: defaults:", "start_url_broken.toml": ":2: [[site]] #1: start_url",
    "deny_patterns_string.toml": ':3: deny_patterns: expected a list of strings, got a string (write ["logout"]',
    "misspelt_name.toml": ":2: unknown key 'nmae' (did you mean 'name'?)",
    "misspelt_pagez.toml": ":9: unknown key 'pagez' (did you mean 'pages'?)",
    "misspelt_fail_on.toml": ":2: unknown key 'fial_on' (did you mean 'fail_on'?)",
    "pages_negative.toml": ":3: pages: must be between 1 and", "latin1.toml": ":2: not UTF-8 text",
    "binary.toml": ":1: not UTF-8 text", "nul_bytes.toml": ":3: a binary file",
    "classify_bad_category.toml": ":4: classify._ga: 'tracking' is not one of",
}


@pytest.mark.parametrize("name", sorted(CONFIG_CASES))
def test_a_hostile_config_is_one_line_with_its_line(name):
    path = HOSTILE / "config" / name
    one_error_line(run("check", "--config", path, "--from-history"), f"{path}{CONFIG_CASES[name]}")


def test_a_folder_as_config_is_one_line():
    one_error_line(run("check", "--config", HOSTILE / "config"), "is a directory")


# ---------------------------------------------------------- scan files ---

@pytest.mark.parametrize("name, needle", [
    ("scan_wrong_type.json", "phases[0].cookies[0].requested_lifetime_s: expected a finite number, got \"13 months\""),
    ("scan_nan.json", "NaN is not a number JSON allows"),
    ("scan_phases_string.json", "phases: expected a list"),
])
def test_a_hostile_scan_file_is_one_line(name, needle, tmp_path):
    one_error_line(run("report", HOSTILE / name, "--out", tmp_path / "r.html"), name, needle)


def test_a_scan_file_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("COOKIESCAN_MAX_SCAN_BYTES", "1000")
    path = save_scan(sample_scan(), tmp_path / "scan.json")
    one_error_line(run("report", path), "over the limit of 1,000 bytes", "COOKIESCAN_MAX_SCAN_BYTES")


def test_a_policy_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("COOKIESCAN_MAX_POLICY_BYTES", "10000")
    policy = tmp_path / "policy.md"
    policy.write_text("| Nom | Durée |\n|---|---|\n" + "| _ga | 13 mois |\n" * 2000, encoding="utf-8")
    one_error_line(run("declared", "import", policy, "--site", "a.test", "--out", tmp_path / "declared"),
                   str(policy), "COOKIESCAN_MAX_POLICY_BYTES")


# ------------------------------------------------------------ history ---

def damaged_db(tmp_path) -> Path:
    path = tmp_path / "history.db"
    with SQLiteStore(path) as store:
        for day in range(1, 30):
            store.save_scan(replace(sample_scan(), started_at=f"2026-01-{day:02d}T00:00:00+00:00"), [])
    raw = bytearray(path.read_bytes())
    raw[4096:len(raw) - 4096] = b"\xde\xad" * ((len(raw) - 8192) // 2)  # valid header, broken pages
    path.write_bytes(bytes(raw))
    return path


def test_a_damaged_history_is_one_line_in_every_command(tmp_path):
    db = damaged_db(tmp_path)
    for args in (("history", "pro.doctolib.fr"), ("diff", "pro.doctolib.fr", "--from-history"),
                 ("scan", "https://a.test/", "--out", tmp_path / "out")):  # found before any browser starts
        one_error_line(run(*args, "--db", db), str(db))
    assert not (tmp_path / "out").exists()


def test_a_locked_history_is_found_before_the_scan(tmp_path):
    db = tmp_path / "history.db"
    SQLiteStore(db).close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        from scanner.history.store import StoreError
        with pytest.raises(StoreError, match="locked"):
            with SQLiteStore(db, timeout_s=0.1) as store:
                store.check()
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_failed_history_write_says_where_the_scan_is_and_how_to_import_it(tmp_path, monkeypatch):
    from scanner.commands import scan as scan_command
    from scanner.config import site_from_url
    from scanner.errors import UserError
    result = sample_scan()
    out = tmp_path / "out"
    db = damaged_db(tmp_path)
    with pytest.raises(UserError) as caught:
        scan_command._record(result, site_from_url(result.start_url), db, None, out=out)
    message = str(caught.value)
    assert "scan.json" in message and f"cookiescan history import {out}" in message and str(db) in message


def test_history_import_takes_a_file_or_a_folder_once(tmp_path):
    out = tmp_path / "shards"
    for day in (1, 2):
        s = replace(sample_scan(), started_at=f"2026-02-{day:02d}T00:00:00+00:00")
        save_scan(s, out / f"shard{day}" / "scan.json")
    db = tmp_path / "history.db"
    first = run("history", "import", out / "shard1" / "scan.json", "--db", db)
    assert first.exit_code == 0 and "1 imported, 0 already there" in first.output, first.output
    folder = run("history", "import", out, "--db", db)
    assert folder.exit_code == 0 and "1 imported, 1 already there" in folder.output, folder.output
    with SQLiteStore(db) as store:
        assert len(store.scans("pro.doctolib.fr")) == 2
    one_error_line(run("history", "import", HOSTILE / "scan_wrong_type.json", "--db", db), "scan_wrong_type.json")


# ------------------------------------------------------- declared files ---

def test_validate_prints_escapes_inert_and_keeps_line_numbers():
    result = run("declared", "validate", HOSTILE / "declared")
    assert result.exit_code == 1
    assert not any(ch in result.output for ch in ESCAPES)
    assert "cookies.yaml:92: error: '\\x1b]0;pwned\\x07\\x1b[31mred'" in result.output
    assert "cookies.yaml:100: error" in result.output  # `:100:` is no emoji


def test_the_error_printer_keeps_line_numbers_and_markup_as_text(tmp_path):
    bad = tmp_path / "cookiescan.toml"
    bad.write_text("\n" * 99 + "[[site]]\nstart_url = 5\n", encoding="utf-8")
    one_error_line(run("check", "--config", bad), f"{bad}:101:")
    (tmp_path / "[red]x :100:").mkdir()
    one_error_line(run("check", "--config", tmp_path / "[red]x :100:" / "c.toml"), "[red]x :100:")


def test_draft_never_writes_what_validate_refuses(tmp_path):
    from tests.support.builders_reconcile import cookie, scan, storage
    hostile = scan(cookies=[cookie('"><img src=x>'), cookie("{{7*7}}"), cookie("ok_cookie")],
                   storage_items=[storage(""), storage("\x1b]0;x\x07"), storage("fine_key")])
    path = save_scan(hostile, tmp_path / "scan.json")
    out = tmp_path / "drafts" / hostile.site
    result = run("declared", "draft", hostile.site, "--from-scan", path, "--out", out)
    assert result.exit_code == 0, result.output
    assert run("declared", "validate", out).exit_code == 0
    shown = run("declared", "show", hostile.site, "--root", out.parent)
    assert shown.exit_code == 0 and "ok_cookie" in shown.output and "fine_key" in shown.output
    assert "img src" not in shown.output and "left out" in shown.output


# ------------------------------------------------------------ the gate ---

def test_check_goes_on_whatever_one_site_raises(tmp_path):
    from scanner.config import load_config
    from scanner.errors import UserError
    from scanner.history.baseline import Baseline
    from scanner.history.gate import run_gate, summary_markdown
    from scanner.history.store import MemoryStore

    config = tmp_path / "cookiescan.toml"
    config.write_text("".join(f'[[site]]\nname = "{n}.example"\nstart_url = "https://{n}.example/"\n'
                              for n in ("overflow", "user", "fine")), encoding="utf-8")

    def scan_or_raise(site):
        if site.name == "overflow.example":
            raise OverflowError("cannot convert float infinity to integer")
        if site.name == "user.example":
            raise UserError("storage state file login.json not found")
        return replace(sample_scan(), site=site.name)

    result = run_gate(load_config(config), scan=scan_or_raise, store=MemoryStore(), baseline=Baseline(),
                      fail_on="high", out_dir=tmp_path / "out", today=date(2026, 1, 1), formats=("json",))
    assert [s.site for s in result.sites] == ["overflow.example", "user.example", "fine.example"]
    assert result.sites[2].scan_id and result.sites[2].reports
    summary = summary_markdown(result)
    assert "## Sites that failed" in summary
    assert "overflow.example: OverflowError: cannot convert float infinity to integer" in summary
    assert "user.example: storage state file login.json not found" in summary
