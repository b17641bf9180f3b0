"""SARIF that GitHub code scanning accepts: valid against the 2.1.0 schema, and every location a
relative file of the checkout (an https page address makes the whole upload fail)."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from scanner.models import Finding
from scanner.report import build_report, render
from scanner.report.kinds import KINDS
from scanner.report.sarif import repo_path
from tests.support.report_sample import sample_declared, sample_findings, sample_judgement, sample_scan

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "sarif" / "sarif-schema-2.1.0.json")
                    .read_text(encoding="utf-8"))
SITE_REF = "cookiescan.toml:11"


def sarif(findings=None, site_ref=SITE_REF) -> dict:
    model = build_report(sample_scan(), sample_judgement(findings=findings, declared=sample_declared()),
                         site_ref=site_ref)
    return json.loads(render("sarif", model))


def locations(doc: dict):
    """Every physical location anywhere in the document."""
    def walk(node):
        if isinstance(node, dict):
            if "physicalLocation" in node:
                yield node["physicalLocation"]
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)
    return list(walk(doc))


def test_valid_against_the_sarif_schema():
    jsonschema.validate(sarif(), SCHEMA)


def test_every_location_is_a_relative_file_of_the_checkout():
    doc = sarif()
    found = locations(doc)
    assert len(found) >= len(doc["runs"][0]["results"])
    for location in found:
        artifact = location["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%"
        assert ":" not in artifact["uri"] and not artifact["uri"].startswith("/"), artifact
    assert "https://" not in json.dumps([loc for loc in found])


def test_results_point_at_the_declared_row_else_the_site_entry():
    results = {(r["ruleId"], r["properties"]["subject"]): r for r in sarif()["runs"][0]["results"]}
    stale = results[("stale_declaration", "didomi_token")]["locations"][0]["physicalLocation"]
    assert stale == {"artifactLocation": {"uri": "declared/pro.doctolib.fr/cookies.csv", "uriBaseId": "%SRCROOT%"},
                     "region": {"startLine": 5}}
    third = results[("undeclared_third_party", "hs-scripts.com")]["locations"][0]["physicalLocation"]
    assert third == {"artifactLocation": {"uri": "cookiescan.toml", "uriBaseId": "%SRCROOT%"},
                     "region": {"startLine": 11}}


def test_page_and_evidence_in_message_and_properties():
    doc = sarif()
    result = next(r for r in doc["runs"][0]["results"] if r["ruleId"] == "over_legal_cap")
    assert "Page: https://pro.doctolib.fr/" in result["message"]["text"]
    assert "Evidence: requested 24 months" in result["message"]["text"]
    assert result["properties"]["pageUrl"] == "https://pro.doctolib.fr/"


def test_rules_carry_help_and_security_severity():
    rules = {r["id"]: r for r in sarif()["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["before_consent"]["properties"]["security-severity"] == "8.0"
    assert rules["stale_declaration"]["properties"]["security-severity"] == "1.0"
    for rule in rules.values():
        assert rule["help"]["text"].startswith("How to fix: ") and len(rule["help"]["text"]) > 30
    assert rules["after_refusal"]["help"]["text"].endswith(KINDS["after_refusal"][1])


def test_fingerprints_are_stable_and_a_new_kind_renders():
    new = Finding(kind="keylogging_script", severity="high", subject="https://t.example/k.js", message="keys read",
                  page_url="https://pro.doctolib.fr/login", fingerprint="fp-new")
    doc = sarif(sample_findings() + [new])
    jsonschema.validate(doc, SCHEMA)
    assert doc == sarif(sample_findings() + [new])
    rule = next(r for r in doc["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "keylogging_script")
    assert rule["shortDescription"]["text"] == "Keylogging script"
    prints = [r["partialFingerprints"]["cookiescanFinding/v1"] for r in doc["runs"][0]["results"]]
    assert "fp-new" in prints and len(set(prints)) == len(prints)


@pytest.mark.parametrize("ref, expected", [
    ("declared/x/cookies.yaml:12", ("declared/x/cookies.yaml", 12)),
    ("./cookiescan.toml:3", ("cookiescan.toml", 3)),
    ("/elsewhere/repo/declared/x/cookies.yaml:4", ("declared/x/cookies.yaml", 4)),
    ("https://example.com/policy:4", None),
    ("../outside.yaml:2", None),
    (None, None),
])
def test_repo_path(ref, expected):
    assert repo_path(ref) == expected
