"""The npm files cookiescan ships inside its package: autoconsent for the consent engine, the
consent libraries the fixture web serves. They are unmodified copies of the pinned packages,
with their licence beside them, and nothing at run time reads node_modules or the checkout."""
from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.collect.consent import autoconsent
from scanner.demo.fixtureweb import WEB_ROOT

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
_PACKAGE_JSON = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
PINNED = {**_PACKAGE_JSON.get("devDependencies", {}), **_PACKAGE_JSON["dependencies"]}
JSDELIVR = WEB_ROOT / "cdn.jsdelivr.net" / "npm"
# npm scopes (@fingerprintjs/) hold their packages one level down
COPIES = [autoconsent.VENDORED, *sorted(p for top in JSDELIVR.iterdir() if top.is_dir()
                                        for p in (top.iterdir() if top.name.startswith("@") else (top,)))]


@pytest.mark.parametrize("copy", COPIES, ids=lambda p: p.name)
def test_each_copy_is_pinned_checksummed_and_licensed(copy):
    meta = json.loads((copy / "meta.json").read_text(encoding="utf-8"))
    assert PINNED[meta["package"]] == meta["version"], "package.json pins another version: run the refresh script"
    for name, file in meta["files"].items():
        assert hashlib.sha256((copy / name).read_bytes()).hexdigest() == file["sha256"], f"{copy.name}/{name} modified"
    licences = [name for name in meta["files"] if "LICENSE" in name]
    assert licences and all((copy / name).stat().st_size > 500 for name in licences)
    listed = {copy / name for name in meta["files"]} | {copy / "meta.json"}
    assert {p for p in copy.rglob("*") if p.is_file() and not p.name.endswith(".NOTICE")} == listed


@pytest.mark.skipif(not (NODE_MODULES / "@duckduckgo" / "autoconsent").is_dir(),
                    reason="node_modules not installed (npm ci): nothing to compare the copies with")
def test_copies_equal_the_installed_npm_packages():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "refresh_autoconsent.py"), "--dry-run"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "0 file(s) changed (dry run: nothing written)" in result.stdout, result.stdout


def test_refresh_reports_rules_added_and_removed(tmp_path):
    """The refresh script on a fake older node_modules: it names the rules that change and copies the files."""
    package = tmp_path / "node_modules" / "@duckduckgo" / "autoconsent"
    (package / "dist").mkdir(parents=True)
    (package / "rules").mkdir()
    rules = json.loads((autoconsent.VENDORED / "rules.json").read_text(encoding="utf-8"))
    rules["autoconsent"] = [r for r in rules["autoconsent"] if r["name"] != "didomi"] + [{"name": "new-cmp"}]
    (package / "rules" / "rules.json").write_text(json.dumps(rules), encoding="utf-8")
    (package / "dist" / "autoconsent.playwright.js").write_text("/* new */", encoding="utf-8")
    (package / "LICENSE").write_bytes((autoconsent.VENDORED / "autoconsent.LICENSE").read_bytes())
    (package / "package.json").write_text('{"version": "99.0.0"}', encoding="utf-8")
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import refresh_autoconsent
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    target = tmp_path / "copy"
    target.mkdir()
    for name in ("rules.json", "autoconsent.playwright.js", "autoconsent.LICENSE", "meta.json"):
        (target / name).write_bytes((autoconsent.VENDORED / name).read_bytes())
    changed = refresh_autoconsent.refresh_autoconsent(tmp_path / "node_modules", target, dry_run=False)
    assert changed == 2  # the script and the rules; the licence is the same
    assert (target / "autoconsent.playwright.js").read_text(encoding="utf-8") == "/* new */"
    assert json.loads((target / "meta.json").read_text(encoding="utf-8"))["version"] == "99.0.0"


def test_refresh_prints_the_rule_changes(tmp_path, capsys):
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import refresh_autoconsent
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    package = tmp_path / "@duckduckgo" / "autoconsent"
    (package / "rules").mkdir(parents=True)
    (package / "rules" / "rules.json").write_text('{"autoconsent": [{"name": "a"}, {"name": "new-cmp"}]}')
    (package / "package.json").write_text('{"version": "1.0.0"}')
    target = tmp_path / "copy"
    target.mkdir()
    (target / "rules.json").write_text('{"autoconsent": [{"name": "a"}, {"name": "old-cmp"}]}')
    with pytest.raises(refresh_autoconsent.RefreshError, match="autoconsent.playwright.js: not found"):
        refresh_autoconsent.refresh_autoconsent(tmp_path, target, dry_run=True)
    out = capsys.readouterr().out
    assert "rules added (1): new-cmp" in out and "rules removed (1): old-cmp" in out


def test_the_autoconsent_bridge_reads_the_packaged_copy():
    assert autoconsent.version() == PINNED["@duckduckgo/autoconsent"]
    assert autoconsent.popup_selectors("didomi")  # rules load from the copy
    assert (autoconsent.VENDORED / "autoconsent.NOTICE").read_text(encoding="utf-8").count("unmodified") == 1


def test_every_npm_file_a_fixture_page_names_is_shipped():
    named = set()
    for page in WEB_ROOT.rglob("*.html"):
        named |= set(re.findall(r"https://cdn\.jsdelivr\.net/npm/([^\"'?\s>]+)", page.read_text(encoding="utf-8")))
    assert named, "no fixture page loads an npm file: this test checks nothing"
    missing = [rel for rel in sorted(named) if not (JSDELIVR / rel).is_file()]
    assert not missing, f"not in scanner/demo/web/cdn.jsdelivr.net/npm: {missing} (add them to the refresh script)"


def test_no_module_reads_node_modules_or_the_checkout():
    """No path to node_modules, nor above the package (parents[2] of scanner/x/y.py is the checkout)."""
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "scanner").rglob("*.py")
                 if re.search(r"[\"']node_modules[\"'/]|parents\[(\d+)\]", p.read_text(encoding="utf-8"))
                 and _reaches_above_the_package(p)]
    assert offenders == []


def _reaches_above_the_package(module: Path) -> bool:
    text = module.read_text(encoding="utf-8")
    if re.search(r"[\"']node_modules[\"'/]", text):
        return True
    depth = len(module.relative_to(ROOT / "scanner").parts) - 1  # parents[depth] is scanner/
    return any(int(n) > depth for n in re.findall(r"parents\[(\d+)\]", text))
