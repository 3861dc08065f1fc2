"""Timeline rules: every row starts with a time, and the rows run forward."""

from __future__ import annotations

from collections.abc import Iterator

from ..body import TimelineEntry
from ..load import Document
from ..model import Postmortem
from .base import Context, Hit


def check_timeline(doc: Document, meta: Postmortem, ctx: Context) -> Iterator[Hit]:
    previous: TimelineEntry | None = None
    for entry in doc.body.timeline:
        if entry.when is None:
            yield Hit(
                "timeline-time",
                entry.line,
                f"timeline row starts with {entry.time_text!r}, not a time",
                "start the row with HH:MM (on the incident's date) or YYYY-MM-DD HH:MM",
            )
            continue
        if previous is not None and previous.when is not None and entry.when < previous.when:
            yield Hit(
                "timeline-order",
                entry.line,
                f"timeline row {entry.time_text!r} comes after {previous.time_text!r} (line {previous.line})",
                "order the rows by time; for an incident past midnight write the full date, e.g. 2026-03-02 00:15",
            )
        previous = entry
