"""Files to validated post-mortems: a Document for every file, errors located by line.

A file that cannot be read still yields a Document (with `meta` None and its findings), so no
post-mortem ever goes missing without a word: front ends list invalid ones with their errors.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import fnmatch
import hashlib
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
from .body import Body, nesting_problem, parse_body
from .findings import Finding, Level
from .model import (
    EXTENSION_PREFIXES,
    IMPACT_FIELD_NAMES,
    ITEM_FIELD_NAMES,
    SLUG_PATTERN,
    Postmortem,
    clean_loc,
    field_doc,
    string_paths,
)
from .settings import Settings
from .sources import ReadProblem, Refusal, Scan, read_bounded, repository_root, scan

_KINDS = {str: "piece of text", int: "number", float: "number", bool: "true/false value", list: "list"}
_HANDLER = YAMLHandler()  # python-frontmatter's definition of the `---` boundary
NOT_POSTMORTEMS = {"index.md", "readme.md"}
# C0 and C1 controls but tab and line feed (CR is gone by then): nothing a page, a terminal or
# an XML feed can take.
_BODY_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(slots=True)
class Document:
    """One post-mortem file as read: its model when valid, and what was wrong with it."""

    path: str  # as shown to people: relative to the display root, forward slashes
    source: Path
    meta: Postmortem | None = None
    body: Body = field(default_factory=Body)
    lines: yamlsafe.LineMap = field(default_factory=yamlsafe.LineMap)
    yaml_first_line: int = 1  # the file line of the front matter's first line
    body_line: int = 1  # the first line after the front matter
    body_offset: int = 0  # the lines before the body: `markdown`'s line n is the file's line n + body_offset
    raw: dict[str, Any] = field(default_factory=dict)
    markdown: str = ""  # the body: everything after the front matter (the whole text without one)
    findings: list[Finding] = field(default_factory=list)
    # Set by ParseCache: what the file's bytes and its front matter hash to, so what a rebuild
    # computes from them can be reused while they stay the same.
    content_key: bytes = b""
    front_key: bytes = b""

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


def repo_root(settings: Settings) -> Path:
    """The repository whose files may be published: nothing outside it is ever read."""
    return repository_root(settings.config_dir or settings.docs_dir.parent)


def discover(settings: Settings, scanned: Scan | None = None) -> list[Path]:
    """Every post-mortem file under the source folder, in a stable order, found as MkDocs finds
    files (directory symlinks inside the repository followed) but never leaving the repository.
    Files that must not be read are listed too: loading them reports why."""
    scanned = scanned if scanned is not None else scan(settings.docs_dir, repo_root(settings))
    candidates = [*scanned.files, *(r.relative for r in scanned.refused)]
    return [settings.docs_dir / relative for relative in sorted(candidates) if is_source_postmortem(relative, settings)]


def is_postmortem_path(relative: str, exclude: Iterable[str] = ()) -> bool:
    """index.md, README.md and anything under a `_` or `.` name are pages, not post-mortems."""
    parts = [part for part in relative.split("/") if part and part != "."]  # PurePosixPath's parts
    if not relative.endswith(".md") or parts[-1].lower() in NOT_POSTMORTEMS:
        return False
    if any(part.startswith(("_", ".")) for part in parts):
        return False
    return not any(fnmatch.fnmatch(relative, pattern) for pattern in exclude)


def is_source_postmortem(relative: str, settings: Settings) -> bool:
    """Whether the docs-relative path is a post-mortem of this repository: under `source_dir`,
    not a page (is_postmortem_path) and not excluded. Every front end decides with this."""
    folder = settings.source_dir.strip("/")
    return (not folder or relative.startswith(f"{folder}/")) and is_postmortem_path(relative, settings.exclude)


def display_path(path: Path, root: Path) -> str:
    shown, under = str(path), os.path.join(root, "")
    # An absolute path below `root` with no `.`, `..` or `//` to normalise: what relpath gives,
    # without its work (a tenth of a millisecond, ten thousand times)
    plain = os.sep == "/" and shown[:1] == "/" and "/." not in shown and "//" not in shown
    if plain and shown.startswith(under) and len(shown) > len(under):
        return shown[len(under) :]
    try:
        return Path(os.path.relpath(path, root)).as_posix() if path.is_absolute() else path.as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()


def load_all(paths: Iterable[Path], settings: Settings, display_root: Path) -> list[Document]:
    root = repo_root(settings)
    return [load_file(path, settings, display_path(path, display_root), root) for path in paths]


class ParseCache:
    """Documents as loaded, by file name, content and settings, so a `mkdocs serve` rebuild
    reads again only the files that changed. Each build keeps only the entries it used."""

    def __init__(self, keep: bool = True) -> None:
        # False: a one-off build, which has no next build and reads with pool.load_many instead
        self.keep = keep
        self._entries: dict[tuple[str, str, bytes], Document] = {}
        self._used: dict[tuple[str, str, bytes], Document] = {}
        self._settings = ""
        self.read = 0  # files parsed by the last build (the others came from the cache)

    def start(self, settings: Settings) -> bool:
        """Begin a build: entries made under other settings are dropped. Whether the settings
        (the day included) are those of the last build."""
        fingerprint = settings.model_dump_json()
        same = fingerprint == self._settings
        if not same:
            self._entries, self._settings = {}, fingerprint
        self._used = {}
        self.read = 0
        return same

    def finish(self) -> None:
        self._entries, self._used = self._used, {}

    def load(self, doc: Document, data: bytes, settings: Settings) -> Document:
        digest = hashlib.blake2b(data, digest_size=20).digest()
        key = (doc.path, str(doc.source), digest)
        cached = self._entries.get(key) or self._used.get(key)
        if cached is None:
            self.read += 1
            cached = load_bytes(data, doc, settings)
            cached.content_key = digest
        self._used[key] = cached
        # A copy: front ends add findings to the documents they get.
        return dataclasses.replace(cached, findings=list(cached.findings))


def load_file(
    path: Path, settings: Settings, shown_as: str, root: Path | None = None, cache: ParseCache | None = None
) -> Document:
    """Read and validate one post-mortem. `root` is repo_root(settings), given by callers that
    load many files; `cache` keeps what was read for the next build."""
    doc = Document(shown_as, path)
    try:
        relative = path.relative_to(settings.docs_dir).as_posix()
    except ValueError:
        relative = path.name
    try:
        data = read_bounded(path, root or repo_root(settings), relative, settings.max_file_size)
    except ReadProblem as problem:
        doc.findings.append(refused_finding(doc, problem.refusal))
        return doc
    except OSError as exc:
        doc.findings.append(doc.finding("encoding", Level.ERROR, 1, f"cannot read the file: {exc.strerror}", ""))
        return doc
    return cache.load(doc, data, settings) if cache is not None else load_bytes(data, doc, settings)


def refused_finding(doc: Document, refusal: Refusal) -> Finding:
    return doc.finding("unsafe-file", Level.ERROR, 1, f"not read: {refusal.reason}", refusal.hint)


def printable_body(markdown: str) -> str:
    """The body with control characters replaced, so none reaches a page or a feed."""
    return _BODY_CONTROL.sub("\ufffd", markdown)


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
    doc.front_key = hashlib.blake2b(yaml_text.encode(), digest_size=20).digest()
    doc.markdown = body
    doc.yaml_first_line = yaml_first_line
    doc.body_line = min(body_offset + 2, text.count("\n") + 1)
    doc.body_offset = body_offset
    _check_body_text(doc, body, body_offset)
    raw = _parse_yaml(yaml_text, doc)
    if raw is None:
        _read_body(doc, body, body_offset, None)
        return doc
    doc.raw = raw
    doc.meta = _validate(raw, doc, settings)
    _read_body(doc, body, body_offset, doc.meta.date if doc.meta else None)
    return doc


def _check_body_text(doc: Document, body: str, body_offset: int) -> None:
    """Control characters in the body: a located error, and the body shown without them."""
    found = _BODY_CONTROL.search(body)
    if found is None:
        return
    line = body_offset + body.count("\n", 0, found.start()) + 1
    doc.findings.append(
        doc.finding(
            "encoding",
            Level.ERROR,
            line,
            f"the text contains the control character U+{ord(found.group()):04X}",
            "delete it (pasted terminal output often brings colour codes such as U+001B)",
        )
    )
    doc.markdown = printable_body(body)


def _read_body(doc: Document, body: str, body_offset: int, day: dt.date | None) -> None:
    """Parse the body unless it nests too deeply for any Markdown renderer (then it is refused)."""
    problem = nesting_problem(body, body_offset)
    if problem is None:
        doc.body = parse_body(doc.markdown, body_offset, day)
        problem = doc.body.too_deep
    if problem is not None:
        doc.body = Body()
        doc.meta = None  # MkDocs would crash or hang rendering it: the page shows its source instead
        line, what = problem
        doc.findings.append(
            doc.finding(
                "body-nesting",
                Level.ERROR,
                line,
                f"the body cannot be rendered safely: {what}",
                "flatten the nesting; close the brackets or emphasis you opened",
            )
        )


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
    _as_written(data, doc.lines.texts)
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


_STRING_PATHS = string_paths()


def _as_written(data: dict[str, Any], texts: dict[yamlsafe.Path, str]) -> None:
    """Text fields take a plain scalar as written: `tags: [2024]` is the tag '2024', `services:
    [no]` the service 'no', not a number or false. `data` is a copy (see _without_extensions)."""
    for path, text in texts.items():
        if tuple("*" if isinstance(part, int) else part for part in path) not in _STRING_PATHS:
            continue
        container: Any = data
        for part in path[:-1]:
            container = _child(container, part)
        last = path[-1]
        if _child(container, last) is not None:
            container[last] = text


def _child(container: Any, part: str | int) -> Any:
    if isinstance(container, dict) and isinstance(part, str):
        return container.get(part)
    if isinstance(container, list) and isinstance(part, int) and 0 <= part < len(container):
        return container[part]
    return None


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
