"""Random hostile repositories, built for real: the build succeeds with every string escaped and
nothing from outside the repository in site/, or fails with located errors; never a traceback,
a hang, or a post-mortem silently missing. `postmortems check` agrees with the strict build.

Each example writes a few files (hostile names, front matter and bodies) and symlinks into a new
temporary repository and runs one `mkdocs build`; a handler on MkDocs' logger counts what
`--strict` would count, so one build answers for both modes. Bounded to run in seconds.
"""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mkdocs.exceptions import Abort, PluginError

from hostile import OUTSIDE_MARKER, all_bytes, check, unsafe_markup
from sitebuild import build_site, write_site

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "javascript:alert(3)",
    "[x](javascript:alert(4))",
    "\u200b",
    "index",
    "ｉｎｄｅｘ",
    "2147483647",
    "no",
    "line\nbreak",
    "::error file=x,line=1::boom",
]
NAMES = st.sampled_from(
    [
        "2026/a",
        "2026/b",
        "feed.xml",
        "actions.ics",
        "api/actions.json",
        "sitemap.xml",
        "tags",
        "index",
        "2026/a/index",
        "tags/x",
        "x" * 250,
        "2026/ünï-cödé",
        "search/search_index.json",
    ]
)
FIELDS = st.sampled_from(["title", "summary", "tags", "services", "authors", "template", "description", "location"])
BODIES = st.sampled_from(
    [
        "## Summary\n\nPlain summary.\n",
        "<script>alert('b')</script>\n",
        "[l](javascript:alert('c'))\n",
        "Action items\n------------\n",
        "\n".join("  " * i + "- a" for i in range(300)),
        "[" * 2000,
        "Bell \x01 here.\n",
        "## Action items\n\n<img src=x onerror=alert('d')>\n",
        "<!-- postmortems: allow blame-language -->\nhuman error\n",
    ]
)


@st.composite
def postmortem(draw: st.DrawFn) -> str:
    lines = ["title: Incident", "date: 2026-05-01", "severity: SEV2"]
    for field, value in draw(st.lists(st.tuples(FIELDS, st.sampled_from(PAYLOADS)), max_size=3)):
        quoted = json.dumps(value)
        lines.append(f"{field}: [{quoted}]" if field in ("tags", "services", "authors") else f"{field}: {quoted}")
    if draw(st.booleans()):
        lines.append("action_items:\n  - action: Alert on saturation above 85%\n    owner: '@sre'\n    due: 9999-12-31")
    body = "\n\n".join(draw(st.lists(BODIES, min_size=1, max_size=3)))
    return "---\n" + "\n".join(lines) + "\n---\n\n" + body + "\n"


LINKS = st.sampled_from(["outside", "zero", "dangling", "self"])
REPOSITORY = st.tuples(
    st.dictionaries(NAMES, postmortem(), min_size=1, max_size=4),
    st.lists(
        st.tuples(st.sampled_from(["2026/l1", "2026/l2.md", "ev.log"]), LINKS), max_size=2, unique_by=lambda t: t[0]
    ),
)


class Counter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _make_link(docs: Path, name: str, kind: str, outside: Path) -> None:
    path = docs / name
    path.parent.mkdir(parents=True, exist_ok=True)
    target = {"outside": outside, "zero": Path("/dev/zero"), "dangling": docs / "nowhere", "self": path}[kind]
    path.symlink_to(target)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(REPOSITORY)
def test_any_repository_builds_safely_or_fails_located(
    repository: tuple[dict[str, str], list[tuple[str, str]]],
) -> None:
    files, links = repository
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        outside = base / "outside.md"
        outside.write_text(f"---\ntitle: {OUTSIDE_MARKER}\n---\n{OUTSIDE_MARKER}\n")
        config = write_site(base / "repo", {f"{name}.md": text for name, text in files.items()})
        docs = base / "repo" / "postmortems"
        for name, kind in links:
            _make_link(docs, name, kind, outside)
        result = check(base / "repo")
        assert result.exit_code in (0, 1), result.output
        counter = Counter()
        logging.getLogger("mkdocs").addHandler(counter)
        try:
            site = build_site(config)
        except (PluginError, Abort):
            site = None
        finally:
            logging.getLogger("mkdocs").removeHandler(counter)
        # Strict fails exactly when a warning was logged; check fails exactly then too.
        assert (result.exit_code == 1) == bool(counter.messages), (result.output, counter.messages)
        for message in counter.messages:
            assert ":" in message and "Traceback" not in message, message
        if site is None:
            return
        assert OUTSIDE_MARKER.encode() not in all_bytes(site)
        assert unsafe_markup(site) == []
        listing = (site / "incidents" / "index.html").read_text(encoding="utf-8")
        for name in files:
            relative = f"{name}.md"
            if Path(relative).name in ("index.md", "README.md"):
                continue  # a page, not a post-mortem
            pages = [site / name / "index.html", site / f"{name}.html"]
            assert any(p.is_file() for p in pages) or f"postmortems/{relative}" in listing, relative
