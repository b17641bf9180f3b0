"""Knowledge the behaviour collector and judge share: session recorders, sensitive words.

Both are data files in scanner/knowledge/data (a source per recorder entry);
a malformed file is a user error naming the file.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from scanner.common.text import fold
from scanner.common import yamllines
from scanner.errors import UserError

RECORDER_FIELDS = ("vendor", "source", "scripts", "endpoints", "globals", "library")


@dataclass(frozen=True)
class Recorder:
    vendor: str
    source: str
    scripts: tuple[str, ...]  # substrings of host+path
    endpoints: tuple[str, ...]
    globals: tuple[str, ...]
    library: bool = False  # an open-source recorder: the vendor is whoever loaded it


def _data(name: str) -> Path:
    return Path(str(resources.files("scanner.knowledge") / "data" / name))


def _read(path: Path):
    try:
        return yamllines.load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise UserError(f"{path}: not readable YAML ({str(exc).splitlines()[0]})") from None


@lru_cache(maxsize=4)
def load_recorders(path: Path | None = None) -> tuple[Recorder, ...]:
    path = Path(path) if path else _data("session_recorders.yaml")
    data = _read(path)
    if not isinstance(data, list):
        raise UserError(f"{path}: expected a list of recorders")
    out = []
    for i, item in enumerate(data, 1):
        if not isinstance(item, dict) or not item.get("vendor") or not str(item.get("source") or "").strip():
            raise UserError(f"{path}: entry #{i} needs a vendor and a source")
        unknown = sorted(set(item) - set(RECORDER_FIELDS))
        if unknown:
            raise UserError(f"{path}: entry #{i} ({item['vendor']}): unknown field '{unknown[0]}'")
        lists = {}
        for key in ("scripts", "endpoints", "globals"):
            value = item.get(key) or []
            if not isinstance(value, list):
                raise UserError(f"{path}: entry #{i} ({item['vendor']}): '{key}' must be a list")
            lists[key] = tuple(str(v) for v in value)
        out.append(Recorder(vendor=str(item["vendor"]), source=str(item["source"]), library=bool(item.get("library")),
                            **lists))
    return tuple(out)


def match_recorder(host_path: str, recorders: tuple[Recorder, ...], what: str) -> Recorder | None:
    """The recorder whose `what` ("scripts" | "endpoints") pattern occurs in host+path."""
    for recorder in recorders:
        if any(p in host_path for p in getattr(recorder, what)):
            return recorder
    return None


@lru_cache(maxsize=4)
def default_sensitive_terms(path: Path | None = None) -> tuple[str, ...]:
    path = Path(path) if path else _data("sensitive_terms.yaml")
    data = _read(path)
    if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
        raise UserError(f"{path}: expected a mapping of language -> list of words")
    return tuple(dict.fromkeys(fold(str(t)) for words in data.values() for t in words))


def sensitive_match(texts, terms: tuple[str, ...]) -> str | None:
    """The first term found in any text; short terms (< 5 letters: "hiv", "ivg") must be a whole word."""
    for text in texts:
        folded = fold(text or "")
        words = set(re.split(r"[^a-z0-9]+", folded))
        for term in terms:
            if (term in words) if len(term) < 5 else (term in folded):
                return term
    return None
