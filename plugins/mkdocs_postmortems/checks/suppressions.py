"""Inline suppressions (`<!-- postmortems: allow RULE: reason -->`): which are valid, which
finding each one silences, and which silence nothing.

A suppression counts as used when a rule hits inside its lines, whatever that rule's level for
the file: a draft (held to fewer rules) or a folder with the rule off must not be told to drop
a comment it needs once published or moved.
"""

from __future__ import annotations

import bisect
import difflib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..body import Suppression
from ..findings import Finding
from ..rules import FIXED_RULES, RULES
from .base import Hit

# Reading the file is never negotiable, and a suppression cannot vouch for itself.
UNSUPPRESSIBLE = FIXED_RULES | {"suppression-invalid", "suppression-unused"}
# About the whole file, though reported at the body's first line: whether a comment covered
# that line would depend on blank lines, so these are set per path (`path_rules`) instead.
WHOLE_FILE = frozenset({"section-missing", "what-went-well-missing"})
_EXAMPLE = "<!-- postmortems: allow blame-language: quoted from the vendor's report -->"


@dataclass(frozen=True)
class Suppressed:
    """A finding that a suppression comment silenced, with that comment."""

    finding: Finding
    suppression: Suppression

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.finding.as_dict(),
            "reason": self.suppression.reason,
            "suppressed_at": self.suppression.line,
        }


class Suppressions:
    """The suppressions of one document, as the runner applies them to its hits."""

    def __init__(self, suppressions: list[Suppression]) -> None:
        self.problems: list[Hit] = []
        self.valid: list[Suppression] = []
        self._used: set[tuple[int, str]] = set()
        for suppression in suppressions:
            problems = list(_problems(suppression))
            self.problems.extend(problems)
            if not problems:  # an invalid one silences nothing, so its finding still shows
                self.valid.append(suppression)
        self._by_rule: dict[str, _Ranges] = {}
        # Enclosing ranges before the ranges inside them.
        for index, suppression in sorted(enumerate(self.valid), key=lambda pair: (pair[1].start, -pair[1].end)):
            for rule in dict.fromkeys(suppression.rules):
                self._by_rule.setdefault(rule, _Ranges()).add(suppression.start, suppression.end, index)

    def match(self, hit: Hit) -> Suppression | None:
        """The innermost valid suppression of `hit`'s rule covering its line, if any."""
        ranges = self._by_rule.get(hit.rule)
        index = ranges.find(hit.line) if ranges is not None else None
        if index is None:
            return None
        self._used.add((index, hit.rule))
        return self.valid[index]

    def unused(self) -> Iterator[Hit]:
        for index, suppression in enumerate(self.valid):
            idle = [rule for rule in dict.fromkeys(suppression.rules) if (index, rule) not in self._used]
            if idle:
                yield Hit(
                    "suppression-unused",
                    suppression.line,
                    f"the suppression of {', '.join(idle)} suppresses nothing",
                    "remove it, or move it into the block with the finding (a comment on a line of "
                    "its own also covers the block right after it)",
                )


@dataclass
class _Ranges:
    """One rule's covered line ranges, added by first line. Ranges of Markdown blocks nest or
    are disjoint, so a hit walks up from the nearest range through the ranges enclosing it,
    never past every earlier suppression: a body may hold thousands."""

    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    furthest: list[int] = field(default_factory=list)  # max(ends[: i + 1])
    parents: list[int] = field(default_factory=list)  # the nearest enclosing range, or -1
    indexes: list[int] = field(default_factory=list)  # into Suppressions.valid
    _open: list[int] = field(default_factory=list)

    def add(self, start: int, end: int, index: int) -> None:
        while self._open and self.ends[self._open[-1]] < start:
            self._open.pop()
        self.parents.append(self._open[-1] if self._open else -1)
        self.furthest.append(max(end, self.furthest[-1] if self.furthest else end))
        self.starts.append(start)
        self.ends.append(end)
        self.indexes.append(index)
        self._open.append(len(self.starts) - 1)

    def find(self, line: int) -> int | None:
        position = bisect.bisect_right(self.starts, line) - 1
        if position < 0 or self.furthest[position] < line:
            return None  # no range starting at or before the line reaches it
        walk = position
        while walk >= 0:
            if self.ends[walk] >= line:
                return self.indexes[walk]
            walk = self.parents[walk]
        # Ranges that overlap without nesting (not seen from the parser): every earlier one.
        while position >= 0:
            if self.ends[position] >= line:
                return self.indexes[position]
            position -= 1
        return None


def _problems(suppression: Suppression) -> Iterator[Hit]:
    line = suppression.line
    if not suppression.rules:
        yield Hit(
            "suppression-invalid",
            line,
            f"the suppression names no rule: {suppression.text}",
            f"write it as `<!-- postmortems: allow RULE[, RULE]: reason -->`, e.g. `{_EXAMPLE}`",
        )
    for rule in dict.fromkeys(suppression.rules):
        if rule not in RULES:
            close = difflib.get_close_matches(rule, list(RULES), n=1)
            yield Hit(
                "suppression-invalid",
                line,
                f"the suppression names an unknown rule {rule!r}",
                f"did you mean {close[0]!r}?" if close else "`postmortems rules` lists every rule id",
            )
        elif rule in UNSUPPRESSIBLE:
            yield Hit(
                "suppression-invalid",
                line,
                f"rule {rule!r} cannot be suppressed",
                "fix the file instead: an unreadable or invalid file is never published as it is"
                if rule in FIXED_RULES
                else "fix or remove the suppression comment",
            )
        elif rule in WHOLE_FILE:
            yield Hit(
                "suppression-invalid",
                line,
                f"rule {rule!r} concerns the whole file and cannot be suppressed by a comment",
                f"set its level for these files with the `path_rules` option, e.g. {{'archive/*': {{{rule}: off}}}}",
            )
    if suppression.rules and not suppression.reason:
        yield Hit(
            "suppression-invalid",
            line,
            f"the suppression of {', '.join(suppression.rules)} gives no reason",
            f"say why the text is allowed, after a colon: `{_EXAMPLE}`",
        )
