"""Units are plain data: they round-trip through JSON, carry no secret, and shards split the sites."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from scanner.collect.browser import BrowserOptions
from scanner.collect.engine import ScanOptions
from scanner.collect.units import (UnitOutput, assemble, failed_phase, first_unit, next_units,
                                   output_from_data, output_to_data, unit_from_data, unit_to_data)
from scanner.config import load_config
from scanner.distributed.broker import task_id
from scanner.distributed.sites import shard
from scanner.errors import UserError
from scanner.models import ACCEPT, AUTHENTICATED, BEFORE_CONSENT, REJECT, ConsentOutcome, PageVisit
from scanner.scanfile import load_scan

DEMO = Path(__file__).resolve().parents[2] / "scanner" / "demo" / "demo.toml"


def logged_in_site():
    return next(s for s in load_config(DEMO).sites if s.login)


def test_a_unit_round_trips_through_json_and_keeps_its_key():
    options = ScanOptions(browser=BrowserOptions(host_resolver_rules="MAP * 127.0.0.1:1", ignore_https_errors=True),
                          out_dir=Path("out"), synthetic=True)
    unit = first_unit(logged_in_site(), options, started_at="2026-01-01T00:00:00+00:00")
    back = unit_from_data(json.loads(json.dumps(unit_to_data(unit))))
    assert back == unit
    assert task_id(back) == task_id(unit) and back.key == "pro.doctolib.fr|2026-01-01T00:00:00+00:00|before_consent"


def test_credentials_never_travel_in_a_unit(monkeypatch):
    monkeypatch.setenv("COOKIESCAN_TEST_USER", "dr.who@example.test")
    monkeypatch.setenv("COOKIESCAN_TEST_PASSWORD", "Tardis-1963!")
    handed = {"COOKIESCAN_TEST_USER": "dr.who@example.test", "COOKIESCAN_TEST_PASSWORD": "Tardis-1963!"}
    unit = first_unit(logged_in_site(), ScanOptions(credentials=handed))
    text = json.dumps(unit_to_data(unit))
    assert "Tardis-1963!" not in text and "dr.who@example.test" not in text
    assert "COOKIESCAN_TEST_PASSWORD" in text  # the worker reads the value from its own environment
    assert unit_from_data(json.loads(text)).options.credentials is None


def test_the_units_after_before_consent_visit_the_discovered_pages():
    site = logged_in_site()
    first = first_unit(site, ScanOptions())
    discovered = UnitOutput(result=failed_phase(first, "x").result, discovered=("https://a/", "https://a/b"),
                            browser="1")
    later = next_units(first, discovered)
    assert [u.phase for u in later] == [ACCEPT, REJECT, AUTHENTICATED]
    assert all(u.pages == ("https://a/", "https://a/b") and u.started_at == first.started_at for u in later)
    nothing_found = UnitOutput(result=discovered.result, discovered=(), browser="1")
    assert next_units(first, nothing_found)[0].pages == ("https://pro.doctolib.fr/",)


def test_later_units_skip_the_banner_wait_only_when_before_consent_saw_the_start_page_without_one():
    first = first_unit(logged_in_site(), ScanOptions())
    start = PageVisit(url="https://pro.doctolib.fr/", phase=BEFORE_CONSENT, ok=True)
    plain = failed_phase(first, "x").result

    def after(platform, ok=True):
        seen = dataclasses.replace(plain, error=None, pages=(dataclasses.replace(start, ok=ok),),
                                   consent=ConsentOutcome(action="none", platform=platform))
        units = next_units(first, UnitOutput(result=seen, discovered=("https://pro.doctolib.fr/",), browser="1"))
        back = [unit_from_data(json.loads(json.dumps(unit_to_data(u)))) for u in units]
        return {u.expect_notice for u in back}

    assert after(None) == {False}
    assert after("didomi") == {True}
    assert after(None, ok=False) == {True}  # a start page that did not load says nothing about a notice


def test_outputs_round_trip_with_their_files_and_assemble_into_one_scan(tmp_path):
    unit = first_unit(logged_in_site(), ScanOptions(out_dir=tmp_path))
    output = UnitOutput(result=failed_phase(unit, "boom").result, discovered=("https://pro.doctolib.fr/",),
                        browser="120", files=(("before_consent-start.png", b"\x89PNG..."), ("../evil.png", b"x")))
    back = output_from_data(json.loads(json.dumps(output_to_data(output))))
    assert back == output
    later = [failed_phase(u, "timed out") for u in next_units(unit, back)]
    scan = assemble(unit, [back, *later], tmp_path)
    folder = next(tmp_path.rglob("scan.json")).parent
    assert load_scan(folder / "scan.json") == scan
    assert [p.phase for p in scan.phases][:3] == [BEFORE_CONSENT, ACCEPT, REJECT]
    assert (folder / "before_consent-start.png").read_bytes() == b"\x89PNG..."
    assert (folder / "evil.png").exists() and not (folder.parent / "evil.png").exists()  # no way out of the folder
    assert scan.phases[1].error == "timed out"


def test_shards_deal_the_sites_round_robin_and_cover_them_once():
    sites = load_config(DEMO).sites
    parts = [shard(sites, f"{i}/3") for i in (1, 2, 3)]
    assert sorted(s.name for p in parts for s in p) == sorted(s.name for s in sites)
    assert parts[0] == (sites[0], sites[3])
    for bad in ("0/3", "4/3", "x", "1/"):
        with pytest.raises(UserError, match="--shard"):
            shard(sites, bad)


def test_real_phase_results_cross_the_broker_unchanged():
    golden = load_scan(Path(__file__).resolve().parents[1] / "golden" / "sample_scan.json")
    for phase in golden.phases:
        output = UnitOutput(result=phase, discovered=golden.page_list, browser=golden.browser)
        assert output_from_data(json.loads(json.dumps(output_to_data(output)))) == output
