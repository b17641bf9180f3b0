"""Importing policy documents: the five fixture policies, tables in text / Markdown / HTML, the IT/DE annexes.

tests/fixtures/policies/ holds policy documents written for the replica sites in this project's
own words (the original policies cannot be redistributed): the committed declared/<site>/ files
are what importing them gives, byte for byte. COOKIESCAN_SEED_POLICIES may name a folder with the
original documents; one optional test then checks they give the same facts.
"""
from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

import pytest

from scanner.declared import (compare_subprocessors, import_document, import_report, load_declared,
                              write_declared)
from scanner.declared.document import DocumentError
from scanner.models import DeclaredCookie, DeclaredSite, Retention
from tests.support.builders_reconcile import declared_row

ROOT = Path(__file__).resolve().parents[2]
POLICIES = ROOT / "tests" / "fixtures" / "policies"
DECLARED = ROOT / "declared"
DEMO_DECLARED = ROOT / "scanner" / "demo" / "declared"
POLICY_SITES = {
    "pro.doctolib.fr-cookies.md": "pro.doctolib.fr",  # FR cookie policy, Markdown pipe table
    "pro.doctolib.it-privacy.txt": "pro.doctolib.it",  # IT privacy policy, tab tables, inline HTML, annex groups
    "pro.doctolib.de-datenschutz.html": "pro.doctolib.de",  # DE privacy policy, HTML tables, annex groups
    "docrdv.fr-confidentialite.txt": "docrdv.fr",  # FR, no table
    "www.mybakup.com-privacy.html": "www.mybakup.com",  # EN, HTML, no table
}


@pytest.mark.parametrize("document, site", sorted(POLICY_SITES.items()))
def test_reimporting_each_policy_gives_the_committed_files(tmp_path, document, site):
    write_declared(import_document(POLICIES / document, site), tmp_path / site)
    committed = sorted(p.name for p in (DECLARED / site).iterdir())
    assert sorted(p.name for p in (tmp_path / site).iterdir()) == committed
    for name in committed:
        assert (tmp_path / site / name).read_text(encoding="utf-8") == \
            (DECLARED / site / name).read_text(encoding="utf-8"), f"declared/{site}/{name} is stale"
        # The demo ships its own copy inside the package (an installed wheel has no declared/).
        assert (DEMO_DECLARED / site / name).read_bytes() == (DECLARED / site / name).read_bytes(), \
            f"scanner/demo/declared/{site}/{name} differs from declared/{site}/{name}: copy it"
    assert load_declared(tmp_path / site) == load_declared(DECLARED / site)


def test_fr_cookie_table_rows_categories_and_vendors():
    site = load_declared(DECLARED / "pro.doctolib.fr")
    policy = (POLICIES / "pro.doctolib.fr-cookies.md").read_text(encoding="utf-8").splitlines()
    assert site.cookie_table == "table"
    assert [c.name for c in site.cookies] == ["_doctolib_session", "last_agenda_route", "pin_login", "ssid",
                                              "esid", "intercom-session", "_cfduid"]
    for cookie in site.cookies:
        line = int(cookie.source.rsplit(":", 1)[1])
        cells = [c.strip() for c in policy[line - 1].strip("| ").split("|")]  # the source line holds this row
        assert cells[1] == cookie.name and cells[2] == cookie.purpose and cells[3] == cookie.retention.text
        # under the heading "Cookies techniques (strictement nécessaires)"
        assert cookie.category == "strictly_necessary" and not cookie.draft
    assert {c.vendor for c in site.cookies} == {"Doctolib", "Intercom", "Cloudflare"}
    assert {c.name: c.retention.kind for c in site.cookies}["ssid"] == "duration"
    assert [c.retention.text for c in site.cookies] == ["Session", "Session", "3 Mois", "13 Mois", "Session",
                                                        "1 Semaine", "1 Mois"]


def _annex_rows(document: str) -> int:
    """Independent count: table rows after the annex title that are not header rows."""
    text = (POLICIES / document).read_text(encoding="utf-8")
    annex = re.split(r"Allegato 1|Anhang 1", text)[-1]
    rows = [l for l in annex.splitlines() if "\t" in l or l.count("|") >= 3 or "<tr>" in l]
    return len([l for l in rows if not re.search(r"Responsabili|verarbeiter|<th>", l)])


@pytest.mark.parametrize("site, document, groups", [
    ("pro.doctolib.it", "pro.doctolib.it-privacy.txt",
     ["Hosting", "Supporto", "Telecomunicazioni", "Analytics", "Marketing", "Finanziario-Legale", "Altro"]),
    ("pro.doctolib.de", "pro.doctolib.de-datenschutz.html",
     ["Hosting", "Support", "Telekommunikation", "Analytics", "Marketing", "Finanzen / Recht", "Andere"]),
])
def test_annexes_are_imported_whole_in_their_groups(site, document, groups):
    declared = load_declared(DECLARED / site)
    assert declared.cookie_table == "by_reference" and declared.cookies == ()
    # 34 entries: 3 hosting, 6 support, 4 telecom, 5 analytics, 8 marketing, 5 finance/legal, 3 other.
    assert len(declared.subprocessors) == _annex_rows(document) == 34
    assert list(dict.fromkeys(s.group for s in declared.subprocessors)) == groups
    assert [sum(1 for s in declared.subprocessors if s.group == g) for g in groups] == [3, 6, 4, 5, 8, 5, 3]
    assert all(s.name and s.country and s.category and s.task for s in declared.subprocessors)
    assert "<b>" not in repr(declared.subprocessors) and "\u00ad" not in repr(declared.subprocessors)


def test_it_and_de_annexes_differ_only_in_spelling():
    it, de = load_declared(DECLARED / "pro.doctolib.it"), load_declared(DECLARED / "pro.doctolib.de")
    differences = compare_subprocessors(it, de)
    assert [(d.kind, d.a.name, d.b.name) for d in differences] == [
        ("spelling_differs", "RESOLUTIONS", "Resolutions"), ("spelling_differs", "IQvia", "IQVIA"),
        ("spelling_differs", "DocuSign", "Docusign")]


def test_compare_reports_missing_vendors_countries_and_groups():
    it, de = load_declared(DECLARED / "pro.doctolib.it"), load_declared(DECLARED / "pro.doctolib.de")
    subs = list(de.subprocessors)
    onfido = next(i for i, s in enumerate(subs) if s.name == "Onfido")
    subs[onfido] = replace(subs[onfido], country="USA")
    cloudinary = next(i for i, s in enumerate(subs) if s.name == "Cloudinary")
    subs[cloudinary] = replace(subs[cloudinary], group="Marketing")
    subs = [s for s in subs if s.name != "Sentry"] + [replace(subs[0], name="Intercom R&D Unlimited Company")]
    kinds = {(d.kind, d.vendor) for d in compare_subprocessors(it, replace(de, subprocessors=tuple(subs)))}
    assert {("only_in_a", "Sentry"), ("country_differs", "Onfido"), ("group_differs", "Cloudinary")} <= kinds
    # "Intercom R&D Unlimited Company" is Intercom, already listed: matched, not "only in b".
    assert not any(kind == "only_in_b" for kind, _ in kinds)


def _lines_saying(document: str, *words: str) -> list[int]:
    """1-based numbers of the lines of a fixture policy that contain one of `words`."""
    lines = (POLICIES / document).read_text(encoding="utf-8").splitlines()
    return [n for n, line in enumerate(lines, start=1) if any(w in line for w in words)]


def test_policies_without_a_table_say_where_the_prose_names_cookies():
    assert _lines_saying("docrdv.fr-confidentialite.txt", "des cookies") == [7]
    assert _lines_saying("www.mybakup.com-privacy.html", "<p>With your agreement", "<p>Functional cookies",
                         "<p>Some pages embed") == [19, 27, 31]
    for site, words in [
        ("docrdv.fr", ["analytics cookies at line 7"]),
        ("www.mybakup.com", ["marketing cookies at lines 19, 31", "functional cookies at lines 27, 31",
                             "Third-party cookies mentioned at line(s) 31"]),
    ]:
        declared = load_declared(DECLARED / site)
        assert declared.cookie_table == "none" and declared.cookies == ()
        for word in words:
            assert word in declared.notes
        assert "every observed cookie is reported as undeclared" in \
            (DECLARED / site / "cookies.yaml").read_text(encoding="utf-8")


def test_summary_for_a_policy_without_a_table_is_one_line():
    report = import_report(POLICIES / "docrdv.fr-confidentialite.txt", "docrdv.fr")
    assert report.summary == "docrdv.fr: no cookie table in docrdv.fr-confidentialite.txt → cookie_table: none"


def test_a_soft_hyphen_in_an_html_header_still_names_the_column(tmp_path):
    path = tmp_path / "annex.html"
    path.write_text("<h3>Hosting:</h3><table><tr><th>Sub&shy;processor</th><th>Country</th><th>Task</th></tr>\n"
                    "<tr><td>Atos</td><td>EU</td><td>key custody</td></tr></table>", encoding="utf-8")
    assert [(s.name, s.country, s.group) for s in import_document(path, "x.test").subprocessors] == [
        ("Atos", "EU", "Hosting")]


# The original policies the replicas are modelled on, if the user has them (never redistributed).
SEED_POLICIES = os.environ.get("COOKIESCAN_SEED_POLICIES")
SEED_SITES = {"000_159aea94f31d36e9.txt": "pro.doctolib.fr", "001_52d16a3839cd0704.txt": "pro.doctolib.it",
              "002_89b1b24c874d00c0.txt": "pro.doctolib.de", "003_3587dfe37830daa7.txt": "docrdv.fr",
              "004_22170fabb8d73604.txt": "www.mybakup.com"}


@pytest.mark.skipif(not SEED_POLICIES, reason="COOKIESCAN_SEED_POLICIES (folder of the original policies) not set")
@pytest.mark.parametrize("document, site", sorted(SEED_SITES.items()))
def test_original_policies_give_the_same_facts_as_the_fixture_policies(document, site):
    original = import_document(Path(SEED_POLICIES) / document, site)
    committed = load_declared(DECLARED / site)
    assert original.cookie_table == committed.cookie_table
    facts = lambda d: ([(c.name, c.vendor, c.category, c.retention.text) for c in d.cookies],
                       [(s.name, s.country, s.group) for s in d.subprocessors])
    assert facts(original) == facts(committed)


HEADERS = {
    "fr": ("Partenaire", "Nom du Cookie", "Finalité", "Durée de conservation"),
    "it": ("Fornitore", "Nome del cookie", "Finalità", "Durata"),
    "de": ("Anbieter", "Name", "Zweck", "Speicherdauer"),
    "en": ("Provider", "Cookie name", "Purpose", "Expiry"),
}
ROWS = [("Google", "_ga", "analytics", "13 months"), ("Google", "_ga_<container-id>", "analytics", "2 years"),
        ("Hotjar Ltd", "_hjSessionUser_*", "analytics", "1 year")]


def _as(fmt: str, header: tuple[str, ...]) -> str:
    rows = [header, *ROWS]
    if fmt == "tabs":
        return "Cookies de mesure d'audience\n\n" + "\n".join("\t".join(r) for r in rows) + "\n"
    if fmt == "markdown":
        lines = ["## Analytics cookies", "", "| " + " | ".join(header) + " |", "|---|---|---|---|"]
        return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in ROWS]) + "\n"
    cells = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c.replace('<', '&lt;')}</td>" for c in r) + "</tr>\n" for r in ROWS)
    return (f"<html><body><h2>Cookies analytiques</h2>\n<table>\n<tr>{cells}</tr>\n{body}</table>"
            "</body></html>\n")


@pytest.mark.parametrize("lang", sorted(HEADERS))
@pytest.mark.parametrize("fmt, suffix", [("tabs", ".txt"), ("markdown", ".md"), ("html", ".html")])
def test_tables_in_every_format_and_language(tmp_path, lang, fmt, suffix):
    path = tmp_path / f"policy{suffix}"
    path.write_text(_as(fmt, HEADERS[lang]), encoding="utf-8")
    site = import_document(path, "example.test")
    assert site.cookie_table == "table"
    assert [(c.name, c.vendor, c.category, c.retention.kind) for c in site.cookies] == [
        ("_ga", "Google", "analytics", "duration"), ("_ga_*", "Google", "analytics", "duration"),
        ("_hjSessionUser_*", "Hotjar", "analytics", "duration")]
    lines = path.read_text(encoding="utf-8").splitlines()
    for cookie in site.cookies:  # every source points at the line holding the row
        assert "Google" in lines[int(cookie.source.split(":")[1]) - 1] or "Hotjar" in \
            lines[int(cookie.source.split(":")[1]) - 1]


def test_unknown_columns_unknown_vendor_and_bad_retention_are_flagged(tmp_path):
    path = tmp_path / "policy.txt"
    path.write_text("Cookie\tVendor\tColour\tDuration\n"
                    "_a, _b\tNobody Known\tblue\tforever\n", encoding="utf-8")
    report = import_report(path, "example.test")
    assert report.warnings == ("policy.txt:1: unknown column 'Colour' ignored",)
    assert [(c.name, c.vendor, c.category, c.retention.kind, c.draft) for c in report.site.cookies] == [
        ("_a", "Nobody Known", "unknown", "unknown", True), ("_b", "Nobody Known", "unknown", "unknown", True)]


@pytest.mark.parametrize("content, message", [
    (b"", "empty document"), (b"\x00\x01binary", "not a text document"),
])
def test_malformed_documents_raise_a_user_error(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(DocumentError, match=message):
        import_document(path, "example.test")
    with pytest.raises(DocumentError, match="cannot read"):
        import_document(tmp_path / "missing.txt", "example.test")


def _cookie(name: str) -> DeclaredCookie:
    return DeclaredCookie(name, "v", "", "analytics", Retention("1 an", "duration", 1.0), f"x:{name}")


def test_declared_row_exact_beats_pattern_and_longest_pattern_wins():
    site = DeclaredSite("s", "table", tuple(_cookie(n) for n in ["_ga*", "_ga_*", "_ga", "intercom-session-*"]), ())
    assert declared_row(site, "_ga").name == "_ga"
    assert declared_row(site, "_ga_ABC123").name == "_ga_*"
    assert declared_row(site, "_gat").name == "_ga*"
    assert declared_row(site, "intercom-session-x1y2").name == "intercom-session-*"
    assert declared_row(site, "intercom-session") is None
    fr = load_declared(DECLARED / "pro.doctolib.fr")
    assert declared_row(fr, "ssid").retention.text == "13 Mois"
    assert declared_row(fr, "_ga") is None
