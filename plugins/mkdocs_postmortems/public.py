"""The public subset (`public_only: true`): what of the docs folder a public site may publish.

The catalog leaves internal post-mortems out like hidden drafts (catalog.py), so no page, index,
count, relation or export built from it names them. This module decides the rest: which other
files of the docs folder are evidence of a post-mortem that is not published, and the wording
of findings shown on public pages. Paths are `src_uri`s: relative to docs_dir, forward slashes.

The rule for the other files: a file that is not a post-mortem is published unless a
withheld post-mortem could be its owner, that is when

- it is not a Markdown page and sits in the folder of a post-mortem (any post-mortem) or below it,
- a withheld post-mortem links to it, or
- a part of its path starts with a withheld post-mortem's file name (without `.md`);

and a published post-mortem does not link to it. Evidence is published only with a public
post-mortem that links to it; the repository's own pages and assets elsewhere stay.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from .findings import Finding
from .load import Document

NOT_PUBLISHED = "a post-mortem not published on this site"


def link_targets(src_uri: str, doc: Document) -> Iterator[str]:
    """The files of the docs folder that `doc`'s body links to (links relative to its folder)."""
    folder = posixpath.dirname(src_uri)
    for link in doc.body.links:
        parts = urlsplit(link.target)
        if parts.scheme or parts.netloc or not parts.path or link.target.startswith("/"):
            continue
        target = posixpath.normpath(posixpath.join(folder, unquote(parts.path)))
        if target != ".." and not target.startswith("../"):
            yield target


def withheld_files(
    published: dict[str, Document],
    withheld: dict[str, Document],
    others: Iterable[str],
    is_page: Callable[[str], bool],
) -> set[str]:
    """The `others` (files that are not post-mortems) the public site leaves out.

    `published` and `withheld` map each post-mortem's src_uri to its document; `is_page` tells
    a Markdown page of the repository from a static file."""
    public_links = {t for uri, doc in published.items() for t in link_targets(uri, doc)}
    private_links = {t for uri, doc in withheld.items() for t in link_targets(uri, doc)}
    folders = {posixpath.dirname(uri) for uri in (*published, *withheld)}
    stems = tuple(PurePosixPath(uri).stem for uri in withheld)
    left_out = set()
    for name in others:
        if name in public_links:
            continue
        path = PurePosixPath(name)
        ancestors = {"", *(p.as_posix() for p in path.parents if p.as_posix() != ".")}
        beside = not is_page(name) and bool(ancestors & folders)
        named = bool(stems) and any(part.startswith(stems) for part in path.parts)
        if beside or named or name in private_links:
            left_out.add(name)
    return left_out


def public_findings(findings: list[Finding], published: Iterable[str], withheld: dict[str, str]) -> list[Finding]:
    """The findings a public page may show: those of published post-mortems, with the path of
    any withheld post-mortem (`withheld`: shown path -> src_uri) replaced by a neutral phrase
    (`duplicate-id` and `url-clash` name the other file)."""
    shown = set(published)
    names = sorted({*withheld, *withheld.values()}, key=len, reverse=True)

    def scrub(text: str) -> str:
        for name in names:
            text = text.replace(name, NOT_PUBLISHED)
        return text

    return [
        replace(f, message=scrub(f.message), hint=scrub(f.hint) if f.hint else f.hint)
        for f in findings
        if f.path in shown
    ]
