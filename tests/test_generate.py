"""`postmortems generate --out DIR`, then a real `zensical build -f DIR/mkdocs.yml`.

Each site is generated and built once per module, in temporary folders (nothing is written in
the repository). Expected results come from the post-mortem files (their front matter, read with
yaml.safe_load) or from the MkDocs build of the same repository, never from the page under test:

1. the example repository: the same pages as `mkdocs build`, each reading the same inside
   <article>, with its header card, action items, related incidents, indexes and dashboard;
2. the exports: the same bytes as the MkDocs build, valid against their schemas, parseable;
3. a hostile repository: no script, event handler or javascript: URL on any page, every hostile
   string shown as text, the generated front matter escaped, `<details>` and tables kept;
4. nothing written outside DIR, DIR refused where it would hold or sit in the repository, a
   second run replacing the first;
5. `--strict`, and findings printed exactly as `postmortems check` prints them;
6. DIR/mkdocs.yml: no plugin, docs_dir/site_dir, `!ENV` kept for Zensical to resolve;
7. `public_only: true`: an internal post-mortem is named nowhere in DIR.
"""

from __future__ import annotations

import contextlib
import html
import importlib.util
import json
import os
import posixpath
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import feedparser
import icalendar
import pytest
import yaml
from bs4 import BeautifulSoup, Tag
from click.testing import Result
from jsonschema import Draft202012Validator, FormatChecker

from hostile import OUTSIDE_MARKER, SCRIPT_BODY, dead_links, hostile_repository, html_files, unsafe_markup
from sitebuild import ROOT, TODAY_EPOCH, article, build_example, build_site, incident, invoke, page, write_site

BIN = Path(sys.executable).parent  # the venv's scripts: postmortems, zensical
ZENSICAL = BIN / "zensical"


def require_zensical() -> None:
    """Skip this module without Zensical, except in CI, where it must be installed."""
    if importlib.util.find_spec("zensical") is not None and ZENSICAL.is_file():
        return
    if os.environ.get("CI"):
        raise RuntimeError(f"zensical is missing in CI: it must be installed in the venv ({BIN})")
    pytest.skip("zensical is not installed (pip install zensical)", allow_module_level=True)


require_zensical()

# The example's mkdocs.yml reads these with !ENV: unset, so both builds show what the files say.
SWITCHES = ("POSTMORTEMS_SHOW_DRAFTS", "POSTMORTEMS_PUBLIC_ONLY")
EXPORT_FILES = (
    "api/postmortems.json",
    "api/actions.json",
    "api/postmortems.schema.json",
    "api/actions.schema.json",
    "actions.ics",
    "feed.xml",
)
KINDS = ("tags", "services", "severities", "years", "factors")
FINDING = re.compile(r"^(?P<path>\S+?):(?P<line>\d+): (?P<level>error|warning)\[(?P<rule>[\w-]+)\]: (?P<message>.*)$")
# Zensical needs about 1–3 s for these sites (6 s for the hardening one): the time-outs only stop
# a build that hangs, and are no measure of speed.
BUILD_TIMEOUT = 120.0
HOSTILE_BUILD_TIMEOUT = 120.0


# -- running the real commands ------------------------------------------------------------------


@contextmanager
def fixed_env(**extra: str) -> Iterator[None]:
    """Fix "today" and unset the example's !ENV switches, for the CLI and the builds."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", TODAY_EPOCH)
        for name in SWITCHES:
            patch.delenv(name, raising=False)
        for name, value in extra.items():
            patch.setenv(name, value)
        yield


def generate(cwd: Path, out: Path, *args: str, config: Path | None = None) -> Result:
    """`postmortems [-f CONFIG] generate --out OUT ARGS` run in `cwd`, as a user runs it."""
    options = ("-f", str(config)) if config is not None else ()
    with fixed_env():
        return invoke(cwd, *options, "generate", "--out", str(out), *args)


def check(cwd: Path, config: Path | None = None) -> Result:
    options = ("-f", str(config)) if config is not None else ()
    with fixed_env():
        return invoke(cwd, *options, "check")


def zensical(config: Path, timeout: float = BUILD_TIMEOUT, **env: str) -> Path:
    """`zensical build --strict -f DIR/mkdocs.yml` in a process of its own: DIR/site."""
    with fixed_env(**env):
        done = subprocess.run(
            [str(ZENSICAL), "build", "--strict", "-f", str(config)],
            cwd=config.parent,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=dict(os.environ),
        )
    assert done.returncode == 0, done.stdout + done.stderr
    site = config.parent / "site"
    assert (site / "index.html").is_file(), done.stdout + done.stderr
    return site


def generated(cwd: Path, out: Path, config: Path | None = None) -> Path:
    """generate, then zensical: the Zensical site."""
    result = generate(cwd, out, config=config)
    assert result.exit_code == 0, result.output
    return zensical(out / "mkdocs.yml")


# -- reading files and pages --------------------------------------------------------------------


def front_matter(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    match = re.match(r"^---[ \t]*\n(.*?\n)---[ \t]*\n", text, re.S)
    assert match is not None, f"no front matter in {path}"
    meta = yaml.safe_load(match.group(1))
    assert isinstance(meta, dict), path
    return meta


@dataclass(frozen=True)
class Source:
    """A post-mortem file of a repository and what its front matter says."""

    url: str  # its page, relative to the site root (directory URLs)
    meta: dict[str, Any]

    @property
    def title(self) -> str:
        return str(self.meta["title"])

    @property
    def published(self) -> bool:
        return bool(self.meta.get("status", "published") == "published")


def sources(docs: Path) -> list[Source]:
    """The post-mortems of a docs folder laid out like the example's (YYYY/<name>.md)."""
    return [
        Source(path.relative_to(docs).with_suffix("").as_posix(), front_matter(path))
        for path in sorted(docs.glob("[0-9][0-9][0-9][0-9]/*.md"))
    ]


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def content(site: Path, url: str) -> Tag:
    """The page's <article> without what only one of the generators adds around our HTML:
    heading permalinks (Zensical adds them by default) and the theme's list of the page's tags
    (Zensical shows `tags:` without a plugin; it is checked on its own below)."""
    body = article(site, url)
    for extra in body.select("nav.md-tags, a.headerlink"):
        extra.decompose()
    return body


def words(tag: Tag) -> str:
    return " ".join(tag.get_text().split())


def pages_of(site: Path) -> set[str]:
    """Every page of a built site, by its directory URL; the theme's assets and search left out."""
    return {
        path.parent.relative_to(site).as_posix()
        for path in site.rglob("index.html")
        if path.relative_to(site).parts[0] not in ("assets", "search")
    }


def heading(body: Tag, text: str) -> Tag | None:
    return next((h for h in body.find_all(["h2", "h3"]) if h.get_text(strip=True) == text), None)


def link_targets(site: Path, url: str) -> list[str]:
    """Where each relative link and image of the page's <article> points, as a path of the site
    (OUTSIDE: a target above the site's root)."""
    found = []
    for tag in content(site, url).find_all(["a", "img"]):
        target = tag.get("href") if tag.name == "a" else tag.get("src")
        if not isinstance(target, str) or not target:
            continue
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or not parts.path or target.startswith("/"):
            continue
        resolved = posixpath.normpath(posixpath.join(url or ".", unquote(parts.path)))
        found.append(f"OUTSIDE {target}" if resolved == ".." or resolved.startswith("../") else resolved)
    return found


def rows(body: Tag, selector: str) -> list[list[str]]:
    return [[words(cell) for cell in row.find_all(["td", "th"])] for row in body.select(selector)]


def snapshot(folder: Path) -> dict[str, tuple[bool, int, int]]:
    """Every entry under `folder` (symbolic links not followed): is a link, size, mtime_ns."""
    found = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        found[path.relative_to(folder).as_posix()] = (path.is_symlink(), info.st_size, info.st_mtime_ns)
    return found


def every_byte(folder: Path) -> dict[str, bytes]:
    """Every regular file under `folder`, by path (symbolic links not followed)."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def finding_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if FINDING.match(line)]


# == 1. the example repository ==================================================================


@dataclass(frozen=True)
class Example:
    mkdocs: Path  # `mkdocs build` of the repository
    zensical: Path  # DIR/site
    out: Path  # DIR
    sources: list[Source]

    @property
    def published(self) -> list[Source]:
        return [s for s in self.sources if s.published]


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Example:
    base = tmp_path_factory.mktemp("example")
    with fixed_env():
        mkdocs_site = build_example(base / "mkdocs-site")
    out = base / "out"
    site = generated(base, out, config=ROOT / "mkdocs.yml")  # run outside the repository, -f to it
    found = sources(ROOT / "postmortems")
    assert len(found) >= 5 and any(not s.published for s in found)  # the example has a draft too
    return Example(mkdocs_site, site, out, found)


def test_the_zensical_site_has_every_page_of_the_mkdocs_build(example: Example) -> None:
    expected = pages_of(example.mkdocs)
    assert len(expected) > 20
    assert pages_of(example.zensical) == expected
    for source in example.published:
        assert source.url in expected, source.url
    for source in example.sources:
        if not source.published:  # a draft: no page in either build, and no source in DIR/docs
            assert source.url not in expected
            assert not (example.out / "docs" / f"{source.url}.md").exists()


def test_every_page_reads_as_in_the_mkdocs_build(example: Example) -> None:
    """The same words and headings (ids included: the table of contents and anchors work)."""
    for url in sorted(pages_of(example.mkdocs)):
        mkdocs_body, zensical_body = content(example.mkdocs, url), content(example.zensical, url)
        assert words(zensical_body) == words(mkdocs_body), url
        outline = [(h.name, h.get("id"), words(h)) for h in mkdocs_body.find_all(["h1", "h2", "h3", "h4"])]
        assert [(h.name, h.get("id"), words(h)) for h in zensical_body.find_all(["h1", "h2", "h3", "h4"])] == outline


def test_every_link_of_the_zensical_site_reaches_its_page(example: Example) -> None:
    """Links and images inside <article> point where the MkDocs build's point, and no link of
    any page is dead. Zensical reads every relative href/src of a page, raw HTML's too, from the
    page's source file (`2026/<name>.md`), not its URL (`2026/<name>/`): generate writes them so."""
    for url in sorted(pages_of(example.mkdocs)):
        assert link_targets(example.zensical, url) == link_targets(example.mkdocs, url), url
    assert dead_links(example.zensical) == []


def test_each_published_postmortem_has_its_card_action_items_and_related_incidents(example: Example) -> None:
    for source in example.published:
        body = content(example.zensical, source.url)
        card = body.select_one(".pm-header")
        assert card is not None, source.url
        title = card.select_one(".pm-title")
        assert title is not None and words(title) == source.title
        assert source.meta["severity"] in words(card)
        for service in source.meta.get("services", []):
            assert service in [words(a) for a in card.select("a.pm-chip")], (source.url, service)
        items = source.meta.get("action_items") or []
        actions = heading(body, "Action items")
        assert actions is not None, source.url
        block = actions.find_next_sibling()  # right under the heading: the plugin's table
        table = block.select_one(".pm-actions table") if block is not None else None
        assert table is not None, source.url
        cells = [[words(td) for td in tr.find_all("td")] for tr in table.select("tbody tr")]
        assert [row[0] for row in cells] == [" ".join(str(item["action"]).split()) for item in items]
        assert [row[1] for row in cells] == [str(item["owner"]) for item in items]
        # Related incidents: the same list as the MkDocs build's, by title.
        expected = [words(li) for li in content(example.mkdocs, source.url).select(".pm-related > li")]
        assert expected, source.url  # the example's incidents share services: each has related ones
        assert [words(li) for li in body.select(".pm-related > li")] == expected


def test_the_incident_index_lists_every_published_postmortem(example: Example) -> None:
    listing = rows(content(example.zensical, "incidents"), ".pm-incidents tbody tr")
    assert listing == rows(content(example.mkdocs, "incidents"), ".pm-incidents tbody tr")
    titles = [row[1] for row in listing]
    assert sorted(titles) == sorted(s.title for s in example.published)
    dates = [row[0] for row in listing]
    assert dates == sorted((str(s.meta["date"]) for s in example.published), reverse=True)


def test_each_index_lists_the_terms_of_the_mkdocs_build(example: Example) -> None:
    for kind in KINDS:
        listing = rows(content(example.zensical, kind), ".pm-terms tbody tr")
        assert listing, kind
        assert listing == rows(content(example.mkdocs, kind), ".pm-terms tbody tr"), kind
    # And from the files: every service, severity and year of a published post-mortem.
    published = example.published
    expected = {
        "services": {str(s).casefold() for p in published for s in p.meta.get("services", [])},
        "tags": {str(t).casefold() for p in published for t in p.meta.get("tags", [])},
        "severities": {str(p.meta["severity"]).casefold() for p in published},
        "years": {str(p.meta["date"])[:4] for p in published},
    }
    for kind, names in expected.items():
        listed = {row[0].casefold() for row in rows(content(example.zensical, kind), ".pm-terms tbody tr")}
        assert listed == names, kind


def test_the_dashboard_table_reads_the_exported_actions(example: Example) -> None:
    site = example.zensical
    live = page(site, "actions").select_one("article [data-pm-dashboard]")
    assert live is not None
    source = live.get("data-src")
    assert isinstance(source, str) and source
    data = (site / "actions" / source).resolve()
    assert data == (site / "api" / "actions.json").resolve() and data.is_file()
    assert live.get("data-root") == "../" and (site / "actions" / "../index.html").is_file()
    items = json.loads(data.read_text(encoding="utf-8"))["items"]
    expected = sum(len(s.meta.get("action_items") or []) for s in example.published)
    assert len(items) == expected
    assert live.select("tbody tr") == []  # drawn in the page by the plugin's script
    scripts = [str(s.get("src")) for s in page(site, "actions").find_all("script", src=True)]
    assert any(src.endswith("assets/postmortems/postmortems.js") for src in scripts)
    assert (site / "assets/postmortems/postmortems.js").is_file()
    assert (site / "assets/postmortems/postmortems.css").is_file()
    counts = content(site, "actions").select_one(".pm-counts")
    mkdocs_counts = content(example.mkdocs, "actions").select_one(".pm-counts")
    assert counts is not None and mkdocs_counts is not None and words(counts) == words(mkdocs_counts)


# == 2. exports ==================================================================================


def test_exports_are_those_of_the_mkdocs_build_byte_for_byte(example: Example) -> None:
    for name in EXPORT_FILES:
        written = (example.out / "docs" / name).read_bytes()
        assert (example.zensical / name).read_bytes() == written, name  # copied as they are
        assert written == (example.mkdocs / name).read_bytes(), name


def test_exports_validate_and_parse(example: Example) -> None:
    site = example.zensical
    for name in ("postmortems", "actions"):
        schema = json.loads((site / f"api/{name}.schema.json").read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        data = json.loads((site / f"api/{name}.json").read_text(encoding="utf-8"))
        Draft202012Validator(schema, format_checker=FormatChecker()).validate(data)
    exported = json.loads((site / "api/postmortems.json").read_text(encoding="utf-8"))["postmortems"]
    assert sorted(p["id"] for p in exported) == sorted(str(s.meta["id"]) for s in example.published)
    calendar = icalendar.Calendar.from_ical((site / "actions.ics").read_bytes())
    uids = sorted(str(event["UID"]) for event in calendar.walk("VEVENT"))
    expected = sorted(
        f"{s.meta['id']}#{n}@mkdocs-postmortems"
        for s in example.published
        for n, item in enumerate(s.meta.get("action_items") or [], start=1)
        if item.get("due") and item.get("status", "open") in ("open", "in-progress")
    )
    assert uids == expected and uids
    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    expected_titles = sorted(f"[{s.meta['severity']}] {s.title}" for s in example.published)
    assert sorted(entry.title for entry in feed.entries) == expected_titles


# == 3. a hostile repository =====================================================================

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
TEMPLATE = "{{ 7*7 }}"
HOSTILE = f"{SCRIPT} {IMG} {TEMPLATE}"
HOSTILE_HEADING = "## Evil <img src=x onerror=alert(2)>\n\n[x](javascript:alert(3))\n"


def quoted(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid YAML double-quoted string


HOSTILE_FILES = {
    "2026/evil.md": incident(
        quoted(HOSTILE),
        extra=(
            f"services: [{quoted(HOSTILE)}, checkout]\n"
            f"tags: [{quoted(HOSTILE)}, {quoted(IMG)}]\n"
            f"authors: [{quoted(HOSTILE)}]\n"
            "action_items:\n"
            f"  - action: {quoted('Fix ' + HOSTILE)}\n"
            f"    owner: {quoted(HOSTILE)}\n"
            "    due: 2026-12-01\n"
            "related: [plain]\n"
        ),
        body=f"{SCRIPT_BODY}\n{HOSTILE_HEADING}",
    ),
    "2026/plain.md": incident("Plain", extra="services: [checkout]\n"),
    # Invalid (the ticket is refused): listed with its error, escaped too.
    "2026/invalid.md": incident(
        quoted(HOSTILE), extra=f"action_items:\n  - action: x\n    ticket: {quoted('javascript:alert(7)')}\n"
    ),
    # A page of the repository, not a post-mortem: in the nav under its (hostile) title.
    "_about.md": f"---\ntitle: {quoted(HOSTILE)}\n---\n\n# About\n\n{SCRIPT_BODY}",
}
CLEAN_FILES = {"2026/clean.md": incident("Clean", extra="services: [checkout]\n"), "_about.md": "# About\n"}


@dataclass(frozen=True)
class Hostile:
    repo: Path
    out: Path
    zensical: Path
    mkdocs: Path
    clean: Path  # the Zensical site of a clean repository with the same mkdocs.yml
    before: dict[str, tuple[bool, int, int]]  # the repository, before generate
    after: dict[str, tuple[bool, int, int]]  # and after generate and zensical


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Hostile:
    base = tmp_path_factory.mktemp("hostile")
    # No `tags` plugin: Material's adds attr_list to the MkDocs build, which generate cannot see.
    config = write_site(base / "repo", HOSTILE_FILES, options="      people: []\n")
    before = snapshot(base)
    site = generated(config.parent, base / "out")
    after = {k: v for k, v in snapshot(base).items() if k != "out" and not k.startswith("out/")}
    with fixed_env():
        mkdocs_site = build_site(config)  # into repo/site, after the snapshot
    clean = write_site(base / "clean", CLEAN_FILES, options="      people: []\n")
    clean_site = generated(clean.parent, base / "clean-out")
    return Hostile(config.parent, base / "out", site, mkdocs_site, clean_site, before, after)


def normal_script(text: str) -> str:
    """A theme script with the page's way to the site root written as BASE (".", "..", "/")."""
    return re.sub(r'"(?:\.\.?(?:/\.\.)*/?|/)(?=assets/|")', '"BASE/', text)


def theme_scripts(site: Path) -> tuple[set[str], set[str]]:
    """What a clean Zensical site holds: inline scripts (normalised) and script files (site paths)."""
    inline, files = set(), set()
    for path in html_files(site):
        for script in soup_of(path).find_all("script"):
            source = script.get("src")
            if isinstance(source, str):
                files.add(site_path(site, path, source))
            else:
                inline.add(normal_script(script.get_text()))
    return inline, files


def site_path(site: Path, page_file: Path, source: str) -> str:
    if source.startswith("/"):
        return source.lstrip("/")
    return posixpath.normpath(posixpath.join(page_file.parent.relative_to(site).as_posix(), source))


def test_no_script_but_the_themes_on_any_page(hostile: Hostile) -> None:
    inline, files = theme_scripts(hostile.clean)
    assert files and inline  # the theme's bundle and its few inline scripts
    assert all(name.startswith("assets/") for name in files)
    pages = html_files(hostile.zensical)
    assert len(pages) > 10
    for path in pages:
        for script in soup_of(path).find_all("script"):
            source = script.get("src")
            if isinstance(source, str):
                assert site_path(hostile.zensical, path, source) in files, (path, source)
            else:
                assert normal_script(script.get_text()) in inline, (path, script.get_text()[:80])
    assert unsafe_markup(hostile.zensical) == []  # no on* attribute, no javascript: URL
    for path in pages:
        for tag in soup_of(path).find_all(True):
            for name, value in tag.attrs.items():
                text = " ".join(value) if isinstance(value, list) else str(value)
                assert not name.lower().startswith("on"), (path, tag.name, name)
                if name.lower() in ("href", "src", "action", "formaction", "data-src"):
                    assert "javascript:" not in text.lower(), (path, tag.name, text)


def test_the_hostile_title_shows_as_text(hostile: Hostile) -> None:
    evil = page(hostile.zensical, "2026/evil")
    assert evil.title is not None and evil.title.get_text().startswith(HOSTILE)
    body = content(hostile.zensical, "2026/evil")
    card = body.select_one(".pm-header .pm-title")
    assert card is not None and card.get_text() == HOSTILE
    assert [words(a) for a in body.select(".pm-header a.pm-chip")][:1] == [HOSTILE]  # the service
    topics = [words(t) for t in evil.select(".md-header__topic")]
    assert HOSTILE in topics
    # The repository's page is in the small nav, under its hostile title, as text.
    nav = [words(a) for a in page(hostile.zensical, "incidents").select("nav a")]
    assert HOSTILE in nav
    about = page(hostile.zensical, "_about")
    assert about.title is not None and about.title.get_text().startswith(HOSTILE)
    # Zensical shows the page's tags (the MkDocs build without the tags plugin does not): text too.
    assert {words(t) for t in evil.select("nav.md-tags .md-tag")} == {HOSTILE, IMG}


def test_action_items_owners_and_terms_show_as_text(hostile: Hostile) -> None:
    body = content(hostile.zensical, "2026/evil")
    actions = heading(body, "Action items")
    assert actions is not None
    table = actions.find_next("table")
    assert table is not None
    assert [words(td) for td in table.select("tbody td")][:2] == [f"Fix {HOSTILE}", HOSTILE]
    owners = [o.get_text() for o in page(hostile.zensical, "actions").select("select[data-pm-field=owner] option")]
    assert HOSTILE in owners
    for url in ("incidents", "services", "tags", ""):
        assert HOSTILE in content(hostile.zensical, url).get_text(), url
    invalid = content(hostile.zensical, "2026/invalid")
    assert invalid.h1 is not None and invalid.h1.get_text() == HOSTILE
    assert "javascript:alert(7)" in invalid.get_text()  # the error quotes it, as text


def test_hostile_pages_read_as_in_the_mkdocs_build(hostile: Hostile) -> None:
    """Same pages, same words, same headings: sanitised and escaped as the plugin does it."""
    assert pages_of(hostile.zensical) == pages_of(hostile.mkdocs)
    for url in sorted(pages_of(hostile.mkdocs)):
        zensical_body, mkdocs_body = content(hostile.zensical, url), content(hostile.mkdocs, url)
        assert words(zensical_body) == words(mkdocs_body), url
        outline = [(h.name, h.get("id"), words(h)) for h in mkdocs_body.find_all(["h1", "h2", "h3"])]
        assert [(h.name, h.get("id"), words(h)) for h in zensical_body.find_all(["h1", "h2", "h3"])] == outline


def test_the_body_is_sanitised_and_keeps_details_and_tables(hostile: Hostile) -> None:
    body = content(hostile.zensical, "2026/evil")
    summary = body.select_one("details > summary")
    assert summary is not None and summary.get_text() == "Kept: details"
    assert "Hidden text." in words(body.select_one("details") or body)
    headers = [words(th) for table in body.find_all("table") for th in table.select("thead th")]
    assert headers[headers.index("Kept") : headers.index("Kept") + 2] == ["Kept", "Table"]
    code = [c.get_text() for c in body.select("pre code")]
    assert any("<script>alert('in code: shown as text')</script>" in c for c in code)
    evil_heading = heading(body, "Evil")
    assert evil_heading is not None and evil_heading.find("img") is None
    for link in body.find_all("a"):
        assert "javascript:" not in str(link.get("href", "")).lower()
    for image in body.find_all("img"):
        assert not any(name.startswith("on") for name in image.attrs)
    about = content(hostile.zensical, "_about")
    assert about.find("script") is None and about.select_one("details > summary") is not None


def test_the_generated_front_matter_is_escaped(hostile: Hostile) -> None:
    docs = hostile.out / "docs"
    for name in ("2026/evil.md", "2026/invalid.md", "_about.md"):
        written = front_matter(docs / name)
        source = front_matter(hostile.repo / "postmortems" / name)
        title = written["title"]
        assert not set("<>{}") & set(title), (name, title)
        assert html.unescape(title) == source["title"] == HOSTILE
    evil = front_matter(docs / "2026/evil.md")
    assert [html.unescape(tag) for tag in evil["tags"]] == [HOSTILE, IMG]
    for tag in evil["tags"]:
        assert not set("<>{}") & set(tag), tag
    for value in evil.values():
        assert "<script" not in json.dumps(value)


# == 4. nothing outside DIR ======================================================================


def test_generate_writes_nothing_in_the_repository(hostile: Hostile) -> None:
    assert hostile.after == hostile.before
    assert (hostile.out / ".postmortems-generate").is_file()
    assert (hostile.out / "docs/2026/evil.md").is_file() and (hostile.out / "mkdocs.yml").is_file()


@pytest.fixture
def small_repo(tmp_path: Path) -> Path:
    files = {"2026/one.md": incident("One"), "2026/two.md": incident("Two"), "notes/index.md": "# Notes\n"}
    return write_site(tmp_path / "repo", files).parent


@pytest.mark.parametrize(
    "where",
    ["postmortems", "postmortems/2026", "postmortems/new/site", ".", "..", "site/../postmortems/../."],
)
def test_out_may_not_hold_or_be_inside_the_repository_folders(small_repo: Path, where: str) -> None:
    base = small_repo.parent
    before = snapshot(base)
    result = generate(small_repo, small_repo / where)
    assert result.exit_code == 2, result.output
    assert "--out" in result.output
    assert snapshot(base) == before


def test_out_inside_the_docs_folder_is_refused_with_f_from_elsewhere(small_repo: Path) -> None:
    before = snapshot(small_repo.parent)
    result = generate(small_repo.parent, small_repo / "postmortems" / "out", config=small_repo / "mkdocs.yml")
    assert result.exit_code == 2, result.output
    assert snapshot(small_repo.parent) == before


def test_a_folder_not_made_by_generate_is_refused(small_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n", encoding="utf-8")
    before = snapshot(tmp_path)
    result = generate(small_repo, out)
    assert result.exit_code == 2, result.output
    assert "not empty" in result.output
    assert snapshot(tmp_path) == before
    empty = tmp_path / "empty"
    empty.mkdir()
    assert generate(small_repo, empty).exit_code == 0
    assert (empty / ".postmortems-generate").is_file()


def test_a_second_run_replaces_the_first(small_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = generated(small_repo, out)
    assert (out / "docs/2026/two.md").is_file() and (first / "2026/two/index.html").is_file()
    (out / "docs" / "stale.md").write_text("# Left from before\n", encoding="utf-8")
    (small_repo / "postmortems/2026/two.md").unlink()
    before = snapshot(small_repo)
    site = generated(small_repo, out)
    assert snapshot(small_repo) == before
    assert not (out / "docs/2026/two.md").exists() and not (out / "docs/stale.md").exists()
    assert (out / "docs/2026/one.md").is_file() and (out / "docs/notes/index.md").is_file()
    assert not (site / "2026/two/index.html").exists() and (site / "2026/one/index.html").is_file()
    assert "Two" not in [row[1] for row in rows(content(site, "incidents"), ".pm-incidents tbody tr")]


@pytest.fixture(scope="module")
def hardening(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Result]:
    """The MkDocs hardening tests' hostile repository (tests/hostile.py: symbolic links out of
    the repository, to /dev/zero and in a loop, export paths, 800-deep lists…), generated."""
    base = tmp_path_factory.mktemp("hardening")
    config = hostile_repository(base / "repo", base / "outside")
    before = snapshot(base)
    result = generate(config.parent, base / "out")
    after = {k: v for k, v in snapshot(base).items() if k != "out" and not k.startswith("out/")}
    assert after == before
    return config.parent, base / "out", result


def test_the_hardening_repository_generates_nothing_from_outside(hardening: tuple[Path, Path, Result]) -> None:
    _, out, result = hardening
    assert result.exit_code == 0, result.output
    docs = out / "docs"
    assert not any(path.is_symlink() for path in docs.rglob("*"))
    for name, data in every_byte(out).items():
        assert OUTSIDE_MARKER.encode() not in data, name
    assert not (docs / "evidence.log").exists()
    for name in ("evidence.log", "2026/passwd.md", "2026/zero.md", "2026/loop-a.md"):
        assert f"postmortems/{name}:1: error[unsafe-file]" in result.output, name


def test_the_hardening_repository_builds_in_bounded_time(hardening: tuple[Path, Path, Result]) -> None:
    """A body that cannot be rendered safely (hostile.py's 800-deep list) is shown as its
    source in a `<pre class="pm-source">` block, with lines of up to 1,600 leading spaces.
    Zensical 0.0.73 takes time far worse than linear in runs of spaces (147 s for this page when
    they were written as spaces; about 6 s now). The time-out only stops a build that hangs."""
    _, out, _ = hardening
    site: Path | None = None
    with contextlib.suppress(subprocess.TimeoutExpired):  # subprocess.run kills it on time-out
        site = zensical(out / "mkdocs.yml", timeout=HOSTILE_BUILD_TIMEOUT)
    if site is None:
        pytest.fail(f"zensical build of the hostile repository took over {HOSTILE_BUILD_TIMEOUT:.0f} s")
    assert unsafe_markup(site) == []
    for name, data in every_byte(site).items():
        assert OUTSIDE_MARKER.encode() not in data, name


# == 5. --strict and the findings ================================================================


@pytest.fixture(scope="module")
def invalid_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = {"2026/bad.md": incident("Bad severity", severity="SEV0"), "2026/good.md": incident("Good one")}
    return write_site(tmp_path_factory.mktemp("invalid") / "repo", files).parent


def test_without_strict_an_invalid_postmortem_is_published_with_its_error(invalid_repo: Path) -> None:
    checked = check(invalid_repo)
    assert checked.exit_code == 1
    errors = [m for m in map(FINDING.match, checked.stdout.splitlines()) if m and m["level"] == "error"]
    assert [(m["path"], m["rule"]) for m in errors] == [("postmortems/2026/bad.md", "schema")]
    out = invalid_repo.parent / "out"
    result = generate(invalid_repo, out)
    assert result.exit_code == 0, result.output
    # The findings printed are exactly check's, then what was written.
    assert result.stdout.splitlines()[:-2] == checked.stdout.splitlines()
    assert finding_lines(result.stdout) == finding_lines(checked.stdout)
    site = zensical(out / "mkdocs.yml")
    listed = content(site, "incidents").select_one(".pm-invalid-list")
    assert listed is not None
    text = words(listed)
    assert "Bad severity" in text and "postmortems/2026/bad.md" in text
    assert f"line {errors[0]['line']}: {errors[0]['message']}" in text
    assert "Good one" in [row[1] for row in rows(content(site, "incidents"), ".pm-incidents tbody tr")]
    body = content(site, "2026/bad")
    assert body.select_one(".pm-header") is not None and errors[0]["message"] in words(body)


def test_strict_writes_nothing_when_there_are_errors(invalid_repo: Path, tmp_path: Path) -> None:
    checked = check(invalid_repo)
    before = snapshot(invalid_repo)
    result = generate(invalid_repo, tmp_path / "new", "--strict")
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines() == checked.stdout.splitlines()
    assert "nothing written" in result.stderr
    assert not (tmp_path / "new").exists()
    # An earlier output is left as it was.
    earlier = tmp_path / "earlier"
    assert generate(invalid_repo, earlier).exit_code == 0
    kept = snapshot(earlier)
    assert generate(invalid_repo, earlier, "--strict").exit_code == 1
    assert snapshot(earlier) == kept
    assert snapshot(invalid_repo) == before


def test_strict_generates_a_clean_repository(small_repo: Path, tmp_path: Path) -> None:
    checked = check(small_repo)
    assert checked.exit_code == 0, checked.output
    result = generate(small_repo, tmp_path / "out", "--strict")
    assert result.exit_code == 0, result.output
    assert finding_lines(result.stdout) == finding_lines(checked.stdout)
    assert (tmp_path / "out/docs/2026/one.md").is_file()


# == 6. DIR/mkdocs.yml ===========================================================================


class KeepTags(yaml.SafeLoader):
    """Reads a generated mkdocs.yml with every `!TAG` kept as ("!TAG", value)."""


def _keep_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> tuple[str, Any]:
    if isinstance(node, yaml.SequenceNode):
        return f"!{suffix}", loader.construct_sequence(node, deep=True)
    if isinstance(node, yaml.MappingNode):
        return f"!{suffix}", loader.construct_mapping(node, deep=True)
    assert isinstance(node, yaml.ScalarNode)
    return f"!{suffix}", loader.construct_scalar(node)


KeepTags.add_multi_constructor("!", _keep_tag)


def read_generated_config(out: Path) -> dict[str, Any]:
    loaded = yaml.load((out / "mkdocs.yml").read_text(encoding="utf-8"), Loader=KeepTags)
    assert isinstance(loaded, dict)
    return loaded


def plugin_names(plugins: Any) -> list[str]:
    if isinstance(plugins, dict):
        return [str(name) for name in plugins]
    return [str(next(iter(p))) if isinstance(p, dict) else str(p) for p in plugins or []]


def test_the_example_config_without_the_plugin(example: Example) -> None:
    config = read_generated_config(example.out)
    source = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=KeepTags)
    assert config["docs_dir"] == "docs" and config["site_dir"] == "site"
    assert "postmortems" in plugin_names(source["plugins"])
    assert plugin_names(config["plugins"]) == [p for p in plugin_names(source["plugins"]) if p != "postmortems"]
    for key in ("extra_css", "extra_javascript"):
        assert config[key], key
        for asset in config[key]:
            assert (example.out / "docs" / asset).is_file(), asset
    assert (example.out / config["theme"]["custom_dir"]).resolve() == (ROOT / source["theme"]["custom_dir"]).resolve()
    assert config["site_name"] == source["site_name"]
    assert config["markdown_extensions"] == source["markdown_extensions"]
    nav = [uri for entry in config["nav"] for uri in (entry.values() if isinstance(entry, dict) else [entry])]
    for uri in nav:
        assert (example.out / "docs" / uri).is_file(), uri


ENV_CONFIG = """\
site_name: Env site
site_url: !ENV [PM_TEST_SITE_URL, "https://pm.example.org/"]
docs_dir: postmortems
theme:
  name: material
  font: false
plugins:
  - search
  - postmortems:
      today: 2026-11-25
      show_drafts: !ENV [PM_TEST_SHOW_DRAFTS, false]
"""


def test_env_tags_are_kept_for_zensical_to_resolve(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write_site(repo, {"2026/one.md": incident("One")})
    (repo / "mkdocs.yml").write_text(ENV_CONFIG, encoding="utf-8")
    out = tmp_path / "out"
    result = generate(repo, out)
    assert result.exit_code == 0, result.output
    text = (out / "mkdocs.yml").read_text(encoding="utf-8")
    assert "!ENV" in text
    config = read_generated_config(out)
    assert config["site_url"] == ("!ENV", ["PM_TEST_SITE_URL", "https://pm.example.org/"])
    assert config["docs_dir"] == "docs" and config["site_dir"] == "site"
    assert plugin_names(config["plugins"]) == ["search"]
    site = zensical(out / "mkdocs.yml")
    assert "<loc>https://pm.example.org/2026/one/</loc>" in (site / "sitemap.xml").read_text(encoding="utf-8")
    site = zensical(out / "mkdocs.yml", PM_TEST_SITE_URL="https://other.example.net/")
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://other.example.net/2026/one/</loc>" in sitemap and "pm.example.org" not in sitemap


# == 7. public_only ==============================================================================

MARKER = "zqhiddenmark"  # lower case: slugs are lowered


def internal(n: int, extra: str = "") -> str:
    m = f"{MARKER}{n}"
    return incident(
        f"{m} title of the internal incident",
        date="2026-06-01",
        extra=(
            f"id: {m}-id\n{extra}services: [{m}-service, checkout]\ntags: [{m}-tag, database]\n"
            f"authors: [{m} Author]\nsummary: The {m} summary.\n"
            f"action_items:\n  - action: Alert when {m} connections exceed 85%\n    owner: '@{m}-owner'\n"
            "    due: 2027-01-15\n"
        ),
        body=f"The {m} body.\n\n![graph](2026-06-0{n}-{m}-graph.png)\n",
    )


PUBLIC_FILES = {
    f"2026/2026-06-01-{MARKER}1.md": internal(1, "visibility: internal\n"),
    f"2026/2026-06-02-{MARKER}2.md": internal(2),  # internal by default
    f"2026/2026-06-01-{MARKER}1-graph.png": f"{MARKER} graph bytes",
    f"2026/2026-06-02-{MARKER}2-graph.png": f"{MARKER} graph bytes",
    "2026/2026-05-01-open-door.md": incident(
        "Open door, a public incident",
        date="2026-05-01",
        extra=f"id: open-door\nvisibility: public\nservices: [checkout]\ntags: [database]\nrelated: [{MARKER}1-id]\n",
    ),
    "2026/2026-05-02-front-gate.md": incident(
        "Front gate, another public one", date="2026-05-02", extra="id: front-gate\nvisibility: public\n"
    ),
}


@pytest.fixture(scope="module")
def public_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    base = tmp_path_factory.mktemp("public")
    config = write_site(base / "repo", PUBLIC_FILES, options="      public_only: true\n")
    out = base / "out"
    return config.parent, out, generated(config.parent, out)


def test_public_only_names_no_internal_postmortem_anywhere(public_site: tuple[Path, Path, Path]) -> None:
    repo, out, site = public_site
    files = every_byte(out)  # DIR/docs, DIR/mkdocs.yml and DIR/site (search.json, sitemap.xml…)
    assert "site/search.json" in files and "site/api/postmortems.json" in files and "site/sitemap.xml" in files
    withheld = [s for s in sources(repo / "postmortems") if s.meta.get("visibility") != "public"]
    assert withheld
    names = {MARKER, *(s.title.lower() for s in withheld), *(str(s.meta["id"]).lower() for s in withheld)}
    for name, data in files.items():
        for secret in names:
            assert secret not in name.lower(), name
            assert secret.encode() not in data.lower(), (name, secret)
    for source in withheld:
        assert not (site / source.url).exists() and not (out / "docs" / f"{source.url}.md").exists()


def test_public_only_publishes_the_public_ones(public_site: tuple[Path, Path, Path]) -> None:
    repo, _, site = public_site
    public = [s for s in sources(repo / "postmortems") if s.meta.get("visibility") == "public"]
    assert len(public) == 2
    exported = json.loads((site / "api/postmortems.json").read_text(encoding="utf-8"))["postmortems"]
    assert sorted(p["id"] for p in exported) == sorted(str(s.meta["id"]) for s in public)
    listing = [row[1] for row in rows(content(site, "incidents"), ".pm-incidents tbody tr")]
    assert sorted(listing) == sorted(s.title for s in public)
    for source in public:
        card = content(site, source.url).select_one(".pm-header .pm-title")
        assert card is not None and words(card) == source.title


# == 8. Telling people =============================================================================


def test_check_and_generate_say_when_the_repository_builds_with_zensical(small_repo: Path, tmp_path: Path) -> None:
    """A zensical.toml beside mkdocs.yml: `check` says, on standard error, that the plugin does
    not run under Zensical and that `generate` is the way; its report on stdout is unchanged."""
    plain = check(small_repo)
    assert "Zensical" not in plain.output
    (small_repo / "zensical.toml").write_text('[project]\nsite_name = "Test site"\n', encoding="utf-8")
    noted = check(small_repo)
    assert noted.stdout == plain.stdout and noted.exit_code == plain.exit_code
    assert "zensical.toml" in noted.stderr
    assert "does not run MkDocs plugins" in noted.stderr and "postmortems generate --out DIR" in noted.stderr
    result = generate(small_repo, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "zensical.toml" in result.stderr and "Zensical does not run the postmortems plugin" in result.stderr


def test_without_directory_urls_every_link_names_its_file(tmp_path: Path) -> None:
    """`use_directory_urls: false`: pages are `x.html` and `x/index.html`, and every link of the
    Zensical site names a file, as in the MkDocs build (a folder link needs a server's index)."""
    files = {
        "2026/one.md": incident("One", extra="services: [api]\ntags: [deploy]\nrelated: [two]\n"),
        "2026/two.md": incident(
            "Two", extra="services: [api]\n", body="See [one](one.md) and [notes](../notes/index.md).\n"
        ),
        "notes/index.md": "# Notes\n\nBack to [one](../2026/one.md).\n",
    }
    repo = write_site(tmp_path / "repo", files, extra="use_directory_urls: false\n").parent
    site = generated(repo, tmp_path / "out")
    mkdocs_site = build_site(repo / "mkdocs.yml")
    checked = 0
    for built in html_files(site):
        body = BeautifulSoup(built.read_text(encoding="utf-8"), "html.parser").select_one("article")
        for tag in body.find_all("a") if body is not None else []:
            target = tag.get("href")
            parts = urlsplit(target if isinstance(target, str) else "")
            if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
                continue
            assert (built.parent / unquote(parts.path)).resolve().is_file(), f"{built.relative_to(site)} -> {target}"
            checked += 1
    assert checked > 20
    for name in ("2026/one.html", "2026/two.html", "notes/index.html", "incidents/index.html"):
        assert link_targets(site, name) == link_targets(mkdocs_site, name), name


@pytest.mark.parametrize(
    "extensions",
    ["markdown_extensions:\n  - nosuchext\n", "markdown_extensions:\n  - toc:\n      nosuchoption: 1\n"],
)
def test_extensions_that_cannot_load_are_a_usage_error_and_keep_the_last_output(
    tmp_path: Path, extensions: str
) -> None:
    repo = write_site(tmp_path / "repo", {"2026/one.md": incident("One")}).parent
    out = tmp_path / "out"
    assert generate(repo, out).exit_code == 0
    before = snapshot(out)
    (repo / "mkdocs.yml").write_text((repo / "mkdocs.yml").read_text() + extensions, encoding="utf-8")
    result = generate(repo, out)
    assert result.exit_code == 2, result.output
    assert "markdown_extensions" in result.output and "Traceback" not in result.output
    assert snapshot(out) == before
