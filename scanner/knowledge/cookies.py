"""The cookie knowledge base: the Open Cookie Database plus our own overrides.

Both are bundled in `scanner/knowledge/data/` and read from disk only: nothing is
downloaded at scan time (`scripts/refresh_knowledge.py` refreshes the copy).

The Open Cookie Database (OCD) is a JSON object {platform: [row, ...]}; a row
has id, category, cookie, domain, description, retentionPeriod, dataController,
privacyLink and wildcardMatch ("1" = the cookie name is a prefix, e.g. `_ga_`).
`cookie-overrides.csv` has the same columns plus `platform` and `source` (why
we know better). Its category may be an OCD category or one of ours.
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from scanner.errors import UserError
from scanner.models import ANALYTICS, CATEGORIES, FUNCTIONAL, MARKETING, STRICTLY_NECESSARY, UNKNOWN

OCD = "open-cookie-database"
OVERRIDES = "overrides"
OCD_FILE = "open-cookie-database.json"
OVERRIDES_FILE = "cookie-overrides.csv"
OVERRIDE_COLUMNS = ("id", "platform", "category", "cookie", "domain", "description", "retentionPeriod",
                    "dataController", "privacyLink", "wildcardMatch", "source")

# OCD category -> ours. OCD "Functional" mixes CNIL-exempt cookies (sessions,
# load balancers, consent storage) with preferences that need consent; we keep
# it "functional" (not exempt) and promote the exempt ones in the overrides
# file, so nothing becomes strictly necessary without a stated reason.
OCD_CATEGORY_MAP = {
    "necessary": STRICTLY_NECESSARY,
    "security": STRICTLY_NECESSARY,  # CNIL: security and anti-fraud are exempt
    "functional": FUNCTIONAL,
    "personalization": FUNCTIONAL,
    "preferences": FUNCTIONAL,
    "analytics": ANALYTICS,  # CNIL: audience measurement is not exempt by default
    "statistics": ANALYTICS,
    "marketing": MARKETING,
    "advertising": MARKETING,
}

# One company under two names would split a vendor in reports; OCD rows still
# say "Facebook" for what Meta Platforms runs today (other OCD rows say "Meta").
VENDOR_ALIASES = {"Facebook": "Meta"}


class KnowledgeError(UserError):
    """A knowledge-base file that cannot be read; the message names it."""


@dataclass(frozen=True)
class KnownCookie:
    """One row of the knowledge base."""

    name: str  # exact name, or the prefix when wildcard is True
    wildcard: bool  # True: matches every name starting with `name`
    category: str  # one of scanner.models.CATEGORIES
    source_category: str  # the category as the source wrote it (e.g. OCD "Functional")
    vendor: str  # data controller
    platform: str
    purpose: str
    retention: str  # the source's wording, e.g. "2 years"
    domain: str
    privacy_link: str
    source: str  # OCD or OVERRIDES
    ref: str  # OCD row id, or "cookie-overrides.csv:LINE"
    note: str = ""  # overrides: why this row exists (a URL or a rule)

    @property
    def pattern(self) -> str:
        """The name as a `scanner.common.names` pattern (`_ga_*`)."""
        return self.name + "*" if self.wildcard else self.name

    @property
    def classification_source(self) -> str:
        return f"knowledge_base:{self.source}"


def map_category(raw: str) -> str:
    """Our category for a source category; unknown ones stay unknown."""
    key = raw.strip().lower().replace(" ", "_")
    if key in CATEGORIES:
        return key
    return OCD_CATEGORY_MAP.get(key, UNKNOWN)


class KnowledgeBase:
    """Rows indexed for lookups: exact names in a dict, wildcard prefixes by length.

    Overrides come before OCD rows, so where both know a name, ours wins.
    """

    def __init__(self, rows: list[KnownCookie] | tuple[KnownCookie, ...]):
        self.rows = tuple(rows)
        self._exact: dict[str, list[KnownCookie]] = {}
        self._exact_folded: dict[str, list[KnownCookie]] = {}
        self._prefixes: dict[str, list[KnownCookie]] = {}
        for row in sorted(self.rows, key=lambda r: r.source != OVERRIDES):  # stable: overrides first
            if row.wildcard:
                self._prefixes.setdefault(row.name.lower(), []).append(row)
            else:
                self._exact.setdefault(row.name, []).append(row)
                self._exact_folded.setdefault(row.name.lower(), []).append(row)
        # Longest prefix first: `_ga_` must not lose to a shorter `_g` prefix.
        self._prefix_lengths = sorted({len(p) for p in self._prefixes}, reverse=True)

    def __len__(self) -> int:
        return len(self.rows)

    def lookup(self, name: str) -> list[KnownCookie]:
        """Every row matching `name`: exact (case-sensitive, then case-folded), then wildcard, longest first."""
        found = list(self._exact.get(name, ()))
        found += [r for r in self._exact_folded.get(name.lower(), ()) if r not in found]
        return found + self.wildcard_matches(name)

    def wildcard_matches(self, name: str) -> list[KnownCookie]:
        folded = name.lower()
        found: list[KnownCookie] = []
        for length in self._prefix_lengths:
            if length <= len(folded):
                found += self._prefixes.get(folded[:length], ())
        return found

    def best(self, name: str) -> KnownCookie | None:
        """The row that classifies `name`: the first of `lookup` (without building the whole list)."""
        rows = self._exact.get(name) or self._exact_folded.get(name.lower())
        if rows:
            return rows[0]
        folded = name.lower()
        for length in self._prefix_lengths:
            if length <= len(folded):
                rows = self._prefixes.get(folded[:length])
                if rows:
                    return rows[0]
        return None

    def family(self, stem: str) -> KnownCookie | None:
        """The wildcard row a name is the stem of ("intercom-session" -> `intercom-session-`), unless
        the name is a cookie of its own (`_ga` is not the stem of `_ga_*`)."""
        if self._exact.get(stem):
            return None
        for prefix in (stem, stem + "-", stem + "_", stem + "."):
            rows = self._prefixes.get(prefix.lower())
            if rows and len(prefix) >= 3:
                return rows[0]
        return None

    def best_wildcard(self, name: str) -> KnownCookie | None:
        matches = self.wildcard_matches(name)
        return matches[0] if matches else None


# ------------------------------------------------------------------ loading ---

def load_knowledge_base(data_dir: Path | None = None) -> KnowledgeBase:
    """The bundled Open Cookie Database plus our overrides (no network)."""
    if data_dir is None:
        with resources.as_file(resources.files("scanner.knowledge") / "data") as path:
            data_dir = Path(path)
    data_dir = Path(data_dir)
    rows = read_overrides(data_dir / OVERRIDES_FILE) + read_ocd(data_dir / OCD_FILE)
    return KnowledgeBase(rows)


def read_ocd(path: Path) -> list[KnownCookie]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KnowledgeError(f"{path}: no such knowledge-base file") from None
    except json.JSONDecodeError as exc:
        raise KnowledgeError(f"{path}: invalid JSON ({exc})") from None
    return parse_ocd(data, where=str(path))


def parse_ocd(data: object, *, where: str = OCD_FILE) -> list[KnownCookie]:
    """Rows of the OCD JSON format ({platform: [row, ...]})."""
    if not isinstance(data, dict):
        raise KnowledgeError(f"{where}: expected a JSON object of platforms, got {type(data).__name__}")
    rows = []
    for platform, entries in data.items():
        if not isinstance(entries, list):
            raise KnowledgeError(f"{where}: platform {platform!r} is not a list of rows")
        for i, raw in enumerate(entries):
            if not isinstance(raw, dict) or "cookie" not in raw or "category" not in raw:
                raise KnowledgeError(f"{where}: platform {platform!r} row {i} lacks cookie/category")
            row = _row(dict(raw, platform=platform), source=OCD, ref=str(raw.get("id") or f"{platform}#{i}"))
            if row is not None:
                rows.append(row)
    return rows


def read_overrides(path: Path) -> list[KnownCookie]:
    path = Path(path)
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in OVERRIDE_COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise KnowledgeError(f"{path}: missing columns {', '.join(missing)}")
        rows = []
        for raw in reader:
            line = reader.line_num
            where = f"{path.name}:{line}"
            if not (raw.get("source") or "").strip():
                raise KnowledgeError(f"{path}:{line}: every override needs a source")
            if map_category(raw["category"]) == UNKNOWN and raw["category"].strip().lower() != UNKNOWN:
                raise KnowledgeError(f"{path}:{line}: unknown category {raw['category']!r}")
            row = _row(raw, source=OVERRIDES, ref=where, note=raw["source"].strip())
            if row is not None:
                rows.append(row)
    return rows


def _row(raw: dict, *, source: str, ref: str, note: str = "") -> KnownCookie | None:
    name = (raw.get("cookie") or "").strip()  # OCD has stray tabs in a few names
    wildcard = str(raw.get("wildcardMatch", "0")).strip() == "1"
    if name.endswith("*") and name.count("*") == 1:  # a few rows write the prefix as `SSPR_*`
        name, wildcard = name[:-1], True
    if not name or "*" in name:
        return None  # interior wildcards are rare in OCD and would need a regex; not worth a special case
    return KnownCookie(
        name=name, wildcard=wildcard,
        category=map_category(raw.get("category", "")), source_category=raw.get("category", ""),
        vendor=_vendor(raw),
        platform=(raw.get("platform") or "").strip(),
        purpose=(raw.get("description") or "").strip(),
        retention=(raw.get("retentionPeriod") or "").strip(),
        domain=(raw.get("domain") or "").strip(),
        privacy_link=(raw.get("privacyLink") or "").strip(),
        source=source, ref=ref, note=note,
    )


def _vendor(raw: dict) -> str:
    vendor = (raw.get("dataController") or raw.get("platform") or "").strip()
    return VENDOR_ALIASES.get(vendor, vendor)
