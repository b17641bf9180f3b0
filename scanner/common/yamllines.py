"""YAML that remembers where things are: every mapping carries the line of each key.

Human-edited data files (declared/<site>/*.yaml, scanner/knowledge/data/vendors.yaml) must report
problems with file and line, so values are loaded with the safe loader and line numbers
are read from the composed node tree.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from scanner.common.text import first_line
from scanner.errors import UserError
from scanner.common.limits import DECLARED_FILE_BYTES, check_size


# libyaml's parser when PyYAML has it (its wheels do): about ten times faster than the pure-Python
# one, the same documents and line marks, and it refuses nesting deeper than 1000 levels.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse(text: str) -> tuple[Any, yaml.Node | None]:
    """(plain data, node tree) of one YAML document, parsed once; yaml.YAMLError when malformed."""
    loader = SAFE_LOADER(text)
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else None), node
    finally:
        loader.dispose()


def load(text: str) -> Any:
    """What yaml.safe_load(text) returns, with the faster parser."""
    return parse(text)[0]


class YamlFileError(UserError):
    """A YAML file that cannot be read or parsed; the message names file and line."""


@dataclass(frozen=True)
class Located:
    """A mapping from a YAML file with the line of the mapping and of each key (1-based)."""

    values: dict[str, Any]
    line: int
    key_lines: dict[str, int]
    duplicate_keys: tuple[tuple[str, int], ...] = ()

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


def read_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    """(plain data, node tree) of a YAML file; YamlFileError with file:line when it is malformed."""
    check_size(path, DECLARED_FILE_BYTES)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise YamlFileError(f"{path}: cannot read: {exc}") from None
    try:
        return parse(text)
    except RecursionError:
        raise YamlFileError(f"{path}: invalid YAML: nested too deeply") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or first_line(exc)
        raise YamlFileError(f"{where}: invalid YAML: {problem}") from None


def locate_mapping(value: Any, node: yaml.Node) -> Located | None:
    """Attach line numbers to a mapping loaded from `node`; None when it is not a mapping."""
    if not isinstance(value, dict) or not isinstance(node, yaml.MappingNode):
        return None
    key_lines: dict[str, int] = {}
    duplicates: list[tuple[str, int]] = []
    for key_node, _ in node.value:
        key = str(key_node.value)
        if key in key_lines:
            duplicates.append((key, key_node.start_mark.line + 1))
        else:
            key_lines[key] = key_node.start_mark.line + 1
    return Located({str(k): v for k, v in value.items()}, node.start_mark.line + 1, key_lines,
                   tuple(duplicates))


def locate_list(value: Any, node: yaml.Node | None) -> list[Located | tuple[Any, int]]:
    """Items of a YAML sequence: a `Located` for each mapping, (value, line) for anything else."""
    if not isinstance(value, list) or not isinstance(node, yaml.SequenceNode):
        return []
    items: list[Located | tuple[Any, int]] = []
    for item, item_node in zip(value, node.value):
        located = locate_mapping(item, item_node)
        items.append(located if located else (item, item_node.start_mark.line + 1))
    return items


def mapping_child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The value node under `key` of a mapping node."""
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((v for k, v in node.value if k.value == key), None)
