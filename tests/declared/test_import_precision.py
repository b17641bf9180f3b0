"""`declared import` precision (issue 13): names verbatim, categories from the row or its section
heading (never the document around it), purpose-text inference marked as such."""
from __future__ import annotations

import pytest

from scanner.declared import import_document, load_declared, write_declared
from scanner.declared.sitefiles import read_site

NAMES = ["__Host-sid", "__Secure-auth_token", "_pk_id.*", "_ga_*", "wp_woocommerce_session_*", "a.b.c", "__utmz"]

TEXT = "Nom\tFinalité\tDurée\n" + "".join(f"{n}\tJeton de session\tSession\n" for n in NAMES)
MARKDOWN = ("| Name | Purpose | Expiry |\n|---|---|---|\n"
            + "".join(f"| {n} | Session token | Session |\n" for n in NAMES)
            + "| **bold_name** | Session token | Session |\n| `code_name` | Session token | Session |\n")
HTML = ("<table><tr><th>Name</th><th>Purpose</th><th>Expiry</th></tr>"
        + "".join(f"<tr><td>{n}</td><td>Session token</td><td>Session</td></tr>" for n in NAMES) + "</table>")


@pytest.mark.parametrize("suffix,text", [(".txt", TEXT), (".md", MARKDOWN), (".html", HTML)])
def test_names_are_kept_verbatim(tmp_path, suffix, text):
    path = tmp_path / f"policy{suffix}"
    path.write_text(text, encoding="utf-8")
    names = [c.name for c in import_document(path, "shop.example").cookies]
    assert names[:len(NAMES)] == NAMES
    if suffix == ".md":  # Markdown emphasis and code spans around a whole name are markup, not the name
        assert names[len(NAMES):] == ["bold_name", "code_name"]


def test_rows_under_section_headings_take_the_heading_category(tmp_path):
    path = tmp_path / "policy.txt"
    path.write_text("Cookie policy and audience measurement\n\n"
                    "Cookie\tPurpose\tDuration\n"
                    "1) Strictly necessary cookies\n"
                    "sid\tIdentifier\tSession\n"
                    "2) Advertising cookies\n"
                    "ad_id\tIdentifier\t90 days\n", encoding="utf-8")
    by_name = {c.name: c for c in import_document(path, "shop.example").cookies}
    assert (by_name["sid"].category, by_name["sid"].category_source) == ("strictly_necessary", "stated")
    assert by_name["ad_id"].category == "marketing"


def test_a_document_heading_that_joins_topics_gives_no_category_the_rows_purpose_does(tmp_path):
    path = tmp_path / "policy.md"
    path.write_text("## Cookies und Webanalyse\n\n| Cookie | Zweck | Dauer |\n|---|---|---|\n"
                    "| SID | Hält Sie angemeldet | Sitzung |\n| stat_id | Reichweitenmessung | 1 Jahr |\n"
                    "| mystery | Identifikator | 1 Jahr |\n", encoding="utf-8")
    site = import_document(path, "shop.example")
    by_name = {c.name: c for c in site.cookies}
    assert (by_name["SID"].category, by_name["SID"].category_source, by_name["SID"].draft) == (
        "strictly_necessary", "purpose_text", True)
    assert by_name["stat_id"].category == "analytics"
    assert by_name["mystery"].category == "unknown"  # no stated category, no guess: never "analytics"
    # Written with category_source, read back the same, and the reviewer sees it in the file.
    write_declared(site, tmp_path / "shop.example")
    text = (tmp_path / "shop.example" / "cookies.yaml").read_text(encoding="utf-8")
    assert text.count("category_source: purpose_text") == 2
    assert {c.name: c.category_source for c in load_declared(tmp_path / "shop.example").cookies}["SID"] == "purpose_text"


def test_validate_suggests_the_explicit_family_pattern(tmp_path):
    from scanner.knowledge.cookies import load_knowledge_base
    site_dir = tmp_path / "shop.example"
    site_dir.mkdir()
    (site_dir / "site.yaml").write_text("site: shop.example\ncookie_table: table\n", encoding="utf-8")
    (site_dir / "cookies.yaml").write_text("- name: intercom-session\n  category: functional\n  retention: 1 week\n"
                                           "- name: _ga\n  category: analytics\n  retention: 13 months\n",
                                           encoding="utf-8")
    problems = [str(p) for p in read_site(site_dir, kb=load_knowledge_base())[1]]
    assert any("cookies.yaml:1: warning" in p and "'intercom-session-*'" in p for p in problems), problems
    assert not any("_ga" in p for p in problems)  # `_ga` is a cookie of its own, not the stem of `_ga_*`


def test_draft_infers_from_a_known_purpose_and_marks_it():
    from scanner.declared.draft import draft_declared
    from scanner.knowledge.cookies import KnowledgeBase, KnownCookie
    from tests.support.builders_reconcile import cookie, scan
    row = KnownCookie(name="shop_basket", wildcard=False, category="unknown", source_category="Other",
                      vendor="Shop", platform="Shop", purpose="Keeps the content of the shopping basket",
                      retention="7 days", domain="", privacy_link="", source="overrides", ref="test:1")
    drafted = draft_declared(scan(cookies=[cookie("shop_basket")]), KnowledgeBase([row]))
    (only,) = drafted.cookies
    assert (only.category, only.category_source, only.draft) == ("strictly_necessary", "purpose_text", True)
