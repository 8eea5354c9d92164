"""YAML with line numbers: PyYAML's node marks kept on every mapping, so errors say where."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from kg.errors import SourceSyntaxError


class Mapping(dict):
    """A YAML mapping that remembers its line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class _Loader(yaml.SafeLoader):
    pass


def _mapping(loader: _Loader, node: yaml.MappingNode) -> Mapping:
    loader.flatten_mapping(node)
    result = Mapping()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def load(path: Path, shown: str) -> Any:
    """The parsed document; broken YAML raises ``SourceSyntaxError`` at ``shown:line:column``."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise SourceSyntaxError(shown, None, None, f"not UTF-8 text ({error.reason})") from None
    try:
        return yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        reason = " ".join(p for p in (error.context, error.problem) if p) or str(error)
        raise SourceSyntaxError(shown, mark.line + 1 if mark else None,
                                mark.column + 1 if mark else None, reason) from None
    except yaml.YAMLError as error:
        raise SourceSyntaxError(shown, None, None, str(error)) from None
