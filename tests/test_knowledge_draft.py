"""Draft declared tables from a scan: ID patterns, longest lifetime, draft flags, validate round-trip."""
from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from scanner.commands.knowledge import draft_command
from scanner.declared import read_site, write_declared
from scanner.draft import draft_declared, draft_pattern
from scanner.errors import UserError
from scanner.knowledge import load_knowledge_base
from scanner.models import (ACCEPT, BEFORE_CONSENT, REJECT, ConsentOutcome, ObservedCookie, PhaseResult, ScanResult,
                            StorageItem)
from scanner.scanfile import save_scan

CONSENT = {"tarteaucitron": ("tarteaucitron",)}
YEAR = 365 * 86400.0


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


def cookie(name: str, phase: str, lifetime: float | None, party: str = "first",
           domain: str = "docrdv.fr") -> ObservedCookie:
    return ObservedCookie(name=name, domain=domain, path="/", secure=True, http_only=False, same_site="Lax",
                          partitioned=False, session=lifetime is None, requested_lifetime_s=lifetime,
                          stored_lifetime_s=min(lifetime, 400 * 86400.0) if lifetime else None, party=party,
                          registrable_domain=domain, set_by="script", set_by_url=None, phase=phase,
                          page_url="https://docrdv.fr/", value_hash="0" * 16)


def storage(key: str, kind: str, phase: str) -> StorageItem:
    return StorageItem(origin="https://docrdv.fr", kind=kind, key=key, value_hash="0" * 16, party="first",
                       phase=phase, page_url="https://docrdv.fr/")


def phase(name: str, cookies=(), items=()) -> PhaseResult:
    return PhaseResult(phase=name, pages=(), cookies=tuple(cookies), blocked_cookies=(), storage=tuple(items),
                       requests=(), consent=ConsentOutcome(action="none"))


def scan() -> ScanResult:
    before = phase(BEFORE_CONSENT, [cookie("PHPSESSID", BEFORE_CONSENT, None),
                                    cookie("drdv_visitor", BEFORE_CONSENT, 5 * YEAR),
                                    cookie("tarteaucitron", BEFORE_CONSENT, YEAR),
                                    cookie("YSC", BEFORE_CONSENT, None, "third", "youtube.com")],
                   [storage("drdv_form_step", "session", BEFORE_CONSENT)])
    accept = phase(ACCEPT, [cookie("_ga", ACCEPT, 2 * YEAR), cookie("_ga_DRDV2024", ACCEPT, 2 * YEAR),
                            cookie("_ga_OTHER99", ACCEPT, 3 * YEAR), cookie("_hjSession_4120573", ACCEPT, 1800),
                            cookie("intercom-session-abc", ACCEPT, 7 * 86400.0),
                            cookie("drdv_visitor", ACCEPT, 6 * YEAR)],
                   [storage("bakup_onboarding", "local", ACCEPT)])
    reject = phase(REJECT, [cookie("PHPSESSID", REJECT, None)])
    return ScanResult(schema_version=1, site="docrdv.fr", start_url="https://docrdv.fr/",
                      registrable_domain="docrdv.fr", started_at="2026-11-29T05:00:00+00:00",
                      finished_at="2026-11-29T05:01:00+00:00", tool_version="0.1.0", browser="Chromium",
                      page_list=("https://docrdv.fr/",), phases=(before, accept, reject), synthetic=True)


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


def _declared_app() -> typer.Typer:
    # The `declared` group as the CLI builds it, with this area's draft command added.
    app, declared = typer.Typer(), typer.Typer()
    app.add_typer(declared, name="declared")
    declared.command("draft")(draft_command)
    return app


def test_declared_draft_command_writes_a_reviewable_draft(tmp_path, monkeypatch):
    scan_path = save_scan(scan(), tmp_path / "scan.json")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(_declared_app(), ["declared", "draft", "docrdv.fr", "--from-scan", str(scan_path)])
    assert result.exit_code == 0, result.output
    assert "wrote a draft of 10 rows to drafts/docrdv.fr/" in result.output
    loaded, problems = read_site(tmp_path / "drafts" / "docrdv.fr")
    assert len(loaded.cookies) == 10 and all(c.draft for c in loaded.cookies)
    again = CliRunner().invoke(_declared_app(), ["declared", "draft", "docrdv.fr", "--from-scan", str(scan_path)])
    assert isinstance(again.exception, UserError) and "already there" in str(again.exception)
    wrong = CliRunner().invoke(_declared_app(), ["declared", "draft", "www.mybakup.com", "--from-scan",
                                                 str(scan_path), "--out", str(tmp_path / "x")])
    assert isinstance(wrong.exception, UserError) and "the scan is of docrdv.fr" in str(wrong.exception)
