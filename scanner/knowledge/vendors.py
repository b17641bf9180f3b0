"""Vendor → domains map: who serves a third-party host, and which vendor a legal name means.

The map is data (scanner/knowledge/data/vendors.yaml, one entry per vendor with its source).
`owner_of` matches a host by its longest listed domain suffix; `canonical` maps the
names policies use ("Intercom R&D Unlimited Company", "Hubspot Inc.") to one vendor.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from scanner.errors import UserError
from scanner.common.yamllines import locate_list, mapping_child, read_yaml
from scanner.common.text import fold

VENDOR_FIELDS = ("name", "aliases", "domains", "parent", "source")

# Words that say what kind of company it is or where it sits, not which vendor it is.
_LEGAL_WORDS = frozenset(
    "inc inc. incorporated ltd ltd. limited llc l.l.c. sas sasu sa sarl s.a.r.l. gmbh srl s.r.l. spa "
    "s.p.a. bv b.v. nv ag plc corp corp. corporation company co co. unlimited r&d group holdings "
    "holding se a/s sp z o.o. oy ab kg ireland europe emea international france deutschland "
    "germany italia italy uk us usa operations technologies technology the".split())


class VendorMapError(UserError):
    """Bad vendor map data; the message names file and line."""


@dataclass(frozen=True)
class Vendor:
    name: str
    domains: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    parent: str | None = None
    source: str = ""


def normalise_name(name: str) -> str:
    """Lower-case, accent-free, tag-free company name with single spaces."""
    text = re.sub(r"<[^>]+>", " ", name or "")
    text = fold(text)
    text = re.sub(r"[,;:!?\"'()\[\]]", " ", text)
    return re.sub(r"\s+", " ", text).strip(" .-")


def _without_legal_words(norm: str) -> str:
    return " ".join(w for w in norm.split() if w not in _LEGAL_WORDS and w.strip(".") not in _LEGAL_WORDS)


def _name_variants(name: str) -> list[str]:
    """Forms to look a name up by: as written, without legal words, each part of "A (B)"."""
    variants = [normalise_name(name)]
    outside = re.sub(r"\([^)]*\)", " ", name)
    inside = re.findall(r"\(([^)]*)\)", name)
    for part in [outside, *inside]:
        variants.append(normalise_name(part))
    variants += [_without_legal_words(v) for v in list(variants)]
    return [v for v in dict.fromkeys(variants) if v]


def host_suffixes(host: str) -> list[str]:
    """"a.b.example.com" → ["a.b.example.com", "b.example.com", "example.com", "com"]."""
    labels = host.split(".")
    return [".".join(labels[i:]) for i in range(len(labels))]


def normalise_host(host: str) -> str:
    return (host or "").strip().lower().lstrip(".").rstrip(".")


@dataclass(frozen=True)
class VendorMap:
    vendors: tuple[Vendor, ...]
    _by_domain: dict[str, str] = field(init=False, repr=False, compare=False)
    _by_name: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name: dict[str, str] = {}
        # Canonical names first, so an alias can never take over another vendor's own name.
        for v in self.vendors:
            by_name.setdefault(normalise_name(v.name), v.name)
        for v in self.vendors:
            for written in (v.name, *v.aliases):
                for variant in _name_variants(written):
                    by_name.setdefault(variant, v.name)
        object.__setattr__(self, "_by_domain", {d: v.name for v in self.vendors for d in v.domains})
        object.__setattr__(self, "_by_name", by_name)

    def vendor(self, name: str) -> Vendor | None:
        canonical = self.canonical(name)
        return next((v for v in self.vendors if v.name == canonical), None)

    def owner_of(self, host: str) -> str | None:
        """Vendor serving `host`, by the longest listed domain suffix; None when unknown."""
        for suffix in host_suffixes(normalise_host(host)):
            owner = self._by_domain.get(suffix)
            if owner:
                return owner
        return None

    def owners(self, hosts: pd.Series) -> pd.Series:
        """`owner_of` over a column: one lookup per distinct host, then a vectorised map."""
        distinct = pd.unique(hosts.dropna())
        lookup = {host: self.owner_of(str(host)) for host in distinct}
        owners = hosts.map(lookup).astype(object)
        return owners.where(owners.notna(), None)

    def domains_of(self, vendor: str) -> tuple[str, ...]:
        found = self.vendor(vendor)
        return found.domains if found else ()

    def canonical(self, name: str) -> str | None:
        """Canonical vendor for a legal name, alias or spelling; None when not in the map."""
        for variant in _name_variants(name or ""):
            found = self._by_name.get(variant)
            if found:
                return found
        return None


def _default_path() -> Path:
    return Path(str(resources.files("scanner.knowledge") / "data" / "vendors.yaml"))


@lru_cache(maxsize=8)
def _load(path: Path) -> VendorMap:
    data, root = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("vendors"), list):
        raise VendorMapError(f"{path}:1: expected a mapping with a 'vendors' list")
    vendors: list[Vendor] = []
    seen_domains: dict[str, tuple[str, int]] = {}
    for item in locate_list(data["vendors"], mapping_child(root, "vendors")):
        if isinstance(item, tuple):
            raise VendorMapError(f"{path}:{item[1]}: a vendor entry must be a mapping")
        vendors.append(_vendor_from(item, path, seen_domains))
    return VendorMap(tuple(vendors))


def _vendor_from(item, path: Path, seen_domains: dict[str, tuple[str, int]]) -> Vendor:
    where = f"{path}:{item.line}"
    unknown = sorted(set(item.values) - set(VENDOR_FIELDS))
    if unknown:
        raise VendorMapError(f"{path}:{item.line_of(unknown[0])}: unknown field '{unknown[0]}'")
    name = item.values.get("name")
    if not isinstance(name, str) or not name.strip():
        raise VendorMapError(f"{where}: vendor without a name")
    for key in ("aliases", "domains"):
        if not isinstance(item.values.get(key, []) or [], list):
            raise VendorMapError(f"{path}:{item.line_of(key)}: '{key}' must be a list")
    if not str(item.values.get("source") or "").strip():
        raise VendorMapError(f"{where}: vendor '{name}' has no source")
    domains = tuple(normalise_host(str(d)) for d in item.values.get("domains") or [])
    for domain in domains:
        if domain in seen_domains:
            other, line = seen_domains[domain]
            raise VendorMapError(f"{path}:{item.line_of('domains')}: domain {domain} of '{name}' "
                                 f"already belongs to '{other}' (line {line})")
        seen_domains[domain] = (name, item.line_of("domains"))
    return Vendor(name=name.strip(), domains=domains,
                  aliases=tuple(str(a) for a in item.values.get("aliases") or []),
                  parent=item.values.get("parent"), source=str(item.values["source"]))


def load_vendor_map(path: Path | str | None = None) -> VendorMap:
    """The vendor map from `path` (default: the one shipped in scanner/knowledge/data)."""
    return _load(Path(path) if path else _default_path())
