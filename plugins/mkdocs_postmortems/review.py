"""`postmortems review`: what a branch changes in the post-mortems, against a base revision.

The post-mortems at the base (read from git objects with GitPython, never from the disk) are
compared with the working tree. Both sides are parsed by the loader `check` uses, so a field,
a Timeline row and an action item mean the same thing here as everywhere else. The result is
a value (Review), rendered as the Markdown of one pull-request comment or as JSON.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

import git
from git.exc import BadName, BadObject

from .body import TimelineEntry
from .checks import check_report
from .findings import Finding, Level
from .load import (
    Document,
    discover,
    display_path,
    is_source_postmortem,
    load_bytes,
    repo_root,
)
from .model import TIMESTAMP_FIELDS, ActionItem, ItemStatus, Postmortem
from .pool import load_many
from .publishing import publishing_findings
from .report import md_text
from .settings import Settings
from .sources import ReadProblem, read_bounded, scan

MARKER = "<!-- postmortems-review -->"
# GitHub refuses comments over 65,536 characters; past this the comment points at the JSON.
MAX_MARKDOWN = 60_000
# Files of the same incident day compared by content for a rename: bounded for huge branches.
MAX_RENAME_CANDIDATES = 50
RENAME_SIMILARITY = 0.5  # git's own default for -M

Value = str | int | float | bool | list[str] | None

# The metadata compared, in the order shown: scalars, then lists of terms, then impact figures.
SCALAR_FIELDS = ("title", "id", "date", "severity", "status", "visibility", *TIMESTAMP_FIELDS)
LIST_FIELDS = ("services", "tags", "contributing_factors", "authors", "related")
LATER_FIELDS = ("review_by", "reviewed", "summary")
IMPACT_FIELDS = ("users_affected", "revenue", "customer_facing", "data_loss", "description")
ITEM_FIELDS = ("priority", "completed", "ticket", "kind", "addresses")


class ReviewError(Exception):
    """The review cannot run (not a git repository, an unknown REF): a usage error."""


@dataclass(frozen=True)
class Change:
    """One field's value before and after (`field` names an item's change for action items)."""

    field: str
    old: Value
    new: Value


@dataclass(frozen=True)
class RowChange:
    """A Timeline row added, removed or corrected (time, event or both), side by side."""

    change: str  # added | removed | corrected
    old_time: str | None = None
    old_event: str | None = None
    new_time: str | None = None
    new_event: str | None = None


@dataclass(frozen=True)
class ItemChange:
    """An action item added, removed or changed; `changes` name what changed (closed, re-dated...)."""

    change: str  # added | removed | changed
    action: str  # the text now (at REF for a removed item)
    position: int | None  # 1-based, now
    old_position: int | None  # 1-based, at REF
    owner: str | None = None
    due: str | None = None
    changes: tuple[Change, ...] = ()


@dataclass
class FileReview:
    change: str  # added | changed | renamed | removed
    path: str  # as `check` shows it; for a removed post-mortem, where it was
    old_path: str | None  # a renamed post-mortem's path at REF
    id: str
    title: str  # now, or at REF for a removed one
    old_title: str | None = None
    severity: str | None = None
    status: str | None = None
    date: str | None = None
    valid: bool = True
    was_valid: bool = True
    metadata: list[Change] = field(default_factory=list)
    timeline: list[RowChange] = field(default_factory=list)
    action_items: list[ItemChange] = field(default_factory=list)
    text_changed: list[str] = field(default_factory=list)  # section titles whose prose changed
    counts: dict[str, int] = field(default_factory=dict)  # an added one's Timeline rows and items
    findings: list[Finding] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "change": self.change,
            "path": self.path,
            "old_path": self.old_path,
            "id": self.id,
            "title": self.title,
            "old_title": self.old_title,
            "severity": self.severity,
            "status": self.status,
            "date": self.date,
            "valid": self.valid,
            "was_valid": self.was_valid,
            "metadata": [vars(c) for c in self.metadata],
            "timeline": [vars(r) for r in self.timeline],
            "action_items": [
                {**{k: v for k, v in vars(i).items() if k != "changes"}, "changes": [vars(c) for c in i.changes]}
                for i in self.action_items
            ],
            "text_changed": self.text_changed,
            "counts": self.counts,
            "findings": [f.as_dict() for f in self.findings],
        }


@dataclass
class Review:
    base: str  # REF as given
    base_commit: str
    files: list[FileReview]
    preview_url: str | None = None

    def count(self, change: str) -> int:
        return sum(1 for f in self.files if f.change == change)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.files for x in f.findings if x.level is Level.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.files for x in f.findings if x.level is Level.WARNING)


# -- finding what changed --------------------------------------------------------------------


def review(settings: Settings, base: str, display_root: Path, today: dt.date, preview_url: str | None = None) -> Review:
    """The post-mortems at `base` compared with the working tree, and the checks on those changed."""
    if preview_url is not None and not re.match(r"https?://[^\s<>\"']+$", preview_url):
        raise ReviewError(f"--preview-url must be an http(s) URL, not {preview_url!r}")
    repo = _repository(settings)
    commit = _commit(repo, base)
    worktree = Path(os.path.realpath(str(repo.working_tree_dir)))
    docs_rel = _inside(Path(os.path.realpath(settings.docs_dir)), worktree)
    old_blobs = _blobs_at(commit.tree, docs_rel, settings)

    scanned = scan(settings.docs_dir, repo_root(settings))
    found = discover(settings, scanned) if settings.source_root.is_dir() else []
    docs = load_many(found, settings, lambda path: display_path(path, display_root)).documents
    new_docs = {p.relative_to(settings.docs_dir).as_posix(): d for p, d in zip(found, docs, strict=True)}

    def shown(relative: str) -> str:
        return display_path(settings.docs_dir / relative, display_root)

    def old_doc(relative: str) -> Document:
        return _load_blob(old_blobs[relative], shown(relative), settings.docs_dir / relative, settings)

    changed = [r for r in sorted(old_blobs.keys() & new_docs.keys()) if _differs(old_blobs[r], r, settings)]
    removed = sorted(old_blobs.keys() - new_docs.keys())
    added = sorted(new_docs.keys() - old_blobs.keys())
    old_removed = {r: old_doc(r) for r in removed}
    renames = _renames(old_removed, {r: new_docs[r] for r in added})

    files: list[FileReview] = []
    for relative in changed:
        entry = _compare(old_doc(relative), new_docs[relative], "changed")
        if entry is not None:
            files.append(entry)
    for old_rel, new_rel in renames.items():
        entry = _compare(old_removed[old_rel], new_docs[new_rel], "renamed")
        assert entry is not None
        files.append(entry)
    for relative in added:
        if relative not in renames.values():
            files.append(_added(new_docs[relative]))
    for relative in removed:
        if relative not in renames:
            files.append(_removed(old_removed[relative]))

    # The checks see the whole repository (cross-file rules), but report on the changed files only.
    wanted = {f.path for f in files if f.change != "removed"}
    result = check_report(docs, settings, today)
    site = publishing_findings(settings, docs, scanned, lambda p: display_path(p, display_root))
    by_path: dict[str, list[Finding]] = {}
    for finding in sorted({*result.findings, *site}, key=lambda f: (f.path, f.line, f.rule, f.message)):
        if finding.path in wanted:
            by_path.setdefault(finding.path, []).append(finding)
    for entry in files:
        entry.findings = by_path.get(entry.path, []) if entry.change != "removed" else []
    order = {"removed": 0, "renamed": 1, "changed": 1, "added": 2}
    files.sort(key=lambda f: (order[f.change], f.path))
    return Review(base, commit.hexsha, files, preview_url)


def _repository(settings: Settings) -> git.Repo:
    start = settings.config_dir or settings.docs_dir.parent
    try:
        repo = git.Repo(start, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise ReviewError(
            f"{start} is not inside a git repository: `postmortems review` compares git revisions"
        ) from None
    if repo.bare or repo.working_tree_dir is None:
        raise ReviewError(f"{repo.git_dir} is a bare repository: run the review in a work tree")
    return repo


def _commit(repo: git.Repo, ref: str) -> git.Commit:
    problem = f"--base {ref!r} is not a commit of this repository"
    if not ref.strip() or ref.startswith("-"):
        raise ReviewError(problem)
    try:
        return repo.commit(ref)
    except (BadName, BadObject, ValueError, git.GitCommandError):
        hint = (
            "; in a shallow clone fetch it first (actions/checkout with `fetch-depth: 0`, or `git fetch origin BRANCH`)"
            if repo.git.rev_parse("--is-shallow-repository").strip() == "true"
            else "; name a branch, tag or commit (e.g. origin/main)"
        )
        raise ReviewError(problem + hint) from None


def _inside(path: Path, worktree: Path) -> str:
    """`path` relative to the work tree, as git names it ("" for the work tree itself)."""
    try:
        relative = path.relative_to(worktree).as_posix()
    except ValueError:
        raise ReviewError(f"the docs folder {path} is outside the git work tree {worktree}") from None
    return "" if relative == "." else relative


def _blobs_at(tree: git.Tree, docs_rel: str, settings: Settings) -> dict[str, git.Blob]:
    """The post-mortem files at a revision, by their path relative to docs_dir, as `check` decides."""
    try:
        docs_tree = tree / docs_rel if docs_rel else tree
    except KeyError:
        return {}
    if not isinstance(docs_tree, git.Tree):
        return {}
    blobs: dict[str, git.Blob] = {}
    for item in docs_tree.traverse():
        if not isinstance(item, git.Blob):
            continue
        relative = (
            PurePosixPath(str(item.path)).relative_to(str(docs_tree.path)).as_posix() if docs_rel else str(item.path)
        )
        if is_source_postmortem(relative, settings):
            blobs[relative] = item
    return blobs


def _load_blob(blob: git.Blob, shown: str, source: Path, settings: Settings) -> Document:
    doc = Document(shown, source)
    if blob.mode == git.Blob.link_mode:
        doc.findings.append(doc.finding("unsafe-file", Level.ERROR, 1, "a symbolic link at the base", ""))
        return doc
    if blob.size > settings.max_file_size:
        doc.findings.append(doc.finding("unsafe-file", Level.ERROR, 1, "over `max_file_size` at the base", ""))
        return doc
    return load_bytes(blob.data_stream.read(), doc, settings)


def _differs(blob: git.Blob, relative: str, settings: Settings) -> bool:
    """Whether the working file's bytes differ from the blob's (compared by git's object id)."""
    try:
        data = read_bounded(settings.docs_dir / relative, repo_root(settings), relative, settings.max_file_size)
    except (ReadProblem, OSError):
        return True
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest() != blob.hexsha


def _renames(old: dict[str, Document], new: dict[str, Document]) -> dict[str, str]:
    """Removed files paired with added ones: the same post-mortem moved. It keeps its id, or its
    incident date and either its title or most of its text. Post-mortems share their template's
    headings, so similar text alone would pair two different incidents."""
    pairs: dict[str, str] = {}
    taken: set[str] = set()

    def take(relative: str, candidate: str) -> None:
        pairs[relative] = candidate
        taken.add(candidate)

    ids = {d.id: r for r, d in sorted(new.items())}
    for relative, doc in sorted(old.items()):
        match = ids.get(doc.id)
        if match is not None and match not in taken:
            take(relative, match)
    for relative, doc in sorted(old.items()):
        if relative in pairs:
            continue
        same_day = [
            r for r, d in sorted(new.items()) if r not in taken and _day(d) is not None and _day(d) == _day(doc)
        ]
        titled = [r for r in same_day if new[r].title == doc.title]
        if titled:
            take(relative, titled[0])
            continue
        before = doc.markdown.splitlines()
        scored = []
        for candidate in same_day[:MAX_RENAME_CANDIDATES]:
            after = new[candidate].markdown.splitlines()
            ratio = difflib.SequenceMatcher(None, before, after, autojunk=False).ratio()
            if ratio >= RENAME_SIMILARITY:
                scored.append((-ratio, candidate))
        if scored:
            take(relative, min(scored)[1])
    return pairs


def _day(doc: Document) -> str | None:
    if doc.meta is not None:
        return doc.meta.date.isoformat()
    raw = doc.raw.get("date")
    return str(raw) if raw is not None else None


def _summary(doc: Document) -> dict[str, Any]:
    meta = doc.meta
    return {
        "id": doc.id,
        "title": doc.title,
        "severity": meta.severity if meta else None,
        "status": meta.status.value if meta else None,
        "date": meta.date.isoformat() if meta else None,
        "valid": meta is not None,
    }


def _added(doc: Document) -> FileReview:
    entry = FileReview("added", doc.path, None, **_summary(doc))
    entry.counts = {
        "timeline_rows": len(doc.body.timeline),
        "action_items": len(doc.meta.action_items if doc.meta else []),
    }
    if doc.meta is not None:  # who owns what, by when: what a reviewer of a new post-mortem checks first
        entry.action_items = item_changes([], doc.meta.action_items)
        entry.metadata = [
            Change(n, None, _value(getattr(doc.meta, n))) for n in ("services", "tags") if getattr(doc.meta, n)
        ]
    return entry


def _removed(doc: Document) -> FileReview:
    info = _summary(doc)
    info["was_valid"] = info.pop("valid")
    return FileReview("removed", doc.path, None, **info)


def _compare(old: Document, new: Document, change: str) -> FileReview | None:
    """What changed between two versions of one post-mortem; None when nothing a reader sees did
    (line endings, a byte-order mark)."""
    entry = FileReview(change, new.path, old.path if change == "renamed" else None, **_summary(new))
    entry.was_valid = old.meta is not None
    if old.title != new.title:
        entry.old_title = old.title
    if old.meta is not None and new.meta is not None:
        entry.metadata = metadata_changes(old.meta, new.meta, old, new)
        entry.action_items = item_changes(old.meta.action_items, new.meta.action_items)
    entry.timeline = timeline_changes(old.body.timeline, new.body.timeline)
    entry.text_changed = _text_changes(old, new, with_timeline=not entry.timeline)
    same = old.raw == new.raw and old.markdown == new.markdown and entry.was_valid == entry.valid
    if change == "changed" and same:
        return None
    return entry


def _value(value: Any) -> Value:
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, dt.datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [str(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _term(text: str) -> str:
    return " ".join(text.split()).casefold()


def metadata_changes(old: Postmortem, new: Postmortem, old_doc: Document, new_doc: Document) -> list[Change]:
    """Front-matter fields whose value changed. Lists of terms compare as sets, the way the site
    compares them (case and repeated spaces ignored, order kept by the author)."""
    changes: list[Change] = []
    for name in SCALAR_FIELDS:
        before = old_doc.id if name == "id" else getattr(old, name)
        after = new_doc.id if name == "id" else getattr(new, name)
        if before != after:
            changes.append(Change(name, _value(before), _value(after)))
    for name in LIST_FIELDS:
        before, after = getattr(old, name), getattr(new, name)
        if {_term(v) for v in before} != {_term(v) for v in after}:
            changes.append(Change(name, _value(before), _value(after)))
    for name in LATER_FIELDS:
        before = (old.summary or old_doc.body.summary) if name == "summary" else getattr(old, name)
        after = (new.summary or new_doc.body.summary) if name == "summary" else getattr(new, name)
        if before != after:
            changes.append(Change(name, _value(before), _value(after)))
    for name in IMPACT_FIELDS:
        before = getattr(old.impact, name) if old.impact else None
        after = getattr(new.impact, name) if new.impact else None
        if before != after:
            changes.append(Change(f"impact.{name}", _value(before), _value(after)))
    return changes


# -- the Timeline ----------------------------------------------------------------------------


def _event(entry: TimelineEntry) -> str:
    return " | ".join(entry.cells[1:])


def _time_key(entry: TimelineEntry) -> str:
    return entry.when.isoformat() if entry.when else _term(entry.time_text)


def timeline_changes(old: list[TimelineEntry], new: list[TimelineEntry]) -> list[RowChange]:
    """Rows added, removed and corrected. Rows are aligned as a diff aligns lines; a row left over
    on both sides is a correction when it keeps its event (the time was corrected) or its time (the
    event was corrected). A row whose time and event both changed is removed and added."""
    old_keys = [(_time_key(e), _term(_event(e))) for e in old]
    new_keys = [(_time_key(e), _term(_event(e))) for e in new]
    matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    block_of_old: dict[int, int] = {}
    block_of_new: dict[int, int] = {}
    for number, (tag, i1, i2, j1, j2) in enumerate(matcher.get_opcodes()):
        if tag == "equal":
            continue
        for i in range(i1, i2):
            block_of_old[i] = number
        for j in range(j1, j2):
            block_of_new[j] = number
    pairs: dict[int, int] = {}  # old -> new

    def pair(same: Callable[[int, int], bool]) -> None:
        for i in sorted(block_of_old):
            if i in pairs:
                continue
            for j in sorted(block_of_new):
                if j not in pairs.values() and same(i, j):
                    pairs[i] = j
                    break

    pair(lambda i, j: old_keys[i][1] == new_keys[j][1])  # the time was corrected
    pair(lambda i, j: old_keys[i][0] == new_keys[j][0])  # the event was corrected

    rows: list[tuple[float, RowChange]] = []
    for i, j in pairs.items():
        rows.append((j, RowChange("corrected", old[i].time_text, _event(old[i]), new[j].time_text, _event(new[j]))))
    kept = {
        **pairs,
        **{
            i: j
            for tag, i1, i2, j1, _ in matcher.get_opcodes()
            if tag == "equal"
            for i, j in zip(range(i1, i2), range(j1, i2 - i1 + j1), strict=True)
        },
    }
    for i in block_of_old:
        if i not in pairs:  # shown after the row now standing where its predecessor stood
            after = max((kept[k] for k in kept if k < i), default=-1) + 0.5
            rows.append((after, RowChange("removed", old_time=old[i].time_text, old_event=_event(old[i]))))
    for j in block_of_new:
        if j not in pairs.values():
            rows.append((j, RowChange("added", new_time=new[j].time_text, new_event=_event(new[j]))))
    return [row for _, row in sorted(rows, key=lambda r: r[0])]


# -- action items ----------------------------------------------------------------------------

CLOSED = (ItemStatus.DONE, ItemStatus.WONT_DO)


def match_items(old: list[ActionItem], new: list[ActionItem]) -> list[tuple[int | None, int | None]]:
    """Action items paired across two versions, by text and position.

    The same text (case and spaces ignored) is the same item, wherever it moved. Of the items left,
    one keeping its owner and due date is the same item re-worded when it keeps its place among
    the items left or its text stays similar; otherwise items are removed and added."""
    pairs: dict[int, int] = {}
    for i, item in enumerate(old):
        same = [
            j for j, other in enumerate(new) if j not in pairs.values() and _term(other.action) == _term(item.action)
        ]
        if same:
            pairs[i] = min(same, key=lambda j: abs(j - i))
    left_old = [i for i in range(len(old)) if i not in pairs]
    left_new = [j for j in range(len(new)) if j not in pairs.values()]
    candidates: list[tuple[bool, float, int, int]] = []
    for rank_old, i in enumerate(left_old):
        for rank_new, j in enumerate(left_new):
            if (old[i].owner, old[i].due) != (new[j].owner, new[j].due):
                continue
            ratio = difflib.SequenceMatcher(None, _term(old[i].action), _term(new[j].action)).ratio()
            if rank_old == rank_new or ratio >= RENAME_SIMILARITY:
                candidates.append((rank_old != rank_new, -ratio, i, j))
    for _, _, i, j in sorted(candidates):
        if i not in pairs and j not in pairs.values():
            pairs[i] = j
    matched: list[tuple[int | None, int | None]] = [(i, j) for i, j in pairs.items()]
    matched += [(i, None) for i in range(len(old)) if i not in pairs]
    matched += [(None, j) for j in range(len(new)) if j not in pairs.values()]
    return matched


def item_changes(old: list[ActionItem], new: list[ActionItem]) -> list[ItemChange]:
    """Items added, removed, and for each kept item what changed: re-worded, closed, reopened,
    re-dated, re-assigned, and its other fields."""
    found: list[tuple[tuple[float, int], ItemChange]] = []
    for i, j in match_items(old, new):
        if j is None:
            assert i is not None
            item = old[i]
            change = ItemChange("removed", item.action, None, i + 1, item.owner, _date(item.due))
            found.append(((i - 0.5, i), change))
            continue
        item = new[j]
        if i is None:
            found.append(((j, j), ItemChange("added", item.action, j + 1, None, item.owner, _date(item.due))))
            continue
        changes = _item_fields(old[i], item)
        if changes:
            found.append(
                ((j, j), ItemChange("changed", item.action, j + 1, i + 1, item.owner, _date(item.due), changes))
            )
    return [change for _, change in sorted(found, key=lambda f: f[0])]


def _date(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _item_fields(old: ActionItem, new: ActionItem) -> tuple[Change, ...]:
    changes: list[Change] = []
    if _term(old.action) != _term(new.action):
        changes.append(Change("re-worded", old.action, new.action))
    if old.status != new.status:
        if old.status not in CLOSED and new.status in CLOSED:
            kind = "closed"
        elif old.status in CLOSED and new.status not in CLOSED:
            kind = "reopened"
        else:
            kind = "status"
        changes.append(Change(kind, old.status.value, new.status.value))
    if old.due != new.due:
        changes.append(Change("re-dated", _date(old.due), _date(new.due)))
    if old.owner != new.owner:
        changes.append(Change("re-assigned", old.owner, new.owner))
    for name in ITEM_FIELDS:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            changes.append(Change(name, _value(before), _value(after)))
    return tuple(changes)


def _text_changes(old: Document, new: Document, with_timeline: bool) -> list[str]:
    """The titles of sections whose prose changed (the Timeline's table is compared row by row)."""

    def prose(doc: Document) -> dict[str, str]:
        texts: dict[str, list[str]] = {}
        for line in doc.body.text:
            if line.section != "timeline" or with_timeline:
                texts.setdefault(line.section, []).append(" ".join(line.text.split()))
        return {key: "\n".join(lines) for key, lines in texts.items()}

    titles = {s.key: s.title for s in [*old.body.sections, *new.body.sections]}
    before, after = prose(old), prose(new)
    order = [s.key for s in [*new.body.sections, *old.body.sections]]
    keys = sorted(before.keys() | after.keys(), key=lambda k: order.index(k) if k in order else -1)
    return [titles.get(key, "(before the first heading)") for key in keys if before.get(key) != after.get(key)]


# -- rendering -------------------------------------------------------------------------------


def as_json(result: Review) -> str:
    return json.dumps(
        {
            "base": result.base,
            "base_commit": result.base_commit,
            "preview_url": result.preview_url,
            "summary": {
                "added": result.count("added"),
                "changed": result.count("changed"),
                "renamed": result.count("renamed"),
                "removed": result.count("removed"),
                "errors": result.errors,
                "warnings": result.warnings,
            },
            "postmortems": [f.as_dict() for f in result.files],
        },
        indent=2,
        ensure_ascii=False,
    )


def _cell(value: Value) -> str:
    """A value for a Markdown table cell, every character from a post-mortem escaped."""
    if value is None or value == []:
        return "_none_"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(md_text(v) for v in value)
    return md_text(str(value))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def as_markdown(result: Review) -> str:
    """One pull-request comment; it starts with MARKER so a workflow can find and update it."""
    counts = [
        f"{result.count(kind)} {kind}" for kind in ("added", "changed", "renamed", "removed") if result.count(kind)
    ]
    head = [
        MARKER,
        "## Post-mortem review",
        "",
        f"Compared with {md_text(result.base)} ({result.base_commit[:12]}): "
        + (", ".join(counts) if counts else "no post-mortem changed")
        + ".",
    ]
    if result.files:
        checks = (
            f"**{_plural(result.errors, 'error')}**" if result.errors else "no errors"
        ) + f", {_plural(result.warnings, 'warning')} on the changed files."
        head.append(f"Checks: {checks}")
    if result.preview_url:
        head += ["", f"**[Preview the site]({quote(result.preview_url, safe=':/#?=&%~+@!$,;')})**"]
    lines = [*head, ""]
    size = sum(len(line) + 1 for line in lines)
    footer = ["", f"_Generated by `postmortems review` against {md_text(result.base)}._"]
    for number, entry in enumerate(result.files):
        section = _section(entry)
        if size + len(section) > MAX_MARKDOWN:
            left = len(result.files) - number
            lines += [
                "",
                f"**{_plural(left, 'more post-mortem')} not shown**: the comment would be too long. "
                "Run `postmortems review --format json` for everything.",
            ]
            break
        lines.append(section)
        size += len(section) + 1
    return "\n".join([*lines, *footer])


_HEADINGS = {"added": "Added", "changed": "Changed", "renamed": "Renamed", "removed": "Removed"}


def _section(entry: FileReview) -> str:
    lines = [f"### {_HEADINGS[entry.change]}: {md_text(entry.title)}", ""]
    where = md_text(entry.path)
    if entry.old_path:
        where = f"{md_text(entry.old_path)} → {where}"
    facts = [where, *(md_text(v) for v in (entry.severity, entry.status, entry.date) if v)]
    lines += [" · ".join(facts), ""]
    if entry.old_title is not None:
        lines += [f"Title was: {md_text(entry.old_title)}", ""]
    if entry.change == "removed":
        if not entry.was_valid:
            lines += ["It was not valid at the base.", ""]
        return "\n".join(lines)
    if entry.change == "added":
        rows, items = entry.counts.get("timeline_rows", 0), entry.counts.get("action_items", 0)
        lines += [f"New: {_plural(rows, 'Timeline row')}, {_plural(items, 'action item')}.", ""]
    elif not entry.valid or not entry.was_valid:
        state = "is not valid now" if not entry.valid else "was not valid at the base"
        lines += [f"It {state}: metadata and action items are not compared.", ""]
    if entry.metadata:
        lines += ["**Metadata**", "", "| Field | Before | After |", "|---|---|---|"]
        lines += [f"| {c.field} | {_cell(c.old)} | {_cell(c.new)} |" for c in entry.metadata]
        lines.append("")
    if entry.timeline:
        lines += ["**Timeline**", "", "| Change | Time before | Event before | Time after | Event after |"]
        lines.append("|---|---|---|---|---|")
        for row in entry.timeline:
            cells = [row.old_time, row.old_event, row.new_time, row.new_event]
            lines.append(f"| {row.change} | " + " | ".join(md_text(c) if c else "" for c in cells) + " |")
        lines.append("")
    if entry.action_items:
        lines += ["**Action items**", "", "| # | Change | Action | Before | After |", "|---|---|---|---|---|"]
        for item in entry.action_items:
            number = item.position or item.old_position
            if item.change in ("added", "removed"):
                who = f"owner {_cell(item.owner)}, due {_cell(item.due)}"
                before, after = (who, "") if item.change == "removed" else ("", who)
                lines.append(f"| {number} | {item.change} | {md_text(item.action)} | {before} | {after} |")
            action = md_text(item.action)
            for change in item.changes:
                lines.append(f"| {number} | {change.field} | {action} | {_cell(change.old)} | {_cell(change.new)} |")
        lines.append("")
    if entry.text_changed:
        lines += ["Text changed in: " + ", ".join(md_text(t) for t in entry.text_changed), ""]
    if entry.change == "changed" and not (entry.metadata or entry.timeline or entry.action_items or entry.text_changed):
        lines += ["Nothing compared here changed (formatting, comments or other fields only).", ""]
    if entry.findings:
        lines += ["**Findings**", ""]
        for finding in entry.findings:
            text = f"- **{finding.level.value}** {finding.rule}, line {finding.line}: {md_text(finding.message)}"
            if finding.hint:
                text += f" (help: {md_text(finding.hint)})"
            lines.append(text)
        lines.append("")
    return "\n".join(lines)
