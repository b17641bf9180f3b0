"""The knowledge base: the bundled Open Cookie Database, our overrides, lookups, the refresh script."""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scanner.cli import build_app
from scanner.knowledge.cookies import (OCD, OVERRIDES, KnowledgeError, load_knowledge_base, map_category, parse_ocd,
                               read_overrides)
from scanner.models import CATEGORIES

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "scanner" / "knowledge" / "data"
PACKAGE = ROOT / "node_modules" / "@slashgear" / "gdpr-cookie-scanner"


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


def test_the_bundled_copy_is_the_full_database_with_its_licence_and_provenance(kb):
    meta = json.loads((DATA / "open-cookie-database.meta.json").read_text())
    raw = (DATA / "open-cookie-database.json").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == meta["sha256"]
    ocd_rows = [r for r in kb.rows if r.source == OCD]
    assert len(ocd_rows) == meta["rows"] > 2000
    assert meta["via_package"].startswith("@slashgear/gdpr-cookie-scanner@")
    assert "Apache License" in (DATA / "open-cookie-database.LICENSE").read_text()
    assert "Open-Cookie-Database" in (DATA / "open-cookie-database.NOTICE").read_text()
    assert all(r.category in CATEGORIES for r in kb.rows)


def test_well_known_cookies(kb):
    ga = kb.lookup("_ga")[0]
    assert (ga.category, ga.vendor, ga.source, ga.wildcard) == ("analytics", "Google", OCD, False)
    fbp = kb.lookup("_fbp")[0]
    assert (fbp.category, fbp.vendor) == ("marketing", "Meta")  # OCD says "Facebook"; one company, one name
    assert kb.lookup("certainly_not_a_known_cookie_42") == []
    assert kb.best("certainly_not_a_known_cookie_42") is None


def test_wildcard_rows_match_by_prefix_longest_first(kb):
    rows = kb.lookup("_ga_ABC123")
    assert rows and rows[0].pattern == "_ga_*" and rows[0].category == "analytics"
    assert kb.best("_ga_ABC123") == rows[0]
    assert kb.lookup("_ga_") != [] and kb.best("x_ga_ABC123") is None  # a prefix, not a substring
    # Every wildcard match listed is longest prefix first.
    lengths = [len(r.name) for r in kb.lookup("intercom-session-abc") if r.wildcard]
    assert lengths == sorted(lengths, reverse=True)


def test_exact_match_before_wildcard_and_case_folded_after_exact(kb):
    rows = kb.lookup("euconsent-v2")
    kinds = [r.wildcard for r in rows]
    assert kinds == sorted(kinds) and any(kinds)  # exact rows first, then the `euconsent*` prefix
    assert kb.best("phpsessid").name == "PHPSESSID"


def test_overrides_come_first_and_say_why(kb):
    rows = kb.lookup("PHPSESSID")
    assert [r.source for r in rows] == [OVERRIDES, OCD]
    assert rows[0].category == "strictly_necessary" and rows[1].category == "functional"
    assert "CNIL" in rows[0].note and rows[0].ref.startswith("cookie-overrides.csv:")
    assert all(r.note for r in kb.rows if r.source == OVERRIDES)


def test_category_mapping_keeps_audience_measurement_non_exempt():
    assert map_category("Analytics") == "analytics"
    assert map_category("Security") == "strictly_necessary"
    assert map_category("Necessary") == "strictly_necessary"
    assert map_category("Functional") == "functional"
    assert map_category("Personalization") == "functional"
    assert map_category("Marketing") == "marketing"
    assert map_category("Something new") == "unknown"


def test_an_override_without_source_is_refused_with_its_line(tmp_path):
    src = (DATA / "cookie-overrides.csv").read_text().splitlines()
    bad = src[:3] + [src[3].rsplit(",", 1)[0] + ","]
    path = tmp_path / "cookie-overrides.csv"
    path.write_text("\n".join(bad) + "\n")
    with pytest.raises(KnowledgeError, match=r"cookie-overrides.csv:4: every override needs a source"):
        read_overrides(path)


def test_a_bad_database_file_is_a_user_error(tmp_path):
    (tmp_path / "open-cookie-database.json").write_text("[1, 2]")
    with pytest.raises(KnowledgeError, match="expected a JSON object"):
        load_knowledge_base(tmp_path)
    (tmp_path / "open-cookie-database.json").write_text("{not json")
    with pytest.raises(KnowledgeError, match="invalid JSON"):
        load_knowledge_base(tmp_path)


def test_parse_handles_stray_whitespace_and_star_suffixes():
    rows = parse_ocd({"X": [
        {"id": "1", "category": "Marketing", "cookie": "SSPR_*", "wildcardMatch": "0"},
        {"id": "2", "category": "Analytics", "cookie": "ce_need\t", "wildcardMatch": "0"},
    ]})
    assert [(r.name, r.wildcard) for r in rows] == [("SSPR_", True), ("ce_need", False)]


# ------------------------------------------------------------ refresh script ---

def _run_refresh(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "refresh_knowledge.py"), *args],
                          capture_output=True, text=True, timeout=60)


def test_refresh_from_the_installed_npm_package_reports_what_changed(tmp_path):
    upstream = json.loads((PACKAGE / "src/data/open-cookie-database.json").read_text())
    # The package as it might look after an upstream update: one row gone, one changed, one new.
    package = tmp_path / "package"
    shutil.copytree(PACKAGE, package, ignore=shutil.ignore_patterns("node_modules", "dist", "website", "tests"))
    ga_rows = upstream["Google Analytics"]
    removed = ga_rows.pop(next(i for i, r in enumerate(ga_rows) if r["cookie"] == "_gid"))
    next(r for r in upstream["Facebook"] if r["cookie"] == "_fbp")["category"] = "Analytics"
    upstream["Example Vendor"] = [{"id": "new-row-1", "category": "Marketing", "cookie": "_ex_id",
                                   "domain": "", "description": "d", "retentionPeriod": "1 year",
                                   "dataController": "Example", "privacyLink": "", "wildcardMatch": "0"}]
    (package / "src/data/open-cookie-database.json").write_text(json.dumps(upstream))
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copy(DATA / "open-cookie-database.json", data_dir)

    dry = _run_refresh("--package", str(package), "--data-dir", str(data_dir), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "added (1):\n  + _ex_id  [Marketing] Example" in dry.stdout
    assert f"removed (1):\n  - _gid  [{removed['category']}] Google" in dry.stdout
    assert "changed (1):\n  ~ _fbp: source_category 'Marketing' -> 'Analytics'" in dry.stdout
    assert (data_dir / "open-cookie-database.json").read_bytes() == (DATA / "open-cookie-database.json").read_bytes()

    done = _run_refresh("--package", str(package), "--data-dir", str(data_dir))
    assert done.returncode == 0, done.stderr
    kb = load_knowledge_base(data_dir)
    assert kb.best("_ex_id").vendor == "Example" and kb.best("_gid") is None
    meta = json.loads((data_dir / "open-cookie-database.meta.json").read_text())
    assert meta["rows"] == len(kb) and meta["sha256"] == hashlib.sha256(
        (data_dir / "open-cookie-database.json").read_bytes()).hexdigest()

    again = _run_refresh("--package", str(package), "--data-dir", str(data_dir), "--dry-run")
    assert "added (0)" in again.stdout and "removed (0)" in again.stdout and "changed (0)" in again.stdout


def test_refresh_names_a_missing_package():
    result = _run_refresh("--package", "/nonexistent/pkg", "--dry-run")
    assert result.returncode == 2 and "/nonexistent/pkg/src/data/open-cookie-database.json: not found" in result.stderr


# ---------------------------------------------------------------- explain ---

def test_explain_lists_every_matching_row_with_its_source():
    result = CliRunner().invoke(build_app(), ["explain", "PHPSESSID"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("PHPSESSID: strictly_necessary (knowledge_base:overrides)")
    assert "1. exact: strictly_necessary [strictly_necessary]" in result.output
    assert "2. exact: functional [Functional], PHP.net" in result.output
    assert "heuristic session_identifier" in result.output


def test_explain_json_and_unknown_names():
    result = CliRunner().invoke(build_app(), ["explain", "_ga_XY12AB", "--json"])
    data = json.loads(result.output)
    assert data["classification"]["category"] == "analytics"
    assert [r["match"] for r in data["rows"]] == ["wildcard _ga_*"]
    unknown = CliRunner().invoke(build_app(), ["explain", "drdv_visitor"], terminal_width=200)
    assert "drdv_visitor: unknown (unknown)" in unknown.output
    assert "not in the knowledge base" in unknown.output and "reported for review" in unknown.output
