"""`search: pagefind` in a real browser: the same checks as Material's search in test_browser.py.

The example site, plus one post-mortem whose tag, service and action item are words found
nowhere else (so only the header card and the action-item table can match them), is built once
with `search: pagefind`, served on loopback with `python -m http.server` and searched in
Debian's Chromium. Every tab aborts and records requests to another host, console errors, page
errors and dialogs, and every test ends by asserting there were none. A second, small site is
served under a sub-path, with and without `use_directory_urls`.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from browsing import Tab, open_tab, require_chromium, serious_axe_violations, serve
from sitebuild import ROOT, build_site, incident, write_site
from test_pagefind import CHECKOUT, PHRASE, example_with_pagefind, front_matter

require_chromium()

CHECKOUT_TITLE = str(
    front_matter(ROOT / "postmortems" / "2026" / "2026-03-04-checkout-timeouts-after-pool-resize.md")["title"]
)
LAG = "/2026/2026-05-02-queue-lag-after-broker-upgrade/"
LAG_TITLE = "Queue lag after a broker upgrade"
TAG, SERVICE, ACTION = "zeppelin", "zanzibar-broker", "Quarantine the flamingo partition before every rebalance"
HOSTILE = "<img src=x onerror=alert(1)>"
LAG_POST = incident(
    LAG_TITLE,
    date="2026-05-02",
    extra=f"services: [{SERVICE}]\ntags: [{TAG}]\ncontributing_factors: [capacity]\nauthors: [Ana Lima]\n"
    f"action_items:\n  - action: {ACTION}\n    owner: '@platform'\n    due: 2026-12-20\n    addresses: capacity\n",
    body=f"## Action items\n\nThe consumers logged `{HOSTILE}` verbatim.\n",
)


def test_the_probe_words_are_only_in_the_front_matter() -> None:
    """What makes the tag, service and action tests mean something."""
    body = LAG_POST.split("---\n", 2)[2].lower()
    others = " ".join(p.read_text(encoding="utf-8").lower() for p in (ROOT / "postmortems").glob("**/*.md"))
    for word in (TAG, SERVICE, "zanzibar", "flamingo", "quarantine"):
        assert word not in body and word not in others, word


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = example_with_pagefind(tmp_path_factory.mktemp("pagefind-browser"), {f"{LAG.strip('/')}.md": LAG_POST})
    with serve(site) as url:
        yield url


def clean(tab: Tab) -> None:
    assert tab.blocked == [], f"requests to another host: {tab.blocked}"
    assert tab.console_errors == [], tab.console_errors
    assert tab.page_errors == [], tab.page_errors
    assert tab.dialogs == [], tab.dialogs


@pytest.fixture
def tab(chromium_browser: Browser, site_url: str) -> Iterator[Tab]:
    with open_tab(chromium_browser, site_url) as opened:
        yield opened
        clean(opened)


def search(page: Page, query: str) -> Locator:
    """Types `query` into the header's search field; returns the results' page links."""
    field = page.locator("[data-pm-search-input]")
    field.click()
    field.press_sequentially(query)
    expect(page.locator("[data-pm-search] .md-search-result__meta")).to_contain_text("matching document")
    return page.locator("[data-pm-search] .md-search-result__item > a:first-child")


def path_of(href: str | None, base: str) -> str:
    assert href is not None
    target = urlsplit(href)
    assert target.netloc in ("", urlsplit(base).netloc), href
    return target.path


# --- finding things -----------------------------------------------------------------------------


def test_finds_an_incident_by_a_phrase_of_its_body_and_opens_it(tab: Tab) -> None:
    page = tab.open("/")
    hits = search(page, PHRASE)
    expect(page.locator("[data-pm-search] .md-search-result__meta")).to_have_text("1 matching document")
    expect(hits).to_have_count(1)
    assert path_of(hits.first.get_attribute("href"), tab.site_url) == CHECKOUT
    expect(hits.first.locator("h1")).to_have_text(CHECKOUT_TITLE)
    expect(hits.first).to_contain_text("connection")
    expect(hits.first.locator("mark").first).to_be_visible()
    sections = page.locator("[data-pm-search] .md-search-result__item a[href$='#summary']")
    expect(sections.first).to_be_attached()  # the section holding the phrase, as Material lists it
    hits.first.click()
    page.wait_for_url(tab.site_url + CHECKOUT)
    expect(page.locator("h1.pm-title")).to_have_text(CHECKOUT_TITLE)


@pytest.mark.parametrize(
    "query", [TAG, SERVICE, ACTION, "flamingo partition"], ids=["tag", "service", "action item", "action words"]
)
def test_finds_an_incident_by_its_header_card_and_action_items(tab: Tab, query: str) -> None:
    page = tab.open("/incidents/")
    hits = search(page, query)
    expect(page.locator(f"[data-pm-search] .md-search-result__item > a[href='{LAG}']")).to_have_count(1)
    expect(hits).to_have_count(1)
    expect(hits.first.locator("h1")).to_have_text(LAG_TITLE)


def test_nothing_is_found_for_words_no_page_has(tab: Tab) -> None:
    page = tab.open("/")
    page.locator("[data-pm-search-input]").fill("xylophonequartz")
    expect(page.locator("[data-pm-search] .md-search-result__meta")).to_have_text("No matching documents")
    expect(page.locator("[data-pm-search] .md-search-result__item")).to_have_count(0)


def test_excerpts_are_text_with_marks_only(tab: Tab) -> None:
    """A post-mortem quoting HTML: the excerpt shows it as text and no element is made of it."""
    page = tab.open("/")
    hits = search(page, "onerror")
    expect(hits).to_have_count(1)
    result = page.locator("[data-pm-search] .md-search-result__item").first
    expect(result).to_contain_text(HOSTILE)
    assert page.locator("[data-pm-search] .md-search-result img").count() == 0
    tags = result.evaluate("li => [...li.querySelectorAll('p *')].map(e => e.tagName.toLowerCase())")
    assert set(tags) <= {"mark"}, tags
    page.wait_for_timeout(200)  # an onerror would have run by now; the tab fixture checks dialogs


# --- the field: look, keyboard, loading -------------------------------------------------------


def test_the_field_is_where_materials_is_and_only_this_sites_bundle_is_loaded(tab: Tab) -> None:
    requested: list[str] = []
    tab.page.context.on("request", lambda request: requested.append(request.url))  # workers' too
    page = tab.open(LAG)
    header = page.locator("header.md-header .md-header__inner")
    expect(header.locator(".md-search[role=dialog][aria-label]")).to_have_count(1)
    expect(header.locator("input.md-search__input")).to_be_visible()
    assert page.locator("form[name=search]").count() == 0  # Material's: it would fetch its own index
    search(page, TAG)
    page.wait_for_load_state("networkidle")
    paths = [urlsplit(u).path for u in requested]
    assert "/pagefind/pagefind.js" in paths and any(p.startswith("/pagefind/fragment/") for p in paths), paths
    assert not [p for p in paths if "search_index" in p], paths
    assert all(u.startswith(tab.site_url + "/") for u in requested), requested


@pytest.mark.parametrize("key", ["s", "f"])
def test_s_and_f_focus_the_field_as_in_material(tab: Tab, key: str) -> None:
    page = tab.open(CHECKOUT)
    page.keyboard.press(key)
    expect(page.locator("[data-pm-search-input]")).to_be_focused()
    expect(page.locator("[data-pm-search-input]")).to_have_value("")


def test_slash_focuses_the_field_and_arrows_and_enter_open_a_result(tab: Tab) -> None:
    page = tab.open("/")
    page.keyboard.press("/")
    expect(page.locator("[data-pm-search-input]")).to_be_focused()
    assert page.locator("#__search").is_checked()
    page.keyboard.type(TAG)
    first = page.locator(f"[data-pm-search] .md-search-result__item > a[href='{LAG}']")
    expect(first).to_be_visible()
    expect(page.locator("[data-pm-search-input]")).to_have_value(TAG)  # the key itself was not typed
    page.keyboard.press("ArrowDown")
    expect(first).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(page.locator("[data-pm-search-input]")).to_be_focused()
    page.keyboard.press("Escape")
    assert not page.locator("#__search").is_checked()
    expect(page.locator("[data-pm-search-input]")).not_to_be_focused()
    page.keyboard.press("/")
    page.keyboard.press("Enter")  # the first result
    page.wait_for_url(tab.site_url + LAG)
    expect(page.locator("h1.pm-title")).to_have_text(LAG_TITLE)


def test_the_clear_button_empties_the_results(tab: Tab) -> None:
    page = tab.open("/")
    search(page, TAG)
    page.locator("[data-pm-search] button[type=reset]").click()
    expect(page.locator("[data-pm-search-input]")).to_have_value("")
    expect(page.locator("[data-pm-search] .md-search-result__item")).to_have_count(0)
    expect(page.locator("[data-pm-search-input]")).to_be_focused()


@pytest.mark.parametrize("path", ["/", CHECKOUT])
def test_axe_finds_no_serious_violation_with_results_open(tab: Tab, path: str) -> None:
    page = tab.open(path)
    search(page, "checkout")
    violations = serious_axe_violations(page)
    assert not violations, f"{path} with search results open:\n{violations}"


# --- another site: under a sub-path, with and without directory URLs ---------------------------


@pytest.mark.parametrize("directory_urls", [True, False], ids=["directory-urls", "html-urls"])
def test_under_a_sub_path(chromium_browser: Browser, tmp_path: Path, directory_urls: bool) -> None:
    config = write_site(
        tmp_path / "repo",
        {f"{LAG.strip('/')}.md": LAG_POST},
        options="      search: pagefind\n",
        extra=f"use_directory_urls: {str(directory_urls).lower()}\n",
        plugins_before="",
    )
    served = tmp_path / "www"
    served.mkdir()
    shutil.move(build_site(config, strict=True), served / "pm")
    target = LAG if directory_urls else LAG.rstrip("/") + ".html"
    with serve(served) as url, open_tab(chromium_browser, url + "/pm") as opened:
        page = opened.open(target)  # a page two folders down: the bundle is found relative to it
        hits = search(page, SERVICE)
        expect(hits).to_have_count(1)
        assert path_of(hits.first.get_attribute("href"), url) == "/pm" + target
        page.locator("[data-pm-search] button[type=reset]").click()
        page.goto(url + "/pm/")
        hits = search(page, ACTION)
        hits.first.click()
        page.wait_for_url(re.compile(re.escape(url + "/pm" + target) + "$"))
        expect(page.locator("h1.pm-title")).to_have_text(LAG_TITLE)
        clean(opened)
