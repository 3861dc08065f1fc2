"""Pages for a site generator that runs no plugin of ours (generate.py).

Under Zensical nothing can sanitise a page after its Markdown is rendered, so each page is
rendered here, as MkDocs renders it: Python-Markdown with MkDocs' own extensions and the
repository's `markdown_extensions`, relative links made relative to the page's URL. The
author's HTML is then sanitised as the plugin sanitises it (sanitize.clean), the plugin's blocks
are put back, and the page is handed over as Markdown the generator can do nothing to:

- each top-level heading as an ATX heading whose text has every ASCII mark written as a
  character reference, so the generator's table of contents and anchors still work and no
  Markdown or HTML in the text is ever read;
- everything between two headings as one raw HTML block on one line (a newline in text is
  `&#10;`), which CommonMark and Python-Markdown both pass through untouched, and in which no
  line-based syntax (a code fence, a snippet) can start;
- no brace anywhere as written (`&#123;`, `&#125;`): extensions that read page text as a
  template (Zensical's macros, critic marks) find nothing to act on in a post-mortem's words.
  Our pages hold no script or style element of HTML's own, where a reference would stay as it
  is (a chart's style sits inside its SVG, where references are read).
"""

from __future__ import annotations

import html
import posixpath
import re
import secrets
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import markdown
from markdown.extensions.toc import remove_fnrefs, render_inner_html, strip_tags
from markdown.treeprocessors import Treeprocessor
from markdown.util import AMP_SUBSTITUTE

from .sanitize import BlockStore, clean
from .settings import ConfigError
from .sitepaths import relative_url

MKDOCS_EXTENSIONS = ("toc", "tables", "fenced_code")  # MkDocs adds these to every site's list
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})
_TAG = re.compile(r"(<[^>]*>)")
# Python-Markdown reads "\r" as a line break too (sanitising writes `&#13;` out as one).
_TEXT_REFERENCES = str.maketrans({"\n": "&#10;", "\r": "&#13;", "[": "&#91;", "]": "&#93;"})
_TAG_BREAKS = str.maketrans({"\n": " ", "\r": " ", "[": "&#91;", "]": "&#93;"})  # brackets: only in values
_SPACES = re.compile(r"^[ \t]+|[ \t]{2,}", re.M)


@dataclass
class _Page:
    src_uri: str = ""
    headings: list[tuple[int, str]] = field(default_factory=list)


class _Links(Treeprocessor):
    """Links and images to a docs file pointed at its URL (MkDocs' _RelativePathTreeprocessor,
    without its guesses and warnings: `broken-link` reports those), written relative to the
    page's source file: Zensical reads every relative link of a page that way, raw HTML's too,
    and rewrites it for the page's URL."""

    def __init__(self, md: markdown.Markdown, page: _Page, url_of: Callable[[str], str | None]) -> None:
        super().__init__(md)
        self.page = page
        self.url_of = url_of

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            key = "href" if element.tag == "a" else "src" if element.tag == "img" else None
            value = element.get(key) if key else None
            if key and value:
                element.set(key, self.rewrite(value))

    def rewrite(self, url: str) -> str:
        scheme, netloc, path, query, fragment = urlsplit(url)
        if scheme or netloc or not path or url.startswith(("/", "\\")) or AMP_SUBSTITUTE in url:
            return url
        target = posixpath.normpath(posixpath.join(posixpath.dirname(self.page.src_uri), unquote(path)).lstrip("/"))
        target_url = self.url_of(target)
        if target_url is None:  # not published: left as written, as MkDocs leaves it
            return url
        return urlunsplit(("", "", relative_url(target_url, self.page.src_uri), query, fragment))


class _Headings(Treeprocessor):
    """Each top-level heading out of the tree, its plain text noted, a marker paragraph in its place."""

    def __init__(self, md: markdown.Markdown, page: _Page, marker: str) -> None:
        super().__init__(md)
        self.page = page
        self.marker = marker

    def run(self, root: etree.Element) -> None:
        for index, element in enumerate(list(root)):
            if element.tag not in HEADINGS:
                continue
            for child in list(element):  # the toc extension's permalink
                if child.tag == "a" and "headerlink" in (child.get("class") or "").split():
                    element.remove(child)
            # As the toc extension names a heading (inner HTML rendered, tags stripped), after
            # sanitising: the text of a script in a heading is dropped, as on the page.
            inner = clean(render_inner_html(remove_fnrefs(element), self.md))
            # Control characters out (Python-Markdown can leak a placeholder's STX/ETX).
            text = " ".join(
                "".join(c for c in html.unescape(strip_tags(inner)) if c.isprintable() or c.isspace()).split()
            )
            marker = etree.Element("p")
            marker.text = f"{self.marker}{len(self.page.headings)}X"
            self.page.headings.append((int(element.tag[1]), text))
            root.remove(element)
            root.insert(index, marker)


class Prerender:
    """Renders pages for generate.py; `url_of` gives the site URL of a docs file (None: not published)."""

    def __init__(
        self, extensions: list[Any], configs: dict[str, dict[str, Any]], url_of: Callable[[str], str | None]
    ) -> None:
        names = [e for e in extensions if isinstance(e, str)]
        wanted = [*(e for e in MKDOCS_EXTENSIONS if e not in names), *extensions]
        self._md = markdown.Markdown(extensions=wanted, extension_configs=configs)
        self._page = _Page()
        # A new random part per run, so an author cannot write a marker (as in BlockStore).
        self._marker = f"PMHEADING{secrets.token_hex(8).upper()}X"
        self._markers = re.compile(rf"<p>{self._marker}(\d+)X</p>")
        # After every other treeprocessor (inline at 20, toc at 5, MkDocs' links at 0 would be).
        self._md.treeprocessors.register(_Links(self._md, self._page, url_of), "pm_links", 1)
        self._md.treeprocessors.register(_Headings(self._md, self._page, self._marker), "pm_headings", -10)

    @classmethod
    def checked(
        cls,
        extensions: list[Any],
        configs: dict[str, dict[str, Any]],
        url_of: Callable[[str], str | None],
        source: str,
    ) -> Prerender:
        """A Prerender, or ConfigError naming the extension Python-Markdown could not load."""
        try:
            return cls(extensions, configs, url_of)
        except Exception as exc:  # ImportError, KeyError for an option, anything an extension raises
            raise ConfigError(
                f"{source}: markdown_extensions: Python-Markdown cannot load them: {type(exc).__name__}: {exc}"
            ) from None

    def page(self, text: str, src_uri: str, blocks: BlockStore, sanitise: bool) -> str:
        """The generator's Markdown for a page whose Markdown is `text` (its front matter apart)."""
        self._md.reset()
        self._page.src_uri, self._page.headings = src_uri, []
        rendered = self._md.convert(text)
        if sanitise:
            rendered = clean(rendered)  # placeholders and markers are letters and digits: they stay
        rendered = self._nested_headings(rendered)
        rendered = blocks.finish(blocks.restore(rendered))
        parts = self._markers.split(rendered)
        out = [_raw_block(parts[0])]
        for index in range(1, len(parts), 2):
            level, heading = self._page.headings[int(parts[index])]
            if heading:
                out.append(f"{'#' * level} {_inert(heading)}")
            out.append(_raw_block(parts[index + 1]))
        return "\n\n".join(part for part in out if part) + "\n"

    def _nested_headings(self, rendered: str) -> str:
        """A heading whose marker ended up inside an element (an unclosed `<div>` of the author's
        wraps it once the page is sanitised) goes back in as escaped HTML: splitting there would
        leave a block unbalanced, and the generator would read on past its end."""
        depths = _Depths(self._marker)
        depths.feed(rendered)
        depths.close()

        def heading(match: re.Match[str]) -> str:
            index = int(match.group(1))
            if depths.depth_of.get(index, 1) == 1:
                return match.group(0)
            level, text = self._page.headings[index]
            return f"<h{level}>{html.escape(text)}</h{level}>"

        return self._markers.sub(heading, rendered)


class _Depths(HTMLParser):
    """How deep each heading marker sits in the page's elements (1: in its own top-level <p>)."""

    def __init__(self, marker: str) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.depth_of: dict[int, int] = {}
        self._pattern = re.compile(rf"{marker}(\d+)X")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID:
            self.depth = max(0, self.depth - 1)

    def handle_data(self, data: str) -> None:
        for match in self._pattern.finditer(data):
            self.depth_of[int(match.group(1))] = self.depth


def _raw_block(rendered: str) -> str:
    """HTML as one raw block on one line, starting with `<div>`: Python-Markdown's line-based
    preprocessors (fenced code, superfences, which Zensical always adds, snippets) run over raw
    HTML too, and a fence at the start of a line inside a block would break it open."""
    rendered = rendered.strip()
    if not rendered:
        return ""
    parts = _TAG.split(rendered)
    # In text (attribute values included, where a `>` fooled the split) a line break is a
    # reference, and brackets are too: were a block ever to end early, no Markdown link could
    # start in what follows. Inside a tag a line break is a space (in an attribute's value too),
    # and brackets, which only values hold, are references as in text.
    parts[::2] = [_SPACES.sub(_references, text).translate(_TEXT_REFERENCES) for text in parts[::2]]
    parts[1::2] = [tag.translate(_TAG_BREAKS) for tag in parts[1::2]]
    return f'<div class="pm-html">{no_braces("".join(parts))}</div>'


def _references(run: re.Match[str]) -> str:
    """An indent or a run of spaces in text as character references, one in two: the same text
    in HTML, no indent for a Markdown parser to read, and no long run of spaces (Zensical 0.0.73
    takes time far worse than linear in them: 800 lines of up to 1,600 spaces took 147 s)."""
    return "".join("&#9;" if c == "\t" else "&#32;" if i % 2 == 0 else " " for i, c in enumerate(run.group(0)))


def no_braces(text: str) -> str:
    return text.replace("{", "&#123;").replace("}", "&#125;")


def _inert(text: str) -> str:
    """Heading text with every ASCII mark as a character reference: no Markdown, no HTML."""
    return "".join(f"&#{ord(ch)};" if ch.isascii() and not ch.isalnum() and ch != " " else ch for ch in text)
