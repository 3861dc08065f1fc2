"""Each post-mortem's history from git, in one pass over the log for all files.

One `git log --name-status -M` call (never one per file) gives every commit with the files it
touched; walking it from the newest commit back, renames are followed to the name each file has
at HEAD. A file's history is its first commit (created), its last change, its number of
revisions and its contributors (commit authors, de-duplicated by e-mail). Dates are author
dates, with the author's offset. Changes made in a merge commit itself (a conflict resolution)
count; a merge that only brings in a branch's commits does not (those commits count).

A shallow clone's history starts at its boundary commit: every file would seem created there,
so its dates and counts are not shown at all (state SHALLOW) and one message says how to fetch
the whole history. Outside a git repository (NO_REPOSITORY), or for a file not yet committed
(NOT_COMMITTED), there is no history either: the page says so rather than inventing dates.

Results are cached by (repository, HEAD commit, pathspec): `mkdocs serve` rebuilds reuse them.
No MkDocs import here.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

SHALLOW_FIX = "fetch the whole history: `fetch-depth: 0` in actions/checkout (or `git fetch --unshallow`)"
_SEP = "\x1f"
_START = "\x1e"
_FORMAT = f"{_START}%H{_SEP}%P{_SEP}%aI{_SEP}%ae{_SEP}%an"


class HistoryState(str, Enum):
    COMMITTED = "committed"
    NOT_COMMITTED = "not-committed"  # inside a repository, but in no commit yet
    SHALLOW = "shallow"  # a shallow clone: dates and counts would be wrong, none are given
    NO_REPOSITORY = "no-repository"  # not in a git work tree, or git could not read it


@dataclass(frozen=True)
class Contributor:
    name: str  # the name of their most recent commit
    email: str
    commits: int


@dataclass(frozen=True)
class FileHistory:
    state: HistoryState
    created: dt.datetime | None = None  # the first commit's author date
    last_change: dt.datetime | None = None  # the last commit's author date
    revisions: int = 0
    contributors: tuple[Contributor, ...] = ()  # in order of first contribution

    @property
    def known(self) -> bool:
        return self.state is HistoryState.COMMITTED

    @property
    def note(self) -> str:
        """What a page says when there is no history to show."""
        return NOTES[self.state]


NOTES = {
    HistoryState.COMMITTED: "",
    HistoryState.NOT_COMMITTED: "not yet committed",
    HistoryState.SHALLOW: "history incomplete (shallow clone)",
    HistoryState.NO_REPOSITORY: "no git history",
}


@dataclass
class RepositoryHistory:
    """Every file's history in one repository, by its path relative to the work tree at HEAD."""

    root: Path | None  # the work tree; None outside git
    head: str | None = None
    shallow: bool = False
    files: dict[str, FileHistory] = field(default_factory=dict)
    problem: str | None = None  # why git could not be read, when it could not

    def of(self, path: Path | str) -> FileHistory:
        """The history of `path` (absolute, or relative to the work tree)."""
        if self.root is None:
            return FileHistory(HistoryState.NO_REPOSITORY)
        if self.shallow:
            return FileHistory(HistoryState.SHALLOW)
        relative = self.relative(path)
        if relative is None:
            return FileHistory(HistoryState.NO_REPOSITORY)
        return self.files.get(relative, FileHistory(HistoryState.NOT_COMMITTED))

    def relative(self, path: Path | str) -> str | None:
        """`path` relative to the work tree, with forward slashes; None outside it."""
        if self.root is None:
            return None
        candidate = Path(path)
        if not candidate.is_absolute():
            return candidate.as_posix()
        try:
            return Path(os.path.abspath(candidate)).relative_to(os.path.abspath(self.root)).as_posix()
        except ValueError:
            pass
        try:
            return candidate.resolve().relative_to(self.root.resolve()).as_posix()
        except (ValueError, OSError, RuntimeError):
            return None

    @property
    def message(self) -> str | None:
        """The one message to report about this history, if any (a shallow clone)."""
        if self.shallow:
            return (
                "the git repository is a shallow clone: post-mortem history (created, last change, "
                f"revisions, contributors) would be wrong, so it is not shown and `writeup-late` "
                f"is not checked; {SHALLOW_FIX}"
            )
        return None


def read_history(root: Path, pathspec: Iterable[str] = ()) -> RepositoryHistory:
    """The history of every file git has seen under `pathspec` (relative to `root`, the work
    tree; all of it when empty), from one `git log` call."""
    try:
        import git  # GitPython: imported here so a missing git executable is reported, not raised
    except ImportError as exc:  # GitPython refuses to import without a git executable
        return RepositoryHistory(None, problem=f"git is not available: {exc}")
    try:
        repo = git.Repo(root, search_parent_directories=False)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return RepositoryHistory(None)
    try:
        with repo:
            top = Path(repo.git.rev_parse("--show-toplevel"))
            try:
                head = repo.git.rev_parse("--verify", "-q", "HEAD")
            except git.GitCommandError:  # no commit yet: every file is not yet committed
                return RepositoryHistory(top)
            shallow = repo.git.rev_parse("--is-shallow-repository").strip() == "true"
            if shallow:
                return RepositoryHistory(top, head, shallow=True)
            paths = [p for p in pathspec if p not in ("", ".")]
            out = repo.git.log(
                "--date-order",
                "-M",
                "--name-status",
                "--diff-merges=dense-combined",
                f"--format={_FORMAT}",
                "HEAD",
                "--",
                *(paths or ["."]),
            )
    except git.GitCommandError as exc:
        return RepositoryHistory(None, problem=f"git could not read the history: {exc.stderr.strip() or exc}")
    return RepositoryHistory(top, head, files=parse_log(out))


@dataclass
class _Walk:
    dates: list[dt.datetime] = field(default_factory=list)  # newest first
    authors: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # e-mail -> (n, name), newest first


def parse_log(out: str) -> dict[str, FileHistory]:
    """`git log --format=<_FORMAT> --name-status -M` output -> history by path at HEAD.

    Walked newest first: a rename `R old new` gives `old`'s older commits to the file now at
    `new`'s name; an add ends a name's history (older commits of that name were another file)."""
    walks: dict[str, _Walk] = {}
    alias: dict[str, str | None] = {}  # a name in older commits -> its name at HEAD; None: ended
    for record in out.split(_START)[1:]:
        header, _, changes = record.partition("\n")
        _sha, parents, date, email, name = (header.split(_SEP, 4) + [""] * 5)[:5]
        when = dt.datetime.fromisoformat(date)
        merge = len(parents.split()) > 1
        for line in changes.splitlines():
            if not line.strip():
                continue
            fields = line.split("\t")
            status, names = fields[0], [_unquote(f) for f in fields[1:]]
            if not names:
                continue
            if merge or status[0] not in "RC":
                path = names[-1]
                key = alias.get(path, path)
                if key is None:
                    continue
                _touch(walks, key, when, email, name)
                if not merge and status[0] == "A":
                    alias[path] = None
                continue
            old, new = names[0], names[-1]
            key = alias.get(new, new)
            if key is None:
                continue
            _touch(walks, key, when, email, name)
            if status[0] == "R":
                alias[new] = None
                alias[old] = key
            else:  # a copy: the copy's history starts here
                alias[new] = None
    return {path: _history(walk) for path, walk in walks.items()}


def _touch(walks: dict[str, _Walk], key: str, when: dt.datetime, email: str, name: str) -> None:
    walk = walks.setdefault(key, _Walk())
    walk.dates.append(when)
    walk.authors.setdefault(email.strip().lower(), []).append((len(walk.dates), name))


def _history(walk: _Walk) -> FileHistory:
    # Walked newest first: an author's first contribution is their last entry.
    first = sorted(walk.authors.items(), key=lambda item: -item[1][-1][0])
    contributors = tuple(
        Contributor(name=entries[0][1] or email, email=email, commits=len(entries)) for email, entries in first
    )
    return FileHistory(
        HistoryState.COMMITTED,
        created=walk.dates[-1],
        last_change=walk.dates[0],
        revisions=len(walk.dates),
        contributors=contributors,
    )


_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


def _unquote(text: str) -> str:
    """A path as git prints it: C-quoted (octal bytes for non-ASCII) when it needs quoting."""
    if len(text) < 2 or not (text.startswith('"') and text.endswith('"')):
        return text
    body, out, i = text[1:-1], bytearray(), 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            digits = body[i + 1 : i + 4]
            if len(digits) == 3 and all(d in "01234567" for d in digits):
                out.append(int(digits, 8))
                i += 4
                continue
            out.append(_ESCAPES.get(nxt, ord(nxt)))
            i += 2
            continue
        out += char.encode("utf-8")
        i += 1
    return out.decode("utf-8", errors="replace")


class HistoryCache:
    """Histories kept by (work tree, HEAD commit, pathspec): a `mkdocs serve` rebuild with the
    same HEAD reads no log again. Keeps only the latest entry."""

    def __init__(self) -> None:
        self._key: tuple[str, str | None, tuple[str, ...]] | None = None
        self._value: RepositoryHistory | None = None
        self.reads = 0  # how many times the log was read (for tests)

    def get(self, root: Path, pathspec: Iterable[str] = ()) -> RepositoryHistory:
        paths = tuple(sorted(pathspec))
        key = (str(root), _head(root), paths)
        if key[1] is not None and key == self._key and self._value is not None:
            return self._value
        self.reads += 1
        value = read_history(root, paths)
        self._key, self._value = key, value
        return value


def _head(root: Path) -> str | None:
    """HEAD's commit, read cheaply (no log); None outside a repository or before a commit."""
    try:
        import git
    except ImportError:
        return None
    try:
        with git.Repo(root, search_parent_directories=False) as repo:
            return str(repo.git.rev_parse("--verify", "-q", "HEAD"))
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, git.GitCommandError, ValueError):
        return None


def pathspec_of(root: Path, folder: Path) -> list[str]:
    """`folder` as a pathspec relative to `root`: [] (the whole repository) for the root itself
    or a folder outside it."""
    relative = RepositoryHistory(root).relative(Path(os.path.abspath(folder)))
    return [] if relative in (None, "", ".") else [str(relative)]


def edit_url(repo_url: str | None, edit_uri: str | None, docs_path: str) -> str | None:
    """The link to edit `docs_path` (relative to docs_dir), as MkDocs computes a page's
    edit_url from repo_url and edit_uri (structure/pages.py); None without an http(s) link."""
    if not edit_uri or (repo_url and not _is_http(repo_url)):
        return None
    target = edit_uri + quote(docs_path)
    if not repo_url:
        return target if _is_http(target) else None
    if not target.startswith(("?", "#")) and not repo_url.endswith("/"):
        repo_url += "/"
    joined = urljoin(repo_url, target)
    return joined if _is_http(joined) else None


def history_url(repo_url: str | None, edit_uri: str | None, repo_path: str) -> str | None:
    """The forge's page of `repo_path`'s commits (relative to the repository root):
    `{repo_url}/commits/{branch}/{path}`, GitHub-style (`/-/commits/` on GitLab), with the branch
    taken from edit_uri (`edit/main/docs/` or `blob/main/docs/`: main); None when either is unknown."""
    if not repo_url or not edit_uri or not _is_http(repo_url):
        return None
    parts = [p for p in urlsplit(edit_uri).path.split("/") if p]
    if _is_http(edit_uri):  # a full URL: the part after repo_url
        base = urlsplit(repo_url).path.rstrip("/")
        path = urlsplit(edit_uri).path
        if not path.startswith(base + "/"):
            return None
        parts = [p for p in path[len(base) :].split("/") if p]
    gitlab = bool(parts) and parts[0] == "-"
    parts = parts[1:] if gitlab else parts
    if len(parts) < 2 or parts[0] not in ("edit", "blob", "tree"):
        return None
    return f"{repo_url.rstrip('/')}/{'-/' if gitlab else ''}commits/{quote(parts[1])}/{quote(repo_path)}"


def _is_http(url: str) -> bool:
    return urlsplit(url).scheme.lower() in ("http", "https")
