"""The insights page (/insights/) in headless Chromium: its pictures draw with every request off
loopback blocked, no console error, axe-core finds no serious or critical violation (in the light
and the dark scheme), and the README's screenshot.

The example site (today fixed to 2026-11-25) and a small corpus with a hostile service name are
built, served on loopback and opened as in test_browser.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from browsing import (
    SCREENSHOTS,
    VIEWPORT,
    Tab,
    open_tab,
    png_size,
    require_chromium,
    serious_axe_violations,
    serve,
)
from sitebuild import build_example, build_site, write_site
from test_insights_page import corpus

require_chromium()

INSIGHTS = "/insights/"


@pytest.fixture(scope="module")
def example_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(build_example(tmp_path_factory.mktemp("insights-example") / "site")) as url:
        yield url


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    config = write_site(tmp_path_factory.mktemp("insights-hostile"), corpus())
    with serve(build_site(config, strict=True)) as url:
        yield url


@pytest.fixture
def tab(chromium_browser: Browser, example_url: str) -> Iterator[Tab]:
    with open_tab(chromium_browser, example_url) as opened:
        yield opened
    assert opened.dialogs == [], opened.dialogs


def assert_clean(tab: Tab) -> None:
    assert tab.blocked == [], tab.blocked
    assert tab.console_errors == [], tab.console_errors
    assert tab.page_errors == [], tab.page_errors
    assert tab.dialogs == [], tab.dialogs


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_insights_page_offline_without_errors_and_axe_clean(tab: Tab, scheme: str) -> None:
    page = tab.open(INSIGHTS)
    page.wait_for_load_state("networkidle")
    if scheme == "slate":
        page.evaluate("document.body.setAttribute('data-md-color-scheme', 'slate')")
    pictures = page.locator("article svg.pm-svg[role=img]")
    assert pictures.count() >= 8
    for i in range(pictures.count()):
        box = pictures.nth(i).bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 50, f"picture {i} is not drawn"
    # The tables are closed <details>: open them so that axe checks them too.
    page.evaluate("document.querySelectorAll('details.pm-numbers').forEach(d => d.open = true)")
    expect(page.locator("table.pm-chart-table").first).to_be_visible()
    assert serious_axe_violations(page) == ""
    assert_clean(tab)


def test_term_page_timeline_offline_and_axe_clean(tab: Tab) -> None:
    page = tab.open("/services/checkout/")
    page.wait_for_load_state("networkidle")
    expect(page.locator("article svg.pm-svg[role=img]")).to_have_count(1)
    page.evaluate("document.querySelectorAll('details.pm-numbers').forEach(d => d.open = true)")
    assert serious_axe_violations(page) == ""
    assert_clean(tab)


def test_hostile_names_run_nothing(chromium_browser: Browser, hostile_url: str) -> None:
    with open_tab(chromium_browser, hostile_url) as hostile:
        for path in (INSIGHTS, "/2026/2026-08-15-pay-b/"):
            page = hostile.open(path)
            page.wait_for_load_state("networkidle")
            assert page.evaluate("document.querySelectorAll('article script').length") == 0
        page = hostile.open(INSIGHTS)
        expect(page.locator("#recurring-services + .pm-rankings a", has_text="<script>").first).to_be_visible()
        assert_clean(hostile)


def test_screenshot_for_readme(tab: Tab) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / "insights.png"
    target.unlink(missing_ok=True)
    page = tab.open(INSIGHTS)
    page.wait_for_load_state("networkidle")
    expect(page.locator("article svg.pm-svg").first).to_be_visible()
    page.screenshot(path=str(target))
    assert png_size(target) == (VIEWPORT["width"], VIEWPORT["height"])
    assert target.stat().st_size > 20_000, f"{target} is suspiciously small"
    assert_clean(tab)
