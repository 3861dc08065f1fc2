"""What every rule module shares: the context a rule reads and the hit it yields."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..load import Document
from ..model import Postmortem
from ..settings import Settings


@dataclass(frozen=True)
class Context:
    settings: Settings
    today: dt.date

    @functools.cached_property
    def docs_root(self) -> Path:
        """The docs folder, symlinks resolved: once per run, not once per file."""
        return self.settings.docs_dir.resolve()


@dataclass(frozen=True)
class Hit:
    """A rule broken at a line; the runner turns it into a Finding with the configured level."""

    rule: str
    line: int
    message: str
    hint: str


DocumentRule = Callable[[Document, Postmortem, Context], Iterator[Hit]]


def phrase_pattern(phrases: list[str]) -> re.Pattern[str] | None:
    """Any of `phrases` as whole words, case-insensitive; longest first so the longest wins."""
    return _phrase_pattern(tuple(phrases)) if phrases else None


@functools.lru_cache(maxsize=16)  # the same few lists for every file: escaping them again cost ~2% of `check`
def _phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    # A space in a phrase matches any run of white space, line breaks included.
    alternatives = "|".join(re.escape(p).replace("\\ ", r"\s+") for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)
