"""Blameless writing: no blame language in the narrative, no person named in Root causes."""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator

from ..body import TextLine
from ..load import Document
from ..model import Postmortem
from .base import Context, Hit, phrase_pattern


def check_blame(doc: Document, meta: Postmortem, ctx: Context) -> Iterator[Hit]:
    pattern = phrase_pattern(ctx.settings.blame_phrases)
    texts = [TextLine(doc.line_of(("summary",)), meta.summary, "")] if meta.summary else []
    prose_lines = [*texts, *doc.body.text]
    if pattern is not None and _may_match(ctx.settings.blame_phrases, prose_lines):
        # One search over all the prose: NUL between blocks is neither a word character nor
        # white space, so no match spans two blocks and each block's ends stay word boundaries.
        starts, at = [], 0
        for prose in prose_lines:
            starts.append(at)
            at += len(prose.text) + 1
        for match in pattern.finditer("\0".join(t.text for t in prose_lines)):
            index = bisect.bisect_right(starts, match.start()) - 1
            prose = prose_lines[index]
            yield Hit(
                "blame-language",
                prose.line_at(match.start() - starts[index]),
                f"blame language: {' '.join(match.group(0).split())!r}",
                "describe the conditions that made the action seem right at the time, "
                "and what the system allowed, not what a person failed to do",
            )
    root_causes = doc.body.text_in("root causes")
    words = _name_words([*meta.authors, *ctx.settings.people])
    text = " ".join(" ".join(t.text for t in root_causes).split()).casefold()  # a name may wrap
    if not any(" ".join(word.split()).casefold() in text for word in words):
        return  # no name occurs at all: the pattern need not be compiled
    names = _name_pattern(words)
    if names is None:
        return
    for prose in root_causes:
        for match in names.finditer(prose.text):
            yield Hit(
                "blame-name",
                prose.line_at(match.start()),
                f"a person is named in Root causes: {match.group(0)!r}",
                "name the system, process or condition instead of the person",
            )


def _may_match(phrases: list[str], prose: list[TextLine]) -> bool:
    """Whether any phrase can match at all, by plain substring searches (much faster than the
    case-insensitive pattern, and most post-mortems have no blame language). ASCII text is
    compared whole phrase by whole phrase, white space collapsed; other text by each phrase's
    first word, as Unicode case rules differ between casefold() and the pattern's."""
    text = "\0".join(t.text for t in prose)
    ascii_phrases, first_words = _needles(tuple(phrases))
    if text.isascii() and ascii_phrases is not None:
        flat = " ".join(text.lower().split())
        return any(phrase in flat for phrase in ascii_phrases)
    folded = text.casefold()
    return any(word in folded for word in first_words)


@functools.lru_cache(maxsize=16)  # the same list for every file
def _needles(phrases: tuple[str, ...]) -> tuple[tuple[str, ...] | None, tuple[str, ...]]:
    """What _may_match looks for: the phrases lower-cased, white space collapsed (None unless
    all are ASCII), and each phrase's first word casefolded."""
    kept = [phrase for phrase in phrases if phrase.split()]
    flat = tuple(" ".join(p.lower().split()) for p in kept) if all(p.isascii() for p in phrases) else None
    return flat, tuple(p.split()[0].casefold() for p in kept)


def _name_words(people: list[str]) -> set[str]:
    """Names as looked for: each name as written and without its @; for a personal name written
    with a space ("Priya Raman") also the first name, of three letters or more.

    A handle or team name (`network-engineering`, `@sre-team`, `priya.raman`) is matched only
    whole: its first part is a word of the narrative ("network", "payments"), not a person."""
    words: set[str] = set()
    for person in people:
        name = person.strip()
        if not name:
            continue
        bare = name.lstrip("@")
        words.update((name, bare))
        parts = bare.split()
        if len(parts) > 1 and len(parts[0]) >= 3:
            words.add(parts[0])
    words.discard("")
    return words


def _name_pattern(words: set[str]) -> re.Pattern[str] | None:
    """The names as whole words (an @ before one is part of the match)."""
    if not words:
        return None
    alternatives = "|".join(re.escape(w).replace("\\ ", r"\s+") for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w@])@?(?:{alternatives})(?!\w)")
