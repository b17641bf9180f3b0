"""Behaviour findings from scan records, without a browser: severity by consent phase and annex."""
from __future__ import annotations

import dataclasses

import pytest

from scanner.config import SiteConfig
from scanner.judge import judge
from scanner.models import (ACCEPT, BEFORE_CONSENT, REJECT, ConsentOutcome, DeclaredSite, FingerprintingCall,
                            InputLeak, PageVisit, PhaseBehaviour, PhaseResult, ScanResult, SessionRecording,
                            Subprocessor, UrlLeak)
from scanner.scanfile import load_scan, save_scan

SITE = "www.clinic.fr"
PAGE = f"https://{SITE}/rendez-vous"
KINDS = ("fingerprinting", "session_recording", "input_leak", "sensitive_url_leak")


def _phase(phase: str, behaviour: PhaseBehaviour, *, effective: bool = True, title: str = "Rendez-vous") -> PhaseResult:
    action = {BEFORE_CONSENT: "none", ACCEPT: "accept", REJECT: "reject"}[phase]
    status = {"none": "not_applicable", "accept": "given", "reject": "refused"}[action]
    return PhaseResult(phase=phase, pages=(PageVisit(url=PAGE, phase=phase, ok=True, title=title),), cookies=(),
                       blocked_cookies=(), storage=(), requests=(),
                       consent=ConsentOutcome(action=action, clicked=action != "none", effective=effective,
                                              status=status), behaviour=behaviour)


def _scan(*phases: PhaseResult) -> ScanResult:
    return ScanResult(schema_version=1, site=SITE, start_url=f"https://{SITE}/", registrable_domain="clinic.fr",
                      started_at="2026-01-01T00:00:00+00:00", finished_at="2026-01-01T00:01:00+00:00",
                      tool_version="t", browser="b", page_list=(PAGE,), phases=phases)


def _behaviour(phase: str, host: str = "rec.vendor.test") -> PhaseBehaviour:
    return PhaseBehaviour(
        fingerprinting=(FingerprintingCall("canvas", f"https://{host}/fp.js", f"https://{host}/fp.js", "toDataURL",
                                           phase, PAGE),),
        session_recordings=(SessionRecording("Hotjar", "script", "https://static.hotjar.com/c/hotjar-1.js",
                                             "static.hotjar.com", PAGE, phase, PAGE),),
        input_leaks=(InputLeak("email", "sha256", "body", host, f"https://{host}/k", phase, PAGE),),
        url_leaks=(UrlLeak(host, "referer", "/rendez-vous", False, "unsafe-url", f"https://{host}/p", phase, PAGE),))


def _by_kind(findings):
    return {f.kind: f for f in findings if f.kind in KINDS}


def test_after_accept_base_severities_and_sensitive_title_rises_to_high():
    found = _by_kind(judge(_scan(_phase(ACCEPT, _behaviour(ACCEPT), title="Psychiatre à Paris")), None).findings)
    assert set(found) == set(KINDS)
    # no annex: nothing to check it against, so only the kind's base severity
    assert found["fingerprinting"].severity == "medium"
    assert found["session_recording"].severity == "medium" and found["session_recording"].subject == "Hotjar"
    assert found["input_leak"].severity == "high" and "email (sha256)" in found["input_leak"].message
    assert found["sensitive_url_leak"].severity == "high" and "psychiatr" in found["sensitive_url_leak"].message
    assert "unsafe-url" in found["sensitive_url_leak"].message


def test_before_consent_and_after_refusal_raise_severity_but_an_unverified_refusal_does_not():
    before = _by_kind(judge(_scan(_phase(BEFORE_CONSENT, _behaviour(BEFORE_CONSENT))), None).findings)
    assert before["fingerprinting"].severity == "high" and "before consent" in before["fingerprinting"].message
    assert before["sensitive_url_leak"].severity == "low"  # not a sensitive page: info, one step up
    refused = _by_kind(judge(_scan(_phase(REJECT, _behaviour(REJECT))), None).findings)
    assert refused["session_recording"].severity == "high" and "after a refusal" in refused["session_recording"].message
    unverified = _by_kind(judge(_scan(_phase(REJECT, _behaviour(REJECT), effective=False)), None).findings)
    assert unverified["session_recording"].severity == "medium"


def test_a_vendor_missing_from_the_annex_rises_one_step_and_one_in_it_does_not():
    declared = DeclaredSite(site=SITE, cookie_table="none", cookies=(),
                            subprocessors=(Subprocessor("Hotjar", "MT", "analytics", "heatmaps", "annex.md:3"),))
    found = _by_kind(judge(_scan(_phase(ACCEPT, _behaviour(ACCEPT))), declared).findings)
    assert found["session_recording"].severity == "medium"
    assert "Hotjar is in the subprocessor annex" in found["session_recording"].message
    assert found["fingerprinting"].severity == "high"  # vendor.test is not in the annex
    assert "not in the subprocessor annex" in found["fingerprinting"].message


def test_first_party_receivers_are_not_leaks():
    found = _by_kind(judge(_scan(_phase(ACCEPT, _behaviour(ACCEPT, host="api.clinic.fr"))), None).findings)
    assert "input_leak" not in found and "sensitive_url_leak" not in found
    assert "the site itself" in found["fingerprinting"].message


def test_the_sensitive_list_is_configurable_per_site():
    scan = _scan(_phase(ACCEPT, _behaviour(ACCEPT)))
    site = SiteConfig(name=SITE, start_url=f"https://{SITE}/", sensitive_terms=("rendez-vous",))
    assert _by_kind(judge(scan, None, site=site).findings)["sensitive_url_leak"].severity == "high"
    assert _by_kind(judge(scan, None).findings)["sensitive_url_leak"].severity == "info"


def test_behaviour_survives_the_scan_file_and_old_scan_files_load_without_it(tmp_path):
    scan = _scan(_phase(ACCEPT, _behaviour(ACCEPT)))
    assert load_scan(save_scan(scan, tmp_path / "scan.json")) == scan
    import json
    data = json.loads((tmp_path / "scan.json").read_text(encoding="utf-8"))
    for phase in data["phases"]:
        del phase["behaviour"]  # a scan file written before the behaviour collector existed
    (tmp_path / "old.json").write_text(json.dumps(data), encoding="utf-8")
    old = load_scan(tmp_path / "old.json")
    assert all(p.behaviour == PhaseBehaviour() for p in old.phases)
    assert old == dataclasses.replace(scan, phases=tuple(dataclasses.replace(p, behaviour=PhaseBehaviour())
                                                         for p in scan.phases))


@pytest.mark.parametrize("fmt", ["html", "md", "terminal", "json", "csv", "sarif", "junit"])
def test_every_renderer_shows_the_behaviour_findings(fmt):
    from scanner.report import build_report, render
    from scanner.report.kinds import describe
    from scanner.models import PixelEvent
    pixel = PixelEvent("Meta pixel", "42", "Schedule", "/rendez-vous", "www.facebook.com", ACCEPT, PAGE)
    behaviour = dataclasses.replace(_behaviour(ACCEPT), pixel_events=(pixel,))
    scan = _scan(_phase(ACCEPT, behaviour))
    out = render(fmt, build_report(scan, judge(scan, None)))
    for kind in KINDS:
        # Markdown escapes underscores; the terminal names a kind by its label
        assert kind in out or kind.replace("_", "\\_") in out or (fmt == "terminal" and describe(kind).label in out)
    if fmt in ("html", "md", "terminal", "json"):
        assert "Schedule" in out


def test_sensitive_terms_in_the_config_are_folded_and_a_bad_list_is_one_line(tmp_path):
    from scanner.config import ConfigError, load_config
    good = tmp_path / "good.toml"
    good.write_text('[[site]]\nname = "a.fr"\nstart_url = "https://a.fr/"\nsensitive_terms = ["Psychiatre", "IVG"]\n', encoding="utf-8")
    assert load_config(good).site("a.fr").sensitive_terms == ("psychiatre", "ivg")
    bad = tmp_path / "bad.toml"
    bad.write_text('[[site]]\nname = "a.fr"\nstart_url = "https://a.fr/"\nsensitive_terms = "psychiatre"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad.toml:4: sensitive_terms: expected a list of strings, got a string"):
        load_config(bad)
    blank = tmp_path / "blank.toml"
    blank.write_text('[[site]]\nname = "a.fr"\nstart_url = "https://a.fr/"\nsensitive_terms = ["ivg", " "]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"blank.toml:1: \[\[site\]\] #1.*: sensitive_terms holds an empty word"):
        load_config(blank)
