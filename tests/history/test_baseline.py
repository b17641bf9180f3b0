"""Baseline of accepted findings: suppress until expiry, then report again."""
from __future__ import annotations

from datetime import date

import pytest
import yaml

from scanner.history.baseline import BaselineError, apply_baseline, baseline_entry, expired_absent, load_baseline
from scanner.models import ACCEPT
from scanner.judge import judge
from tests.support.builders_reconcile import cookie, scan


@pytest.fixture()
def findings():
    return judge(scan(cookies=[cookie("zz_a", ACCEPT), cookie("zz_b", ACCEPT)]), None).findings


def write(tmp_path, entries):
    path = tmp_path / "baseline.yaml"
    path.write_text(yaml.safe_dump({"accepted": entries}, sort_keys=False), encoding="utf-8")
    return path


def test_active_entry_suppresses_expired_entry_does_not(tmp_path, findings):
    a, b = (next(f for f in findings if f.subject == n) for n in ("zz_a", "zz_b"))
    path = write(tmp_path, [baseline_entry(a, reason="ticket 1", expires=date(2026, 6, 30)),
                            baseline_entry(b, reason="ticket 2", expires=date(2026, 1, 31))])
    out = apply_baseline(findings, load_baseline(path), today=date(2026, 2, 1), site="shop.example")
    assert [f.subject for f, _ in out.suppressed] == ["zz_a"]
    kept = {(f.kind, f.subject) for f in out.kept}
    assert ("undeclared_cookie", "zz_b") in kept  # expired: no longer suppressed
    notice = next(f for f in out.kept if f.kind == "baseline_expired")
    assert "2026-01-31" in notice.message and "still present" in notice.message and "ticket 2" in notice.message
    assert notice.declared_ref.endswith("baseline.yaml:7")  # the line where the expired entry starts


def test_expiry_day_itself_still_suppresses(tmp_path, findings):
    a = findings[0]
    path = write(tmp_path, [baseline_entry(a, reason="r", expires=date(2026, 3, 1))])
    assert len(apply_baseline(findings, load_baseline(path), today=date(2026, 3, 1)).suppressed) == 1
    assert len(apply_baseline(findings, load_baseline(path), today=date(2026, 3, 2)).suppressed) == 0


def test_expired_entry_for_vanished_finding_reported_once_per_run(tmp_path, findings):
    path = write(tmp_path, [{"fingerprint": "0000aaaa", "reason": "old", "expires": "2025-01-01"}])
    base = load_baseline(path)
    per_site = apply_baseline(findings, base, today=date(2026, 1, 1), report_absent=False)
    assert not [f for f in per_site.kept if f.kind == "baseline_expired"]
    (notice,) = expired_absent(base, {f.fingerprint for f in findings}, today=date(2026, 1, 1))
    assert "no longer observed" in notice.message


@pytest.mark.parametrize("text, message", [
    ("accepted:\n  - fingerprint: abc\n    reason: r\n", "baseline.yaml:2: missing 'expires'"),
    ("accepted:\n  - fingerprint: abc\n    reason: r\n    expires: 2026-13-01\n", "baseline.yaml:2: expires"),
    ("accepted:\n  - {fingerprint: a, reason: r, expires: 2026-01-01}\n  - {fingerprint: a, reason: r, expires: 2026-01-01}\n",
     "baseline.yaml:3: fingerprint a already accepted"),
    ("accepted:\n  - {fingerprint: a, reason: r, expires: 2026-01-01, color: red}\n", "unknown field"),
    ("accepted: [\n", "baseline.yaml:2: invalid YAML"),
    ("- just a list\n", "a mapping with an 'accepted:' list"),
])
def test_bad_baseline_names_file_and_line(tmp_path, text, message):
    path = tmp_path / "baseline.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BaselineError, match=message.replace("[", r"\[")):
        load_baseline(path)


def test_missing_baseline_file(tmp_path):
    with pytest.raises(BaselineError, match="no such baseline file"):
        load_baseline(tmp_path / "nope.yaml")
