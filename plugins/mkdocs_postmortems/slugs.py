"""URL slugs for index terms (tags, services, factors): safe, stable and collision-free.

A slug is `[a-z0-9][a-z0-9-]*`: it can never contain `/` or `..`, so no tag can write outside
its folder of the site. Terms with no ASCII letters or digits get a short hash instead.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterable

MAX_SLUG = 60
SAFE_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# `tags/index.md` is the index of its kind: a term named "index" (or "ｉｎｄｅｘ") gets another slug.
RESERVED_SLUGS = frozenset({"index"})


def slugify(text: str, fallback_prefix: str = "t") -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:MAX_SLUG].rstrip("-")
    if not slug:
        slug = f"{fallback_prefix}-{hashlib.sha1(text.encode()).hexdigest()[:8]}"
    return slug


@functools.lru_cache(maxsize=65536)  # the same few hundred names, read from every post-mortem
def term_key(name: str) -> str:
    """Terms compare case-insensitively and ignore surrounding space: `Database` is `database`."""
    return " ".join(name.split()).casefold()


def assign_slugs(keys: Iterable[str], display: dict[str, str]) -> dict[str, str]:
    """A distinct slug per key; keys whose slugs clash get -2, -3 in sorted order of key."""
    slugs: dict[str, str] = {}
    taken: set[str] = set(RESERVED_SLUGS)
    for key in sorted(keys):
        base = slugify(display.get(key, key))
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        slugs[key] = slug
    return slugs
