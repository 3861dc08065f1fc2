"""What an author's Markdown may render: GitHub's allowance, enforced with nh3 (ammonia).

A pull request is untrusted input, and the site is read by everyone in the company: raw HTML in
a body (`<script>`, `onerror=`, `[x](javascript:…)`, attr_list's `{: onclick=… }`) must not
reach readers as written. The page's HTML is sanitised after Markdown has rendered it, so
every way of producing markup is covered at once; what stays is what GitHub renders in the pull
request (headings, lists, tables, links, images, code, `<details>`, footnotes, admonitions),
so reviewers see what will be published.

The plugin's own blocks (header card, action items, related incidents) are rendered by Jinja
with autoescape and carry the classes and data attributes the theme and scripts need; they are
put aside as placeholders while the author's part is sanitised, then put back (BlockStore).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import html
import re
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import nh3

TAGS = frozenset(
    {
        *("h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "div", "span", "blockquote", "pre", "code"),
        *("b", "i", "strong", "em", "s", "strike", "del", "ins", "sub", "sup", "mark", "small", "kbd", "samp"),
        *("var", "q", "cite", "dfn", "abbr", "time", "wbr", "tt", "bdo", "ruby", "rt", "rp"),
        *("ul", "ol", "li", "dl", "dt", "dd"),
        *("table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "colgroup", "col"),
        *("a", "img", "figure", "figcaption", "details", "summary", "input"),
    }
)
_COMMON = {"class", "id", "title", "lang", "dir", "align"}
ATTRIBUTES: dict[str, set[str]] = {
    "*": _COMMON,
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height", "loading"},
    "ol": {"start", "type", "reversed"},
    "li": {"value"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "style", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "details": {"open"},
    "time": {"datetime"},
    "abbr": {"title"},
    "input": {"type", "checked", "disabled"},  # task lists
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})  # and relative URLs
STYLE_PROPERTIES = frozenset({"text-align"})  # the tables extension aligns columns with style=


# Elements whose content an HTML parser reads as text up to their end tag: one left open would
# take the rest of the page with it when it is removed.
_RAW_TEXT = re.compile(r"<(script|style|textarea|title|xmp|iframe|noembed|noframes|noscript|plaintext)\b", re.I)


def _unclosed_raw_text(html: str) -> str:
    """`html` with the `<` of every such element that is never closed written as `&lt;`, so
    the tag shows as text and what follows it stays on the page."""
    lowered = html.lower()
    out: list[str] = []
    done = 0
    for match in _RAW_TEXT.finditer(html):
        if match.start() < done:  # inside an earlier element of this kind: text
            continue
        name = match.group(1).lower()
        end = -1 if name == "plaintext" else lowered.find(f"</{name}", match.end())
        if end == -1:
            out += [html[done : match.start()], "&lt;"]
            done = match.start() + 1
        else:
            out.append(html[done:end])
            done = end
    out.append(html[done:])
    return "".join(out)


# Built once: nh3.clean() converts the allowance from Python sets at every call (a sixth of
# its time on a post-mortem page).
_CLEANER = nh3.Cleaner(
    tags=set(TAGS),
    attributes=ATTRIBUTES,
    url_schemes=set(URL_SCHEMES),
    filter_style_properties=set(STYLE_PROPERTIES),
    link_rel=None,
    strip_comments=True,
)


def clean(html: str) -> str:
    """`html` with everything outside the allowance removed (script and style with their text;
    one left open is shown as text instead of taking the rest of the page)."""
    return _CLEANER.clean(_unclosed_raw_text(html))


def clean_all(pages: list[str]) -> list[str]:
    """clean() of each: what a process that sanitises pages for another is sent."""
    return [clean(page) for page in pages]


# A heading's tags (kept), or any other tag.
_TAG = re.compile(r"(</?h[1-6]\b[^>]*>)|<[^>]*>")


def search_words(block: str) -> str:
    """One of the plugin's blocks as search should read it: its headings as they are (themes
    and search look for them: Material adds a title when the content has no `<h1`), every other
    tag a space, white space collapsed. The blocks are Jinja's, autoescaped: no `<` or `>`
    inside an attribute."""
    return " ".join(_TAG.sub(lambda tag: tag.group(1) or " ", block).split())


class BlockStore:
    """Trusted HTML blocks kept aside as placeholders while the rest of a page is sanitised.

    A placeholder is letters and digits only, so Markdown leaves it alone (a paragraph of its
    own); its random part is new for every store (a plugin instance), so an author cannot
    forge one. Its key is the block's hash, so a page rendered in an earlier `mkdocs serve`
    build can be reused as it is: `sweep` keeps the blocks the last build used. Without `keep`
    (a one-off build) a block is forgotten once every page that placed it has it back."""

    def __init__(self, keep: bool = False) -> None:
        self.keep = keep
        self._prefix = f"PMBLOCK{secrets.token_hex(8).upper()}X"
        self._blocks: dict[str, str] = {}
        self._words: dict[str, str] = {}  # an indexed block's words, when they were given
        self._pending: dict[str, Callable[[], str]] = {}  # blocks still being made (protect_pending)
        self._placed: dict[str, int] = {}  # without `keep`: placeholders not yet put back
        self._used: set[str] = set()
        self._recording: list[list[str]] = []
        self._pattern = re.compile(rf"(?:<p>)?{self._prefix}([LI]?)([0-9A-F]+)X(?:</p>)?")
        # A late block's comment, or an indexed block's comment, its words and its end comment
        # (the words come from our own block: no comment in them holds the secret prefix).
        # A pending block's comment has P, which no placeholder of `_pattern` holds.
        self._pending_mark = f"<!--{self._prefix}P"
        self._late = re.compile(
            rf"<!--{self._prefix}(?:[LP]([0-9A-F]+)X-->|I([0-9A-F]+)X-->.*?<!--{self._prefix}IX-->)", re.S
        )

    def __len__(self) -> int:
        return len(self._blocks)

    def protect(self, html: str) -> str:
        return f"{self._prefix}{self._store(html)}X"

    def protect_late(self, html: str) -> str:
        """A block that goes in only once the page is written (`finish`): the search index,
        made from the page's content, never sees it (lists of other incidents' titles)."""
        return f"{self._prefix}L{self._store(html)}X"

    def protect_indexed(self, html: str, words: str | None = None) -> str:
        """A block that search indexes as its text alone: until the page is written, the
        block's words stand in its place (`restore`), and `finish` puts the block in. Material's
        search parser pays for every tag, and a header card or an action table has hundreds;
        the words it indexes are the same. `words`: search_words(html), when a process that
        renders pages ahead has worked them out already."""
        key = self._store(html)
        if words is not None:
            self._words[key] = words
        return f"{self._prefix}I{key}X"

    def protect_pending(self, name: str, make: Callable[[], str]) -> str:
        """A block that another process is still making (a chart drawn while MkDocs builds the
        pages), named by `name`; `make()` gives it when the written page needs it (`finish`).
        The placeholder is an HTML comment, to be put inside another block, and goes in once
        the page is written, like a late block's."""
        key = hashlib.blake2b(name.encode(), digest_size=12, person=b"pending").hexdigest().upper()
        if key not in self._blocks:
            self._pending[key] = make
        self._place(key)
        return f"{self._pending_mark}{key}X-->"

    def _store(self, html: str) -> str:
        """Keep `html` under its key (its hash), one more placeholder of it to put back."""
        key = hashlib.blake2b(html.encode(), digest_size=12).hexdigest().upper()
        self._blocks[key] = html
        self._place(key)
        return key

    def _place(self, key: str) -> None:
        """One more placeholder of the block `key` placed in a page."""
        if not self.keep:
            self._placed[key] = self._placed.get(key, 0) + 1
        self.touch((key,))

    def touch(self, keys: Iterable[str]) -> None:
        """Mark blocks as used by this build (a page reused from the last one names them)."""
        for key in keys:
            self._used.add(key)
            for recorded in self._recording:
                recorded.append(key)

    @contextlib.contextmanager
    def recording(self) -> Iterator[list[str]]:
        """The keys of the blocks protected or touched inside the `with`."""
        keys: list[str] = []
        self._recording.append(keys)
        try:
            yield keys
        finally:
            self._recording.remove(keys)

    def restore(self, html: str) -> str:
        """The page's content with its blocks in; late ones stay as a comment for `finish`."""

        def block(match: re.Match[str]) -> str:
            kind, key = match.groups()
            if kind and key not in self._blocks:
                return ""
            if kind == "L":
                return f"<!--{self._prefix}L{key}X-->"
            if kind == "I":
                words = self._words.get(key)
                if words is None:
                    words = search_words(self._blocks[key])
                return f"<!--{self._prefix}I{key}X-->{words}<!--{self._prefix}IX-->"
            return self._take(key)

        return self._pattern.sub(block, html)

    def finish(self, page: str) -> str:
        """The written page with its late and indexed blocks in, and the pending blocks (charts)
        they hold: a late or indexed block goes in here, so what it holds is put in after."""

        def put(match: re.Match[str]) -> str:
            return self._take(match.group(1) or match.group(2))

        page = self._late.sub(put, page)
        if self._pending_mark in page:
            page = self._late.sub(put, page)
        return page

    def _take(self, key: str) -> str:
        make = self._pending.pop(key, None)
        if make is not None:
            self._blocks[key] = make()
        html = self._blocks.get(key, "")
        if not self.keep and key in self._placed:
            self._placed[key] -= 1
            if not self._placed[key]:  # every placeholder of it is back: it is not needed again
                del self._placed[key], self._blocks[key]
                self._words.pop(key, None)
        return html

    def sweep(self) -> None:
        """End of a build: forget the blocks it did not use."""
        self._blocks = {k: v for k, v in self._blocks.items() if k in self._used}
        self._words = {k: v for k, v in self._words.items() if k in self._used}
        self._pending = {k: v for k, v in self._pending.items() if k in self._used}
        self._used = set()

    def clear(self) -> None:
        self._blocks.clear()
        self._pending.clear()
        self._words.clear()
        self._used.clear()
        self._placed.clear()


# Front matter of the repository's own pages (index.md, notes) goes to the theme too. Themes
# print its strings raw and act on `template`; MkDocs' loader shares aliased values by
# reference, so walking them is bounded.
REFUSED_TEMPLATES = frozenset({"404.html", "sitemap.xml", "sitemap.xml.gz", "redirect.html"})
META_BUDGET = 10_000


def safe_page_meta(meta: Mapping[str, Any], template_exists: Callable[[str], bool]) -> tuple[dict[str, Any], str]:
    """A page's metadata with every string (keys too) HTML-escaped, and a `template` kept only
    when it is a real page template; returns it and what was dropped ("" when nothing)."""
    budget = [META_BUDGET]

    def escaped(value: Any) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise OverflowError
        if isinstance(value, str):
            return html.escape(value)
        if isinstance(value, Mapping):
            return {escaped(str(k)): escaped(v) for k, v in value.items()}
        if isinstance(value, list | tuple | set | frozenset):
            return [escaped(v) for v in value]
        if value is None or isinstance(value, bool | int | float | dt.date):
            return value
        return html.escape(str(value))

    dropped = ""
    try:
        safe = escaped(meta)
    except OverflowError:
        title = meta.get("title")
        return ({"title": html.escape(title)} if isinstance(title, str) else {}), "its front matter (too large)"
    template = meta.get("template")
    if "template" in safe and not (
        isinstance(template, str) and template not in REFUSED_TEMPLATES and template_exists(template)
    ):
        del safe["template"]
        dropped = f"`template: {template!r}`"
    return safe, dropped
