"""The pure parts of the behaviour collector: value matching, path leaks, pixel decoding, knowledge files."""
from __future__ import annotations

import base64
import hashlib
import json
from urllib.parse import quote

import pytest

from scanner.collect import pixels
from scanner.collect.leaks import PROBE_VALUES, encoded_variants, find_paths, find_values
from scanner.errors import UserError
from scanner.knowledge.behaviour import load_recorders, match_recorder, sensitive_match, default_sensitive_terms

VARIANTS = encoded_variants()
EMAIL = PROBE_VALUES["email"]


@pytest.mark.parametrize("encoding, text", [
    ("plain", EMAIL),
    ("url", quote(EMAIL, safe="")),
    ("base64", base64.b64encode(EMAIL.encode()).decode()),
    ("md5", hashlib.md5(EMAIL.encode()).hexdigest()),
    ("sha1", hashlib.sha1(EMAIL.encode()).hexdigest().upper()),  # hex case does not matter
    ("sha256", hashlib.sha256(EMAIL.encode()).hexdigest()),
])
def test_a_typed_value_is_found_in_every_encoding(encoding, text):
    hits = find_values("https://t.example/c", json.dumps({"x": text}), {}, VARIANTS)
    assert [(h.field, h.encoding, h.channel) for h in hits] == [("email", encoding, "body")]


def test_values_are_found_in_url_and_headers_and_nothing_is_found_in_a_clean_request():
    name = quote(PROBE_VALUES["name"])
    hits = find_values(f"https://t.example/c?n={name}", "", {"X-Phone": PROBE_VALUES["phone"]}, VARIANTS)
    assert {(h.field, h.channel) for h in hits} == {("name", "url"), ("phone", "header")}
    assert find_values("https://t.example/c?n=camille", "email=someone@else.org", {"Referer": "https://a.b/"},
                       VARIANTS) == []


def test_path_leaks_by_referer_param_and_body_but_not_the_bare_origin():
    hits = find_paths("https://px.example/tr?dl=https%3A%2F%2Fwww.site.fr%2Fpsychiatre%2Fparis%3Fq%3D1&dp=%2Fx",
                      "page=https://www.site.fr/rdv", "https://www.site.fr/psychiatre/paris", "site.fr")
    got = {(h.channel, h.path, h.with_query) for h in hits}
    assert ("referer", "/psychiatre/paris", False) in got
    assert ("param dl", "/psychiatre/paris", True) in got
    assert ("param dp", "/x", False) in got
    assert ("body", "/rdv", False) in got
    assert find_paths("https://px.example/tr?u=https%3A%2F%2Fwww.site.fr%2F", "", "https://www.site.fr/", "site.fr") == []
    assert find_paths("https://px.example/tr?u=https%3A%2F%2Fother.org%2Fa", "", "https://other.org/a", "site.fr") == []


def test_meta_pixel_ga4_batch_universal_and_google_ads_hits_are_decoded_without_values():
    meta = pixels.decode("https://www.facebook.com/tr/?id=42&ev=Lead&dl=https%3A%2F%2Fs.fr%2Frdv%3Femail%3Dx&cd[value]=9")
    assert meta == [pixels.Hit("Meta pixel", "42", "Lead", "/rdv", ("cd[value]",))]
    ga4 = pixels.decode("https://region1.google-analytics.com/g/collect?v=2&tid=G-1",
                        "en=page_view&dl=https%3A%2F%2Fs.fr%2Fa\nen=purchase&dl=https%3A%2F%2Fs.fr%2Fb&ep.x=1")
    assert [(h.event, h.page, h.parameters) for h in ga4] == [("page_view", "/a", ()), ("purchase", "/b", ("ep.x",))]
    ua = pixels.decode("https://www.google-analytics.com/collect?v=1&t=event&tid=UA-1&ec=rdv&ea=ok&dp=%2Fz")
    assert ua == [pixels.Hit("Universal Analytics", "UA-1", "event rdv/ok", "/z")]
    ads = pixels.decode("https://googleads.g.doubleclick.net/pagead/viewthroughconversion/123/?label=L")
    assert ads == [pixels.Hit("Google Ads", "AW-123", "remarketing L", "")]
    assert pixels.decode("https://www.facebook.com/plugins/like.php?href=x") == []


def test_recorder_catalogue_has_a_source_per_entry_and_matches_scripts_and_endpoints():
    recorders = load_recorders()
    assert len(recorders) >= 10 and all(r.source.strip() for r in recorders)
    names = {r.vendor for r in recorders}
    assert {"Hotjar", "FullStory", "Microsoft Clarity", "Mouseflow", "Smartlook", "LogRocket",
            "Yandex Metrica Webvisor"} <= names
    assert match_recorder("static.hotjar.com/c/hotjar-1.js", recorders, "scripts").vendor == "Hotjar"
    assert match_recorder("www.clarity.ms/collect", recorders, "endpoints").vendor == "Microsoft Clarity"
    assert match_recorder("www.google-analytics.com/g/collect", recorders, "endpoints") is None


def test_a_broken_recorder_file_is_one_line_naming_the_file(tmp_path):
    bad = tmp_path / "rec.yaml"
    bad.write_text("- vendor: X\n  scripts: [a]\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"rec.yaml: entry #1 needs a vendor and a source"):
        load_recorders(bad)


def test_sensitive_words_fold_accents_and_short_words_match_whole_words_only():
    terms = default_sensitive_terms()
    assert sensitive_match(["/psychiatre/paris"], terms) == "psychiatr"
    assert sensitive_match(["/", "Gynécologue à Lyon"], terms) == "gynecolog"
    assert sensitive_match(["/depistage-vih"], terms) is not None
    assert sensitive_match(["/archive/2024", "Nos tarifs"], terms) is None  # "hiv" inside "archive" is not HIV
