"""Safe YAML with line numbers and a bound on alias expansion.

PyYAML's SafeLoader never runs python tags. On top of it this module keeps every node's line
(so a schema error points at its line), rejects duplicate and non-text keys (PyYAML keeps the
last duplicate silently), turns every construction failure (an impossible date, `!!int abc`)
into a located error, and refuses documents whose aliases add more than a bound of values
beyond those written (the "billion laughs" attack): the expanded size is computed on the
composed node graph, in linear time. A long document written out is not refused here: the file
size bounds that. It also records the text of plain scalars that YAML reads as something else
than text (`2024`, `no`, `1.10`), so text fields can take them as written.

Documents are composed by libyaml (`yaml.CSafeLoader`, several times faster) when it reads them
as PyYAML would: its marks are the same character offsets. Text with a character libyaml counts
differently (U+2028 and friends as line breaks, characters the pure-Python reader refuses) and
every document libyaml cannot read go through the pure-Python SafeLoader, so each error is worded
and located exactly as before.

Lines are counted from character offsets with "\\n" as the only line break, as editors and the
rest of this package count them; PyYAML's own line numbers also break at U+2028 and friends.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
import sys
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_EXPANDED_NODES = 20_000  # values aliases may add beyond the nodes written
STR_TAG = "tag:yaml.org,2002:str"
NULL_TAG = "tag:yaml.org,2002:null"
# Core tags whose values a post-mortem never needs; refused rather than silently converted.
REFUSED_TAGS = ("binary", "omap", "pairs", "set")

Path = tuple[str | int, ...]


class YamlProblem(Exception):
    """A YAML document that cannot be read: `line` is 1-based within the YAML text."""

    def __init__(self, line: int, message: str, hint: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.hint = hint


@dataclass(slots=True)
class LineMap:
    """1-based lines of each key and value, by path (('action_items', 0, 'due')), and the text
    as written of plain scalars that YAML resolved to a number, boolean or timestamp."""

    keys: dict[Path, int] = field(default_factory=dict)
    values: dict[Path, int] = field(default_factory=dict)
    texts: dict[Path, str] = field(default_factory=dict)

    def only(self, top: tuple[str, ...]) -> LineMap:
        """The lines of the keys `top` and what they hold (the texts as written dropped)."""
        keep = {(name,) for name in top}

        def kept(lines: dict[Path, int]) -> dict[Path, int]:
            return {path: line for path, line in lines.items() if not path or path[:1] in keep}

        return LineMap(kept(self.keys), kept(self.values))

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


class _Lines:
    """Character offset to 1-based line, counting only "\\n"."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [match.end() for match in re.finditer("\n", text)]

    def of(self, mark: yaml.Mark | None) -> int:
        if mark is None:
            return 1
        return bisect.bisect_right(self.starts, mark.index)


class LocatedLoader(yaml.SafeLoader):
    """SafeLoader whose construction failures are located YAML errors, never bare exceptions."""

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        # SafeConstructor raises bare ValueError, KeyError... for `!!int abc`, `!!bool maybe`,
        # `2026-02-30`: give every such failure the node's place.
        try:
            # Named, not super(): _CLoader borrows this method without inheriting from this class.
            return yaml.constructor.BaseConstructor.construct_object(self, node, deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError) as exc:
            tag = node.tag.rsplit(":", 1)[-1]
            if tag == "timestamp":
                problem = f"{node.value!r} is not a real date or time ({exc})"
            else:
                problem = f"{node.value!r} cannot be read as {tag}"
            raise ConstructorError(None, None, problem, node.start_mark) from exc


class _Loader(LocatedLoader):
    pass


class _CLoader(yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader):  # type: ignore[misc]
    """libyaml's parser and composer with SafeConstructor's own construct_object: any failure
    sends the document to _Loader, which words and locates it (see load)."""

    def resolve(self, kind: type[Node], value: str, implicit: tuple[bool, bool]) -> str:
        # libyaml asks Python for the tag of every scalar, keys included, and the resolver tries
        # its patterns on each plain one: the same few hundred words (keys, statuses, names)
        # in every file. A plain scalar's tag depends on its text alone (no path resolvers).
        if kind is ScalarNode and implicit[0] and len(value) <= _CACHED_LENGTH:
            tag = _PLAIN_TAGS.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(_PLAIN_TAGS) < _CACHED_TAGS:
                    _PLAIN_TAGS[value] = tag
            return tag
        return super().resolve(kind, value, implicit)  # type: ignore[no-any-return]


_PLAIN_TAGS: dict[str, str] = {}  # a plain scalar's text -> its implicit tag
_CACHED_LENGTH = 64
_INTERNED_LENGTH = 40  # a name, not a sentence
_CACHED_TAGS = 4096  # bounded: a file of many distinct values must not grow it without end


# What libyaml would read otherwise than the pure-Python reader: other line breaks, characters
# outside YAML's printable set.
_PYTHON_ONLY = re.compile("[^\x09\x0a\x0d\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029]")


def _refuse(loader: yaml.SafeLoader, node: Node) -> Any:
    tag = node.tag.rsplit(":", 1)[-1]
    raise ConstructorError(None, None, f"the tag !!{tag} is not allowed here", node.start_mark)


for _tag in REFUSED_TAGS:
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _refuse)
    _CLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _refuse)

# The dates and times a post-mortem is made of, as the template writes them: PyYAML's own
# constructor matches a long pattern and builds each part by hand (a tenth of reading a file).
_ISO_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d(?:T\d\d:\d\d:\d\d(?:Z|[+-]\d\d:\d\d))?")


def _timestamp(loader: yaml.SafeLoader, node: ScalarNode) -> Any:
    """The date or time PyYAML would construct (tests/test_yaml_loaders.py compares them):
    those forms by the standard library's ISO parser, any other form by PyYAML."""
    value = node.value
    if _ISO_TIMESTAMP.fullmatch(value):
        try:
            return dt.date.fromisoformat(value) if len(value) == 10 else dt.datetime.fromisoformat(value)
        except ValueError:  # not a real date, or "Z" before Python 3.11: PyYAML's own words
            pass
    return loader.construct_yaml_timestamp(node)


_CLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def load(text: str) -> tuple[Any, LineMap]:
    """Parse one YAML document; raise YamlProblem with a line for anything wrong."""
    lines_of = _Lines(text)
    if yaml.__with_libyaml__ and not _PYTHON_ONLY.search(text):
        try:
            return _load(text, lines_of, _CLoader)
        except (YamlProblem, ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError):
            pass  # read again below, so the error is worded and located as PyYAML words it
    return _load(text, lines_of, _Loader)


def _load(text: str, lines_of: _Lines, loader_class: type[yaml.SafeLoader]) -> tuple[Any, LineMap]:
    loader: yaml.SafeLoader | None = None
    try:
        loader = loader_class(text)  # the pure-Python reader refuses control characters right away
        node = loader.get_single_node()
        if node is None:
            return None, LineMap()
        if "*" in text:  # without an alias nothing is shared, nothing expands
            _check_expansion(node, lines_of)
        else:
            built = _Builder(loader, lines_of).document(node)
            if built is not None:
                return built
            loader.dispose()  # composed again: a failed construction leaves state behind
            loader = loader_class(text)
            node = loader.get_single_node()
            assert node is not None  # it was composed a moment ago
        return _two_passes(node, loader, lines_of)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise YamlProblem(
            line,
            f"invalid YAML: the control character #x{code:04x} is not allowed",
            "delete the invisible character (it often comes from a copy and paste)",
        ) from None
    except yaml.MarkedYAMLError as exc:
        raise marked_problem(exc, lines_of) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(1, f"invalid YAML: {exc}", "check the front matter's syntax") from None
    except RecursionError:
        raise YamlProblem(1, "the YAML is nested too deeply", "flatten the front matter") from None
    finally:
        if loader is not None:
            loader.dispose()


def _two_passes(node: Node, loader: yaml.SafeLoader, lines_of: _Lines) -> tuple[Any, LineMap]:
    """The key checks and the line map, then PyYAML's constructor: what _Builder does in one."""
    lines = LineMap()
    _check_keys_and_map_lines(node, (), lines, lines_of)
    return loader.construct_document(node), lines


def marked_problem(exc: yaml.MarkedYAMLError, text: str | _Lines) -> YamlProblem:
    """A located PyYAML error (from the YAML `text`) as a YamlProblem: line, message and hint."""
    lines_of = text if isinstance(text, _Lines) else _Lines(text)
    return YamlProblem(lines_of.of(_mark(exc)), _describe(exc), _hint_for(exc))


def _mark(exc: yaml.MarkedYAMLError) -> yaml.Mark | None:
    # An unclosed quote is reported where the file ends; where the quote opens is more useful.
    if exc.context_mark is not None and (exc.context or "").startswith("while scanning a quoted scalar"):
        return exc.context_mark
    return exc.problem_mark or exc.context_mark


def _describe(exc: yaml.MarkedYAMLError) -> str:
    parts = [p for p in (exc.context, exc.problem) if p]
    text = "; ".join(parts) if parts else str(exc)
    return f"invalid YAML: {text}"


def _hint_for(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or ""
    context = exc.context or ""
    if "could not determine a constructor" in problem or "is not allowed here" in problem:
        return "remove the tag: only plain YAML values are allowed (python and custom tags are never run)"
    if "not a real date" in problem:
        return "use a date that exists, written YYYY-MM-DD"
    if "cannot be read as" in problem:
        return "remove the !! tag or give a value of that type"
    if "quoted scalar" in context:
        return "close the quote on this line"
    if "mapping values are not allowed" in problem:
        return "check the indentation, and quote values that contain ': ' (title: \"Outage: checkout\")"
    if "found character '\\t'" in problem:
        return "indent with spaces, not tabs"
    return "check indentation, quotes and colons on this line"


def _check_expansion(root: Node, lines_of: _Lines) -> None:
    """Refuse documents whose aliases add more than MAX_EXPANDED_NODES values to those written.

    The expanded size of the root, less the distinct nodes composed (what was written), is
    what aliases add. It is reported at the first node, bottom up, whose own expansion alone
    exceeds the written nodes by the bound: the first anchor of a "billion laughs"."""
    sizes: dict[int, int] = {}
    active: set[int] = set()
    order: list[Node] = []  # distinct nodes, children before parents
    cap = 0  # sizes are capped once refusal is certain, so the integers stay small

    def size(node: Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise YamlProblem(
                lines_of.of(node.start_mark), "a YAML alias refers to itself", "remove the recursive alias"
            )
        active.add(key)
        total = 1
        if isinstance(node, SequenceNode):
            for child in node.value:
                total += size(child)
        elif isinstance(node, MappingNode):
            for k, v in node.value:
                total += size(k) + size(v)
        active.discard(key)
        sizes[key] = min(total, cap) if cap else total
        order.append(node)
        return sizes[key]

    written = _count_distinct(root)
    cap = written + MAX_EXPANDED_NODES + 1
    size(root)
    for node in order:
        if sizes[id(node)] - written > MAX_EXPANDED_NODES:
            raise YamlProblem(
                lines_of.of(node.start_mark),
                f"YAML aliases here expand to more than {MAX_EXPANDED_NODES:,} values",
                "write the values out instead of repeating anchors (&) and aliases (*)",
            )


def _count_distinct(root: Node) -> int:
    """The nodes composed from the text: an alias is the node it names, counted once."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, MappingNode):
            for k, v in node.value:
                stack.extend((k, v))
    return len(seen)


def _check_keys_and_map_lines(node: Node, path: Path, lines: LineMap, lines_of: _Lines) -> None:
    lines.values.setdefault(path, lines_of.of(node.start_mark))
    if isinstance(node, MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            line = lines_of.of(key_node.start_mark)
            if not isinstance(key_node, ScalarNode) or (key_node.tag != STR_TAG and key_node.value != "<<"):
                shown = key_node.value if isinstance(key_node, ScalarNode) else "a list or mapping"
                raise YamlProblem(
                    line,
                    f"the key {shown!r} is not a field name (YAML reads it as {key_node.tag.rsplit(':', 1)[-1]})",
                    f'field names are words like `title`; quote it ("{shown}":) if you mean the text',
                )
            key = key_node.value
            if key in seen and key != "<<":
                raise YamlProblem(
                    line,
                    f"duplicate key {key!r} (first on line {seen[key]})",
                    "keep one of the two; YAML would silently use the last",
                )
            seen[key] = line
            child = (*path, key)
            lines.keys.setdefault(child, line)
            _check_keys_and_map_lines(value_node, child, lines, lines_of)
    elif isinstance(node, SequenceNode):
        for index, child_node in enumerate(node.value):
            _check_keys_and_map_lines(child_node, (*path, index), lines, lines_of)
    elif isinstance(node, ScalarNode) and not node.style and node.tag not in (STR_TAG, NULL_TAG):  # libyaml: ""
        lines.texts.setdefault(path, node.value)


_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"


class _Unusual(Exception):
    """Something _Builder leaves to PyYAML's own two passes."""


class _Builder:
    """The key checks, the line map and the data in one walk over a document without aliases.

    PyYAML's constructor walks the composed nodes a second time, and costs as much as libyaml's
    composing. Here mappings and sequences are built as SafeConstructor builds them (a dict, a
    list), text and null scalars are taken as they are, and every other scalar is constructed
    by PyYAML itself. Anything else (a merge key, a tag on a mapping or a list, a value PyYAML
    cannot construct) gives None, and the document is read by the two passes, so every error is
    the one they give, in their order."""

    def __init__(self, loader: yaml.SafeLoader, lines_of: _Lines) -> None:
        self.loader = loader
        self.of = lines_of.of
        self.lines = LineMap()

    def document(self, node: Node) -> tuple[Any, LineMap] | None:
        try:
            data = self.build(node, ())
        except (_Unusual, yaml.YAMLError, ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError):
            return None
        return data, self.lines

    def build(self, node: Node, path: Path) -> Any:
        lines = self.lines
        lines.values.setdefault(path, self.of(node.start_mark))
        tag = node.tag
        if isinstance(node, ScalarNode):
            if tag == STR_TAG:
                value: str = node.value
                # One object for each name that recurs (services, tags, people, statuses): the
                # results of a chunk of files are pickled once, so the site's process gets one
                # copy per chunk instead of one per use.
                return sys.intern(value) if len(value) <= _INTERNED_LENGTH else value
            if not node.style and tag != NULL_TAG:  # libyaml: ""
                lines.texts.setdefault(path, node.value)
            return None if tag == NULL_TAG else self.loader.construct_object(node)
        if isinstance(node, MappingNode) and tag == _MAP_TAG:
            mapping: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode) or key_node.tag != STR_TAG:
                    raise _Unusual  # a merge key, or a key that is no text: the two passes say which
                key = key_node.value
                if key in mapping:
                    raise _Unusual  # a duplicate key: the two passes word it
                child = (*path, key)
                lines.keys.setdefault(child, self.of(key_node.start_mark))
                mapping[key] = self.build(value_node, child)
            return mapping
        if isinstance(node, SequenceNode) and tag == _SEQ_TAG:
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        raise _Unusual
