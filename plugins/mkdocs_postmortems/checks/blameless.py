"""Blameless writing: no blame language in the narrative, no person named in Root causes."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..body import TextLine
from ..load import Document
from ..model import Postmortem
from .base import Context, Hit, phrase_pattern


def check_blame(doc: Document, meta: Postmortem, ctx: Context) -> Iterator[Hit]:
    pattern = phrase_pattern(ctx.settings.blame_phrases)
    if pattern is not None:
        texts = [TextLine(doc.line_of(("summary",)), meta.summary, "")] if meta.summary else []
        for prose in [*texts, *doc.body.text]:
            for match in pattern.finditer(prose.text):
                yield Hit(
                    "blame-language",
                    prose.line_at(match.start()),
                    f"blame language: {' '.join(match.group(0).split())!r}",
                    "describe the conditions that made the action seem right at the time, "
                    "and what the system allowed, not what a person failed to do",
                )
    names = _name_pattern([*meta.authors, *ctx.settings.people])
    if names is None:
        return
    for prose in doc.body.text_in("root causes"):
        for match in names.finditer(prose.text):
            yield Hit(
                "blame-name",
                prose.line_at(match.start()),
                f"a person is named in Root causes: {match.group(0)!r}",
                "name the system, process or condition instead of the person",
            )


def _name_pattern(people: list[str]) -> re.Pattern[str] | None:
    """Full names, @handles and first names of three letters or more, as whole words."""
    words: set[str] = set()
    for person in people:
        name = person.strip()
        if not name:
            continue
        words.add(name)
        bare = name.lstrip("@")
        words.add(bare)
        first = re.split(r"[\s._-]+", bare)[0]
        if len(first) >= 3:
            words.add(first)
    if not words:
        return None
    alternatives = "|".join(re.escape(w).replace("\\ ", r"\s+") for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w@])@?(?:{alternatives})(?!\w)")
