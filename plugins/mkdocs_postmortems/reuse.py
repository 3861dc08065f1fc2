"""What a `mkdocs serve` rebuild takes from the build before it.

The plugin instance lives across rebuilds (it defines `on_startup`). Files are read again only
when their bytes change (load.ParseCache), each file's own checks are kept by its content
(checks.check_report's memo), and every page and export the plugin renders is kept here under
a key that names all it was made from: the site's fingerprint (every post-mortem's front
matter, summary and links, every finding, the settings, the git HEAD and the templates) and,
for an incident page, the file's own content. Editing the body of one post-mortem leaves the
fingerprint as it was, so only that page is rendered again; any change that could show on
another page (front matter, a new finding) changes it, and everything is rendered anew.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

from .findings import Finding
from .history import RepositoryHistory
from .load import Document
from .sanitize import BlockStore
from .settings import Settings

T = TypeVar("T")


def site_fingerprint(
    docs: Iterable[Document],
    findings: Iterable[Finding],
    settings: Settings,
    history: RepositoryHistory | None,
    template_dirs: Iterable[str],
) -> bytes:
    """A hash of everything a generated page or another post-mortem's page can show."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(settings.model_dump_json().encode())
    if history is not None:
        digest.update(repr((str(history.root), history.head, history.shallow, history.problem)).encode())
    for doc in docs:
        links = tuple(link.target for link in doc.body.links)
        digest.update(repr((doc.path, str(doc.source), doc.front_key, doc.body.summary, links)).encode())
    for f in findings:
        digest.update(repr((f.path, f.line, f.rule, f.level.value, f.message, f.hint)).encode())
    for folder in template_dirs:  # an edited override in `custom_dir` changes the pages
        for parent, _, names in os.walk(folder):
            for name in sorted(names):
                path = os.path.join(parent, name)
                try:
                    digest.update(f"{path}\0{os.stat(path).st_mtime_ns}".encode())
                except OSError:
                    continue
    return digest.digest()


class RenderCache:
    """Rendered pages and files, by key; each build keeps what it used, for the next one."""

    def __init__(self, keep: bool = True) -> None:
        self.keep = keep  # False: nothing is stored (a one-off `mkdocs build` has no next build)
        self._last: dict[Hashable, tuple[object, tuple[str, ...]]] = {}
        self._now: dict[Hashable, tuple[object, tuple[str, ...]]] = {}
        self.made = 0  # rendered this build (the rest was reused)

    def start(self) -> None:
        self._last = {**self._last, **self._now}
        self._now = {}
        self.made = 0

    def finish(self) -> None:
        """End of a build: what it did not use is forgotten."""
        self._last, self._now = self._now, {}

    def get(self, key: Hashable, make: Callable[[], T], blocks: BlockStore | None = None) -> T:
        """`make()`, or what it gave for `key` before. The protected blocks it made are
        recorded with it, so reusing it keeps them in `blocks`."""
        if not self.keep:
            self.made += 1
            return make()
        hit = self._now.get(key) or self._last.get(key)
        if hit is None:
            if blocks is None:
                hit = (make(), ())
            else:
                with blocks.recording() as keys:
                    value = make()
                hit = (value, tuple(keys))
            self.made += 1
        elif blocks is not None:
            blocks.touch(hit[1])
        self._now[key] = hit
        return hit[0]  # type: ignore[return-value]
