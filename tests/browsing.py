"""Shared plumbing of the browser tests: Debian's Chromium driven by Playwright, sites served on
loopback with `python -m http.server`, and tabs that can only reach that server.

Every request to another host is aborted and recorded, as are console errors, page errors and
dialogs (alert() and friends), so a test can assert that none happened.
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Error, Locator, Page, Route, sync_playwright

from sitebuild import ROOT

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1280, "height": 900}
SCREENSHOTS = ROOT / "docs" / "screenshots"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def require_chromium() -> None:
    """Skip the calling test module without Chromium, except in CI, where it must be installed."""
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing in CI: scripts/setup.sh must install Debian's chromium")
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)


def published() -> list[dict[str, Any]]:
    """The front matter of every published example post-mortem: the incidents the site shows."""
    metas = []
    for path in sorted((ROOT / "postmortems").glob("**/*.md")):
        parts = path.read_text(encoding="utf-8").split("---\n", 2)
        if len(parts) < 3 or parts[0].strip():
            continue  # no front matter: index.md
        meta = yaml.safe_load(parts[1])
        if isinstance(meta, dict) and meta.get("status") == "published":
            metas.append(cast(dict[str, Any], meta))
    assert len(metas) >= 3, "the example post-mortems are missing"
    return metas


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    assert data[12:16] == b"IHDR", f"{path} has no IHDR chunk"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def serious_axe_violations(page: Page) -> str:
    """axe-core's serious and critical violations on `page`, one per line with their targets;
    an empty string when there are none."""
    response = cast(dict[str, Any], Axe().run(page).response)
    bad = [v for v in response["violations"] if v.get("impact") in ("serious", "critical")]
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v.get('help', '')}\n"
        + "\n".join(f"    {', '.join(map(str, node['target']))}" for node in v["nodes"])
        for v in bad
    )


@contextmanager
def serve(site: Path) -> Iterator[str]:
    """`site` on a free loopback port; yields its base URL (no trailing slash)."""
    server = subprocess.Popen(
        [sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", str(site)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # the request log: never read, so it must not fill a pipe
        text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()  # "Serving HTTP on 127.0.0.1 port 41234 (http://...) ..."
        found = re.search(r"port (\d+)", line)
        assert found, f"http.server did not start: {line!r} (exit code {server.poll()})"
        url = f"http://127.0.0.1:{found.group(1)}"
        _wait_until_answering(url, server)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if server.stdout is not None:
            server.stdout.close()


def _wait_until_answering(url: str, server: subprocess.Popen[str]) -> None:
    for _ in range(200):  # bounded: the count, not the time, is what gives up
        assert server.poll() is None, f"http.server exited with code {server.returncode}"
        try:
            with urllib.request.urlopen(url + "/", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.05)
    raise AssertionError(f"{url} never answered")


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Tab:
    """A page whose requests can only reach the local server, with what went wrong in it."""

    page: Page
    site_url: str
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def open(self, path: str) -> Page:
        response = self.page.goto(self.site_url + path)
        assert response is not None and response.ok, f"{path}: HTTP {response.status if response else 'no response'}"
        return self.page


@contextmanager
def open_tab(browser: Browser, site_url: str, tab_class: type[Tab] = Tab) -> Iterator[Any]:
    """A new browser context on `site_url`, recording blocked requests, errors and dialogs."""
    context = browser.new_context(viewport={"width": VIEWPORT["width"], "height": VIEWPORT["height"]})
    tab = tab_class(context.new_page(), site_url)
    allowed = site_url + "/"

    def route(route: Route) -> None:
        url = route.request.url
        if url.startswith((allowed, "data:", "blob:")):
            route.continue_()
        else:
            tab.blocked.append(url)
            route.abort()

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            tab.console_errors.append(f"{message.text} ({message.location.get('url')})")

    def page_error(error: Error) -> None:
        tab.page_errors.append(f"{error.name}: {error.message}")

    def dialog(dialog: Dialog) -> None:
        tab.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    context.route("**/*", route)
    tab.page.on("console", console)
    tab.page.on("pageerror", page_error)
    tab.page.on("dialog", dialog)
    try:
        yield tab
    finally:
        context.close()


# --- reading the dashboard's live table (test_dashboard_browser, test_generate_browser) ---------------


def live_rows(page: Page) -> Locator:
    return page.locator("[data-pm-dashboard] tbody tr")


def column(page: Page, number: int) -> list[str]:
    """The texts of a column (1-based) of the live table, whitespace collapsed."""
    return [" ".join(t.split()) for t in live_rows(page).locator(f"td:nth-child({number})").all_inner_texts()]


def due_dates(page: Page, due: int) -> list[str]:
    """The due column (number `due`) without its "overdue" flag; "—" when an item has no date."""
    return [text.split(" ")[0] for text in column(page, due)]


def query_of(page: Page) -> dict[str, list[str]]:
    """The page URL's query, as lists of values by name."""
    return parse_qs(urlsplit(page.url).query)
