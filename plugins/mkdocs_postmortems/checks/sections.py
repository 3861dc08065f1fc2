"""Body rules: the template's sections are there, What went well included."""

from __future__ import annotations

from collections.abc import Iterator

from ..body import SECTION_NAMES
from ..load import Document
from ..model import Postmortem
from .base import Context, Hit

REQUIRED = ("summary", "timeline", "impact", "root causes", "what could be improved")


def check_sections(doc: Document, meta: Postmortem, ctx: Context) -> Iterator[Hit]:
    for key in REQUIRED:
        if doc.body.section(key) is None:
            yield Hit(
                "section-missing",
                doc.body_line,
                f"no `## {SECTION_NAMES[key]}` section",
                f"add a `## {SECTION_NAMES[key]}` section (see `postmortems new` for the template)",
            )
    if doc.body.section("what went well") is None:
        yield Hit(
            "what-went-well-missing",
            doc.body_line,
            "no `## What went well` section",
            "add what worked (detection, coordination, recovery): it is worth repeating",
        )
