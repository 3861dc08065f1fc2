"""Rules across the repository: ids are unique and `related` names existing post-mortems."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from ..load import Document
from .base import Hit


def check_crossrefs(docs: list[Document]) -> Iterator[tuple[Document, Hit]]:
    by_id: dict[str, list[Document]] = defaultdict(list)
    for doc in docs:
        by_id[doc.id].append(doc)
    for post_id, owners in by_id.items():
        if len(owners) > 1:
            for doc in owners:
                others = ", ".join(o.path for o in owners if o is not doc)
                yield (
                    doc,
                    Hit(
                        "duplicate-id",
                        doc.line_of(("id",)),
                        f"id {post_id!r} is also used by {others}",
                        "give each post-mortem its own `id:` (or file name)",
                    ),
                )
    for doc in docs:
        if doc.meta is None:
            continue
        for index, related in enumerate(doc.meta.related):
            if related not in by_id:
                yield (
                    doc,
                    Hit(
                        "unknown-related",
                        doc.line_of(("related", index)),
                        f"related id {related!r} is not the id of any post-mortem",
                        "use the id (or file name without .md) of an existing post-mortem",
                    ),
                )
