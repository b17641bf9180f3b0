"""`cookiescan diff SITE --since last` after changing a replica between two scans shows exactly the change.

Two fixture webs serve the same SYNTHETIC replica; the second has an overlay whose
copy of the home page's headers sets one more cookie. The diff command itself runs
both scans (real Chromium) and stores them in a real SQLite history.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scanner.cli import build_app
from scanner.history.store import SQLiteStore
from scanner.demo.fixtureweb import WEB_ROOT, FixtureWeb

ROOT = Path(__file__).resolve().parents[2]
SITE = "www.mybakup.com"
pytestmark = pytest.mark.browser


def run_diff(web: FixtureWeb, db: Path, out: Path, *extra: str):
    args = ["diff", SITE, "--config", str(ROOT / "cookiescan.toml"), "--db", str(db), "--out", str(out),
            "--host-resolver-rules", web.resolver_rules, "--ignore-https-errors", "--synthetic", *extra]
    result = CliRunner(env={"COLUMNS": "250"}).invoke(build_app(), args)
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def table_rows(text: str) -> list[list[str]]:
    return [[c.strip() for c in line.split("│")[1:-1]] for line in text.splitlines() if line.startswith("│")]


def test_diff_since_last_shows_exactly_the_change(tmp_path):
    overlay = tmp_path / "overlay"
    headers = overlay / SITE / "index.html.headers"
    headers.parent.mkdir(parents=True)
    # The overlay shadows whole files, and a page's .headers sidecar is read next to the page it serves.
    shutil.copy(WEB_ROOT / SITE / "index.html", overlay / SITE / "index.html")
    original = (WEB_ROOT / SITE / "index.html.headers").read_text(encoding="utf-8")
    headers.write_text(original.rstrip("\n") + "\nSet-Cookie: bk_promo=spring; Max-Age=2592000; Path=/; Secure\n",
                       encoding="utf-8")
    db, out = tmp_path / "history.db", tmp_path / "reports"
    with FixtureWeb() as web:
        first = run_diff(web, db, out, "--since", "last")
    assert "no earlier scan" in first
    with FixtureWeb(overlay=overlay) as web:
        second = run_diff(web, db, out, "--since", "last")
    assert "changes since" in second, second
    changes = table_rows(second[second.index("changes since"):])
    assert changes, second
    assert {row[2] for row in changes} == {"bk_promo"}, second  # every change is about the new cookie
    kinds = {row[1] for row in changes}
    assert "new cookie" in kinds and "removed cookie" not in kinds and "lifetime changed" not in kinds
    assert any("undeclared_cookie" in row[3] for row in changes)
    new_cookie = next(row for row in changes if row[1] == "new cookie")
    assert "30 days" in new_cookie[3] and "before_consent" in new_cookie[3]
    with SQLiteStore(db) as store:
        assert len(store.scans(SITE)) == 2
    history = CliRunner(env={"COLUMNS": "250"}).invoke(build_app(), ["history", SITE, "--db", str(db)])
    assert history.exit_code == 0 and "synthetic replica" in history.output
