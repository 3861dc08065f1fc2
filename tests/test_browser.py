"""The example site in a real browser: search, the incident index's filters and sorting, console
errors, accessibility (axe-core) and the README's screenshots.

The site is built once, served on loopback with `python -m http.server`, and opened in Debian's
Chromium (/usr/bin/chromium) through Playwright's sync API. Every request to another host is
aborted and recorded, so a page that needs the network fails here instead of in an offline CI.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, expect

from browsing import (
    SCREENSHOTS,
    VIEWPORT,
    Tab,
    open_tab,
    png_size,
    published,
    require_chromium,
    serious_axe_violations,
    serve,
)
from sitebuild import ROOT, build_example

require_chromium()

CHECKOUT = "/2026/2026-03-04-checkout-timeouts-after-pool-resize/"
CHECKOUT_TITLE = "Checkout timeouts after a connection-pool resize"


# --- what the post-mortem files say (never what the page says) -------------------------------


def titles_tagged(tag: str) -> list[str]:
    """Titles of the published incidents carrying `tag` (tags compare without case, as on the site)."""
    return sorted(str(m["title"]) for m in published() if tag in [str(t).lower() for t in m.get("tags") or []])


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example site, built once and served on a free loopback port."""
    with serve(build_example(tmp_path_factory.mktemp("browser") / "site")) as url:
        yield url


@pytest.fixture
def tab(chromium_browser: Browser, site_url: str) -> Iterator[Tab]:
    with open_tab(chromium_browser, site_url) as opened:
        yield opened
    assert opened.dialogs == [], opened.dialogs


# --- search ---------------------------------------------------------------------------------------


def test_search_finds_an_incident_by_a_phrase_of_its_body(tab: Tab) -> None:
    source = (ROOT / "postmortems" / "2026" / "2026-03-04-checkout-timeouts-after-pool-resize.md").read_text()
    phrase = "ran out of connection slots"
    assert phrase in " ".join(source.split("---\n", 2)[2].split()), "the phrase must come from the incident's body"
    others = [p for p in (ROOT / "postmortems").glob("**/*.md") if "pool-resize" not in p.name]
    assert all("slots" not in p.read_text() for p in others), "the phrase must be in one post-mortem only"

    page = tab.open("/")
    search = page.locator("input.md-search__input")
    search.click()
    search.press_sequentially(phrase)  # Material reads the query on keyup: fill() alone finds nothing

    # Material lists a page, then its matching sections; results are redrawn after each keystroke,
    # so wait for the section that holds the phrase (the Summary) to be among them.
    hit = page.locator(f".md-search-result__item a[href*='{CHECKOUT}'][href$='#summary']")
    expect(hit.first).to_be_attached()  # Material may fold further sections of a page under "more"
    href = hit.first.get_attribute("href")
    assert href is not None
    target = urlsplit(href)
    assert (target.netloc, target.path, target.fragment) == (urlsplit(tab.site_url).netloc, CHECKOUT, "summary"), href
    page_result = page.locator(".md-search-result__item", has=page.locator(f"a[href*='{CHECKOUT}']")).first
    expect(page_result).to_contain_text(CHECKOUT_TITLE)


# --- the incident index ---------------------------------------------------------------------------


@pytest.mark.parametrize("tag", ["database", "certificates"])
def test_incident_index_filters_by_tag_without_reloading(tab: Tab, tag: str) -> None:
    expected = titles_tagged(tag)
    total = len(published())
    assert 0 < len(expected) < total, f"tag {tag} must be on some incidents but not all"

    page = tab.open("/incidents/")
    table = page.locator("[data-pm-table]")
    visible = table.locator("tbody tr:not([hidden])")
    expect(visible).to_have_count(total)
    page.evaluate("window.__marker = 1")

    table.locator("select[data-pm-filter=tag]").select_option(tag)

    expect(visible).to_have_count(len(expected))
    assert sorted(visible.locator("td:nth-child(2)").all_inner_texts()) == expected
    expect(table.locator("tbody tr[hidden]")).to_have_count(total - len(expected))
    expect(table.locator("[data-pm-count]")).to_have_text(f"{len(expected)} of {total} shown")
    assert page.evaluate("window.__marker") == 1, "choosing a tag reloaded the page"
    expect(page).to_have_url(re.compile(rf"/incidents/\?(.*&)?tag={tag}(&|$)"))

    page.reload()
    assert page.evaluate("window.__marker") is None, "the page was not reloaded"
    expect(table.locator("select[data-pm-filter=tag]")).to_have_value(tag)
    expect(visible).to_have_count(len(expected))
    assert sorted(visible.locator("td:nth-child(2)").all_inner_texts()) == expected


def test_incident_index_sorts_by_date_both_ways(tab: Tab) -> None:
    dates = sorted(d.isoformat() if isinstance(d, dt.date) else str(d) for d in (m["date"] for m in published()))
    page = tab.open("/incidents/")
    table = page.locator("[data-pm-table]")
    rows = table.locator("tbody tr:not([hidden])")
    header = table.locator("th", has=page.locator("button[data-pm-sort=date]"))
    button = table.locator("button[data-pm-sort=date]")

    def shown_dates() -> list[str]:
        return [str(d) for d in rows.evaluate_all("rows => rows.map(r => r.dataset.date)")]

    button.click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    assert shown_dates() == dates
    expect(page).to_have_url(re.compile(r"[?&]sort=date(&|$)"))

    button.click()
    expect(header).to_have_attribute("aria-sort", "descending")
    assert shown_dates() == dates[::-1]
    expect(page).to_have_url(re.compile(r"[?&]sort=-date(&|$)"))


# --- console errors, blocked requests, accessibility ------------------------------------------------


@pytest.mark.parametrize("path", ["/", CHECKOUT, "/incidents/", "/tags/database/"])
def test_no_console_errors_and_no_request_off_loopback(tab: Tab, path: str) -> None:
    page = tab.open(path)
    page.wait_for_load_state("networkidle")  # the search worker fetches its index after "load"
    assert not tab.blocked, f"{path} requested other hosts: {tab.blocked}"
    assert not tab.console_errors, f"{path} logged errors: {tab.console_errors}"
    assert not tab.page_errors, f"{path} threw: {tab.page_errors}"


@pytest.mark.parametrize("path", ["/", CHECKOUT, "/incidents/", "/tags/", "/tags/database/"])
def test_axe_finds_no_serious_violation(tab: Tab, path: str) -> None:
    report = serious_axe_violations(tab.open(path))
    assert not report, f"axe-core on {path}, serious or critical:\n{report}"


# --- screenshots for the README -------------------------------------------------------------------


def test_screenshots_for_readme(tab: Tab) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shots = {"incident.png": CHECKOUT, "incidents.png": "/incidents/"}
    for name, path in shots.items():
        target = SCREENSHOTS / name
        target.unlink(missing_ok=True)
        page = tab.open(path)
        expect(page.locator("article h1").first).to_be_visible()
        if path == "/incidents/":
            expect(page.locator("[data-pm-count]")).to_have_text(re.compile(r"\d+ of \d+ shown"))  # script ran
        page.screenshot(path=str(target))
        assert target.is_file(), f"{target} was not written"
        assert png_size(target) == (VIEWPORT["width"], VIEWPORT["height"])
        assert target.stat().st_size > 20_000, f"{target} is suspiciously small"
    assert tab.blocked == [] and tab.console_errors == [] and tab.page_errors == []
