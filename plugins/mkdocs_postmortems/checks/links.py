"""Evidence beside the text: relative links and images must point at files that exist.

MkDocs warns about broken links too, but without a line; this rule names the file and line,
and `postmortems check` agrees with the build.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..load import Document
from ..model import Postmortem
from .base import Context, Hit


def check_links(doc: Document, meta: Postmortem, ctx: Context) -> Iterator[Hit]:
    docs_dir = ctx.docs_root
    for link in doc.body.links:
        parts = urlsplit(link.target)
        if parts.scheme or parts.netloc or not parts.path or link.target.startswith("/"):
            continue  # absolute URLs, site-absolute paths and in-page anchors are not files here
        relative = unquote(parts.path)
        target = (doc.source.parent / relative).resolve()
        what = "image" if link.image else "link"
        if not target.is_relative_to(docs_dir):
            yield Hit(
                "broken-link",
                link.line,
                f"the {what} {link.target!r} points outside the site's folder",
                "keep evidence (graphs, screenshots, logs) beside the post-mortem, inside the docs folder",
            )
        elif not target.exists():
            near = sorted(p.name for p in target.parent.glob("*")) if target.parent.is_dir() else []
            hint = f"no such file; beside it: {', '.join(near[:5])}" if near else "no such file or folder"
            yield Hit(
                "broken-link",
                link.line,
                f"the {what} {posixpath.normpath(relative)!r} does not exist",
                f"{hint}. Paths are relative to {Path(doc.path).name}'s folder",
            )
