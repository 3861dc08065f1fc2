"""`postmortems generate` + `zensical build`, in headless Chromium: the example site built by
Zensical from the generated docs folder keeps its interactive pages working offline.

The site is generated and built once for the module, in a temporary folder (nothing is written
in the repository), served on loopback with `python -m http.server` and opened in Debian's
Chromium as in test_browser.py and test_dashboard_browser.py, whose key tests this mirrors: the
incident index's in-page filters and sorting, and the action-item dashboard's live table drawn
from api/actions.json. Every request to another host is aborted and recorded; every tab must end
with no such request, no console error, no page error and no dialog. Expected rows always come
from the post-mortem files (YAML), never from the page.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from playwright.sync_api import Browser, Locator, Page, expect

from browsing import Tab, column, due_dates, live_rows, open_tab, published, query_of, require_chromium, serve
from sitebuild import ROOT, TODAY_EPOCH

require_chromium()

BIN = Path(sys.executable).parent  # the venv's scripts: postmortems, zensical


def require_zensical() -> None:
    """Skip this module without Zensical, except in CI, where it must be installed."""
    if importlib.util.find_spec("zensical") is not None and (BIN / "zensical").is_file():
        return
    if os.environ.get("CI"):
        raise RuntimeError(f"zensical is missing in CI: it must be installed in the venv ({BIN})")
    pytest.skip("zensical is not installed (pip install zensical)", allow_module_level=True)


require_zensical()

TODAY = dt.datetime.fromtimestamp(int(TODAY_EPOCH), tz=dt.timezone.utc).date()  # the build's "today"
INDEX = "/incidents/"
DASHBOARD = "/actions/"
READY = "[data-pm-dashboard][data-pm-ready]"
TITLE = 2  # column of the incident index (1-based)
OWNER, DUE, STATUS, POSTMORTEM = 2, 3, 5, 7  # columns of the dashboard's live table (1-based)


# --- what the post-mortem files say (never what the page says) -------------------------------------


def iso(value: object) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def words(values: object) -> list[str]:
    return [str(v).lower() for v in cast(list[object], values or [])]


def index_text(meta: dict[str, Any]) -> str:
    """What the index's text filter searches: the text of the incident's row."""
    cells = [iso(meta["date"]), meta["title"], meta["severity"], meta["status"]]
    return " ".join([*map(str, cells), *map(str, meta.get("services") or []), *map(str, meta.get("tags") or [])])


def titles(chosen: list[dict[str, Any]]) -> list[str]:
    return sorted(str(m["title"]) for m in chosen)


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
    def active(self) -> bool:
        return self.status in ("open", "in-progress")

    @property
    def overdue(self) -> bool:
        return self.active and self.due is not None and self.due < TODAY.isoformat()

    @property
    def text(self) -> str:
        """What the dashboard's text filter searches: action, owner, ticket, title, status, priority."""
        fields = (self.action, self.owner, self.ticket, self.title, self.status, self.priority)
        return " ".join(str(x or "") for x in fields)


def items() -> list[Item]:
    """Every action item of every published example post-mortem (drafts are not on the site)."""
    found = [
        Item(
            action=" ".join(str(raw["action"]).split()),
            owner=raw.get("owner"),
            due=iso(raw["due"]) if raw.get("due") else None,
            status=raw.get("status", "open"),
            priority=raw.get("priority", "P2"),
            ticket=raw.get("ticket"),
            title=str(meta["title"]),
        )
        for meta in published()
        for raw in meta.get("action_items") or []
    ]
    assert len(found) >= 10, "the example action items are missing"
    return found


def actions_of(chosen: list[Item]) -> list[str]:
    return sorted(i.action for i in chosen)


# --- generating, building, serving ------------------------------------------------------------------


def repository_state() -> dict[str, tuple[int, int] | None]:
    """The repository's top-level names, and every file of the folders `generate` reads."""
    state: dict[str, tuple[int, int] | None] = {p.name: None for p in ROOT.iterdir()}
    for folder in ("postmortems", "overrides"):
        for path in (ROOT / folder).rglob("*"):
            stat = path.stat()
            state[path.relative_to(ROOT).as_posix()] = (stat.st_size, stat.st_mtime_ns)
    return state


def run(command: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)
    output = f"$ {' '.join(command)}\n{done.stdout}\n{done.stderr}"
    assert done.returncode == 0, output
    return output


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`postmortems generate` then `zensical build` of the example, in a temporary folder, served."""
    work = tmp_path_factory.mktemp("generate-browser")
    out = work / "gen"
    env = {**os.environ, "SOURCE_DATE_EPOCH": TODAY_EPOCH}
    for name in ("POSTMORTEMS_SHOW_DRAFTS", "POSTMORTEMS_PUBLIC_ONLY"):  # the example as the default build
        env.pop(name, None)
    before = repository_state()
    run([str(BIN / "postmortems"), "-f", str(ROOT / "mkdocs.yml"), "generate", "--out", str(out)], work, env)
    config = yaml.safe_load((out / "mkdocs.yml").read_text(encoding="utf-8"))
    plugins = [p if isinstance(p, str) else next(iter(p)) for p in config.get("plugins") or []]
    assert "postmortems" not in plugins, f"the generated config still runs the plugin: {plugins}"
    run([str(BIN / "zensical"), "build", "-f", str(out / "mkdocs.yml")], work, env)
    assert repository_state() == before, "generate or zensical wrote inside the repository"
    site = out / "site"
    for page in ("incidents/index.html", "actions/index.html", "api/actions.json"):
        assert (site / page).is_file(), f"the Zensical build has no {page}"
    with serve(site) as url:
        yield url


@dataclass
class SiteTab(Tab):
    def index(self, query: str = "") -> Page:
        page = self.open(INDEX + query)
        expect(page.locator("[data-pm-count]")).to_have_text(re.compile(r"^\d+ of \d+ shown$"))  # the script ran
        return page

    def dashboard(self, query: str = "") -> Page:
        page = self.open(DASHBOARD + query)
        expect(page.locator(READY)).to_be_attached()
        return page


@pytest.fixture
def tab(chromium_browser: Browser, site_url: str) -> Iterator[SiteTab]:
    with open_tab(chromium_browser, site_url, SiteTab) as opened:
        yield opened
    assert opened.blocked == [], f"requests left loopback: {opened.blocked}"
    assert opened.console_errors == [], f"console errors: {opened.console_errors}"
    assert opened.page_errors == [], f"page errors: {opened.page_errors}"
    assert opened.dialogs == [], f"dialogs: {opened.dialogs}"


# --- reading the pages ------------------------------------------------------------------------------


def index_rows(page: Page) -> Locator:
    return page.locator("[data-pm-table] tbody tr:not([hidden])")


def shown_titles(page: Page) -> list[str]:
    return sorted(index_rows(page).locator(f"td:nth-child({TITLE})").all_inner_texts())


def serious_axe_violations_in(page: Page, selector: str) -> str:
    """axe-core's serious and critical violations inside `selector`, one per line with their targets.

    Scoped to what the plugin renders: Zensical's own theme is not this project's to fix."""
    assert page.locator(selector).count() > 0, f"nothing matches {selector}"
    response = cast(dict[str, Any], Axe().run(page, context=selector).response)
    bad = [v for v in response["violations"] if v.get("impact") in ("serious", "critical")]
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v.get('help', '')}\n"
        + "\n".join(f"    {', '.join(map(str, node['target']))}" for node in v["nodes"])
        for v in bad
    )


# --- the incident index -----------------------------------------------------------------------------


Keeps = Callable[[dict[str, Any]], bool]  # from an incident's front matter: is it in the filtered rows?
FILTERS: dict[str, tuple[str, Keeps]] = {  # filter control -> (the value chosen, the incidents it keeps)
    "severity": ("sev1", lambda m: str(m["severity"]).lower() == "sev1"),
    "service": ("api-gateway", lambda m: "api-gateway" in words(m.get("services"))),
    "tag": ("database", lambda m: "database" in words(m.get("tags"))),  # one file writes "Database"
    "q": ("REPLICA", lambda m: "replica" in index_text(m).lower()),  # the text filter ignores case
}


@pytest.mark.parametrize("name", list(FILTERS))
def test_incident_index_filter_narrows_the_rows_without_reloading(tab: SiteTab, name: str) -> None:
    value, keeps = FILTERS[name]
    expected = titles([m for m in published() if keeps(m)])
    total = len(published())
    assert 0 < len(expected) < total, f"{name}={value} must keep some incidents but not all"

    page = tab.index()
    table = page.locator("[data-pm-table]")
    expect(index_rows(page)).to_have_count(total)
    assert shown_titles(page) == titles(published())
    page.evaluate("window.__marker = 1")

    control = table.locator(f"[data-pm-filter={name}]")
    if name == "q":
        control.fill(value)
    else:
        control.select_option(value)

    expect(index_rows(page)).to_have_count(len(expected))
    assert shown_titles(page) == expected
    expect(table.locator("tbody tr[hidden]")).to_have_count(total - len(expected))
    expect(table.locator("[data-pm-count]")).to_have_text(f"{len(expected)} of {total} shown")
    assert page.evaluate("window.__marker") == 1, f"the {name} filter reloaded the page"
    assert query_of(page) == {name: [value]}

    page.reload()
    assert page.evaluate("window.__marker") is None, "the page was not reloaded"
    expect(control).to_have_value(value)
    expect(index_rows(page)).to_have_count(len(expected))
    assert shown_titles(page) == expected


def test_incident_index_shared_link_and_sorting(tab: SiteTab) -> None:
    since, tag = "2025-06-01", "latency"
    chosen = [m for m in published() if iso(m["date"]) >= since and tag in words(m.get("tags"))]
    assert 1 < len(chosen) < len(published())
    dates = sorted(iso(m["date"]) for m in chosen)

    page = tab.index(f"?from={since}&tag={tag}&sort=date")
    table = page.locator("[data-pm-table]")
    header = table.locator("th", has=page.locator("button[data-pm-sort=date]"))
    expect(table.locator("[data-pm-filter=from]")).to_have_value(since)
    expect(table.locator("[data-pm-filter=tag]")).to_have_value(tag)
    expect(header).to_have_attribute("aria-sort", "ascending")
    expect(index_rows(page)).to_have_count(len(chosen))
    assert shown_titles(page) == titles(chosen)

    def shown_dates() -> list[str]:
        return [str(d) for d in index_rows(page).evaluate_all("rows => rows.map(r => r.dataset.date)")]

    assert shown_dates() == dates
    table.locator("button[data-pm-sort=date]").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    assert shown_dates() == dates[::-1]
    assert query_of(page) == {"from": [since], "tag": [tag], "sort": ["-date"]}


# --- the action-item dashboard ----------------------------------------------------------------------


def test_dashboard_loads_every_item_from_api_actions_json(tab: SiteTab) -> None:
    expected = items()
    assert len(expected) < 100, "the example fits on one page of the live table"
    with tab.page.expect_response(lambda r: urlsplit(r.url).path == "/api/actions.json") as loaded:
        page = tab.dashboard()
    assert loaded.value.ok
    data = cast(dict[str, Any], loaded.value.json())
    assert sorted(" ".join(str(i["action"]).split()) for i in data["items"]) == actions_of(expected)

    expect(live_rows(page)).to_have_count(len(expected))
    assert sorted(column(page, 1)) == actions_of(expected)
    expect(page.locator("[data-pm-count]")).to_have_text(f"{len(expected)} of {len(expected)} items")
    expect(page.locator("[data-pm-more]")).to_be_hidden()
    flags = live_rows(page).evaluate_all("rows => rows.map(r => r.classList.contains('pm-overdue'))")
    assert flags == sorted((i.overdue for i in expected), reverse=True), "overdue items come first"
    assert sorted(set(column(page, POSTMORTEM))) == sorted({i.title for i in expected})

    # The post-mortem links lead to pages of the Zensical build.
    links = live_rows(page).locator(f"td:nth-child({POSTMORTEM}) a")
    hrefs = sorted(set(links.evaluate_all("links => links.map(a => a.href)")))
    statuses = page.evaluate("hrefs => Promise.all(hrefs.map(h => fetch(h).then(r => r.status)))", hrefs)
    assert statuses == [200] * len(hrefs), list(zip(hrefs, statuses, strict=False))
    assert all(h.startswith(tab.site_url + "/") for h in hrefs), hrefs


def test_dashboard_filters_and_sorting_are_kept_in_the_url(tab: SiteTab) -> None:
    owner, word = "@db-reliability", "failover"
    active = [i for i in items() if i.active]
    mine = [i for i in active if i.owner == owner]
    found = [i for i in mine if word in i.text.lower()]
    assert 0 < len(found) < len(mine) < len(active) < len(items())

    page = tab.dashboard()
    page.evaluate("window.__marker = 1")
    count = page.locator("[data-pm-count]")

    page.locator("select[data-pm-field=status]").select_option("active")
    expect(live_rows(page)).to_have_count(len(active))
    assert sorted(column(page, 1)) == actions_of(active)
    assert set(column(page, STATUS)) <= {"open", "in-progress"}
    assert query_of(page) == {"status": ["active"]}

    page.locator("select[data-pm-field=owner]").select_option(owner)
    expect(live_rows(page)).to_have_count(len(mine))
    assert sorted(column(page, 1)) == actions_of(mine)
    assert set(column(page, OWNER)) == {owner}
    expect(count).to_have_text(f"{len(mine)} of {len(items())} items")

    header = page.locator("th", has=page.locator("button[data-pm-sort=due]"))
    button = page.locator("button[data-pm-sort=due]")
    dates = sorted(i.due or "\uffff" for i in mine)
    button.click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    assert due_dates(page, DUE) == dates
    button.click()
    expect(header).to_have_attribute("aria-sort", "descending")
    assert due_dates(page, DUE) == dates[::-1]
    assert query_of(page) == {"status": ["active"], "owner": [owner], "sort": ["-due"]}

    page.locator("input[data-pm-field=q]").fill(word.upper())  # compared without case
    expect(live_rows(page)).to_have_count(len(found))
    assert sorted(column(page, 1)) == actions_of(found)
    expect(count).to_have_text(f"{len(found)} of {len(items())} items")
    assert page.evaluate("window.__marker") == 1, "filtering or sorting reloaded the page"
    assert query_of(page) == {"status": ["active"], "owner": [owner], "q": [word.upper()], "sort": ["-due"]}

    page.locator("input[data-pm-field=q]").fill("")
    expect(live_rows(page)).to_have_count(len(mine))
    page.reload()  # the view is kept in the URL
    expect(page.locator(READY)).to_be_attached()
    assert page.evaluate("window.__marker") is None, "the page was not reloaded"
    expect(page.locator("select[data-pm-field=status]")).to_have_value("active")
    expect(page.locator("select[data-pm-field=owner]")).to_have_value(owner)
    expect(page.locator("input[data-pm-field=q]")).to_have_value("")
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(live_rows(page)).to_have_count(len(mine))
    assert due_dates(page, DUE) == dates[::-1]


# --- offline, without errors, accessible ------------------------------------------------------------


def test_offline_without_errors_and_axe_clean_in_the_plugins_parts(tab: SiteTab) -> None:
    """Every request stays on loopback and nothing goes wrong (the tab fixture checks that after
    each test; here after the search worker and the data have loaded too), and axe-core finds no
    serious violation in what the plugin rendered (the `.pm-html` blocks of the generated pages)."""
    for path in ("/", INDEX, DASHBOARD):
        page = tab.open(path)
        page.wait_for_load_state("networkidle")  # the search index and api/actions.json are fetched after "load"
        if path == DASHBOARD:
            expect(page.locator(READY)).to_be_attached()
            expect(live_rows(page).first).to_be_visible()  # the rows are drawn before axe looks
        report = serious_axe_violations_in(page, ".pm-html")
        assert not report, f"axe-core on {path}, serious or critical:\n{report}"
        assert (tab.blocked, tab.console_errors, tab.page_errors, tab.dialogs) == ([], [], [], []), path
