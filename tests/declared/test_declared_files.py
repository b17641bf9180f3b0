"""declared/<site>/ files: validate reports each problem with file and line; the CLI on top."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scanner.cli import build_app
from scanner.declared import DeclaredFileError, find_declared, load_declared, validate

ROOT = Path(__file__).resolve().parents[2]
POLICIES = ROOT / "tests" / "fixtures" / "policies"
DECLARED = ROOT / "declared"
SITE = "site: example.test\ncookie_table: table\nnotes: ''\nsources: []\n"


def _site(tmp_path: Path, cookies: str, site: str = SITE) -> Path:
    folder = tmp_path / "declared" / "example.test"
    folder.mkdir(parents=True)
    (folder / "site.yaml").write_text(site, encoding="utf-8")
    (folder / "cookies.yaml").write_text(cookies, encoding="utf-8")
    return folder


def _problems(tmp_path: Path) -> list[tuple[str, int, str, str]]:
    return [(Path(p.file).name, p.line, p.severity, p.message) for p in validate(tmp_path / "declared")]


GOOD = "- name: sid\n  vendor: Example\n  category: strictly_necessary\n  retention: Session\n"


def test_committed_declared_folder_is_valid():
    assert [p for p in validate(DECLARED) if p.severity == "error"] == []


def test_bad_duration_is_an_error_with_its_line(tmp_path):
    _site(tmp_path, GOOD + "- name: _ga\n  category: analytics\n  retention: 13 moiss\n")
    assert _problems(tmp_path) == [("cookies.yaml", 7, "error",
                                    "bad duration '13 moiss' for '_ga' (expected e.g. Session, 13 mois, 1 Woche, 2 years)")]


def test_duplicate_cookie_unknown_field_and_unknown_category(tmp_path):
    _site(tmp_path, GOOD + "- name: sid\n  category: tracking\n  retention: 1 an\n  colour: blue\n")
    assert _problems(tmp_path) == [
        ("cookies.yaml", 8, "error", "unknown field 'colour' (known: name, vendor, purpose, category, category_source, retention, "
                                     "source, draft)"),
        ("cookies.yaml", 6, "error", "unknown category 'tracking' (one of strictly_necessary, functional, "
                                     "analytics, marketing, unknown)"),
        ("cookies.yaml", 5, "error", "duplicate cookie 'sid' (first at line 1)"),
    ]


def test_draft_rows_are_warnings(tmp_path):
    _site(tmp_path, GOOD + "- name: x\n  category: unknown\n  retention: persistent\n  draft: true\n")
    assert [(line, severity) for _, line, severity, _ in _problems(tmp_path)] == [(7, "warning"), (5, "warning")]
    assert _problems(tmp_path)[1][3] == "draft: needs review ('x')"
    assert load_declared(tmp_path / "declared" / "example.test").cookies[1].draft


def test_site_file_problems(tmp_path):
    _site(tmp_path, GOOD, site="site: other.test\ncookie_table: maybe\nextra: 1\n")
    assert _problems(tmp_path) == [
        ("site.yaml", 3, "error", "unknown field 'extra' (known: site, cookie_table, notes, sources)"),
        ("site.yaml", 1, "error", "site 'other.test' does not match its folder 'example.test'"),
        ("site.yaml", 2, "error", "cookie_table must be one of table, none, by_reference (got 'maybe')"),
    ]


def test_malformed_yaml_is_one_error_and_load_raises_with_file_and_line(tmp_path):
    folder = _site(tmp_path, GOOD + "- name: [unclosed\n")
    assert _problems(tmp_path)[0][:3] == ("cookies.yaml", 6, "error")
    with pytest.raises(DeclaredFileError, match=r"cookies.yaml:6: .*invalid YAML"):
        load_declared(folder)
    with pytest.raises(DeclaredFileError, match="no such declared site folder"):
        load_declared(tmp_path / "nowhere")
    assert find_declared("nowhere.test", tmp_path / "declared") is None


# ------------------------------------------------------------------ CLI ---

runner = CliRunner()


def test_cli_import_show_validate_compare(tmp_path):
    app = build_app()
    out = tmp_path / "declared"
    result = runner.invoke(app, ["declared", "import", str(POLICIES / "pro.doctolib.fr-cookies.md"),
                                 "--site", "pro.doctolib.fr", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "pro.doctolib.fr: 7 cookies from the table at pro.doctolib.fr-cookies.md:26" in result.output
    result = runner.invoke(app, ["declared", "import", str(POLICIES / "docrdv.fr-confidentialite.txt"),
                                 "--site", "docrdv.fr", "--out", str(out)])
    assert result.exit_code == 0
    assert result.output.strip().splitlines() == [
        f"docrdv.fr: no cookie table in docrdv.fr-confidentialite.txt → cookie_table: none → {out / 'docrdv.fr'}"]
    result = runner.invoke(app, ["declared", "show", "pro.doctolib.fr", "--root", str(out), "--json"])
    assert result.exit_code == 0
    shown = json.loads(result.output)
    assert shown["cookie_table"] == "table" and shown["cookies"][3]["retention"]["text"] == "13 Mois"
    result = runner.invoke(app, ["declared", "show", "pro.doctolib.fr", "--root", str(out)])
    assert result.exit_code == 0 and "intercom-session" in result.output and "1 Semaine" in result.output
    result = runner.invoke(app, ["declared", "validate", str(out)])
    # One warning: the table's `intercom-session` is the stem of the family `intercom-session-*` (issue 13).
    assert result.exit_code == 0 and "0 errors, 1 warnings" in result.output and "intercom-session-*" in result.output
    result = runner.invoke(app, ["declared", "compare", "pro.doctolib.it", "pro.doctolib.de", "--root",
                                 str(DECLARED)])
    assert result.exit_code == 0
    assert "spelling_differs: IQVIA: 'IQvia'" in result.output
    assert result.output.strip().endswith("34 subprocessors in pro.doctolib.it, 34 in pro.doctolib.de, "
                                          "34 matched, 3 differences")


def test_cli_validate_exit_codes(tmp_path):
    app = build_app()
    folder = _site(tmp_path, GOOD + "- name: sid\n  category: analytics\n  retention: 13 moiss\n")
    result = runner.invoke(app, ["declared", "validate", str(tmp_path / "declared")])
    assert result.exit_code == 1
    assert f"{folder / 'cookies.yaml'}:5: error: duplicate cookie 'sid' (first at line 1)" in result.output
    assert f"{folder / 'cookies.yaml'}:7: error: bad duration '13 moiss'" in result.output
    (folder / "cookies.yaml").write_text(GOOD + "- name: x\n  category: unknown\n  retention: ''\n  draft: true\n")
    result = runner.invoke(app, ["declared", "validate", str(folder)])
    assert result.exit_code == 0 and "draft: needs review ('x')" in result.output


@pytest.mark.parametrize("args", [
    ["declared", "import", "{tmp}/missing.txt", "--site", "x.test", "--out", "{tmp}/out"],
    ["declared", "import", "{tmp}/binary.txt", "--site", "x.test", "--out", "{tmp}/out"],
    ["declared", "show", "broken.test", "--root", "{tmp}/declared"],
    ["declared", "show", "absent.test", "--root", "{tmp}/declared"],
    ["declared", "validate", "{tmp}/nowhere"],
    ["declared", "compare", "broken.test", "absent.test", "--root", "{tmp}/declared"],
])
def test_cli_bad_input_is_one_line_and_exit_2(tmp_path, args):
    (tmp_path / "binary.txt").write_bytes(b"\x00\x00PK")
    broken = tmp_path / "declared" / "broken.test"
    broken.mkdir(parents=True)
    (broken / "site.yaml").write_text("site: broken.test\ncookie_table: [oops\n", encoding="utf-8")
    result = runner.invoke(build_app(), [a.format(tmp=tmp_path) for a in args])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output


def test_hand_edit_round_trip(tmp_path):
    """A compliance officer's edit (a pattern row) survives load and is used for matching."""
    folder = tmp_path / "pro.doctolib.fr"
    shutil.copytree(DECLARED / "pro.doctolib.fr", folder)
    new_row_line = len((folder / "cookies.yaml").read_text(encoding="utf-8").splitlines()) + 1
    with (folder / "cookies.yaml").open("a", encoding="utf-8") as f:
        f.write("- name: intercom-session-*\n  vendor: Intercom R&D Unlimited Company\n"
                "  category: functional\n  retention: 1 Woche\n")
    from tests.support.builders_reconcile import declared_row
    site = load_declared(folder)
    row = declared_row(site, "intercom-session-abc123")
    assert row.retention.seconds == 7 * 86400 and row.source == f"{folder / 'cookies.yaml'}:{new_row_line}"
