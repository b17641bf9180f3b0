"""Refresh the npm files cookiescan ships inside its package, from node_modules.

    .venv/bin/python scripts/refresh_autoconsent.py            # copy, print what changed
    .venv/bin/python scripts/refresh_autoconsent.py --dry-run  # only print what would change

Two sets of files, both unmodified copies of pinned npm packages (package.json):
- the consent engine's autoconsent (`@duckduckgo/autoconsent`, MPL-2.0): its Playwright
  content script and its rules, in scanner/collect/consent/vendor/autoconsent/;
- the real consent libraries the demo fixture web serves as https://cdn.jsdelivr.net/npm/...
  (tarteaucitron, Klaro, vanilla-cookieconsent, cookieconsent), in scanner/demo/web/cdn.jsdelivr.net/npm/,
  only the files the fixture pages load, each package's licence beside them.

At run time cookiescan reads these copies, never node_modules. To move to a newer
version: bump it in package.json, `npm install --ignore-scripts --no-audit --no-fund`,
run this script, review the printed changes (a rule removed is a platform no longer
handled by autoconsent), update the versions in the fixture pages' URLs if needed, commit.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AUTOCONSENT = "@duckduckgo/autoconsent"
AUTOCONSENT_DIR = ROOT / "scanner" / "collect" / "consent" / "vendor" / "autoconsent"
# package path -> name of the copy (names the package-data globs of pyproject.toml match)
AUTOCONSENT_FILES = {"dist/autoconsent.playwright.js": "autoconsent.playwright.js",
                     "rules/rules.json": "rules.json", "LICENSE": "autoconsent.LICENSE"}
JSDELIVR_NPM = ROOT / "scanner" / "demo" / "web" / "cdn.jsdelivr.net" / "npm"
# The files the fixture pages load (their <script>/<link> tags and what those scripts fetch).
FIXTURE_FILES = {
    "tarteaucitronjs": ["tarteaucitron.js", "tarteaucitron.services.min.js", "css/tarteaucitron.min.css",
                        "lang/tarteaucitron.fr.min.js", "lang/tarteaucitron.en.min.js", "LICENSE"],
    "klaro": ["dist/klaro.js", "LICENSE"],
    "vanilla-cookieconsent": ["dist/cookieconsent.umd.js", "dist/cookieconsent.css", "LICENSE"],
    # Osano's open-source cookieconsent ships its licence as `licence`: copied as LICENSE like the others.
    "cookieconsent": ["build/cookieconsent.min.js", "build/cookieconsent.min.css", ("licence", "LICENSE")],
    # The behaviour fixtures: a real fingerprinter and a real session recorder.
    "@fingerprintjs/fingerprintjs": ["dist/fp.umd.min.js", "LICENSE"],
    # rrweb's npm package ships no licence file: its MIT text (from the rrweb repository) is kept in scripts/licences/.
    "rrweb": ["dist/rrweb.umd.min.cjs", (ROOT / "scripts" / "licences" / "rrweb.LICENSE", "LICENSE")],
}
META = "meta.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--node-modules", type=Path, default=ROOT / "node_modules", help="npm install's folder")
    parser.add_argument("--dry-run", action="store_true", help="show the changes, write nothing")
    args = parser.parse_args(argv)
    try:
        changes = refresh_autoconsent(args.node_modules, AUTOCONSENT_DIR, dry_run=args.dry_run)
        for package, files in FIXTURE_FILES.items():
            changes += refresh_fixture_package(args.node_modules, package, files, JSDELIVR_NPM, dry_run=args.dry_run)
    except RefreshError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{changes} file(s) changed" + (" (dry run: nothing written)" if args.dry_run else ""))
    return 0


class RefreshError(Exception):
    pass


def refresh_autoconsent(node_modules: Path, target: Path, *, dry_run: bool) -> int:
    package = node_modules / AUTOCONSENT
    version = package_version(package)
    old_rules = _rule_names(target / "rules.json")
    new_rules = _rule_names(package / "rules" / "rules.json")
    old_version = _meta(target).get("version")
    print(f"{AUTOCONSENT}: {old_version or 'none'} -> {version}; rules {len(old_rules)} -> {len(new_rules)}")
    for label, names in (("added", new_rules - old_rules), ("removed", old_rules - new_rules)):
        if names:
            print(f"  rules {label} ({len(names)}): {', '.join(sorted(names)[:40])}" + (" ..." if len(names) > 40 else ""))
    changed = copy_files(package, AUTOCONSENT_FILES, target, dry_run=dry_run)
    if not dry_run:
        write_meta(target, AUTOCONSENT, version, AUTOCONSENT_FILES, licence="MPL-2.0 (autoconsent.LICENSE)")
    return changed


def refresh_fixture_package(node_modules: Path, name: str, files: list, npm_root: Path, *, dry_run: bool) -> int:
    """`files`: paths in the package, or (path in the package, name in the copy) pairs."""
    package = node_modules / name
    mapping = dict(f if isinstance(f, tuple) else (f, f) for f in files)
    version = package_version(package)
    target = npm_root / f"{name}@{version}"
    stale = [p for p in npm_root.glob(f"{name}@*") if p != target] if npm_root.exists() else []
    for old in stale:
        print(f"  {old.name}: replaced by {target.name} (update the fixture pages' URLs)")
    print(f"{name}@{version}: {len(files)} file(s) for the fixture web")
    changed = copy_files(package, mapping, target, dry_run=dry_run)
    if not dry_run:
        for old in stale:
            for f in sorted(old.rglob("*"), reverse=True):
                f.unlink() if f.is_file() else f.rmdir()
            old.rmdir()
        licence = json.loads((package / "package.json").read_text(encoding="utf-8")).get("license", "see LICENSE")
        write_meta(target, name, version, mapping, licence=f"{licence} (LICENSE)")
    return changed


def copy_files(package: Path, files: dict[str, str], target: Path, *, dry_run: bool) -> int:
    """Copy package/src -> target/dst for each pair; print one line per added or changed file."""
    changed = 0
    for src, dst in files.items():
        source = src if isinstance(src, Path) else package / src  # a Path: a file of ours, not of the package
        if not source.is_file():
            raise RefreshError(f"{source}: not found (is the package installed? run npm ci)")
        new = source.read_bytes()
        old = (target / dst).read_bytes() if (target / dst).is_file() else None
        if old == new:
            continue
        changed += 1
        what = "added" if old is None else f"changed ({len(old):,} -> {len(new):,} bytes)"
        print(f"  {dst}: {what}")
        if not dry_run:
            (target / dst).parent.mkdir(parents=True, exist_ok=True)
            (target / dst).write_bytes(new)
    return changed


def write_meta(target: Path, package: str, version: str, files: dict[str, str], *, licence: str) -> None:
    meta = {
        "package": package, "version": version, "licence": licence,
        "source": f"https://www.npmjs.com/package/{package}/v/{version}",
        "note": "unmodified copies of the npm package's files; refreshed by scripts/refresh_autoconsent.py",
        "files": {dst: {"from": src.relative_to(ROOT).as_posix() if isinstance(src, Path) else src, "sha256": hashlib.sha256((target / dst).read_bytes()).hexdigest()}
                  for src, dst in files.items()},
        "refreshed_at": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
    }
    old = _meta(target)
    if {k: v for k, v in old.items() if k != "refreshed_at"} == {k: v for k, v in meta.items() if k != "refreshed_at"}:
        return  # unchanged: keep the date of the last real refresh
    (target / META).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def package_version(package: Path) -> str:
    try:
        return json.loads((package / "package.json").read_text(encoding="utf-8"))["version"]
    except (OSError, KeyError, json.JSONDecodeError) as exc:
        raise RefreshError(f"{package}/package.json: cannot read the version ({exc})") from None


def _rule_names(path: Path) -> set[str]:
    if not path.is_file():
        return set()
    try:
        return {r["name"] for r in json.loads(path.read_text(encoding="utf-8")).get("autoconsent", [])}
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise RefreshError(f"{path}: not an autoconsent rules file ({exc})") from None


def _meta(target: Path) -> dict:
    try:
        return json.loads((target / META).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}


if __name__ == "__main__":
    sys.exit(main())
