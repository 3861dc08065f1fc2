"""The hostile repository's site in a real browser: no alert() fires on any of its pages.

Every hostile case that lets a build finish (tests/hostile.py: front matter keys and values
the theme acts on, raw HTML, javascript: links, attr_list handlers, hostile tags) is built into
one site without --strict; Debian's Chromium then opens every page, as a reader would, and
records each dialog that opens.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from browsing import chromium, open_tab, require_chromium, serve
from hostile import hostile_repository, html_files
from sitebuild import build_site

require_chromium()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("hostile-browser")
    return build_site(hostile_repository(base / "repo", base / "outside"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def test_no_alert_fires_on_any_page(site: Path, browser: Browser) -> None:
    pages = [p.relative_to(site).as_posix() for p in html_files(site)]
    assert len(pages) > 20
    with serve(site) as url, open_tab(browser, url) as tab:
        for path in pages:
            tab.page.goto(f"{url}/{path}")
            tab.page.wait_for_load_state("load")
            # Hover and click what an author could have made clickable, as a curious reader would.
            for link in tab.page.locator("article a").all()[:20]:
                href = link.get_attribute("href") or ""
                if href.startswith(("javascript:", "data:")):
                    link.click(no_wait_after=True)
                else:
                    link.hover()
        assert tab.dialogs == [], tab.dialogs
        assert tab.blocked == [], tab.blocked
