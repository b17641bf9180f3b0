"""What a user file holds, thrown at every loader: a valid value or a one-line UserError (issue 14)."""
from __future__ import annotations

import json
import math
import tempfile
from dataclasses import replace
from pathlib import Path

import yaml
from hypothesis import given, strategies as st

from scanner.config import load_config
from scanner.declared import import_report, load_declared, read_site
from scanner.declared.retention import parse_retention
from scanner.errors import UserError
from scanner.history.baseline import load_baseline
from scanner.knowledge.vendors import load_vendor_map
from scanner.scanfile import ScanFileError, scan_from_json, to_dict
from tests.support.report_sample import sample_scan

VENDORS = load_vendor_map()
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20))
DATA = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(st.text(max_size=10), inner, max_size=4)),
                    max_leaves=12)


def one_line(exc: UserError) -> None:
    assert str(exc) and "\n" not in str(exc).strip() and "Traceback" not in str(exc)


def write(folder: Path, name: str, content) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", errors="surrogatepass")
    return path


# ------------------------------------------------------------ retention ---

@given(st.one_of(st.text(), st.builds("{} {}".format, st.one_of(st.integers(), st.floats(), st.text(max_size=6)),
                                      st.sampled_from(["mois", "months", "Jahre", "anni", "days", "jours", "h", ""]))))
def test_retention_parsing(text):
    retention = parse_retention(text)
    assert retention.kind in ("session", "duration", "relative", "unknown")
    assert retention.seconds is None or math.isfinite(retention.seconds)


# --------------------------------------------------------- policy import ---

CELLS = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=25)
ROWS = st.lists(st.lists(CELLS, min_size=1, max_size=5), min_size=1, max_size=6)
HEADERS = st.sampled_from([["Nom", "Finalité", "Durée"], ["Cookie", "Purpose", "Retention", "Provider"],
                           ["Name", "Zweck", "Speicherdauer"], ["Fornitore", "Paese", "Attività"], []])


def markdown(header, rows):
    lines = [f"| {' | '.join(header)} |", "|" + "---|" * len(header)] if header else []
    return "\n".join(lines + [f"| {' | '.join(r)} |" for r in rows])


def html_table(header, rows):
    cells = "".join(f"<tr>{''.join(f'<td>{c}</td>' for c in r)}</tr>" for r in [header, *rows] if r)
    return f"<html><body><h2>Cookies</h2><table>{cells}</table></body></html>"


def plain(header, rows):
    return "\n".join("\t".join(r) for r in [header, *rows] if r)


@given(HEADERS, ROWS, st.sampled_from([markdown, html_table, plain]), st.text(max_size=200))
def test_policy_importer(header, rows, render, prose):
    with tempfile.TemporaryDirectory() as tmp:
        path = write(Path(tmp), "policy.md", prose + "\n\n" + render(header, rows))
        try:
            report = import_report(path, "site.test", vendors=VENDORS)
        except UserError as exc:
            one_line(exc)
            return
        for cookie in report.site.cookies:
            assert cookie.retention.seconds is None or math.isfinite(cookie.retention.seconds)


# ------------------------------------------------------------ config ---

KEYS = st.sampled_from(["name", "start_url", "pages", "declared", "deny_patterns", "classify", "nmae", "pagez",
                        "accept_selector", "login", "fail_on", "history", "steps"])
TOML_VALUES = st.one_of(st.integers(-10, 10**6), st.booleans(), st.text(max_size=30),
                        st.lists(st.text(max_size=8), max_size=3), st.sampled_from(["https://a.test/", "https://[::1/",
                                                                                    "https://a.test:99999/", "a.test"]))


def toml_value(value) -> str:
    return json.dumps(value).lower() if isinstance(value, bool) else json.dumps(value)


CONFIGS = st.one_of(
    st.text(), st.binary(max_size=200),
    st.builds(lambda defaults, sites: "\n".join(
        ["[defaults]", *[f"{k} = {toml_value(v)}" for k, v in defaults]]
        + [line for site in sites for line in ["[[site]]", *[f"{k} = {toml_value(v)}" for k, v in site]]]),
        st.lists(st.tuples(KEYS, TOML_VALUES), max_size=3, unique_by=lambda kv: kv[0]),
        st.lists(st.lists(st.tuples(KEYS, TOML_VALUES), max_size=4, unique_by=lambda kv: kv[0]), max_size=3)))


@given(CONFIGS)
def test_cookiescan_toml(content):
    with tempfile.TemporaryDirectory() as tmp:
        path = write(Path(tmp), "cookiescan.toml", content)
        try:
            config = load_config(path)
        except UserError as exc:
            one_line(exc)
            return
        for site in config.sites:
            assert site.pages >= 1 and isinstance(site.deny_patterns, tuple)
            assert all(isinstance(p, str) and len(p) > 0 or p == "" for p in site.deny_patterns)


# ------------------------------------------------------- declared YAML ---

@given(st.one_of(st.text(), DATA.map(lambda d: yaml.safe_dump(d, allow_unicode=True)),
                 st.lists(st.dictionaries(st.sampled_from(["name", "retention", "category", "vendor", "draft", "x"]),
                                          SCALARS, max_size=5), max_size=4).map(yaml.safe_dump)),
       st.one_of(st.just("site: site.test\ncookie_table: table\n"), st.text(max_size=60)))
def test_declared_yaml(cookies_yaml, site_yaml):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "site.test"
        write(folder, "cookies.yaml", cookies_yaml)
        write(folder, "site.yaml", site_yaml)
        write(folder, "subprocessors.yaml", "[]\n")
        site, problems = read_site(folder, VENDORS)
        assert all(p.line >= 1 for p in problems)
        try:
            load_declared(folder)
        except UserError as exc:
            one_line(exc)


# ------------------------------------------------------------ baseline ---

ENTRY_KEYS = st.sampled_from(["fingerprint", "reason", "expires", "kind", "subject", "other"])


@given(st.one_of(st.text(), DATA.map(yaml.safe_dump),
                 st.lists(st.dictionaries(ENTRY_KEYS, st.one_of(SCALARS, st.dates().map(str)), max_size=5),
                          max_size=4).map(lambda e: yaml.safe_dump({"accepted": e}))))
def test_baseline(content):
    with tempfile.TemporaryDirectory() as tmp:
        try:
            load_baseline(write(Path(tmp), "baseline.yaml", content))
        except UserError as exc:
            one_line(exc)


# ------------------------------------------------------------ scan.json ---

SAMPLE = to_dict(replace(sample_scan()))


def leaves(value, path=()):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from leaves(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from leaves(v, path + (i,))
    yield path


PATHS = list(leaves(SAMPLE))


def mutated(path, value) -> str:
    data = json.loads(json.dumps(SAMPLE))
    if not path:
        return json.dumps(value)
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return json.dumps(data)


@given(st.one_of(st.text(), st.builds(mutated, st.sampled_from(PATHS), DATA),
                 st.builds(mutated, st.sampled_from(PATHS), st.sampled_from([float("inf"), float("nan"), "13 months",
                                                                             -1, [], {}, None]))))
def test_scan_json_loader(text):
    try:
        scan = scan_from_json(text)
    except ScanFileError as exc:
        one_line(exc)
        return
    json.dumps(to_dict(scan), allow_nan=False)


@given(st.builds(mutated, st.sampled_from(PATHS), st.one_of(DATA, st.sampled_from([1e300, -1e300, 0, "", "x" * 300]))))
def test_a_scan_that_loads_is_judged_and_reported(text):
    from scanner.judge import judge
    from scanner.report import build_report, render
    try:
        scan = scan_from_json(text)
    except ScanFileError:
        return
    judgement = judge(scan, None)
    for fmt in ("json", "terminal"):
        render(fmt, build_report(scan, judgement))
