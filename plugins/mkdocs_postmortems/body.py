"""The Markdown body, read with markdown-it-pyrs: sections, plain text by line, the Timeline.

markdown-it-pyrs (the Rust port of markdown-it) gives a syntax tree whose nodes map to byte
offsets in the source, so every fragment of text keeps its line in the file and code is told
apart from prose without regular expressions. The results are those markdown-it-py's token
stream gave (its line maps and token levels), at a fraction of the cost.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate

from markdown_it_pyrs import MarkdownIt, Node

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


@dataclass(frozen=True, slots=True)
class TextLine:
    """Prose (never code) of one block, starting at `line`; soft line breaks are kept as "\n"
    so a phrase wrapped across two source lines is still found, and its line computed."""

    line: int
    text: str
    section: str  # normalised section title, "" before the first heading

    def line_at(self, offset: int) -> int:
        return self.line + self.text.count("\n", 0, offset)


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    key: str  # normalised title
    line: int
    end_line: int = 0  # the heading's last line: a setext heading's underline is the line after its text


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    line: int
    time_text: str
    when: dt.datetime | None  # None when the first cell is not a time
    cells: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Link:
    """A link or image target as written in the body, with its line."""

    line: int
    target: str
    image: bool


@dataclass(frozen=True, slots=True)
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


@dataclass(slots=True)
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


# The tree's node names. Block nodes other than these stand for tokens markdown-it-py emitted
# too; a reference definition emits none. Anything else is inline content: in a tight list
# item the paragraph node is left out and its inline nodes are the item's own children.
_BLOCKS = frozenset(
    {
        "paragraph",
        "heading",
        "lheading",
        "bullet_list",
        "ordered_list",
        "list_item",
        "blockquote",
        "table",
        "fence",
        "code_block",
        "html_block",
        "hr",
        "definition",
    }
)
_CONTAINERS = frozenset({"bullet_list", "ordered_list", "list_item", "blockquote"})
_TEXT = frozenset({"text", "text_special"})
_BREAKS = frozenset({"softbreak", "hardbreak"})

_md = MarkdownIt("commonmark").enable("table")
# Python-Markdown, which MkDocs renders with, recurses once or more per nesting level (a list
# nested 800 deep raises RecursionError, emphasis nested a few thousand deep too) and takes
# quadratic time on runs of unclosed brackets (50,000 `[` took minutes). Real post-mortems
# stay far below these bounds. The levels are markdown-it's token levels (a list and its item
# are two levels, a paragraph and its inline content two more), computed from the tree.
MAX_BLOCK_LEVEL = 64  # markdown-it token levels: about 30 nested lists or quotes
MAX_INLINE_LEVEL = 32  # nested emphasis and links within one paragraph
MAX_BRACKET_DEPTH = 32  # unclosed `[` within one paragraph
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_FENCE_STARTS = " `~"  # the first character of every line _FENCE matches
_BLOCK_DEEP = f"lists or quotes nested more than {MAX_BLOCK_LEVEL // 2} deep"
_INLINE_DEEP = f"emphasis or links nested more than {MAX_INLINE_LEVEL} deep"


def nesting_problem(markdown: str, line_offset: int) -> tuple[int, str] | None:
    """(file line, what) when the body nests deeper than Markdown renderers can take, else None.

    A linear scan for unclosed brackets (outside fenced code), on which parsers take quadratic
    time, so such a body never reaches one; parse_body then measures the levels markdown-it saw
    (`too_deep`: nested lists, quotes, emphasis and links)."""
    fence = ""
    depth = 0
    for number, line in enumerate(markdown.split("\n"), start=line_offset + 1):
        opening = _FENCE.match(line) if line[:1] in _FENCE_STARTS else None
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


# markdown-it-pyrs takes time quadratic in the depth of nested emphasis (20,000 levels took
# 18 s); a body with this many `*` and `_` could nest that deep, so markdown-it-py, linear
# there, measures its levels first, and only a body nested no deeper than it may is read.
_MANY_DELIMITERS = 4000


def _too_deep_slowly(markdown: str, line_offset: int) -> tuple[int, str] | None:
    """The nesting markdown-it-py sees: block levels, and inline levels within a paragraph."""
    from markdown_it import MarkdownIt as SlowMarkdownIt

    # maxNesting is markdown-it's own guard against runaway recursion: past it the rest of a
    # block is left unparsed, which does not matter here, its levels are past the bounds.
    tokens = SlowMarkdownIt("commonmark", {"maxNesting": 100}).enable("table").parse(markdown)
    for token in tokens:
        line = line_offset + (token.map[0] if token.map else 0) + 1
        if token.level > MAX_BLOCK_LEVEL:
            return line, _BLOCK_DEEP
        if any(child.level > MAX_INLINE_LEVEL for child in token.children or ()):
            return line, _INLINE_DEEP
    return None


class _TooDeep(Exception):
    def __init__(self, line: int, what: str) -> None:
        super().__init__(line, what)
        self.line = line
        self.what = what


def parse_body(markdown: str, line_offset: int, incident_date: dt.date | None) -> Body:
    """Read `markdown`, whose first line is line `line_offset + 1` of its file.

    Call nesting_problem first: a body it refuses is not parsed (see load.py). A body nested
    past MAX_BLOCK_LEVEL or MAX_INLINE_LEVEL comes back empty but for `too_deep`."""
    if "\0" in markdown:
        markdown = markdown.replace("\0", "\ufffd")  # as markdown-it-py reads it
    last = markdown.rfind("\n") + 1
    if last and markdown[last:].isspace():
        # markdown-it-py leaves out a last line of spaces that no newline ends; markdown-it-pyrs
        # would stretch a list or a block over it
        markdown = markdown[:last]
    if markdown.count("*") + markdown.count("_") > _MANY_DELIMITERS:
        deep = _too_deep_slowly(markdown, line_offset)
        if deep is not None:
            return Body(too_deep=deep)
    reader = _Reader(markdown, line_offset, incident_date)
    try:
        reader.blocks(_md.tree(markdown).children, 0)
    except _TooDeep as deep:
        return Body(too_deep=(deep.line, deep.what))
    return reader.body


class _Reader:
    """One walk over the tree, in the order of markdown-it-py's token stream.

    Lines are 0-based within the body until they are stored (then `offset + line + 1`); a
    block's last line is the line holding the end of its source map, so `offset + last + 1`
    is the file line markdown-it-py's `line_offset + token.map[1]` gave."""

    def __init__(self, markdown: str, line_offset: int, incident_date: dt.date | None) -> None:
        # Byte offset of the start of every line but the first: source maps count UTF-8 bytes.
        self.source = markdown.encode()
        self.starts = list(accumulate(map((1).__add__, map(len, self.source.split(b"\n")))))
        self.offset = line_offset
        self.day = incident_date
        self.comments = "postmortems:" in markdown  # suppressions are looked for only then
        self.body = Body()
        self.current = ""
        self.breaks = 0  # line breaks so far in the inline content being read
        self.html_lines = 0  # and line breaks within its inline HTML

    def line(self, byte: int) -> int:
        return bisect_right(self.starts, byte)

    def blank(self, line: int) -> bool:
        if not 0 < line < len(self.starts) - 1:  # a line that a newline ends
            return False
        return not self.source[self.starts[line - 1] : self.starts[line] - 1].strip()

    def lines_of(self, node: Node) -> tuple[int, int]:
        """First and last line of one node."""
        srcmap = node.srcmap
        if srcmap is None:
            return 0, 0
        starts = self.starts
        return bisect_right(starts, srcmap[0]), bisect_right(starts, srcmap[1])

    def span(self, nodes: Sequence[Node]) -> tuple[int, int]:
        """First and last line of consecutive nodes."""
        first = next((n.srcmap for n in nodes if n.srcmap is not None), None)
        last = next((n.srcmap for n in reversed(nodes) if n.srcmap is not None), None)
        if first is None or last is None:
            return 0, 0
        return self.line(first[0]), self.line(last[1])

    def blocks(self, nodes: Sequence[Node], level: int) -> None:
        """The children of a container, whose tokens markdown-it-py put at `level`."""
        following: dict[int, int | None] = {}
        count = len(nodes)
        index = 0
        while index < count:
            node = nodes[index]
            name = node.name
            if name not in _BLOCKS:  # a tight list item's paragraph
                end = index + 1
                while end < count and nodes[end].name not in _BLOCKS:
                    end += 1
                run = nodes[index:end]
                self.paragraph(run, self.span(run), level)
                index = end
                continue
            if name == "definition":
                index += 1
                continue
            span = self.lines_of(node)
            if level > MAX_BLOCK_LEVEL:
                raise _TooDeep(self.offset + span[0] + 1, _BLOCK_DEEP)
            if name == "paragraph":
                self.paragraph(node.children, span, level)
            elif name in _CONTAINERS:
                self.blocks(node.children, level + 1)
            elif name == "heading" or name == "lheading":
                if level + 1 > MAX_BLOCK_LEVEL:
                    raise _TooDeep(self.offset + span[0] + 1, _BLOCK_DEEP)
                # a setext heading's inline token ends on its text, above the underline
                title, prose = self.inline(node.children, (span[0], span[1] - (name == "lheading")))
                self.current = normalise_title(title)
                first, last = span
                self.body.sections.append(Section(title, self.current, self.offset + first + 1, self.offset + last + 1))
                self.prose(prose, first)
            elif name == "table":
                self.table(node, level)
            elif name == "html_block" and self.comments:
                self.html_block(nodes, index, span, following)
            index += 1

    def paragraph(self, children: Sequence[Node], span: tuple[int, int], level: int) -> None:
        if level + 1 > MAX_BLOCK_LEVEL:  # the paragraph's token, or its inline token, one deeper
            raise _TooDeep(self.offset + span[0] + 1, _BLOCK_DEEP)
        plain, prose = self.inline(children, span)
        self.prose(prose, span[0])
        if self.current == "summary" and not self.body.summary:
            self.body.summary = " ".join(plain.split())

    def table(self, node: Node, level: int) -> None:
        """table, thead/tbody, trow and tcell stand for markdown-it-py's table, thead/tbody,
        tr and th/td tokens (one level each); a cell's inline token is one deeper, on its row."""
        if level > MAX_BLOCK_LEVEL:
            raise _TooDeep(self.offset + self.lines_of(node)[0] + 1, _BLOCK_DEEP)
        timeline = self.current == "timeline" and not self.body.timeline
        entries: list[TimelineEntry] = []
        day = self.day
        for part in node.children:
            if level + 1 > MAX_BLOCK_LEVEL:
                raise _TooDeep(self.offset + self.lines_of(part)[0] + 1, _BLOCK_DEEP)
            for row in part.children:
                first = self.lines_of(row)[0]
                if level + 2 > MAX_BLOCK_LEVEL:
                    raise _TooDeep(self.offset + first + 1, _BLOCK_DEEP)
                if level + 3 > MAX_BLOCK_LEVEL:
                    # th/td tokens have no line map, and markdown-it-py's levels put them here
                    raise _TooDeep(self.offset + 1, _BLOCK_DEEP)
                if level + 4 > MAX_BLOCK_LEVEL:
                    raise _TooDeep(self.offset + first + 1, _BLOCK_DEEP)
                cells = []
                for cell in row.children:
                    plain, prose = self.inline(cell.children, (first, first))
                    self.prose(prose, first)
                    cells.append(" ".join(plain.split()))
                if timeline and part.name == "tbody" and cells:
                    when = parse_time(cells[0], day)
                    if when is not None:
                        day = when.date()
                    entries.append(TimelineEntry(self.offset + first + 1, cells[0], when, tuple(cells)))
        if timeline:
            self.body.timeline = entries

    def html_block(
        self, nodes: Sequence[Node], index: int, span: tuple[int, int], following: dict[int, int | None]
    ) -> None:
        content = _content(nodes[index])
        if "postmortems:" not in content:
            return
        start, end = self.offset + span[0] + 1, self.offset + span[1] + 1
        if _only_comments(content):
            after = self.next_block(nodes, index, following)
            if after is not None:
                end = self.offset + after + 1
        line, counted = start, 0
        for offset, inner in _comments(content):
            line += content.count("\n", counted, offset)
            counted = offset
            self.body.suppressions.extend(_suppression(inner, line, start, end))

    def next_block(self, nodes: Sequence[Node], index: int, following: dict[int, int | None]) -> int | None:
        """The last line of the block after the comment-only block nodes[index] in the same
        container, past other comment-only blocks (stacked suppressions all reach the block
        under them); None at the container's end. `following` remembers the answer for the
        blocks passed over."""
        passed = [index]
        answer: int | None = None
        for position in range(index + 1, len(nodes)):
            node = nodes[position]
            name = node.name
            if name == "definition":
                continue
            if position in following:
                answer = following[position]
                break
            if name == "html_block" and _only_comments(_content(node)):
                passed.append(position)
                continue
            if name in _BLOCKS:
                answer = self.lines_of(node)[1]
                if name == "blockquote" and not node.children:
                    while self.blank(answer + 1):  # markdown-it-py's empty quote takes in the
                        answer += 1  # blank lines after it
            else:  # a tight list item's paragraph
                end = position + 1
                while end < len(nodes) and nodes[end].name not in _BLOCKS:
                    end += 1
                answer = self.span(nodes[position:end])[1]
            break
        for position in passed:
            following[position] = answer
        return answer

    def inline(self, children: Sequence[Node], span: tuple[int, int]) -> tuple[str, str]:
        """Read the inline content of one block (markdown-it-py's inline token) on lines `span`,
        keeping its links and suppressions; returns its plain text (code spans keep their text)
        and its prose (code spans left out, a space keeping words apart)."""
        if len(children) == 1:  # most table cells and many paragraphs: one run of text
            only = children[0]
            if only.name in _TEXT:
                content: str = only.meta["content"]
                return content, content
        plain: list[str] = []
        prose: list[str] = []
        self.breaks = self.html_lines = 0
        self.walk(children, 0, span, plain, prose, self.body.links, self.body.suppressions)
        return "".join(plain), "".join(prose)

    def prose(self, text: str, first: int) -> None:
        if text.strip():
            self.body.text.append(TextLine(self.offset + first + 1, text, self.current))

    def walk(
        self,
        nodes: Sequence[Node],
        level: int,
        span: tuple[int, int],
        plain: list[str],
        prose: list[str],
        links: list[Link],
        found: list[Suppression],
    ) -> None:
        """Inline nodes at markdown-it-py's inline `level`, in token order. An image's alt text
        and a code span's text are not tokens of the inline stream, so they are not walked."""
        if nodes and level > MAX_INLINE_LEVEL:
            raise _TooDeep(self.offset + span[0] + 1, _INLINE_DEEP)
        for node in nodes:
            name = node.name
            if name in _TEXT:
                content = node.meta["content"]
                plain.append(content)
                prose.append(content)
            elif name in _BREAKS:
                plain.append("\n")
                prose.append("\n")
                self.breaks += 1
            elif name == "code_inline":
                plain.append("".join(child.meta["content"] for child in node.children))
                prose.append(" ")
            elif name == "html_inline":
                content = node.meta["content"]
                if self.comments and content.startswith("<!--") and content.endswith("-->"):
                    line = self.offset + span[0] + 1 + self.breaks + self.html_lines
                    found.extend(
                        _suppression(content[4:-3], line, self.offset + span[0] + 1, self.offset + span[1] + 1)
                    )
                self.html_lines += content.count("\n")
            elif name == "image":
                links.append(Link(self.offset + span[0] + 1 + self.breaks, str(node.meta.get("url") or ""), image=True))
            else:
                if name == "link" or name == "autolink":
                    links.append(
                        Link(self.offset + span[0] + 1 + self.breaks, str(node.meta.get("url") or ""), image=False)
                    )
                self.walk(node.children, level + 1, span, plain, prose, links, found)


def _content(node: Node) -> str:
    return str(node.meta.get("content", ""))


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
