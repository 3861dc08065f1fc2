"""Files to validated post-mortems: a Document for every file, errors located by line.

A file that cannot be read still yields a Document (with `meta` None and its findings), so no
post-mortem ever goes missing without a word: front ends list invalid ones with their errors.
"""

from __future__ import annotations

import difflib
import fnmatch
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from frontmatter.default_handlers import YAMLHandler
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from . import yamlsafe
from .body import Body, parse_body
from .findings import Finding, Level
from .model import (
    EXTENSION_PREFIXES,
    IMPACT_FIELD_NAMES,
    ITEM_FIELD_NAMES,
    SLUG_PATTERN,
    Postmortem,
    clean_loc,
    field_doc,
)
from .settings import Settings

_KINDS = {str: "piece of text", int: "number", float: "number", bool: "true/false value", list: "list"}
_HANDLER = YAMLHandler()  # python-frontmatter's definition of the `---` boundary
NOT_POSTMORTEMS = {"index.md", "readme.md"}


@dataclass
class Document:
    """One post-mortem file as read: its model when valid, and what was wrong with it."""

    path: str  # as shown to people: relative to the display root, forward slashes
    source: Path
    meta: Postmortem | None = None
    body: Body = field(default_factory=Body)
    lines: yamlsafe.LineMap = field(default_factory=yamlsafe.LineMap)
    yaml_first_line: int = 1  # the file line of the front matter's first line
    body_line: int = 1  # the first line after the front matter
    raw: dict[str, Any] = field(default_factory=dict)
    markdown: str = ""  # the body: everything after the front matter (the whole text without one)
    findings: list[Finding] = field(default_factory=list)

    @property
    def id(self) -> str:
        if self.meta is not None and self.meta.id:
            return self.meta.id
        return PurePosixPath(self.path).stem

    @property
    def title(self) -> str:
        """The title for listings, even when the front matter is invalid."""
        if self.meta is not None:
            return self.meta.title
        raw_title = self.raw.get("title")
        return raw_title.strip() if isinstance(raw_title, str) and raw_title.strip() else self.path

    def line_of(self, loc: tuple[str | int, ...]) -> int:
        """The file line of a front-matter field (('action_items', 2, 'due'))."""
        return self.lines.line_of(loc, default=1) - 1 + self.yaml_first_line if self.lines.values else 1

    def finding(self, rule: str, level: Level, line: int, message: str, hint: str) -> Finding:
        return Finding(self.path, line, rule, level, message, hint)


def discover(settings: Settings) -> list[Path]:
    """Every post-mortem file under the source folder, in a stable order."""
    root = settings.source_root
    found = []
    for path in sorted(root.rglob("*.md")):
        relative = path.relative_to(settings.docs_dir).as_posix()
        if is_postmortem_path(relative, settings.exclude):
            found.append(path)
    return found


def is_postmortem_path(relative: str, exclude: Iterable[str] = ()) -> bool:
    """index.md, README.md and anything under a `_` or `.` name are pages, not post-mortems."""
    parts = PurePosixPath(relative).parts
    if not relative.endswith(".md") or parts[-1].lower() in NOT_POSTMORTEMS:
        return False
    if any(part.startswith(("_", ".")) for part in parts):
        return False
    return not any(fnmatch.fnmatch(relative, pattern) for pattern in exclude)


def display_path(path: Path, root: Path) -> str:
    try:
        return Path(os.path.relpath(path, root)).as_posix() if path.is_absolute() else path.as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()


def load_all(paths: Iterable[Path], settings: Settings, display_root: Path) -> list[Document]:
    return [load_file(path, settings, display_path(path, display_root)) for path in paths]


def load_file(path: Path, settings: Settings, shown_as: str) -> Document:
    doc = Document(shown_as, path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        doc.findings.append(doc.finding("encoding", Level.ERROR, 1, f"cannot read the file: {exc.strerror}", ""))
        return doc
    return load_bytes(data, doc, settings)


def load_bytes(data: bytes, doc: Document, settings: Settings) -> Document:
    """Fill `doc` from the file's bytes; every problem becomes a located finding."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        line = before.count(b"\n") + 1
        doc.findings.append(
            doc.finding(
                "encoding",
                Level.ERROR,
                line,
                f"the file is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
                "save the file as UTF-8",
            )
        )
        return doc
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    doc.markdown = text
    split = _split(text, doc)
    if split is None:
        return doc
    yaml_text, yaml_first_line, body, body_offset = split
    doc.markdown = body
    doc.yaml_first_line = yaml_first_line
    doc.body_line = min(body_offset + 2, text.count("\n") + 1)
    raw = _parse_yaml(yaml_text, doc)
    if raw is None:
        doc.body = parse_body(body, body_offset, None)
        return doc
    doc.raw = raw
    doc.meta = _validate(raw, doc, settings)
    doc.body = parse_body(body, body_offset, doc.meta.date if doc.meta else None)
    return doc


def _split(text: str, doc: Document) -> tuple[str, int, str, int] | None:
    starter = "start the file with a front-matter block: a line `---`, the fields, a line `---`"
    if not text.strip():
        doc.findings.append(doc.finding("front-matter", Level.ERROR, 1, "the file is empty", starter))
        return None
    boundary = _HANDLER.FM_BOUNDARY
    assert boundary is not None
    opening = boundary.match(text) if _HANDLER.detect(text) else None
    if opening is None:
        doc.findings.append(doc.finding("front-matter", Level.ERROR, 1, "the file has no front matter", starter))
        return None
    closing = boundary.search(text, opening.end())
    if closing is None:
        doc.findings.append(
            doc.finding(
                "front-matter",
                Level.ERROR,
                1,
                "the front matter is not closed",
                "end the front matter with a line `---` before the Markdown body",
            )
        )
        return None
    yaml_text = text[opening.end() : closing.start()]
    yaml_first_line = text.count("\n", 0, opening.end()) + 1
    return yaml_text, yaml_first_line, text[closing.end() :], text.count("\n", 0, closing.end())


def _parse_yaml(yaml_text: str, doc: Document) -> dict[str, Any] | None:
    if not yaml_text.strip():
        doc.findings.append(
            doc.finding(
                "front-matter",
                Level.ERROR,
                1,
                "the front matter is empty",
                "add at least `title:`, `date:` and `severity:` between the `---` lines",
            )
        )
        return None
    try:
        raw, doc.lines = yamlsafe.load(yaml_text)
    except yamlsafe.YamlProblem as problem:
        line = problem.line - 1 + doc.yaml_first_line
        doc.findings.append(doc.finding("yaml", Level.ERROR, line, problem.message, problem.hint))
        return None
    if not isinstance(raw, dict):
        kind = _KINDS.get(type(raw), type(raw).__name__) if raw is not None else "nothing"
        doc.findings.append(
            doc.finding(
                "front-matter",
                Level.ERROR,
                doc.line_of(()),
                f"the front matter must be a mapping of fields, not a {kind}",
                "write one `field: value` per line, e.g. `title: Checkout outage`",
            )
        )
        return None
    return raw


def _validate(raw: dict[str, Any], doc: Document, settings: Settings) -> Postmortem | None:
    data = _without_extensions(raw)
    if "id" not in data:
        stem = PurePosixPath(doc.path).stem
        if re.fullmatch(SLUG_PATTERN.strip("^$"), stem):
            data["id"] = stem
        else:
            doc.findings.append(
                _schema(
                    doc,
                    (),
                    f"the file name {stem!r} is not a valid id and no `id:` is set",
                    "rename the file to lowercase letters, digits and dashes, or add `id: some-slug`",
                )
            )
    try:
        meta = Postmortem.model_validate(data, context=settings.validation_context())
    except ValidationError as exc:
        seen: set[tuple[str | int, ...]] = set()
        for err in exc.errors():
            loc = clean_loc(tuple(err["loc"]))
            if loc not in seen:  # a union reports once per member; one message is enough
                seen.add(loc)
                doc.findings.append(_schema(doc, loc, *_explain(loc, err)))
        return None
    problems = [
        _schema(doc, p.loc, p.message, p.hint) for p in meta.cross_field_problems(settings.validation_context())
    ]
    doc.findings.extend(problems)
    if doc.findings:
        return None
    return meta


def _without_extensions(value: Any) -> Any:
    """The front matter without the repository's own `x-` keys, at any depth."""
    if isinstance(value, dict):
        return {
            k: _without_extensions(v)
            for k, v in value.items()
            if not (isinstance(k, str) and k.startswith(EXTENSION_PREFIXES))
        }
    if isinstance(value, list):
        return [_without_extensions(v) for v in value]
    return value


def _schema(doc: Document, loc: tuple[str | int, ...], message: str, hint: str) -> Finding:
    return doc.finding("schema", Level.ERROR, doc.line_of(loc), message, hint)


def dotted(loc: tuple[str | int, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _explain(loc: tuple[str | int, ...], err: ErrorDetails) -> tuple[str, str]:
    """A pydantic error as (what is wrong, how to fix it), in the post-mortem author's terms."""
    name = dotted(loc) or "front matter"
    kind = err["type"]
    description, examples = field_doc(loc)
    example = f"e.g. `{loc[-1]}: {examples[0]}`" if examples and loc else ""
    if kind == "missing":
        return f"missing required field `{name}`", f"add `{loc[-1]}:` ({description}) {example}".strip()
    if kind == "extra_forbidden":
        field_name = str(loc[-1])
        known = _known_names(loc)
        close = difflib.get_close_matches(field_name, known, n=1)
        hint = f"did you mean `{close[0]}`?" if close else f"known fields here: {', '.join(known)}"
        return f"unknown field `{name}`", hint + " (keys starting with x- are kept as your own data)"
    message = err["msg"].removeprefix("Value error, ")
    if kind == "timezone_aware":
        return f"`{name}`: the timestamp has no time zone", f"add one, {example or 'e.g. 2026-03-01T14:05:00Z'}"
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"`{name}`: {message}", f"write it as YYYY-MM-DD{', ' + example if example else ''}"
    if kind == "string_pattern_mismatch":
        return (
            f"`{name}`: {_safe_input(err)} is not valid",
            f"expected {description}{', ' + example if example else ''}",
        )
    hint = f"expected {description}" if description else "see `postmortems schema` for every field"
    return f"`{name}`: {message}", f"{hint}{', ' + example if example else ''}"


def _safe_input(err: ErrorDetails) -> str:
    text = repr(err.get("input"))
    return text if len(text) <= 60 else text[:57] + "..."


def _known_names(loc: tuple[str | int, ...]) -> list[str]:
    if "action_items" in loc[:-1]:
        return list(ITEM_FIELD_NAMES)
    if "impact" in loc[:-1]:
        return list(IMPACT_FIELD_NAMES)
    return list(Postmortem.model_fields)
