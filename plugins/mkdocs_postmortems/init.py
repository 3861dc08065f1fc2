"""`postmortems init [DIR]`: scaffold a new post-mortem repository.

It writes mkdocs.yml with the plugin, postmortems/ with a home page and one valid example, the
three workflows (pull-request check and review, publishing to GitHub Pages, the weekly overdue
report) using the composite action, a pre-commit configuration and a README saying what to do
next. It never overwrites anything: when any file it would write exists already (or a folder it
needs is a file or a symlink), it names them and writes nothing. Every file is created
exclusively (open mode "x"), so a file that appears meanwhile is not written through either.
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path, PurePosixPath

import yaml

PLACEHOLDER_REPO = "OWNER/mkdocs-postmortems"
PLACEHOLDER_REF = "0" * 40
PLACEHOLDER = f"{PLACEHOLDER_REPO}@{PLACEHOLDER_REF}"

# owner/repository@ref, as `uses:` takes it (no sub-path: the action is at the repository's root).
_ACTION = re.compile(r"(?P<repo>[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100})@(?P<ref>[A-Za-z0-9._/-]{1,255})")
_SHA = re.compile(r"[0-9a-f]{40}")
_EXAMPLE = "2026/2026-01-20-example-search-stale-after-cache-ttl.md"

# (template under templates/init/, file written, relative to DIR). Templates have no leading dot
# in their names so that the package data glob picks them up.
FILES: tuple[tuple[str, str], ...] = (
    ("mkdocs.yml", "mkdocs.yml"),
    ("README.md", "README.md"),
    ("gitignore", ".gitignore"),
    ("index.md", "postmortems/index.md"),
    ("example.md", f"postmortems/{_EXAMPLE}"),
    ("workflows/pull-request.yml", ".github/workflows/pull-request.yml"),
    ("workflows/publish.yml", ".github/workflows/publish.yml"),
    ("workflows/overdue-report.yml", ".github/workflows/overdue-report.yml"),
    ("pre-commit-config.yaml", ".pre-commit-config.yaml"),
)


class InitError(Exception):
    """Nothing was written; the message says why."""


@dataclass(frozen=True)
class Conflict(InitError):
    """Paths (relative to the target folder) that exist already."""

    paths: tuple[str, ...]

    def __str__(self) -> str:
        return "refusing to overwrite: " + ", ".join(self.paths)


def parse_action(action: str) -> tuple[str, str]:
    """(owner/repository, ref) of `action`, or an InitError."""
    found = _ACTION.fullmatch(action)
    if found is None or ".." in found["ref"]:
        raise InitError(f"--action {action!r}: expected OWNER/REPOSITORY@REF, e.g. {PLACEHOLDER}")
    return found["repo"], found["ref"]


def is_pinned(action: str) -> bool:
    """True when the action's ref is a full commit SHA."""
    return _SHA.fullmatch(parse_action(action)[1]) is not None


def site_name_line(name: str) -> str:
    """The `site_name:` line of mkdocs.yml, quoted by YAML itself; a blank or multi-line name is refused."""
    if not name.strip() or any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise InitError("--site-name must be one line of visible text")
    return yaml.safe_dump({"site_name": name}, allow_unicode=True, width=1_000_000).rstrip("\n")


def render(action: str = PLACEHOLDER, site_name: str = "Post-mortems") -> dict[str, str]:
    """Every file `init` writes, by path relative to the target folder (POSIX separators)."""
    repo, ref = parse_action(action)
    note = (
        " These are placeholders: put the owner of the mkdocs-postmortems repository in place of"
        " `OWNER` and a commit SHA in place of the zeros."
        if action == PLACEHOLDER
        else ""
    )
    values = {
        "@SITE_NAME@": site_name_line(site_name),
        "@ACTION@": f"{repo}@{ref}",
        "@ACTION_REPO@": repo,
        "@ACTION_REF@": ref,
        "@PLACEHOLDER_NOTE@": note,
    }
    root = files("mkdocs_postmortems").joinpath("templates/init")
    rendered = {}
    for template, target in FILES:
        text = root.joinpath(template).read_text(encoding="utf-8")
        for token, value in values.items():
            text = text.replace(token, value)
        rendered[target] = text
    return rendered


def _conflicts(target: Path, paths: list[str]) -> list[str]:
    """Paths that exist already, and folders on the way that are not plain folders."""
    found: set[str] = set()
    for rel in paths:
        parts = PurePosixPath(rel).parts
        for depth in range(1, len(parts)):
            folder = target.joinpath(*parts[:depth])
            if folder.is_symlink() or (os.path.lexists(folder) and not folder.is_dir()):
                found.add("/".join(parts[:depth]))
        if os.path.lexists(target.joinpath(*parts)):
            found.add(rel)
    return sorted(found)


def scaffold(target: Path, action: str = PLACEHOLDER, site_name: str = "Post-mortems") -> list[str]:
    """Write the new repository into `target` (created when missing); the paths written.

    Raises Conflict, naming every file in the way, before writing anything.
    """
    rendered = render(action, site_name)
    if os.path.lexists(target) and not target.is_dir():
        raise InitError(f"{target} exists and is not a folder")
    if target.is_dir():
        conflicts = _conflicts(target, list(rendered))
        if conflicts:
            raise Conflict(tuple(conflicts))
    target.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    made: list[Path] = []
    try:
        for rel, text in rendered.items():
            path = target.joinpath(*PurePosixPath(rel).parts)
            missing = [p for p in reversed(path.parents) if p != target and target in p.parents and not p.exists()]
            path.parent.mkdir(parents=True, exist_ok=True)
            made.extend(missing)
            with path.open("x", encoding="utf-8", newline="\n") as out:
                written.append(path)
                out.write(text)
    except FileExistsError as exc:
        # Appeared since the check: take back what this run wrote, then report it.
        for path in written:
            path.unlink(missing_ok=True)
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                folder.rmdir()
        name = Path(exc.filename).relative_to(target).as_posix() if exc.filename else str(exc)
        raise Conflict((name,)) from None
    return list(rendered)
