"""The action-item dashboard (/actions/) in headless Chromium: the live table drawn from
api/actions.json, its filters and sorting without reloading, the URL keeping the filter, console
errors, requests off loopback, accessibility (axe-core) and the README's screenshot.

The example site (built with today fixed to 2026-11-25) is served on loopback as in
test_browser.py, whose launch options and helpers are reused; every request to another host is
aborted and recorded. Expected rows always come from the post-mortem files (YAML), never from the page.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect

from browsing import (
    SCREENSHOTS,
    VIEWPORT,
    Tab,
    column,
    due_dates,
    live_rows,
    open_tab,
    png_size,
    published,
    query_of,
    require_chromium,
    serious_axe_violations,
    serve,
)
from sitebuild import build_example, build_site, write_site
from test_dashboard import EVIL_ITEMS, EVIL_TITLE, PAYLOADS, hostile_files, item, postmortem

require_chromium()

TODAY = dt.date(2026, 11, 25)  # build_example fixes SOURCE_DATE_EPOCH to this day
DASHBOARD = "/actions/"
READY = "[data-pm-dashboard][data-pm-ready]"
OWNER, DUE, STATUS, TICKET, POSTMORTEM = 2, 3, 5, 6, 7  # columns of the live table (1-based)


# --- what the post-mortem files say -------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    action: str
    owner: str | None
    due: str | None
    status: str
    priority: str
    ticket: str | None
    title: str

    @property
    def overdue(self) -> bool:
        return self.status in ("open", "in-progress") and self.due is not None and self.due < TODAY.isoformat()


def items() -> list[Item]:
    """Every action item of every published example post-mortem (drafts are not on the site)."""
    found = []
    for meta in published():
        for raw in meta.get("action_items") or []:
            due = raw.get("due")
            found.append(
                Item(
                    action=" ".join(str(raw["action"]).split()),
                    owner=raw.get("owner"),
                    due=due.isoformat() if isinstance(due, dt.date) else due,
                    status=raw.get("status", "open"),
                    priority=raw.get("priority", "P2"),
                    ticket=raw.get("ticket"),
                    title=str(meta["title"]),
                )
            )
    assert len(found) >= 10, "the example action items are missing"
    return found


def actions_of(chosen: list[Item]) -> list[str]:
    return sorted(i.action for i in chosen)


# --- serving and the browser --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(build_example(tmp_path_factory.mktemp("dashboard-browser") / "site")) as url:
        yield url


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    config = write_site(
        tmp_path_factory.mktemp("dashboard-hostile"),
        hostile_files(),
        options="      forge_url: https://forge.example\n",
    )
    with serve(build_site(config)) as url:
        yield url


PAGING_POSTMORTEMS, PAGING_ITEMS = 26, 5  # 130 items: one page of 100 and 30 more


@pytest.fixture(scope="module")
def paging_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    files = {}
    for n in range(1, PAGING_POSTMORTEMS + 1):
        meta = {
            "title": f"Incident {n:02d}",
            "date": dt.date(2026, 1, n),
            "severity": "SEV3",
            "services": ["queue" if n % 2 else "search"],
            "action_items": [
                item(f"Item {n:02d}.{k} with 1 measurable outcome", f"@team-{k}", dt.date(2026, 12, k))
                for k in range(1, 6)
            ],
        }
        files[f"2026/2026-01-{n:02d}-incident-{n:02d}.md"] = postmortem(meta)
    with serve(build_site(write_site(tmp_path_factory.mktemp("dashboard-paging"), files))) as url:
        yield url


@dataclass
class DashboardTab(Tab):
    def dashboard(self, query: str = "") -> Page:
        page = self.open(DASHBOARD + query)
        expect(page.locator(READY)).to_be_attached()
        return page


@contextmanager
def new_tab(browser: Browser, site_url: str) -> Iterator[DashboardTab]:
    with open_tab(browser, site_url, DashboardTab) as tab:
        yield tab


@pytest.fixture
def tab(chromium_browser: Browser, site_url: str) -> Iterator[DashboardTab]:
    with new_tab(chromium_browser, site_url) as tab:
        yield tab
    assert tab.dialogs == [], tab.dialogs


@pytest.fixture
def paging_tab(chromium_browser: Browser, paging_url: str) -> Iterator[DashboardTab]:
    with new_tab(chromium_browser, paging_url) as tab:
        yield tab


@pytest.fixture
def hostile_tab(chromium_browser: Browser, hostile_url: str) -> Iterator[DashboardTab]:
    with new_tab(chromium_browser, hostile_url) as tab:
        yield tab


# --- reading the live table ---------------------------------------------------------------------------


# --- loading, filtering, sorting ------------------------------------------------------------------


def test_the_table_shows_every_published_item(tab: DashboardTab) -> None:
    expected = items()
    assert len(expected) < 100, "the example fits on one page of the table"
    page = tab.dashboard()
    expect(live_rows(page)).to_have_count(len(expected))
    assert sorted(column(page, 1)) == actions_of(expected)
    assert "(draft)" not in " ".join(column(page, POSTMORTEM))
    expect(page.locator("[data-pm-count]")).to_have_text(f"{len(expected)} of {len(expected)} items")
    expect(page.locator("[data-pm-more]")).to_have_attribute("hidden", "")  # but see test_show_more_is_not_shown...
    # overdue first, as the page says
    flags = [i.overdue for i in expected]
    shown = live_rows(page).evaluate_all("rows => rows.map(r => r.classList.contains('pm-overdue'))")
    assert shown == sorted(flags, reverse=True)


@pytest.mark.parametrize("owner", ["@db-reliability", "@search-team", "@sre-team"])
def test_filtering_by_owner_narrows_the_rows_without_reloading(tab: DashboardTab, owner: str) -> None:
    expected = [i for i in items() if i.owner == owner]
    assert 0 < len(expected) < len(items()), f"{owner} must own some items but not all"
    page = tab.dashboard()
    page.evaluate("window.__marker = 1")

    page.locator("select[data-pm-field=owner]").select_option(owner)

    expect(live_rows(page)).to_have_count(len(expected))
    assert set(column(page, OWNER)) == {owner}
    assert sorted(column(page, 1)) == actions_of(expected)
    expect(page.locator("[data-pm-count]")).to_have_text(f"{len(expected)} of {len(items())} items")
    assert page.evaluate("window.__marker") == 1, "choosing an owner reloaded the page"
    assert query_of(page) == {"owner": [owner]}

    page.reload()
    expect(page.locator(READY)).to_be_attached()
    assert page.evaluate("window.__marker") is None, "the page was not reloaded"
    expect(page.locator("select[data-pm-field=owner]")).to_have_value(owner)
    expect(live_rows(page)).to_have_count(len(expected))
    assert set(column(page, OWNER)) == {owner}
    assert sorted(column(page, 1)) == actions_of(expected)


def test_sorting_by_due_date_both_ways(tab: DashboardTab) -> None:
    dates = sorted(i.due or "\uffff" for i in items())  # undated items sort last, as the script does
    page = tab.dashboard()
    header = page.locator("th", has=page.locator("button[data-pm-sort=due]"))
    button = page.locator("button[data-pm-sort=due]")
    expect(header).to_have_attribute("aria-sort", "none")

    button.click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    assert [d.replace("—", "\uffff") for d in due_dates(page, DUE)] == dates
    assert query_of(page) == {"sort": ["due"]}

    button.click()
    expect(header).to_have_attribute("aria-sort", "descending")
    assert [d.replace("—", "\uffff") for d in due_dates(page, DUE)] == dates[::-1]
    assert query_of(page) == {"sort": ["-due"]}

    page.reload()  # the sort is kept in the URL too
    expect(page.locator(READY)).to_be_attached()
    expect(header).to_have_attribute("aria-sort", "descending")
    assert [d.replace("—", "\uffff") for d in due_dates(page, DUE)] == dates[::-1]


def test_status_overdue_shows_exactly_the_overdue_items(tab: DashboardTab) -> None:
    expected = [i for i in items() if i.overdue]
    assert 0 < len(expected) < len(items())
    page = tab.dashboard()
    page.locator("select[data-pm-field=status]").select_option("overdue")
    expect(live_rows(page)).to_have_count(len(expected))
    assert sorted(column(page, 1)) == actions_of(expected)
    assert all(d < TODAY.isoformat() for d in due_dates(page, DUE))
    assert set(column(page, STATUS)) <= {"open", "in-progress"}
    expect(live_rows(page).locator(".pm-flag-overdue")).to_have_count(len(expected))
    expect(page.locator("[data-pm-dashboard] tbody tr:not(.pm-overdue)")).to_have_count(0)
    assert query_of(page) == {"status": ["overdue"]}


def test_free_text_filter(tab: DashboardTab) -> None:
    word = "replica"

    def text(i: Item) -> str:  # what the script searches: action, owner, ticket, title, status, priority
        return " ".join(str(x or "") for x in (i.action, i.owner, i.ticket, i.title, i.status, i.priority)).lower()

    expected = [i for i in items() if word in text(i)]
    assert 0 < len(expected) < len(items())
    page = tab.dashboard()
    page.evaluate("window.__marker = 1")
    page.locator("input[data-pm-field=q]").fill(word.upper())  # compared without case
    expect(live_rows(page)).to_have_count(len(expected))
    assert sorted(column(page, 1)) == actions_of(expected)
    assert page.evaluate("window.__marker") == 1
    assert query_of(page) == {"q": [word.upper()]}

    page.locator("input[data-pm-field=q]").fill("no item says this")
    expect(live_rows(page)).to_have_count(0)
    expect(page.locator("[data-pm-count]")).to_have_text(f"0 of {len(items())} items")


def test_a_shared_link_opens_the_same_view(tab: DashboardTab) -> None:
    expected = [i for i in items() if i.owner == "@db-reliability" and i.status == "done"]
    assert 0 < len(expected) < len([i for i in items() if i.owner == "@db-reliability"])
    page = tab.dashboard("?owner=%40db-reliability&status=done&sort=-due")
    expect(page.locator("select[data-pm-field=owner]")).to_have_value("@db-reliability")
    expect(page.locator("select[data-pm-field=status]")).to_have_value("done")
    expect(live_rows(page)).to_have_count(len(expected))
    assert due_dates(page, DUE) == sorted((i.due or "" for i in expected), reverse=True)


def test_a_view_link_filters_the_table(tab: DashboardTab) -> None:
    """The by-owner view links into the live table (`?owner=...#all-items`)."""
    owner = "@db-reliability"
    expected = [i for i in items() if i.owner == owner]
    page = tab.dashboard()
    page.locator("article a[href^='?owner=']", has_text=owner).click()
    expect(page).to_have_url(re.compile(r"\?owner=%40db-reliability#all-items$"))
    expect(page.locator(READY)).to_be_attached()
    expect(page.locator("select[data-pm-field=owner]")).to_have_value(owner)
    expect(live_rows(page)).to_have_count(len(expected))


def test_the_table_draws_100_rows_at_a_time(paging_tab: DashboardTab) -> None:
    total = PAGING_POSTMORTEMS * PAGING_ITEMS
    page = paging_tab.dashboard()
    more = page.locator("[data-pm-more]")
    expect(live_rows(page)).to_have_count(100)
    expect(page.locator("[data-pm-count]")).to_have_text(f"{total} of {total} items (100 shown)")
    expect(more).to_be_visible()
    expect(more).to_have_text(f"Show {total - 100} more")

    more.click()
    expect(live_rows(page)).to_have_count(total)
    expect(page.locator("[data-pm-count]")).to_have_text(f"{total} of {total} items")
    expect(more).to_have_attribute("hidden", "")
    assert sorted(column(page, 1)) == sorted(
        f"Item {n:02d}.{k} with 1 measurable outcome" for n in range(1, PAGING_POSTMORTEMS + 1) for k in range(1, 6)
    )

    page.locator("select[data-pm-field=owner]").select_option("@team-3")  # one item of each post-mortem
    expect(live_rows(page)).to_have_count(PAGING_POSTMORTEMS)
    expect(page.locator("[data-pm-count]")).to_have_text(f"{PAGING_POSTMORTEMS} of {total} items")
    assert paging_tab.console_errors == [] and paging_tab.page_errors == [] and paging_tab.blocked == []


def test_show_more_is_not_shown_when_every_row_is_drawn(tab: DashboardTab) -> None:
    page = tab.dashboard()
    expect(live_rows(page)).to_have_count(len(items()))
    expect(page.locator("[data-pm-more]")).to_have_attribute("hidden", "")
    expect(page.locator("[data-pm-more]")).to_be_hidden(timeout=1000)


def test_ticket_links_are_the_urls_given(tab: DashboardTab) -> None:
    """No forge is configured for the example: owner/repo#N stays text, URLs become links."""
    page = tab.dashboard()
    links = live_rows(page).locator(f"td:nth-child({TICKET}) a")
    pairs = links.evaluate_all("links => links.map(a => [a.getAttribute('href'), a.textContent])")
    urls = sorted(i.ticket for i in items() if i.ticket and i.ticket.startswith(("https://", "http://")))
    assert sorted(href for href, _ in pairs) == urls
    assert all(href == text for href, text in pairs)


def test_post_mortem_links_in_the_table_lead_to_the_post_mortems(tab: DashboardTab) -> None:
    page = tab.dashboard()
    first = live_rows(page).first.locator(f"td:nth-child({POSTMORTEM}) a")
    href = first.evaluate("a => a.href")
    record = page.evaluate("fetch('../api/actions.json').then(r => r.json()).then(d => d.items[0])")
    assert href == f"{tab.site_url}/{record['url']}"


# --- errors, requests, accessibility, screenshot ---------------------------------------------------


def test_no_console_error_and_no_request_off_loopback(tab: DashboardTab) -> None:
    page = tab.dashboard()
    page.wait_for_load_state("networkidle")
    page.locator("select[data-pm-field=priority]").select_option("P1")
    page.locator("button[data-pm-sort=owner]").click()
    expect(live_rows(page)).to_have_count(len([i for i in items() if i.priority == "P1"]))
    assert not tab.blocked, f"{DASHBOARD} requested other hosts: {tab.blocked}"
    assert not tab.console_errors, f"{DASHBOARD} logged errors: {tab.console_errors}"
    assert not tab.page_errors, f"{DASHBOARD} threw: {tab.page_errors}"


@pytest.mark.parametrize("query", ["", "?status=overdue&sort=due"])
def test_axe_finds_no_serious_violation_on_the_dashboard(tab: DashboardTab, query: str) -> None:
    page = tab.dashboard(query)
    expect(live_rows(page).first).to_be_visible()  # the rows are drawn before axe looks
    report = serious_axe_violations(page)
    assert not report, f"axe-core on {DASHBOARD}{query}, serious or critical:\n{report}"


def test_screenshot_for_readme(tab: DashboardTab) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / "dashboard.png"
    target.unlink(missing_ok=True)
    page = tab.dashboard()
    expect(live_rows(page)).to_have_count(len(items()))  # the data is in
    expect(page.locator("[data-pm-count]")).to_have_text(re.compile(r"^\d+ of \d+ items$"))
    page.screenshot(path=str(target))
    assert target.is_file(), f"{target} was not written"
    assert png_size(target) == (VIEWPORT["width"], VIEWPORT["height"])
    assert target.stat().st_size > 20_000, f"{target} is suspiciously small"
    assert tab.blocked == [] and tab.console_errors == [] and tab.page_errors == []


# --- hostile strings in the live table ------------------------------------------------------------


def test_hostile_strings_are_text_in_the_live_table(hostile_tab: DashboardTab) -> None:
    page = hostile_tab.dashboard()
    expect(live_rows(page)).to_have_count(len(EVIL_ITEMS))
    table = page.locator("[data-pm-dashboard] tbody")
    expect(table.locator("script, img, svg, iframe, textarea")).to_have_count(0)
    handlers = table.evaluate(
        "t => [...t.querySelectorAll('*')].flatMap(e => [...e.attributes].map(a => a.name)).filter(n => /^on/i.test(n))"
    )
    assert handlers == []
    assert sorted(column(page, 1)) == sorted(" ".join(str(i["action"]).split()) for i in EVIL_ITEMS)
    assert set(column(page, POSTMORTEM)) == {EVIL_TITLE}
    hrefs = table.locator("a").evaluate_all("links => links.map(a => a.href)")
    assert hrefs and [h for h in hrefs if not h.startswith(("http://", "https://"))] == []
    tickets = table.locator(f"td:nth-child({TICKET}) a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert sorted(tickets) == sorted(
        [
            "https://tracker.example/T-1?a=1&b=2",
            "https://forge.example/acme/repo/issues/7",
            "https://forge.example/acme/ops/issues/12",
        ]
    )

    page.locator("select[data-pm-field=owner]").select_option(PAYLOADS[2])  # javascript:alert(3)
    expect(live_rows(page)).to_have_count(1)
    assert column(page, OWNER) == [PAYLOADS[2]]
    assert query_of(page) == {"owner": [PAYLOADS[2]]}
    page.reload()
    expect(page.locator(READY)).to_be_attached()
    expect(page.locator("select[data-pm-field=owner]")).to_have_value(PAYLOADS[2])
    expect(live_rows(page)).to_have_count(1)

    page.locator("input[data-pm-field=q]").fill("<script>")
    assert hostile_tab.dialogs == [] and hostile_tab.page_errors == [] and hostile_tab.console_errors == []
    assert hostile_tab.blocked == []
