"""The Markdown body, read with markdown-it-py: sections, plain text by line, the Timeline.

markdown-it-py gives a token stream with source line maps, so every fragment of text keeps
its line in the file and code is told apart from prose without regular expressions.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
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
    end_line: int = 0  # the heading's last line: a setext heading's underline is the line after its text


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


@dataclass(frozen=True)
class Suppression:
    """`<!-- postmortems: allow RULE[, RULE]: reason -->` as written; the checks judge it.

    It covers the lines of the block it stands in and, when the comment is the whole block,
    the next block too (a table cell's block is its row)."""

    line: int  # the comment's own line
    start: int  # the first and last line it covers
    end: int
    rules: tuple[str, ...]  # as written; empty when the comment does not read `allow RULE...`
    reason: str  # "" when none is given
    text: str  # the comment, for messages


@dataclass
class Body:
    sections: list[Section] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    text: list[TextLine] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    summary: str = ""  # the first paragraph of the Summary section, as plain text
    too_deep: tuple[int, str] | None = None  # (line, what) when nested past what renderers take
    suppressions: list[Suppression] = field(default_factory=list)

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    def text_in(self, key: str) -> list[TextLine]:
        return [t for t in self.text if t.section == key]


# maxNesting is markdown-it's own guard against runaway recursion; past it the rest of a block
# is left unparsed, so a body nested that deep is refused (see nesting_problem) before any use.
_md = MarkdownIt("commonmark", {"maxNesting": 100}).enable("table")
# Python-Markdown, which MkDocs renders with, recurses once or more per nesting level (a list
# nested 800 deep raises RecursionError, emphasis nested a few thousand deep too) and takes
# quadratic time on runs of unclosed brackets (50,000 `[` took minutes). Real post-mortems
# stay far below these bounds.
MAX_BLOCK_LEVEL = 64  # markdown-it token levels: about 30 nested lists or quotes
MAX_INLINE_LEVEL = 32  # nested emphasis and links within one paragraph
MAX_BRACKET_DEPTH = 32  # unclosed `[` within one paragraph
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def nesting_problem(markdown: str, line_offset: int) -> tuple[int, str] | None:
    """(file line, what) when the body nests deeper than Markdown renderers can take, else None.

    A linear scan for unclosed brackets (outside fenced code), on which parsers take quadratic
    time, so such a body never reaches one; parse_body then measures the levels markdown-it saw
    (`too_deep`: nested lists, quotes, emphasis and links)."""
    fence = ""
    depth = 0
    for number, line in enumerate(markdown.split("\n"), start=line_offset + 1):
        opening = _FENCE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = ""
            continue
        if opening:
            fence = opening.group(1)
            continue
        if not line.strip():
            depth = 0  # a blank line ends the paragraph, and unclosed brackets with it
            continue
        if "[" not in line and "]" not in line:
            continue
        escaped = False
        for char in line:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == "[":
                depth += 1
                if depth > MAX_BRACKET_DEPTH:
                    return number, f"more than {MAX_BRACKET_DEPTH} `[` open at once"
            elif char == "]" and depth:
                depth -= 1
    return None


def _too_deep(tokens: list[Token], line_offset: int) -> tuple[int, str] | None:
    """The nesting markdown-it saw: block levels, and inline levels within a paragraph."""
    for token in tokens:
        if token.level > MAX_BLOCK_LEVEL:
            return _line(token, line_offset), f"lists or quotes nested more than {MAX_BLOCK_LEVEL // 2} deep"
        for child in token.children or []:
            if child.level > MAX_INLINE_LEVEL:
                return _line(token, line_offset), f"emphasis or links nested more than {MAX_INLINE_LEVEL} deep"
    return None


def _line(token: Token, line_offset: int) -> int:
    return line_offset + (token.map[0] if token.map else 0) + 1


def parse_body(markdown: str, line_offset: int, incident_date: dt.date | None) -> Body:
    """Read `markdown`, whose first line is line `line_offset + 1` of its file.

    Call nesting_problem first: a body it refuses is not parsed (see load.py)."""
    tokens = _md.parse(markdown)
    body = Body()
    body.too_deep = _too_deep(tokens, line_offset)
    current = ""
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "heading_open" and token.map:
            title = _plain(tokens[index + 1])
            current = normalise_title(title)
            body.sections.append(Section(title, current, line_offset + token.map[0] + 1, line_offset + token.map[1]))
        elif token.type == "inline" and token.map:
            body.text.extend(_lines_of(token, line_offset, current))
            body.links.extend(_links_of(token, line_offset))
            if current == "summary" and not body.summary and tokens[index - 1].type == "paragraph_open":
                body.summary = " ".join(_plain(token).split())
        elif token.type == "table_open" and current == "timeline" and not body.timeline:
            end = _closing(tokens, index, "table_close")
            body.timeline = _timeline(tokens[index:end], line_offset, incident_date)
        index += 1
    body.suppressions = _suppressions(tokens, line_offset)
    return body


def _suppressions(tokens: list[Token], line_offset: int) -> list[Suppression]:
    """Every `<!-- postmortems: ... -->` comment in HTML blocks and inline HTML (never in code).

    Linear in the body, whatever it holds: a body may be a megabyte of comments."""
    found: list[Suppression] = []
    following: dict[int, Token | None] = {}  # comment-only block -> the block it also covers
    for index, token in enumerate(tokens):
        if token.type == "html_block" and token.map and "postmortems:" in token.content:
            start, end = line_offset + token.map[0] + 1, line_offset + token.map[1]
            if _only_comments(token.content):
                after = _next_block(tokens, index, following)
                if after is not None and after.map:
                    end = line_offset + after.map[1]
            line, counted = start, 0
            for offset, inner in _comments(token.content):
                line += token.content.count("\n", counted, offset)
                counted = offset
                found.extend(_suppression(inner, line, start, end))
        elif token.type == "inline" and token.map and "postmortems:" in token.content:
            found.extend(_inline_suppressions(token, line_offset))
    return found


def _comments(text: str) -> Iterator[tuple[int, str]]:
    """(offset, inside) of every closed `<!-- ... -->` in `text`."""
    position = 0
    while (start := text.find("<!--", position)) != -1:
        end = text.find("-->", start + 4)
        if end == -1:
            return
        yield start, text[start + 4 : end]
        position = end + 3


def _only_comments(text: str) -> bool:
    position = 0
    for start, inner in _comments(text):
        if text[position:start].strip():
            return False
        position = start + 4 + len(inner) + 3
    return not text[position:].strip()


def _next_block(tokens: list[Token], index: int, following: dict[int, Token | None]) -> Token | None:
    """The block after the comment-only block tokens[index] in the same container, past other
    comment-only blocks (stacked suppressions all reach the block under them); None at the
    container's end. `following` remembers the answer for the blocks passed over."""
    level = tokens[index].level
    passed = [index]
    answer: Token | None = None
    for position in range(index + 1, len(tokens)):
        token = tokens[position]
        if token.level < level:
            break
        if token.level == level and token.nesting >= 0 and token.map:
            if position in following:
                answer = following[position]
                break
            if token.type == "html_block" and _only_comments(token.content):
                passed.append(position)
                continue
            answer = token
            break
    for position in passed:
        following[position] = answer
    return answer


def _suppression(inner: str, line: int, start: int, end: int) -> list[Suppression]:
    """The suppression an HTML comment holds (none for an ordinary comment). String methods
    only: a regular expression could backtrack for minutes on a long malformed comment."""
    directive = inner.strip()
    if not directive.startswith("postmortems:"):
        return []
    words = directive.removeprefix("postmortems:").split(None, 1)
    rules: tuple[str, ...] = ()
    reason = ""
    if len(words) == 2 and words[0] == "allow":
        names, _, why = words[1].partition(":")
        rules = tuple(name.strip() for name in names.split(",") if name.strip())
        reason = " ".join(why.split())
    text = " ".join(f"<!-- {directive} -->".split())
    return [Suppression(line, start, end, rules, reason, text if len(text) <= 120 else text[:117] + "...")]


def _inline_suppressions(inline: Token, line_offset: int) -> list[Suppression]:
    """Suppressions written inline (`text <!-- postmortems: ... -->`): they cover their block."""
    assert inline.map is not None
    start, end = line_offset + inline.map[0] + 1, line_offset + inline.map[1]
    line = start
    found = []
    for child in inline.children or []:
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        elif child.type == "html_inline":
            content = child.content
            if content.startswith("<!--") and content.endswith("-->"):
                found.extend(_suppression(content[4:-3], line, start, end))
            line += content.count("\n")
    return found


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
