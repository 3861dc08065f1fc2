"""The docs folder as untrusted input: what may be read, and reads that are bounded.

A pull request can add symlinks as easily as Markdown. MkDocs walks the docs folder following
every directory symlink (`os.walk(followlinks=True)`, with no loop detection) and copies what
it finds, so a link to `/etc/passwd` would be published and `up -> ..` would never finish. This
module walks the folder the careful way, once, before MkDocs does: a file may be published only
when it is a regular file whose real path stays inside the repository; a directory symlink that
leaves the repository or loops back is fatal (MkDocs itself would follow it).
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Refusal:
    """A path the site must not read: `relative` to the docs folder, and why."""

    relative: str
    reason: str
    hint: str


@dataclass
class Scan:
    files: list[str] = field(default_factory=list)  # safe regular files, relative, sorted walk order
    refused: list[Refusal] = field(default_factory=list)  # files left out
    fatal: list[Refusal] = field(default_factory=list)  # directories MkDocs would follow out or forever


def repository_root(config_dir: Path) -> Path:
    """The git work tree holding mkdocs.yml (its nearest folder with `.git`), else mkdocs.yml's folder."""
    start = config_dir.resolve()
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


def _inside(path: Path, root: Path) -> bool:
    return path == root or path.is_relative_to(root)


def refusal(path: Path, root: Path, relative: str, max_size: int | None = None) -> Refusal | None:
    """Why `path` must not be read, or None when it is a regular file inside `root`."""
    try:
        real = path.resolve(strict=True)
    except (RuntimeError, OSError) as exc:  # Python < 3.13 reports a loop as RuntimeError
        if isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == errno.ELOOP:
            return Refusal(relative, "the symlink loops back on itself", "replace the symlink by the file itself")
        if path.is_symlink():
            return Refusal(relative, "the symlink points at nothing", "remove the dangling symlink")
        return Refusal(relative, f"cannot read it: {getattr(exc, 'strerror', exc)}", "check the file's permissions")
    if not _inside(real, root):
        return Refusal(
            relative,
            "the symlink points outside the repository",
            "copy the file into the repository instead of linking to it: nothing outside it is published",
        )
    try:
        info = os.stat(path)
    except OSError as exc:
        return Refusal(relative, f"cannot read it: {exc.strerror}", "check the file's permissions")
    if not stat.S_ISREG(info.st_mode):
        return Refusal(relative, "it is not a regular file (a device, pipe or socket)", "remove it from the docs")
    if max_size is not None and info.st_size > max_size:
        return Refusal(
            relative,
            f"the file is {info.st_size:,} bytes, over the limit of {max_size:,} (`max_file_size`)",
            "split it, move large evidence out of the post-mortem, or raise `max_file_size`",
        )
    return None


def scan(docs_dir: Path, root: Path) -> Scan:
    """Every file MkDocs would find under `docs_dir`, judged before MkDocs reads any of it."""
    result = Scan()
    root = root.resolve()
    docs_real = docs_dir.resolve()
    if not docs_dir.is_dir():
        return result
    seen: set[Path] = {docs_real}

    # Below a folder reached through no symlink, a file that is no symlink is where it seems: a
    # regular one is safe without resolving its path (10,000 realpath calls cost a second).
    docs_inside = _inside(docs_real, root)

    def walk(folder: Path, relative: str, plain: bool) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            rel = f"{relative}{entry.name}"
            try:
                is_dir = entry.is_dir(follow_symlinks=True)
            except OSError:
                is_dir = False
            if not is_dir and plain and docs_inside and not entry.is_symlink():
                try:
                    regular = stat.S_ISREG(entry.stat(follow_symlinks=False).st_mode)
                except OSError:
                    regular = False
                if regular:
                    result.files.append(rel)
                    continue
            path = Path(entry.path)
            if is_dir:
                if entry.is_symlink():
                    real = path.resolve()
                    if not _inside(real, root):
                        result.fatal.append(
                            Refusal(
                                rel,
                                "the folder symlink points outside the repository",
                                "replace the symlink by the files themselves; MkDocs would publish all it points at",
                            )
                        )
                        continue
                    # A target that holds this folder (or the docs folder) is a loop for os.walk.
                    if real in seen or _inside(folder.resolve(), real) or _inside(docs_real, real):
                        result.fatal.append(
                            Refusal(
                                rel,
                                "the folder symlink loops back to a folder above it",
                                "remove the symlink; MkDocs would follow it forever",
                            )
                        )
                        continue
                    seen.add(real)
                walk(path, f"{rel}/", plain and not entry.is_symlink())
                continue
            problem = refusal(path, root, rel)
            if problem is not None:
                result.refused.append(problem)
            else:
                result.files.append(rel)

    walk(docs_dir, "", True)
    return result


class ReadProblem(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.reason)
        self.refusal = refusal


# Where Linux names the file behind an open descriptor, symlinks resolved.
_HAS_FD_PATHS = os.path.isdir("/proc/self/fd") and hasattr(os, "O_NOFOLLOW")
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def _read_plain(path: str, inside: str, max_size: int) -> bytes | None:
    """The bytes of a regular file that is no symlink, whose real path starts with `inside`,
    within the bound; None for anything else, which `refusal` then judges and words. What is
    read is the file checked: the descriptor's own real path and identity, not the name's. A
    few system calls, where resolving the path takes one per folder and ten times as long."""
    try:
        before = os.lstat(path)
        if not stat.S_ISREG(before.st_mode) or before.st_size > max_size:
            return None  # never opened: a device or a pipe is not touched
        fd = os.open(path, _OPEN_FLAGS)  # a symlink put there since fails: O_NOFOLLOW
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if (info.st_dev, info.st_ino) != (before.st_dev, before.st_ino):
            return None
        if not os.readlink(f"/proc/self/fd/{fd}").startswith(inside):
            return None
        chunks: list[bytes] = []
        size = 0
        while size <= max_size:  # never more than the bound, whatever stat said
            chunk = os.read(fd, max_size + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError:
        return None
    finally:
        os.close(fd)
    return b"".join(chunks) if size <= max_size else None


def read_bounded(path: Path, root: Path, relative: str, max_size: int) -> bytes:
    """The file's bytes, or ReadProblem when it must not be read (checked again at read time)."""
    if _HAS_FD_PATHS:
        data = _read_plain(os.fspath(path), os.path.join(root, ""), max_size)
        if data is not None:
            return data
    problem = refusal(path, root, relative, max_size)
    if problem is not None:
        raise ReadProblem(problem)
    with open(path, "rb") as handle:
        data = handle.read(max_size + 1)  # never more than the bound, whatever stat said
    if len(data) > max_size:
        raise ReadProblem(
            Refusal(
                relative,
                f"the file is over the limit of {max_size:,} bytes (`max_file_size`)",
                "split it, or raise `max_file_size`",
            )
        )
    return data
