"""`cookiescan diff` shows behaviour findings beside the cookies, and a new one as a change."""
from __future__ import annotations

from dataclasses import replace

from typer.testing import CliRunner

from scanner.cli import build_app
from scanner.history.store import SQLiteStore
from scanner.judge import judge
from scanner.models import BEFORE_CONSENT, PhaseBehaviour, SessionRecording
from tests.support.builders_reconcile import scan

runner = CliRunner(env={"COLUMNS": "220"})


def with_recorder(s):
    start = s.start_url
    rec = SessionRecording("Hotjar", "script", "https://static.hotjar.com/c/hotjar-1.js", "static.hotjar.com", start,
                           BEFORE_CONSENT, start)
    phases = tuple(replace(p, behaviour=PhaseBehaviour(session_recordings=(rec,))) if p.phase == BEFORE_CONSENT else p
                   for p in s.phases)
    return replace(s, phases=phases, started_at="2026-01-02T00:00:00Z")


def test_diff_lists_a_session_recorder_and_reports_it_as_new_since_last(tmp_path):
    db = tmp_path / "history.db"
    with SQLiteStore(db) as store:
        for s in (scan(), with_recorder(scan())):
            store.save_scan(s, judge(s, None).findings)
    result = runner.invoke(build_app(), ["diff", "shop.example", "--from-history", "--since", "last", "--db", str(db)])
    assert result.exit_code == 0, result.output
    other = result.output[result.output.index("Other findings"):result.output.index("changes since")]
    assert "session_recording" in other and "Hotjar" in other and "high" in other
    changes = result.output[result.output.index("changes since"):]
    assert "new finding (high)" in changes and "session_recording" in changes
