"""The Markdown body, read with markdown-it-py: sections, plain text by line, the Timeline.

markdown-it-py gives a token stream with source line maps, so every fragment of text keeps
its line in the file and code is told apart from prose without regular expressions.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

# Section titles as the template writes them, by their normalised form; variants map here.
SECTION_NAMES = {
    "summary": "Summary",
    "timeline": "Timeline",
    "impact": "Impact",
    "root causes": "Root causes",
    "what went well": "What went well",
    "what could be improved": "What could be improved",
    "action items": "Action items",
}
_ALIASES = {
    "root cause": "root causes",
    "root cause s": "root causes",
    "root cause analysis": "root causes",
    "things that went well": "what went well",
    "what went wrong": "what could be improved",
    "lessons learned": "what could be improved",
    "follow up actions": "action items",
    "follow ups": "action items",
}

_CLOCK = re.compile(r"^(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)(?::(?P<s>[0-5]\d))?\s*(?:z|utc)?$", re.I)
_FULL = re.compile(
    r"^(?P<d>\d{4}-\d{2}-\d{2})[ t](?P<t>\d{1,2}:\d{2}(?::\d{2})?)\s*(?P<tz>z|utc|[+-]\d{2}:?\d{2})?$", re.I
)


def normalise_title(title: str) -> str:
    key = re.sub(r"[^a-z0-9]+", " ", title.lower()).strip()
    return _ALIASES.get(key, key)


@dataclass(frozen=True)
class TextLine:
    """Prose (never code) of one block, starting at `line`; soft line breaks are kept as "\n"
    so a phrase wrapped across two source lines is still found, and its line computed."""

    line: int
    text: str
    section: str  # normalised section title, "" before the first heading

    def line_at(self, offset: int) -> int:
        return self.line + self.text.count("\n", 0, offset)


@dataclass(frozen=True)
class Section:
    title: str
    key: str  # normalised title
    line: int


@dataclass(frozen=True)
class TimelineEntry:
    line: int
    time_text: str
    when: dt.datetime | None  # None when the first cell is not a time
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Link:
    """A link or image target as written in the body, with its line."""

    line: int
    target: str
    image: bool


@dataclass
class Body:
    sections: list[Section] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    text: list[TextLine] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    summary: str = ""  # the first paragraph of the Summary section, as plain text

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    def text_in(self, key: str) -> list[TextLine]:
        return [t for t in self.text if t.section == key]


_md = MarkdownIt("commonmark").enable("table")


def parse_body(markdown: str, line_offset: int, incident_date: dt.date | None) -> Body:
    """Read `markdown`, whose first line is line `line_offset + 1` of its file."""
    tokens = _md.parse(markdown)
    body = Body()
    current = ""
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "heading_open" and token.map:
            title = _plain(tokens[index + 1])
            current = normalise_title(title)
            body.sections.append(Section(title, current, line_offset + token.map[0] + 1))
        elif token.type == "inline" and token.map:
            body.text.extend(_lines_of(token, line_offset, current))
            body.links.extend(_links_of(token, line_offset))
            if current == "summary" and not body.summary and tokens[index - 1].type == "paragraph_open":
                body.summary = " ".join(_plain(token).split())
        elif token.type == "table_open" and current == "timeline" and not body.timeline:
            end = _closing(tokens, index, "table_close")
            body.timeline = _timeline(tokens[index:end], line_offset, incident_date)
        index += 1
    return body


def _closing(tokens: list[Token], start: int, close_type: str) -> int:
    for index in range(start, len(tokens)):
        if tokens[index].type == close_type:
            return index
    return len(tokens)


def _plain(inline: Token) -> str:
    """The text of an inline token without Markdown syntax (code spans keep their text)."""
    parts: list[str] = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    return "".join(parts)


def _lines_of(inline: Token, line_offset: int, section: str) -> list[TextLine]:
    """Prose of an inline token; code spans are left out (a space keeps words apart)."""
    assert inline.map is not None
    parts: list[str] = []
    for child in inline.children or []:
        if child.type == "text":
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "code_inline":
            parts.append(" ")
    text = "".join(parts)
    return [TextLine(line_offset + inline.map[0] + 1, text, section)] if text.strip() else []


def _links_of(inline: Token, line_offset: int) -> list[Link]:
    assert inline.map is not None
    line = line_offset + inline.map[0] + 1
    links: list[Link] = []
    for child in inline.children or []:
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        elif child.type == "link_open":
            links.append(Link(line, str(child.attrGet("href") or ""), image=False))
        elif child.type == "image":
            links.append(Link(line, str(child.attrGet("src") or ""), image=True))
    return links


def _timeline(tokens: list[Token], line_offset: int, incident_date: dt.date | None) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    in_body = False
    row: list[str] = []
    row_line = 0
    day = incident_date
    for token in tokens:
        if token.type == "tbody_open":
            in_body = True
        elif token.type == "tr_open" and token.map:
            row, row_line = [], line_offset + token.map[0] + 1
        elif token.type == "inline" and in_body:
            row.append(" ".join(_plain(token).split()))
        elif token.type == "tr_close" and in_body and row:
            when = parse_time(row[0], day)
            if when is not None:
                day = when.date()
            entries.append(TimelineEntry(row_line, row[0], when, tuple(row)))
    return entries


def parse_time(text: str, day: dt.date | None) -> dt.datetime | None:
    """A Timeline time: a clock time on `day`, or a full date and time. UTC unless stated."""
    text = text.strip().strip("*_`")
    clock = _CLOCK.match(text)
    if clock and day is not None:
        return dt.datetime(
            day.year,
            day.month,
            day.day,
            int(clock["h"]),
            int(clock["m"]),
            int(clock["s"] or 0),
            tzinfo=dt.timezone.utc,
        )
    full = _FULL.match(text)
    if full:
        tz = (full["tz"] or "").upper()
        hour, _, rest = full["t"].partition(":")
        iso = f"{full['d']}T{int(hour):02d}:{rest}"
        try:
            when = dt.datetime.fromisoformat(iso + ("" if tz in ("", "Z", "UTC") else tz))
        except ValueError:
            return None
        return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)
    return None
