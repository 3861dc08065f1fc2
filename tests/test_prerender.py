"""prerender.py, the pages `postmortems generate` hands to a generator: whatever the body says,
the generator's own Markdown pass (Python-Markdown, as Zensical uses, or any CommonMark
renderer) finds nothing to turn into markup, and the reader sees the text the sanitised
rendering shows. Also sitepaths.relative_url against MkDocs' own get_relative_url."""

from __future__ import annotations

import re

import markdown
from bs4 import BeautifulSoup
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from mkdocs.utils import get_relative_url

from mkdocs_postmortems.prerender import Prerender
from mkdocs_postmortems.sanitize import BlockStore, clean
from mkdocs_postmortems.sitepaths import relative_url

HOSTILE = (
    "## Summary\n\n<script>alert('s')</script>\n\n<img src=x onerror=alert(1)>\n\n"
    "[js](javascript:alert(2)) [ok](other.md#part) ![pic](graph.png)\n\n"
    "## Heading <b onclick=alert(3)>bold</b> *em* {{ 7*7 }} [link](x.md)\n\n"
    "```\n<script>alert('code')</script>\n\nafter a blank line\n```\n\n"
    "    indented <script>alert('indented')</script>\n\n"
    '{% raw %}--8<-- "/etc/passwd"{++ins++}\n\n'
    "<details><summary>More</summary>\n\nHidden *text*.\n\n</details>\n\n"
    "a paragraph with an unclosed <div> of its own\n"
)
PAGES = {"2026/a.md": "2026/a/", "2026/other.md": "2026/other/", "2026/graph.png": "2026/graph.png", "x.md": "x/"}


def prerender() -> Prerender:
    return Prerender(["attr_list", "admonition"], {}, PAGES.get)


def dangerous(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    found = [f"<{t.name}>" for t in soup.find_all(["script", "style", "iframe", "object"])]
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            text = " ".join(value) if isinstance(value, list) else str(value)
            if name.lower().startswith("on") or text.strip().lower().startswith("javascript:"):
                found.append(f"{tag.name}[{name}={text}]")
    return found


def text_of(html: str) -> str:
    # Python-Markdown can leak a placeholder's STX/ETX (`*x**x*&lt;`, in MkDocs' rendering too);
    # its second pass drops them.
    text = BeautifulSoup(html, "html.parser").get_text(" ").replace("\x02", "").replace("\x03", "")
    return " ".join(text.split())


HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"]
EXTENSIONS = ["toc", "tables", "fenced_code", "attr_list", "admonition"]


def structure(html: str) -> list[str]:
    """The elements, in order, outside headings (whose inline markup generate drops), without
    generate's own wrappers and without empty headings (which have nothing to show)."""
    soup = BeautifulSoup(html, "html.parser")
    names = []
    for tag in soup.find_all(True):
        if tag.find_parent(HEADINGS) is not None or (tag.name == "div" and "pm-html" in (tag.get("class") or [])):
            continue
        if tag.name in HEADINGS and not tag.get_text(strip=True):
            continue
        names.append(tag.name)
    return names


def second_passes(page: str) -> dict[str, str]:
    """The generator's rendering of the page: Python-Markdown as Zensical runs it (the same
    extensions), and CommonMark (markdown-it-py)."""
    # Zensical always adds pymdownx.superfences; its fence preprocessor, like fenced_code's,
    # reads raw HTML too.
    python_markdown = markdown.Markdown(extensions=[*EXTENSIONS, "pymdownx.superfences"])
    return {
        "python-markdown": python_markdown.convert(page),
        "commonmark": MarkdownIt("commonmark").enable("table").render(page),
    }


def test_a_hostile_body_stays_text_under_both_renderers() -> None:
    page = prerender().page(HOSTILE, "2026/a.md", BlockStore(), sanitise=True)
    for name, html in second_passes(page).items():
        assert dangerous(html) == [], name
        soup = BeautifulSoup(html, "html.parser")
        assert soup.find("details") is not None, name  # what GitHub renders stays
        assert "{{ 7*7 }}" in soup.get_text(), name  # a brace is text, never a template
        assert "--8<--" in soup.get_text(), name
        code = soup.select_one("pre")
        assert code is not None and "after a blank line" in code.get_text(), name  # the code block kept whole
    headings = [line for line in page.splitlines() if line.startswith("#")]
    assert len(headings) == 2 and headings[0] == "## Summary"
    assert re.fullmatch(r"## Heading bold em [&#0-9;]+ 7&#42;7 [&#0-9;]+ link", headings[1]), headings[1]


def test_relative_links_point_at_the_page_urls_from_the_source_file() -> None:
    """As Zensical reads them (it rewrites each for the page's URL, 2026/a/): `other.md#part`
    is the page 2026/other/, and the picture the file beside."""
    page = prerender().page(HOSTILE, "2026/a.md", BlockStore(), sanitise=True)
    soup = BeautifulSoup(second_passes(page)["python-markdown"], "html.parser")
    hrefs = {a.get_text(): a.get("href") for a in soup.find_all("a")}
    assert hrefs["ok"] == "other/#part"
    picture = soup.find("img", alt="pic")
    assert soup.find("a", string="link") is None  # a link in a heading is its text only
    assert picture is not None and picture["src"] == "graph.png"
    assert "js" in hrefs and not str(hrefs["js"] or "").startswith("javascript")


def test_the_plugin_blocks_go_back_in_unsanitised() -> None:
    blocks = BlockStore()
    block = blocks.protect('<div class="pm-header" data-pm-x="1"><input type="search" data-pm-filter="q"></div>')
    page = prerender().page(f"{block}\n\n## Next\n\ntext\n", "2026/a.md", blocks, sanitise=True)
    html = second_passes(page)["python-markdown"]
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one(".pm-header[data-pm-x] input[data-pm-filter=q]") is not None
    assert soup.find("h2", string="Next") is not None


alphabet = st.sampled_from(
    [
        *"ab <>&\"'`*_[]()#!-+=:{}|\\\n",
        "<script>",
        "</script>",
        "<img src=x onerror=alert(1)>",
        "javascript:alert(1)",
        "](javascript:x)",
        "{: onclick=x }",
        "<div>",
        "</div>",
        "```",
        "```\n",
        "    ```\n",
        "&#10;```&#10;",
        "&#13;```&#13;",
        '<p title="&#13;```">',
        "`",
        "~~~",
        "*x*",
        "    ",
        "\n\n",
        "## ",
        "<!--",
        "-->",
        "&lt;",
        "&#60;",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(alphabet, max_size=40).map("".join))
@example("## *x* <b>b</b> [a](javascript:x)")  # a heading's markup
@example("```\ncode\n\n*x* [a](b.md)\n```\n")  # a blank line inside a raw block
@example("<div>\n\n*x*\n\n</div>")
@example("a<div>\n## a\n\nb")  # an unclosed <div> wraps the heading once sanitised
# A fence at the start of a line inside a raw block (an indented code block's content; `&#10;`,
# which sanitising turns into a newline) would break the block open in the second pass.
@example("    a\n    ```\n\nq <div>z&#10;```&#10;</div> \\[x\\](javascript:alert(1))\n")
# The same with carriage returns, which sanitising writes out and Python-Markdown reads as breaks.
@example(
    "<div><p>a&#13;```&#13;</p><div><div>&#13;```&#13;</div></div>"
    'q`<span title="`[x](javascript:alert(1))">y</span></div>'
)
@example('<p title="&#13;```&#13;">a</p><div><p title="&#13;```&#13;">b</p></div>\n\n[x](javascript:alert(2))')
def test_no_input_becomes_markup_in_the_second_pass(body: str) -> None:
    page = prerender().page(body, "2026/a.md", BlockStore(), sanitise=True)
    first = clean(markdown.Markdown(extensions=EXTENSIONS).convert(body))
    for name, html in second_passes(page).items():
        assert dangerous(html) == [], (name, body, page)
        if "<script>" in body and "</script>" in body:
            # A <script> opened in a heading and closed further down takes what lies between
            # when the whole page is sanitised; generate sanitises a heading on its own.
            continue
        # The reader sees the words the sanitised rendering shows, in the same order.
        assert text_of(html).replace(" ", "") == text_of(first).replace(" ", ""), (name, body, page)
        assert structure(html) == structure(first), (name, body, page)


@given(
    st.lists(st.sampled_from(["", "a", "b", "..", ".", "x.html", "index.html", "c.d"]), max_size=4).map("/".join),
    st.lists(st.sampled_from(["", "a", "b", "..", "x.html", "api"]), max_size=4).map("/".join),
    st.booleans(),
)
def test_relative_url_is_mkdocs_get_relative_url(url: str, other: str, slash: bool) -> None:
    url = url + "/" if slash else url
    assert relative_url(url, other) == get_relative_url(url, other)
