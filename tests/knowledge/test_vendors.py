"""The shipped vendor map: every entry parses, domains are real registrable domains, lookups work."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import tldextract
import yaml

from scanner.knowledge.vendors import VendorMapError, load_vendor_map

ROOT = Path(__file__).resolve().parents[2]
VENDORS_YAML = ROOT / "scanner" / "knowledge" / "data" / "vendors.yaml"
SLASHGEAR_LIST = ROOT / "node_modules" / "@slashgear" / "gdpr-cookie-scanner" / "dist" / "classifiers" / "tracker-list.js"
EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@pytest.fixture(scope="module")
def vendors():
    return load_vendor_map()


def test_every_entry_parses_with_a_source_and_valid_domains(vendors):
    raw = yaml.safe_load(VENDORS_YAML.read_text(encoding="utf-8"))["vendors"]
    assert len(vendors.vendors) == len(raw)
    for vendor in vendors.vendors:
        assert vendor.source.strip(), vendor.name
        for domain in vendor.domains:
            parts = EXTRACT(domain)
            assert parts.suffix and parts.domain, f"{vendor.name}: {domain} has no public suffix"
            assert domain == domain.lower() and " " not in domain


def test_seed_vendors_and_common_trackers_are_mapped(vendors):
    # Every vendor named in the cookie table (000) and the annexes (001/002) resolves.
    for name in ["Doctolib", "Intercom", "Cloudflare", "Atos", "AWS EMEA", "Cloudinary", "Teamviewer",
                 "Walkme", "iAgility", "Salesforce", "Talkdesk", "Balthazar & Cie", "Mailjet",
                 "SMSMODE (Calade technologie)", "Vonage (Nexmo)", "Cluscrive", "Newrelic", "Sentry",
                 "Sisense (Periscope)", "Didomi", "Survicate", "RESOLUTIONS", "OVH Telecom", "Hubspot Inc.",
                 "IQvia", "Mailchimp", "Mobile Sphere", "SEM Rush", "GoCardless", "Netsuite (Oracle)", "Zuora",
                 "STRIPE", "DocuSign", "Khoros", "Onfido"]:
        assert vendors.canonical(name) is not None, name
    hosts = {"www.googletagmanager.com": "Google", "region1.google-analytics.com": "Google",
             "ad.doubleclick.net": "Google", "www.googleadservices.com": "Google", "fonts.gstatic.com": "Google",
             "connect.facebook.net": "Meta", "scontent.xx.fbcdn.net": "Meta", "snap.licdn.com": "LinkedIn",
             "px.ads.linkedin.com": "LinkedIn", "www.clarity.ms": "Microsoft", "bat.bing.com": "Microsoft",
             "static.hotjar.com": "Hotjar", "ws.hotjar.io": "Hotjar", "widget.intercom.io": "Intercom",
             "js.intercomcdn.com": "Intercom", "intercom-attachments-7.com": "Intercom",
             "js.hs-scripts.com": "Hubspot", "js.hs-analytics.net": "Hubspot", "forms.hsforms.com": "Hubspot",
             "js.hs-banner.com": "Hubspot", "js.hscollectedforms.net": "Hubspot", "js.usemessages.com": "Hubspot",
             "sdk.privacy-center.org": "Didomi", "api.didomi.io": "Didomi", "cdnjs.cloudflare.com": "Cloudflare",
             "static.cloudflareinsights.com": "Cloudflare", "www.youtube-nocookie.com": "YouTube",
             "player.vimeo.com": "Vimeo", "analytics.tiktok.com": "TikTok", "static.criteo.net": "Criteo",
             "static.axept.io": "Axeptio", "cdn.cookielaw.org": "OneTrust", "consent.cookiebot.com": "Usercentrics",
             "js.stripe.com": "Stripe", "o123.ingest.sentry.io": "Sentry", "cdn.segment.com": "Segment"}
    assert {host: vendors.owner_of(host) for host in hosts} == hosts
    assert vendors.owner_of("pro.doctolib.example") is None
    assert vendors.owner_of("notgoogle.com") is None  # a suffix match is on whole labels only


def test_canonical_maps_legal_names_and_aliases(vendors):
    assert vendors.canonical("Intercom R&D Unlimited Company") == "Intercom"
    assert vendors.canonical("Intercom Inc.") == "Intercom"
    assert vendors.canonical("HubSpot Ireland Ltd") == "Hubspot"
    assert vendors.canonical("Google Ireland Limited") == "Google"
    assert vendors.canonical("Amazon Web Services EMEA SARL") == "AWS"
    assert vendors.canonical("<b>Vonage (Nexmo)</b>") == "Vonage"
    assert vendors.canonical("Some Unknown Company Ltd") is None
    assert vendors.domains_of("Intercom Inc.")[:2] == ("intercom.io", "intercom.com")
    assert vendors.domains_of("nobody") == ()


def test_owners_is_vectorised_over_distinct_hosts(vendors):
    hosts = pd.Series(["a.hotjar.com", None, "x.example", "a.hotjar.com"] * 250_000)
    owners = vendors.owners(hosts)
    assert owners.iloc[:4].tolist() == ["Hotjar", None, None, "Hotjar"]
    assert len(owners) == len(hosts) and owners.isna().sum() == 500_000


def test_a_domain_cannot_belong_to_two_vendors(tmp_path):
    bad = tmp_path / "vendors.yaml"
    bad.write_text("vendors:\n  - name: A\n    domains: [a.com]\n    source: x\n"
                   "  - name: B\n    domains: [b.com, a.com]\n    source: y\n", encoding="utf-8")
    with pytest.raises(VendorMapError, match=r"vendors.yaml:6: domain a.com of 'B' already belongs to 'A'"):
        load_vendor_map(bad)


def test_unknown_field_and_missing_source_are_reported_with_line(tmp_path):
    bad = tmp_path / "vendors.yaml"
    bad.write_text("vendors:\n  - name: A\n    domians: [a.com]\n    source: x\n", encoding="utf-8")
    with pytest.raises(VendorMapError, match=r"vendors.yaml:3: unknown field 'domians'"):
        load_vendor_map(bad)
    bad.write_text("vendors:\n  - name: A\n    domains: [a.com]\n", encoding="utf-8")
    with pytest.raises(VendorMapError, match=r"vendors.yaml:2: vendor 'A' has no source"):
        load_vendor_map(bad)


def test_agrees_with_the_pinned_slashgear_tracker_list(vendors):
    """Where the MIT tracker list of @slashgear/gdpr-cookie-scanner names a host we also map,
    its name must mention our vendor (or one of its aliases)."""
    node = shutil.which("node")
    assert node and SLASHGEAR_LIST.exists(), "node and node_modules (npm install) are required"
    out = subprocess.run([node, "--input-type=module", "-e",
                          f"import {{ TRACKER_DB }} from {json.dumps(SLASHGEAR_LIST.as_uri())};"
                          "console.log(JSON.stringify(TRACKER_DB))"],
                         capture_output=True, text=True, check=True, timeout=60)
    tracker_db = json.loads(out.stdout)
    checked = 0
    for host, entry in tracker_db.items():
        owner = vendors.owner_of(host.split("/")[0])
        if owner is None:
            continue
        vendor = vendors.vendor(owner)
        names = [vendor.name, *vendor.aliases]
        assert any(n.lower() in entry["name"].lower() or entry["name"].lower() in n.lower() for n in names) \
            or vendors.canonical(entry["name"]) == owner, (host, entry["name"], owner)
        checked += 1
    assert checked >= 40
