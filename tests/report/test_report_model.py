"""The report model: what a report shows, built from a scan, its findings and the declared side."""
from __future__ import annotations

import dataclasses
import struct
import zlib

from scanner.common.durations import format_duration
from scanner.judge import judge
from scanner.models import ACCEPT, BEFORE_CONSENT, REJECT
from scanner.report import build_report
from scanner.report.model import SYNTHETIC_NOTICE, printable
from tests.support.builders_reconcile import DictVendors
from tests.support.report_sample import (
    FORMULA_KEY, IMG_URL, SCREENSHOT, SCRIPT_COOKIE, sample_declared, sample_findings, sample_judgement, sample_scan,
)


def tiny_png() -> bytes:
    """A valid 1x1 PNG, built here so the tests need no image file."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) \
        + chunk(b"IEND", b"")


def model(vendors=None, **kwargs):
    judgement = sample_judgement(declared=sample_declared(), **({"vendors": vendors} if vendors else {}))
    return build_report(sample_scan(), judgement, **kwargs)


def test_counts_and_order_follow_severity():
    m = model()
    assert m.severity_counts == (("high", 3), ("medium", 3), ("low", 1), ("info", 1))
    severities = [f.severity for f in m.findings]
    assert severities == sorted(severities, key=["high", "medium", "low", "info"].index)
    assert {f.fingerprint for f in m.findings} == {f.fingerprint for f in sample_findings()}


def test_synthetic_notice_only_for_replicas():
    assert model().notice == SYNTHETIC_NOTICE
    real = dataclasses.replace(sample_scan(), synthetic=False)
    assert build_report(real, sample_judgement(real, findings=[])).notice is None


def test_consent_warning_is_loud_only_when_consent_did_not_take_effect():
    phases = {p.phase: p for p in model().phases}
    assert [p for p in phases] == [BEFORE_CONSENT, ACCEPT, REJECT]
    assert phases[REJECT].consent_warning.startswith("CONSENT NOT REFUSED")
    assert "banner still visible after click" in phases[REJECT].consent_warning
    assert phases[ACCEPT].consent_warning is None and phases[BEFORE_CONSENT].consent_warning is None


def test_inventory_matches_declared_rows_and_patterns():
    accept = next(p for p in model().phases if p.phase == ACCEPT)
    rows = {r.name: r for r in accept.inventory}
    assert rows["_ga_ABC123"].declared_name == "_ga_*"
    assert rows["_ga_ABC123"].declared_retention == "13 Mois"
    assert rows["_ga"].declared_name == "_ga"  # the exact row wins over the pattern
    assert rows[SCRIPT_COOKIE].declared_name is None
    assert rows["__cf_bm"].classification_source.startswith("declared:")
    assert all(r.value_hash is None for r in accept.inventory)
    shown = next(p for p in model(show_values=True).phases if p.phase == ACCEPT)
    assert {r.value_hash for r in shown.inventory} == {c.value_hash for c in sample_scan().phase(ACCEPT).cookies}


def test_inventory_is_the_judgements():
    judgement = sample_judgement(declared=sample_declared())
    m = build_report(sample_scan(), judgement)
    laid_out = sorted((p.phase, r.name, r.domain, r.category, r.classification_source, r.declared_name)
                      for p in m.phases for r in p.inventory)
    judged = sorted((o.observation.phase, o.name, o.where, o.category, o.category_source,
                     o.declared.name if o.declared else None) for o in judgement.inventory)
    assert laid_out == judged
    before = {r.name: r for r in next(p for p in m.phases if p.phase == BEFORE_CONSENT).inventory}
    assert before[FORMULA_KEY].category == "unknown"  # never silently necessary


def test_third_parties_grouped_by_vendor_then_registrable_domain():
    groups = {g.vendor: g for g in model().third_parties}
    assert set(groups) == {"Google", "Intercom", "hs-scripts.com"}
    assert groups["Google"].vendor_source == "vendor map" and groups["Google"].in_annex is True
    assert groups["Intercom"].cookies == (SCRIPT_COOKIE,) and groups["Intercom"].in_annex is False
    assert groups["hs-scripts.com"].vendor_source == "registrable domain"
    without_map = {g.vendor for g in model(vendors=DictVendors({})).third_parties}
    assert without_map == {"google-analytics.com", "intercom.io", "hs-scripts.com"}
    undeclared = build_report(sample_scan(), sample_judgement(findings=[]))
    assert {g.in_annex for g in undeclared.third_parties} == {None}


def test_declared_only_and_failed_pages():
    m = model()
    assert [d.name for d in m.declared_only] == ["didomi_token"]
    assert [(p.phase, p.url) for p in m.failed_pages] == [(BEFORE_CONSENT, IMG_URL)]


def test_screenshots_embedded_only_from_inside_the_scan_dir(tmp_path):
    (tmp_path / "screenshots").mkdir()
    (tmp_path / SCREENSHOT).write_bytes(tiny_png())
    (tmp_path.parent / "outside.png").write_bytes(tiny_png())
    shots = model(scan_dir=tmp_path).screenshots
    assert len(shots) == 1 and shots[0].data_uri.startswith("data:image/png;base64,iVBOR")
    assert model(scan_dir=tmp_path / "elsewhere").screenshots[0].data_uri is None
    scan = sample_scan()
    before = dataclasses.replace(scan.phases[0], screenshots=("../outside.png", "scan.json"))
    sneaky = dataclasses.replace(scan, phases=(before,) + scan.phases[1:])
    (tmp_path / "scan.json").write_text("{}")
    m = build_report(sneaky, sample_judgement(sneaky, findings=[]), scan_dir=tmp_path)
    assert [s.data_uri for s in m.screenshots] == [None, None]


def test_format_duration_and_printable():
    assert format_duration(None, True) == "session"
    assert format_duration(1800) == "30 min"
    assert format_duration(13 * 30.44 * 86400) == "13 months"
    assert format_duration(7 * 86400) == "7 days"
    assert printable("a\x1b[31mb\x07\nc") == "a\\x1b[31mb\\x07 c"


def test_defaults_use_the_shipped_vendor_map_and_the_classifier():
    m = build_report(sample_scan(), judge(sample_scan(), sample_declared()))
    groups = {g.vendor: g for g in m.third_parties}
    assert groups["Hubspot"].hosts == ("js.hs-scripts.com",) and groups["Hubspot"].vendor_source == "vendor map"
    accept = {r.name: r for r in next(p for p in m.phases if p.phase == ACCEPT).inventory}
    assert accept["_ga"].category == "analytics"
