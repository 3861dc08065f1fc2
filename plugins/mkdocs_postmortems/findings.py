"""Findings: every problem the core reports, as a value with a path and a line.

Loading errors and check results share this one type, so each front end (the CLI's
text/JSON/GitHub output, the plugin's logger) renders them the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Any


class Level(str, Enum):
    """How serious a finding is. `off` only appears in configuration, never in a finding."""

    ERROR = "error"
    WARNING = "warning"
    OFF = "off"


@dataclass(frozen=True, order=True)
class Finding:
    path: str  # relative to the repository root, with forward slashes
    line: int  # 1-based line in the file; 1 when the problem concerns the whole file
    rule: str  # a stable id from checks.registry.RULES
    level: Level
    message: str  # what is wrong
    hint: str = ""  # how to fix it

    def location(self) -> str:
        return f"{self.path}:{self.line}"

    def as_dict(self) -> dict[str, Any]:
        # By hand, in the fields' order: dataclasses.asdict deep-copies every value (1 s of
        # `check --format json` at 10,000 post-mortems).
        return {
            "path": self.path,
            "line": self.line,
            "rule": self.rule,
            "level": self.level.value,
            "message": self.message,
            "hint": self.hint,
        }

    def as_text(self) -> str:
        """One finding the way a compiler prints it: location, level, rule, message, help.

        Path, message and hint come from files, so each is printed on one line with line breaks
        and other control characters escaped: no input can start a line of its own (such as a
        GitHub `::error` workflow command)."""
        text = f"{one_line(self.path)}:{self.line}: {self.level.value}[{self.rule}]: {one_line(self.message)}"
        if self.hint:
            text += f"\n  = help: {one_line(self.hint)}"
        return text


# C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def one_line(text: str) -> str:
    """`text` with line breaks and control characters written as escapes (\\n, \\x1b, \\u2028)."""
    return _UNPRINTABLE.sub(lambda m: _ESCAPES.get(m.group(), m.group().encode("unicode_escape").decode()), text)


def count_errors(findings: list[Finding]) -> int:
    return sum(1 for f in findings if f.level is Level.ERROR)
