"""`search: pagefind`: real builds with the option, and what they write (no browser here; see
test_pagefind_browser.py).

The example site is copied into a temporary folder with `search: pagefind` added to its plugin
options and built once. The index is read back from Pagefind's own files: each page's fragment
(site/pagefind/fragment/*.pf_fragment) is gzipped JSON with the page's URL, title and the text
Pagefind indexed, so the tests can say which pages and which words a search can find.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from mkdocs.exceptions import Abort

from mkdocs_postmortems import pagefind_search
from sitebuild import ROOT, build_site, fixed_today, incident, invoke, page, write_site

PHRASE = "ran out of connection slots"  # in the body of the checkout post-mortem only
CHECKOUT = "/2026/2026-03-04-checkout-timeouts-after-pool-resize/"
FRAGMENT_PREFIX = b"pagefind_dcd"


def example_with_pagefind(root: Path, posts: dict[str, str] | None = None) -> Path:
    """The example repository copied into `root` with `search: pagefind` (and `posts` added
    under postmortems/), built strictly; returns site/."""
    shutil.copytree(ROOT / "postmortems", root / "postmortems")
    shutil.copytree(ROOT / "overrides", root / "overrides")
    for name, text in (posts or {}).items():
        (root / "postmortems" / name).write_text(text, encoding="utf-8")
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert config.count("  - postmortems:\n") == 1
    config = config.replace("  - postmortems:\n", "  - postmortems:\n      search: pagefind\n")
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    with fixed_today():
        return build_site(root / "mkdocs.yml", strict=True)


def fragments(site: Path) -> dict[str, dict[str, Any]]:
    """Every page in the Pagefind index, by URL: {url, content, meta: {title}, anchors, ...}."""
    found = {}
    for path in sorted((site / "pagefind" / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(FRAGMENT_PREFIX), path
        fragment = json.loads(data[len(FRAGMENT_PREFIX) :])
        found[fragment["url"]] = fragment
    return found


def front_matter(path: Path) -> dict[str, Any]:
    import yaml

    meta = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n", 2)[1])
    assert isinstance(meta, dict)
    return meta


def published_examples() -> dict[str, dict[str, Any]]:
    """The published example post-mortems by URL (from the files, never from the site)."""
    found = {}
    for path in sorted((ROOT / "postmortems").glob("*/*.md")):
        meta = front_matter(path)
        if meta.get("status", "published") == "published":
            found[f"/{path.parent.name}/{path.stem}/"] = meta
    assert len(found) >= 3
    return found


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return example_with_pagefind(tmp_path_factory.mktemp("pagefind"))


# --- the bundle and what it covers -------------------------------------------------------------


def test_the_build_writes_pagefinds_bundle_and_no_material_index(site: Path) -> None:
    bundle = site / "pagefind"
    for name in ("pagefind.js", "pagefind-entry.json", "wasm.unknown.pagefind"):
        assert (bundle / name).is_file(), name
    assert list(bundle.glob("index/*.pf_index")), "no index chunks"
    assert not (site / "search" / "search_index.json").exists(), "Material's search plugin still ran"
    home = page(site, "")
    assert home.select_one("form[name=search]") is None, "Material's search form would fetch its index"
    scripts = [s.get("src") for s in home.select("script[src]")]
    assert "assets/postmortems/pagefind-search.js" in scripts, scripts
    assert "assets/postmortems/pagefind-search.css" in [s.get("href") for s in home.select("link[rel=stylesheet]")]
    assert (site / "assets" / "postmortems" / "pagefind-search.js").is_file()


def test_the_index_holds_every_published_postmortem_and_the_home_page(site: Path) -> None:
    indexed = fragments(site)
    expected = {*published_examples(), "/"}
    assert set(indexed) == expected, sorted(indexed)
    assert pagefind_search.indexed_pages(site / "pagefind") == len(expected)
    for url, meta in published_examples().items():
        assert indexed[url]["meta"]["title"] == meta["title"]


def test_generated_lists_dashboard_and_insights_are_not_indexed(site: Path) -> None:
    """They list what is indexed already (the incident index matches every title) or are
    filled by script; only pages with data-pagefind-body are indexed."""
    indexed = fragments(site)
    for url in ("/incidents/", "/actions/", "/insights/", "/tags/", "/tags/database/", "/services/checkout/"):
        assert url not in indexed
        assert page(site, url.strip("/")).select_one("[data-pagefind-body]") is None, url
    assert page(site, "404.html").select_one("[data-pagefind-body]") is None


def test_a_postmortem_is_indexed_with_its_header_card_body_and_action_items(site: Path) -> None:
    source = ROOT / "postmortems" / "2026" / "2026-03-04-checkout-timeouts-after-pool-resize.md"
    meta = front_matter(source)
    content = " ".join(fragments(site)[CHECKOUT]["content"].split())
    assert PHRASE in content  # the body
    for term in [*meta["services"], *meta["tags"], *meta["authors"]]:  # the header card
        assert term in content, term
    for item in meta["action_items"]:  # the table, from the front matter only
        assert " ".join(item["action"].split()) in content, item["action"]
    body = page(site, CHECKOUT.strip("/")).select_one("[data-pagefind-body]")
    assert body is not None and body.find_parent("article") is not None
    assert body.select_one(".pm-header") is not None and body.select_one(".pm-actions") is not None
    assert body.find_parent(class_="md-header") is None


def test_chrome_and_lists_of_other_incidents_are_left_out(site: Path) -> None:
    """The ¶ permalinks and the related / repeats lists (other incidents' titles) are excluded,
    so a query for one incident's title does not match every incident that links to it."""
    checkout = page(site, CHECKOUT.strip("/"))
    related = checkout.select_one(".pm-related")
    assert related is not None, "the example's checkout incident lists related incidents"
    content = fragments(site)[CHECKOUT]["content"]
    for link in related.select("a"):
        assert link.get_text() not in content, link.get_text()
    assert "¶" not in content
    assert "Post-mortems" not in content.split(".")[0], "the site name (header) was indexed"


def test_nothing_refers_to_another_host(site: Path) -> None:
    """The search field and Pagefind's script load only from this site. (The browser tests
    check the requests themselves.)"""
    ours = (site / "assets" / "postmortems" / "pagefind-search.js").read_text(encoding="utf-8")
    assert re.findall(r"https?://[^\s\"']+", ours) == ["http://www.w3.org/2000/svg"]
    for name in ("pagefind.js", "pagefind-worker.js"):
        path = site / "pagefind" / name
        if path.exists():  # Pagefind parses relative URLs against a dummy base, and fetches nothing else
            urls = set(re.findall(r"https?://[^\s\"'`$]+", path.read_text(encoding="utf-8")))
            assert urls <= {"https://example.com"}, (name, urls)
    home = page(site, "")
    for tag in home.select("script[src], link[href], img[src]"):
        url = str(tag.get("src") or tag.get("href"))
        if tag.name == "link" and tag.get("rel") not in (["stylesheet"], ["icon"], ["preload"]):
            continue  # canonical, alternate (the feed): links, not loads
        assert not re.match(r"(https?:)?//", url), url


# --- other builds -------------------------------------------------------------------------------


SMALL = {
    "2026/2026-05-01-queue-lag.md": incident(
        "Queue lag after a broker upgrade",
        extra="services: [ingest-broker]\ntags: [zeppelin]\n",
        body="## Action items\n\nTracked below. The consumers stalled on a quixotic rebalance.\n",
    ),
}


def test_without_directory_urls_the_index_links_html_files(tmp_path: Path) -> None:
    config = write_site(tmp_path, SMALL, options="      search: pagefind\n", extra="use_directory_urls: false\n")
    site = build_site(config, strict=True)
    urls = set(fragments(site))
    assert urls == {"/2026/2026-05-01-queue-lag.html"}, urls


def test_the_default_build_is_unchanged(tmp_path: Path) -> None:
    site = build_site(write_site(tmp_path, SMALL), strict=True)
    assert not (site / "pagefind").exists()
    assert (site / "search" / "search_index.json").is_file()
    html = (site / "2026" / "2026-05-01-queue-lag" / "index.html").read_text(encoding="utf-8")
    assert "data-pagefind-body" not in html and "pagefind-search" not in html


def test_material_search_plugin_is_turned_off_and_said(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO")
    build_site(write_site(tmp_path, SMALL, options="      search: pagefind\n"), strict=True)
    assert "Material's `search` plugin is turned off" in caplog.text
    assert "Pagefind indexed 1 page(s)" in caplog.text


def test_without_material_search_plugin_it_builds_quietly(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO")
    config = write_site(tmp_path, SMALL, options="      search: pagefind\n", plugins_before="")
    site = build_site(config, strict=True)
    assert "turned off" not in caplog.text
    assert set(fragments(site)) == {"/2026/2026-05-01-queue-lag/"}


@pytest.mark.parametrize("value", ["lunr", "Pagefind", "true", "[pagefind]", "1"])
def test_a_bad_value_is_a_clear_error_in_the_build_and_the_cli(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, value: str
) -> None:
    config = write_site(tmp_path, SMALL, options=f"      search: {value}\n")
    with pytest.raises(Abort):
        build_site(config, strict=True)
    expected = "invalid `postmortems` plugin options: search: Input should be 'material' or 'pagefind'"
    assert expected in caplog.text, caplog.text
    result = invoke(tmp_path, "check")
    assert result.exit_code == 2, result.output
    assert expected in result.output, result.output
    assert not (tmp_path / "site" / "index.html").exists()


def test_without_pagefind_installed_the_build_fails_before_building(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pagefind", None)  # what find_spec sees when it is not installed
    assert pagefind_search.missing() is not None
    config = write_site(tmp_path, SMALL, options="      search: pagefind\n")
    with pytest.raises(Abort):
        build_site(config, strict=True)
    assert "pip install 'mkdocs-postmortems[pagefind]'" in caplog.text, caplog.text
    assert not (tmp_path / "site" / "index.html").exists()
