"""Safe to build any pull request: front matter, names, files on disk and bodies, each case as a
real repository, checked by `postmortems check` and built by `mkdocs build`, normal and strict.

One repository holds every case that lets a build finish (tests/hostile.py); each case is also
built on its own, strictly, to show that `check` and the strict build agree on it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from icalendar import Calendar
from mkdocs.exceptions import Abort, PluginError

from hostile import (
    OUTSIDE_MARKER,
    SCRIPT_BODY,
    all_bytes,
    check,
    dead_links,
    hostile_repository,
    html_files,
    theme_meta,
    unsafe_markup,
    with_meta_hook,
)
from mkdocs_postmortems.sources import ReadProblem, read_bounded
from sitebuild import article, build_site, incident, page, write_site


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The hostile repository, built without --strict: (repository, site)."""
    base = tmp_path_factory.mktemp("hostile")
    config = with_meta_hook(hostile_repository(base / "repo", base / "outside"))
    return config.parent, build_site(config)


# -- 1. front matter that reaches the theme ---------------------------------------------------


def test_no_script_anywhere_in_the_hostile_site(hostile: tuple[Path, Path]) -> None:
    _, site = hostile
    assert unsafe_markup(site) == []


def test_theme_sees_only_validated_escaped_front_matter(hostile: tuple[Path, Path]) -> None:
    repo, site = hostile
    meta = theme_meta(repo)
    assert meta["2026/invalid-meta.md"] == ["title"]  # no description, author, template, location
    assert meta["2026/missing-template.md"] == ["title"]
    assert set(meta["2026/index-tag.md"]) <= {"title", "description", "tags"}
    head = page(site, "2026/invalid-meta").select_one("head")
    assert head is not None and "onerror" not in str(head)
    # The page is still the post-mortem's page with its errors, not a redirect or a 404.
    for url in ("2026/invalid-meta", "2026/missing-template"):
        body = article(site, url)
        assert body.select_one(".pm-header") is not None, url
        assert "unknown field" in body.get_text(), url
    assert "javascript:" not in (site / "2026/invalid-meta/index.html").read_text()


def test_the_repositorys_own_pages_reach_the_theme_escaped(hostile: tuple[Path, Path]) -> None:
    _, site = hostile
    about = site / "_about" / "index.html"
    text = about.read_text(encoding="utf-8")
    assert "<script>alert('page-title')" not in text and "javascript:" not in text
    assert "&lt;script&gt;" in text  # the title, escaped
    assert (site / "_missing" / "index.html").is_file()  # an unknown template is ignored, not fatal


def test_mkdocs_never_parses_a_postmortems_front_matter(tmp_path: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{n}: &{n} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, n in zip("abcdefgh", "bcdefghi", strict=True)
    )
    files = {
        "2026/bomb.md": f"---\ntitle: Bomb\ndate: 2026-05-01\nseverity: SEV2\n{bomb}---\n\nBody.\n",
        "2026/set.md": "---\ntitle: Set\ndate: 2026-05-01\nseverity: SEV2\nx: !!set {a, b}\n---\n\nBody.\n",
    }
    config = with_meta_hook(write_site(tmp_path, files))
    site = build_site(config)
    meta = theme_meta(tmp_path)
    assert meta["2026/bomb.md"] == ["title"] and meta["2026/set.md"] == ["title"]
    read = theme_meta(tmp_path, "read")  # what MkDocs parsed itself, before any plugin ran
    assert read["2026/bomb.md"] == [] and read["2026/set.md"] == []
    assert "expand to more than" in article(site, "2026/bomb").get_text()
    result = check(tmp_path)
    assert result.exit_code == 1 and "error[yaml]" in result.output


# -- 2. names, paths and URLs -----------------------------------------------------------------


def test_postmortems_at_export_paths_build_and_are_errors(tmp_path: Path) -> None:
    names = ["feed.xml.md", "actions.ics.md", "api/actions.json.md", "sitemap.xml.md"]
    files = {name: incident(f"At {name}", extra=f"id: at-{i}\n") for i, name in enumerate(names)}
    files["2026/ok.md"] = incident("Ok")
    config = write_site(tmp_path, files)
    site = build_site(config)  # no FileExistsError
    for name in names[:3]:  # the post-mortem keeps its page; the export is left out
        assert article(site, name.removesuffix(".md")).select_one(".pm-header") is not None
    assert (site / "sitemap.xml").is_file()  # MkDocs' own file stays; the post-mortem is listed as refused
    listing = article(site, "incidents").get_text()
    assert "postmortems/sitemap.xml.md" in listing and "MkDocs' own sitemap.xml" in listing
    result = check(tmp_path)
    assert result.exit_code == 1
    for name in names:
        assert f"postmortems/{name}:1: error[url-clash]" in result.output, name
    with pytest.raises(Abort):
        build_site(config, strict=True)


def test_every_term_gets_its_own_page_whatever_its_name(hostile: tuple[Path, Path]) -> None:
    _, site = hostile
    index = article(site, "tags")
    assert "Our own tags page" in index.get_text()  # the repository's tags.md holds /tags/
    card = article(site, "2026/index-tag")
    chips = [a for a in card.select(".pm-chip") if a.get_text(strip=True).casefold() in ("index", "ｉｎｄｅｘ")]
    hrefs = {str(a["href"]) for a in chips}
    assert len(hrefs) == 2  # `index`/`Index` are one term, `ｉｎｄｅｘ` another
    for href in hrefs:
        target = (site / "2026/index-tag" / href).resolve()
        assert target != (site / "tags").resolve()
        assert "Index tag" in BeautifulSoup((target / "index.html").read_text(), "html.parser").get_text()


def test_a_page_beside_a_postmortem_never_replaces_it(hostile: tuple[Path, Path]) -> None:
    repo, site = hostile
    assert "Beside" in article(site, "2026/beside").get_text()
    result = check(repo)
    assert "postmortems/2026/beside/index.md:1: error[url-clash]" in result.output


def test_links_follow_the_page_that_won(hostile: tuple[Path, Path]) -> None:
    _, site = hostile
    assert dead_links(site) == []
    nav = page(site, "2026/beside").select("nav a")
    tags = [a for a in nav if a.get_text(strip=True) == "Tags"]
    assert tags and all(not str(a["href"]).endswith(".md") for a in tags)


def test_file_names_too_long_for_the_file_system(tmp_path: Path) -> None:
    stem = "2026-05-01-" + "x" * 241
    files = {f"2026/{stem}.md": incident("Long name", extra="id: long-name\n"), "2026/ok.md": incident("Ok")}
    config = write_site(tmp_path, files, extra="use_directory_urls: false\n")
    site = build_site(config)  # no "File name too long"
    assert f"postmortems/2026/{stem}.md" in (site / "incidents" / "index.html").read_text()  # listed
    result = check(tmp_path)
    assert result.exit_code == 1 and "error[file-name]" in result.output
    with pytest.raises(Abort):
        build_site(config, strict=True)


# -- 3. files on disk -------------------------------------------------------------------------


def test_nothing_from_outside_the_repository_is_published(hostile: tuple[Path, Path]) -> None:
    repo, site = hostile
    assert OUTSIDE_MARKER.encode() not in all_bytes(site)
    assert not (site / "evidence.log").exists()
    result = check(repo)
    for name in ("evidence.log", "2026/passwd.md", "2026/zero.md", "2026/loop-a.md"):
        assert f"postmortems/{name}:1: error[unsafe-file]" in result.output, name
    listing = article(site, "incidents")
    item = next(li for li in listing.select(".pm-invalid-list > ul > li") if "2026/passwd.md" in li.get_text())
    assert item.find("a") is None  # listed, never silently missing, and without a link to no page


def test_folder_symlinks_out_or_looping_are_refused_before_mkdocs_walks_them(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text(OUTSIDE_MARKER)
    for name, target in (("up", ".."), ("ext", str(outside))):
        repo = tmp_path / name
        config = write_site(repo, {"2026/ok.md": incident("Ok")})
        (repo / "postmortems" / "2026" / name).symlink_to(target)
        with pytest.raises((PluginError, Abort)):
            build_site(config)
        assert f"postmortems/2026/{name}:1: error[unsafe-file]" in caplog.text
        result = check(repo)
        assert result.exit_code == 1 and f"postmortems/2026/{name}:1: error[unsafe-file]" in result.output


def test_reads_are_bounded(tmp_path: Path) -> None:
    big = incident("Big", body="word " * 2000)
    config = write_site(tmp_path, {"2026/big.md": big, "2026/ok.md": incident("Ok")}, "      max_file_size: 4096\n")
    site = build_site(config)
    assert "over the limit of 4,096 (`max_file_size`)" in article(site, "incidents").get_text()
    result = check(tmp_path)
    assert "postmortems/2026/big.md:1: error[unsafe-file]" in result.output


def test_each_read_checks_the_file_it_reads(tmp_path: Path) -> None:
    """read_bounded judges the file again when it reads it (the docs folder may have changed
    since the scan): it reads what is inside the repository, within the bound, and nothing else."""
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    (repo / "docs").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.md").write_text(OUTSIDE_MARKER)
    (repo / "docs" / "ok.md").write_text("inside")
    (repo / "docs" / "big.md").write_text("x" * 101)
    (repo / "docs" / "to-ok.md").symlink_to("ok.md")
    (repo / "docs" / "to-secret.md").symlink_to(outside / "secret.md")
    (repo / "docs" / "out").symlink_to(outside)
    os.mkfifo(repo / "docs" / "pipe.md")  # opening it for reading would wait for a writer

    def read(name: str, root: Path = repo) -> bytes | str:
        try:
            return read_bounded(repo / "docs" / name, root, name, 100)
        except ReadProblem as problem:
            return problem.refusal.reason

    assert read("ok.md") == b"inside"
    assert read("to-ok.md") == b"inside"  # a symlink to a file inside is read where it points
    assert read("to-secret.md") == "the symlink points outside the repository"
    assert read("out/secret.md") == "the symlink points outside the repository"
    assert read("pipe.md") == "it is not a regular file (a device, pipe or socket)"
    assert read("big.md") == "the file is 101 bytes, over the limit of 100 (`max_file_size`)"
    assert read("gone.md") == "cannot read it: No such file or directory"


def test_a_folder_named_like_a_postmortem_is_a_folder_for_both(tmp_path: Path) -> None:
    config = write_site(tmp_path, {"2026/ok.md": incident("Ok")})
    (tmp_path / "postmortems" / "2026" / "x.md").mkdir()
    assert check(tmp_path).exit_code == 0
    build_site(config, strict=True)


# -- 4. body content --------------------------------------------------------------------------


def test_control_characters_in_a_body(hostile: tuple[Path, Path]) -> None:
    repo, site = hostile
    assert b"\x01" not in all_bytes(site) and b"\x1b" not in all_bytes(site)
    assert "postmortems/2026/control.md:" in check(repo).output
    assert (site / "feed.xml").is_file() is False or b"\x01" not in (site / "feed.xml").read_bytes()


def test_control_characters_in_the_summary_never_reach_the_feed(tmp_path: Path) -> None:
    text = incident("Control", body="NUL \x00 here.\n").replace("A short summary.", "A short \x1b[31m summary.")
    config = write_site(tmp_path, {"2026/control.md": text, "2026/ok.md": incident("Ok")})
    site = build_site(config)  # feed_xml used to crash on the escape character
    for name in ("feed.xml", "2026/control/index.html", "search/search_index.json"):
        data = (site / name).read_bytes()
        assert b"\x1b" not in data and b"\x00" not in data, name
    result = check(tmp_path)
    assert result.exit_code == 1 and "postmortems/2026/control.md:" in result.output
    assert "U+001B" in result.output
    with pytest.raises(Abort):
        build_site(config, strict=True)


def test_deep_nesting_is_refused_and_shown_as_text(hostile: tuple[Path, Path]) -> None:
    repo, site = hostile
    body = article(site, "2026/deep")
    assert body.select_one("pre.pm-source") is not None
    assert "error[body-nesting]" in check(repo).output


def test_setext_action_items_heading_stays_whole(hostile: tuple[Path, Path]) -> None:
    _, site = hostile
    body = article(site, "2026/setext")
    heading = body.find(["h1", "h2"], string=lambda s: s is not None and "Action items" in s)
    assert heading is not None
    table = heading.find_next("table")
    assert table is not None and "pool saturation" in table.get_text()
    assert "------------" not in body.get_text()


def test_bodies_are_sanitised_and_keep_what_github_renders(hostile: tuple[Path, Path]) -> None:
    _, site = hostile
    body = article(site, "2026/raw-html")
    text = str(body)
    assert "<script" not in text and "onerror" not in text and "onclick" not in text
    assert "javascript:" not in text
    assert body.select_one("details summary") is not None
    assert body.select("td") and any(td.get("style") == "text-align:left" for td in body.select("td"))
    code = body.select_one("pre code")
    assert code is not None and "alert('in code: shown as text')" in code.get_text()
    assert body.select_one(".pm-header") is not None  # the plugin's own blocks are untouched


def test_raw_html_opt_out_publishes_it_as_written(tmp_path: Path) -> None:
    config = write_site(tmp_path, {"2026/raw.md": incident("Raw", body=SCRIPT_BODY)}, "      allow_raw_html: true\n")
    site = build_site(config)
    assert "<script>alert('body-script')</script>" in str(article(site, "2026/raw"))


# -- 6. configuration ------------------------------------------------------------------------


@pytest.mark.parametrize("options", ["", "      exclude: ['**']\n"])
def test_nothing_to_publish_is_said_loudly(tmp_path: Path, options: str) -> None:
    files = {} if not options else {"2026/ok.md": incident("Ok")}
    config = write_site(tmp_path, files, options)
    result = check(tmp_path)
    assert result.exit_code == 1 and "postmortems:1: error[no-postmortems]" in result.output
    with pytest.raises(Abort):
        build_site(config, strict=True)
    quiet = write_site(tmp_path / "quiet", files, options + "      rules: {no-postmortems: 'off'}\n")
    assert check(tmp_path / "quiet").exit_code == 0
    build_site(quiet, strict=True)


# -- 5. values --------------------------------------------------------------------------------


def test_duplicate_ids_never_mix_two_postmortems(hostile: tuple[Path, Path]) -> None:
    _, site = hostile
    a, b = article(site, "2026/same-id-a").get_text(), article(site, "2026/same-id-b").get_text()
    assert "only-b" not in a and "only-a" not in b
    calendar = Calendar.from_ical((site / "actions.ics").read_bytes())
    uids = [str(event["uid"]) for event in calendar.walk("VEVENT")]
    assert len(uids) == len(set(uids))
    exported = json.loads((site / "api/postmortems.json").read_text())["postmortems"]
    assert "same" not in {p["id"] for p in exported}


# -- check and the strict build agree ---------------------------------------------------------

Setup = Callable[[Path], None]


def _symlink(name: str, target: Callable[[Path], Path | str]) -> Setup:
    def make(docs: Path) -> None:
        (docs / name).symlink_to(target(docs))

    return make


CASES: dict[str, tuple[dict[str, str], Setup | None, str]] = {
    "invalid front matter": ({"2026/x.md": incident("X", extra="template: redirect.html\n")}, None, "schema"),
    "export path": ({"feed.xml.md": incident("Feed")}, None, "url-clash"),
    "tag named index": ({"2026/x.md": incident("X", extra="tags: [index]\n")}, None, ""),
    "page beside": ({"2026/x.md": incident("X"), "2026/x/index.md": "# Page\n"}, None, "url-clash"),
    "symlink out": ({}, _symlink("2026/out.log", lambda d: d.parents[1] / "outside.txt"), "unsafe-file"),
    "symlink loop": ({}, _symlink("2026/self.md", lambda d: d / "2026/self.md"), "unsafe-file"),
    "device": ({}, _symlink("2026/zero.md", lambda d: "/dev/zero"), "unsafe-file"),
    "control character": ({"2026/x.md": incident("X", body="Bell \x01.\n")}, None, "encoding"),
    "deep list": (
        {"2026/x.md": incident("X", body="\n".join("  " * i + "- a" for i in range(800)))},
        None,
        "body-nesting",
    ),
    "bracket run": ({"2026/x.md": incident("X", body="[" * 5000 + "\n")}, None, "body-nesting"),
    "emphasis run": ({"2026/x.md": incident("X", body="*" * 3000 + "x" + "*" * 3000 + "\n")}, None, "body-nesting"),
    "raw html": ({"2026/x.md": incident("X", body=SCRIPT_BODY)}, None, ""),
    "duplicate id": (
        {"2026/a.md": incident("A", extra="id: z\n"), "2026/b.md": incident("B", extra="id: z\n")},
        None,
        "duplicate-id",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_check_and_the_strict_build_agree(case: str, tmp_path: Path) -> None:
    files, setup, rule = CASES[case]
    (tmp_path / "outside.txt").write_text(OUTSIDE_MARKER)
    repo = tmp_path / "repo"
    config = write_site(repo, {"2026/ok.md": incident("Ok"), **files})
    if setup is not None:
        (repo / "postmortems" / "2026").mkdir(exist_ok=True)
        setup(repo / "postmortems")
    result = check(repo)
    assert "Traceback" not in result.output
    if rule:
        assert f"error[{rule}]" in result.output, result.output
    site = build_site(config)  # never a traceback, strict or not
    assert OUTSIDE_MARKER.encode() not in all_bytes(site)
    assert unsafe_markup(site) == []
    os.environ.pop("SOURCE_DATE_EPOCH", None)
    if result.exit_code == 1:
        with pytest.raises(Abort):
            build_site(config, strict=True)
    else:
        assert result.exit_code == 0, result.output
        build_site(config, strict=True)
    assert html_files(site)
