"""Draft declared tables from a scan: ID patterns, longest lifetime, draft flags, validate round-trip."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from scanner.declared import read_site, write_declared
from scanner.declared.draft import draft_declared, draft_pattern
from scanner.cli import build_app
from scanner.knowledge.cookies import load_knowledge_base
from scanner.scanfile import save_scan
from tests.support.builders_knowledge import YEAR, scan

CONSENT = {"tarteaucitron": ("tarteaucitron",)}


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


def test_names_collapse_to_patterns_where_an_id_varies(kb):
    assert draft_pattern("_ga_ABC123", kb) == "_ga_*"  # KB wildcard row
    assert draft_pattern("intercom-session-abc", kb) == "intercom-session-*"  # KB wildcard, short suffix
    assert draft_pattern("_hjSessionUser_4120573", kb) == "_hjSessionUser_*"
    assert draft_pattern("visitor_9f8e7d6c", kb) == "visitor_*"  # hex suffix heuristic
    assert draft_pattern("widget-7a1b2c3d4e", kb) == "widget-*"
    for name in ("_ga", "PHPSESSID", "drdv_visitor", "pin_login", "cookie_v2", "SRC_token"):
        assert draft_pattern(name, kb) == name


def test_draft_rows(kb):
    drafted = draft_declared(scan(), kb, consent_patterns=CONSENT)
    rows = {c.name: c for c in drafted.cookies}
    assert set(rows) == {"PHPSESSID", "drdv_visitor", "tarteaucitron", "YSC", "drdv_form_step", "_ga", "_ga_*",
                         "_hjSession_*", "intercom-session-*", "bakup_onboarding"}
    assert all(c.draft for c in drafted.cookies)
    assert drafted.cookie_table == "table" and "DRAFT" in drafted.notes and "SYNTHETIC" in drafted.notes
    # The longest lifetime requested across phases and across the names of a pattern.
    assert rows["_ga_*"].retention.kind == "duration" and rows["_ga_*"].retention.seconds == 3 * YEAR
    assert rows["drdv_visitor"].retention.seconds == 6 * YEAR and rows["drdv_visitor"].retention.text == "2190 days"
    assert rows["_hjSession_*"].retention.text == "30 minutes"
    assert rows["PHPSESSID"].retention.kind == "session"
    assert rows["drdv_form_step"].retention.kind == "session"
    assert rows["bakup_onboarding"].retention.kind == "relative"
    # Category, vendor and purpose from what is known, unknown left for the site to complete.
    assert (rows["_ga_*"].category, rows["_ga_*"].vendor) == ("analytics", "Google")
    assert rows["tarteaucitron"].category == "strictly_necessary"
    assert rows["PHPSESSID"].category == "strictly_necessary"
    assert rows["_hjSession_*"].category == "analytics"
    unknown = rows["drdv_visitor"]
    assert unknown.category == "unknown" and "to be completed" in unknown.purpose
    assert unknown.vendor == "docrdv.fr (first party, to confirm)"
    assert rows["YSC"].vendor == "Google"
    # Strictly necessary rows first, unknown last.
    categories = [c.category for c in drafted.cookies]
    assert categories[0] == "strictly_necessary" and categories[-1] == "unknown"


def test_draft_validate_round_trip(kb, tmp_path):
    drafted = draft_declared(scan(), kb, consent_patterns=CONSENT)
    write_declared(drafted, tmp_path / "docrdv.fr")
    loaded, problems = read_site(tmp_path / "docrdv.fr")
    assert [p for p in problems if p.severity == "error"] == []
    review = [p for p in problems if "draft: needs review" in p.message]
    assert len(review) == len(drafted.cookies)  # validate warns on every row until a person reviews it
    assert [(c.name, c.category, c.vendor, c.draft) for c in loaded.cookies] == \
           [(c.name, c.category, c.vendor, c.draft) for c in drafted.cookies]
    for before, after in zip(drafted.cookies, loaded.cookies):
        assert after.retention.kind == before.retention.kind, before.name
        if before.retention.seconds is not None:
            assert after.retention.seconds == pytest.approx(before.retention.seconds, rel=1e-3)


def test_declared_draft_command_writes_a_reviewable_draft(tmp_path, monkeypatch):
    scan_path = save_scan(scan(), tmp_path / "scan.json")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(build_app(), ["declared", "draft", "docrdv.fr", "--from-scan", str(scan_path)])
    assert result.exit_code == 0, result.output
    assert "wrote a draft of 10 rows to drafts/docrdv.fr/" in result.output
    loaded, problems = read_site(tmp_path / "drafts" / "docrdv.fr")
    assert len(loaded.cookies) == 10 and all(c.draft for c in loaded.cookies)
    again = CliRunner().invoke(build_app(), ["declared", "draft", "docrdv.fr", "--from-scan", str(scan_path)])
    assert again.exit_code == 2 and "already there" in again.output
    wrong = CliRunner().invoke(build_app(), ["declared", "draft", "www.mybakup.com", "--from-scan",
                                                 str(scan_path), "--out", str(tmp_path / "x")])
    assert wrong.exit_code == 2 and "the scan is of docrdv.fr" in wrong.output
