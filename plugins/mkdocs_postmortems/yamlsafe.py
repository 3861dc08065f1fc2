"""Safe YAML with line numbers and a bound on alias expansion.

PyYAML's SafeLoader never runs python tags. On top of it this module keeps every node's line
(so a schema error points at its line), rejects duplicate keys (PyYAML keeps the last one
silently), turns impossible dates into located errors instead of bare ValueErrors, and refuses
documents whose aliases expand past a bound (the "billion laughs" attack): the expanded size is
computed on the composed node graph, shared nodes counted once per use, in linear time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_EXPANDED_NODES = 20_000

Path = tuple[str | int, ...]


class YamlProblem(Exception):
    """A YAML document that cannot be read: `line` is 1-based within the YAML text."""

    def __init__(self, line: int, message: str, hint: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.hint = hint


@dataclass
class LineMap:
    """1-based lines of each key and value, by path (('action_items', 0, 'due'))."""

    keys: dict[Path, int] = field(default_factory=dict)
    values: dict[Path, int] = field(default_factory=dict)

    def line_of(self, loc: Path, default: int = 1) -> int:
        """The line of the deepest part of `loc` that exists in the document."""
        path: Path = ()
        best = self.values.get((), default)
        for part in loc:
            candidate = (*path, part)
            # A missing key, or a pydantic union tag such as 'function-after[...]', is
            # skipped: the line stays at the deepest part that exists.
            if candidate in self.values:
                path = candidate
                best = self.keys.get(path, self.values[path])
        return best


class _Loader(yaml.SafeLoader):
    def construct_yaml_timestamp(self, node: ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise ConstructorError(
                None, None, f"{node.value!r} is not a real date or time ({exc})", node.start_mark
            ) from exc


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def load(text: str) -> tuple[Any, LineMap]:
    """Parse one YAML document; raise YamlProblem with a line for anything wrong."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, LineMap()
        _check_expansion(node)
        lines = LineMap()
        _check_keys_and_map_lines(node, (), lines)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise YamlProblem(line, _describe(exc), _hint_for(exc)) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(1, f"invalid YAML: {exc}", "check the front matter's syntax") from None
    except RecursionError:
        raise YamlProblem(1, "the YAML is nested too deeply", "flatten the front matter") from None
    finally:
        loader.dispose()
    return data, lines


def _describe(exc: yaml.MarkedYAMLError) -> str:
    parts = [p for p in (exc.context, exc.problem) if p]
    text = "; ".join(parts) if parts else str(exc)
    return f"invalid YAML: {text}"


def _hint_for(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or ""
    if "could not determine a constructor" in problem:
        return "remove the tag: only plain YAML values are allowed (python and custom tags are never run)"
    if "not a real date" in problem:
        return "use a date that exists, written YYYY-MM-DD"
    if "mapping values are not allowed" in problem:
        return "quote values that contain ': ' (for example title: \"Outage: checkout\")"
    if "found character '\\t'" in problem:
        return "indent with spaces, not tabs"
    return "check indentation, quotes and colons on this line"


def _check_expansion(root: Node) -> None:
    """Refuse documents whose aliases expand to more than MAX_EXPANDED_NODES nodes."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise YamlProblem(node.start_mark.line + 1, "a YAML alias refers to itself", "remove the recursive alias")
        active.add(key)
        total = 1
        if isinstance(node, SequenceNode):
            for child in node.value:
                total += size(child)
        elif isinstance(node, MappingNode):
            for k, v in node.value:
                total += size(k) + size(v)
        active.discard(key)
        if total > MAX_EXPANDED_NODES:
            raise YamlProblem(
                node.start_mark.line + 1,
                f"YAML aliases here expand to more than {MAX_EXPANDED_NODES:,} values",
                "write the values out instead of repeating anchors (&) and aliases (*)",
            )
        sizes[key] = total
        return total

    size(root)


def _check_keys_and_map_lines(node: Node, path: Path, lines: LineMap) -> None:
    lines.values.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                continue
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen and key != "<<":
                raise YamlProblem(
                    line,
                    f"duplicate key {key!r} (first on line {seen[key]})",
                    "keep one of the two; YAML would silently use the last",
                )
            seen[key] = line
            child = (*path, key)
            lines.keys.setdefault(child, line)
            _check_keys_and_map_lines(value_node, child, lines)
    elif isinstance(node, SequenceNode):
        for index, child_node in enumerate(node.value):
            _check_keys_and_map_lines(child_node, (*path, index), lines)
