"""Reading many post-mortems on every CPU.

Each file is read, parsed, validated and checked on its own, so a large repository is loaded
by forked processes (parallel.py), a chunk of files at a time; the Documents come back in
order, with each file's own rule hits when asked. The result is the same as loading the files
one by one (tests/test_pool.py compares both): only the time differs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .checks import own_hits
from .checks.base import Context, Hit
from .load import Document, load_file, repo_root
from .model import Postmortem
from .parallel import fork_map, paused_gc, processes
from .settings import Settings

MIN_FILES = 64  # below this, starting processes costs more than it saves
CHUNK = 32  # files per task: large enough to amortise the hand-over, small enough to balance


@dataclass
class Loaded:
    documents: list[Document]  # in the order of the paths
    hits: dict[str, list[Hit]]  # each valid file's own hits, by document path, when asked
    processes: int  # that read them: 1 without a pool


def workers(settings: Settings, files: int) -> int:
    """How many processes load `files` files: 1 means here, without a pool."""
    return processes(settings.jobs, files, CHUNK, MIN_FILES)


CROSS_FILE_KEYS = ("id", "related", "date")
_FIELDS_SETS: dict[frozenset[str], set[str]] = {}
_SHARED_SETS = 1024  # bounded: each file could set another combination of fields


def share_fields_sets(meta: Postmortem) -> None:
    """One object for each combination of fields set, in place of one set per model: the models
    are frozen, so the set pydantic keeps of the fields given is never changed, and the results
    of a chunk are pickled at once. A set was a fifth of a loaded post-mortem's memory."""
    for model in (meta, meta.impact, *meta.action_items):
        if model is None:
            continue
        given = model.__pydantic_fields_set__
        key = frozenset(given)
        shared = _FIELDS_SETS.get(key)
        if shared is None:
            if len(_FIELDS_SETS) >= _SHARED_SETS:
                continue
            shared = _FIELDS_SETS[key] = given
        object.__setattr__(model, "__pydantic_fields_set__", shared)  # frozen: not by assignment


def load_many(
    paths: Sequence[Path],
    settings: Settings,
    shown_as: Callable[[Path], str],
    today: dt.date | None = None,
    lean: bool = False,
    with_markdown: bool = False,
    meanwhile: Callable[[], object] | None = None,
) -> Loaded:
    """Every file of `paths` loaded, in order and named by `shown_as`, and, with `today`, each
    valid file's own hits (checks.own_hits) by document path. `lean` drops what only those
    rules read (the prose and Timeline rows, a valid file's raw front matter) and, unless
    `with_markdown`, the body's text and sections (the site decorates it; `check` needs them
    no more).
    `meanwhile` is called here while the workers load (reading the git history, say), so it
    costs no time of its own."""
    root = repo_root(settings)
    context = Context(settings, today) if today is not None else None

    def load(index: int) -> tuple[Document, list[Hit] | None]:
        path = paths[index]
        doc = load_file(path, settings, shown_as(path), root)  # the name too is worked out in the worker
        hits = own_hits(doc, context) if context is not None and doc.meta is not None else None
        if lean:
            if not with_markdown:  # `check`: nothing after the file's own rules reads the body
                doc.markdown = ""
                doc.body.sections = []
            doc.body.text = []
            doc.body.timeline = []
            if doc.meta is not None:
                doc.raw = {}  # Document.title reads it only for an invalid file
            # Only the rules run on the whole catalog locate findings after this (checks.crossrefs:
            # id and related; checks.deadline: date): the lines of other values are not sent back.
            doc.lines = doc.lines.only(CROSS_FILE_KEYS)
            if doc.meta is not None:
                share_fields_sets(doc.meta)
        return doc, hits

    count = workers(settings, len(paths))
    with paused_gc():
        results = fork_map(load, len(paths), count, CHUNK, meanwhile) if count > 1 else None
        if results is None:
            count = 1
            if meanwhile is not None:
                meanwhile()
            results = [load(index) for index in range(len(paths))]
    hits = {doc.path: found for doc, found in results if found is not None}
    return Loaded([doc for doc, _ in results], hits, count)
