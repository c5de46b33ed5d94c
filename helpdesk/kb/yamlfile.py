"""Reading a knowledge file with the line of every key and list item, for error messages.

PyYAML's composer already knows where each node starts (``node.start_mark``); this loader
keeps that position on the dicts and lists it builds, and refuses a key written twice in one
mapping (plain YAML keeps the last one silently, which would hide a designer's typo) and a key
that is not text (a number, a list, or nothing).
"""

from __future__ import annotations

from typing import Any

import yaml


class LineDict(dict):
    """A mapping that remembers its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[Any, int]


class LineList(list):
    """A sequence that remembers its own line and the line of each item (1-based)."""

    line: int = 0
    item_lines: list[int]


class DuplicateKey(yaml.MarkedYAMLError):
    pass


class KeyNotText(yaml.MarkedYAMLError):
    """A key that YAML reads as a number, a list or nothing (``&id:`` is an anchor, so the
    key after it is empty): every key in a knowledge file is a word."""


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml: ~10x faster
    pass


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            raise KeyNotText(
                "while reading a mapping",
                node.start_mark,
                f"the key {key!r} is not a word (quote it, or check for a stray & * ! or -)",
                key_node.start_mark,
            )
        if key in result.key_lines:
            raise DuplicateKey(
                "while reading a mapping",
                node.start_mark,
                f"the key {key!r} appears twice (first on line {result.key_lines[key]})",
                key_node.start_mark,
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def load(text: str) -> Any:
    """The document as LineDict / LineList / scalars; raises ``yaml.YAMLError`` (with a mark)."""
    return yaml.load(text, Loader=_Loader)  # a (C)SafeLoader subclass: no arbitrary objects


def line_of(document: Any, path: tuple[Any, ...]) -> int | None:
    """The line of the deepest part of ``path`` (keys and list indexes) that exists."""
    line = getattr(document, "line", None) or None
    node = document
    for part in path:
        if isinstance(node, LineDict) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            break
    return line
