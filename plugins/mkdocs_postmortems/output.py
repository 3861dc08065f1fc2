"""Findings rendered for people (compiler style), for tools (JSON) and for GitHub annotations."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .findings import Finding, Level

if TYPE_CHECKING:  # the checks package is heavy; only its type is needed here
    from .checks import Suppressed


def summary_line(findings: list[Finding], checked: int, suppressed: int = 0) -> str:
    errors = sum(1 for f in findings if f.level is Level.ERROR)
    warnings = len(findings) - errors
    files = len({f.path for f in findings})
    tail = f"; {suppressed} suppressed" if suppressed else ""
    if not findings:
        return f"{checked} post-mortem(s) checked: no problems{tail}"
    return f"{checked} post-mortem(s) checked: {errors} error(s), {warnings} warning(s) in {files} file(s){tail}"


def as_text(findings: list[Finding], checked: int, suppressed: Sequence[Suppressed] = ()) -> str:
    lines = [f.as_text() for f in findings]
    lines.append(summary_line(findings, checked, len(suppressed)))
    return "\n".join(lines)


def as_json(findings: list[Finding], checked: int, suppressed: Sequence[Suppressed] = ()) -> str:
    errors = sum(1 for f in findings if f.level is Level.ERROR)
    payload = {
        "checked": checked,
        "errors": errors,
        "warnings": len(findings) - errors,
        "findings": [f.as_dict() for f in findings],
        "suppressed": len(suppressed),
        "suppressed_findings": [s.as_dict() for s in suppressed],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False)


def as_github(findings: list[Finding], checked: int, suppressed: Sequence[Suppressed] = ()) -> str:
    """Workflow commands: `::error file=…,line=…,title=…::message` (GitHub annotates the diff)."""
    lines = []
    for f in findings:
        command = "error" if f.level is Level.ERROR else "warning"
        props = f"file={_prop(f.path)},line={f.line},title={_prop(f.rule)}"
        message = f.message + (f"\n{f.hint}" if f.hint else "")
        lines.append(f"::{command} {props}::{_data(message)}")
    lines.append(summary_line(findings, checked, len(suppressed)))
    return "\n".join(lines)


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


FORMATS = {"text": as_text, "json": as_json, "github": as_github}
# The formats of `postmortems actions` (report.py) and `postmortems stats` (stats_report.py),
# here so the command line can offer them without importing those modules and their libraries.
ACTIONS_FORMATS = ("table", "json", "csv", "md")
STATS_FORMATS = ("table", "json", "md")
