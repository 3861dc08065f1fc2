"""Search with Pagefind (the `search: pagefind` option): the built site is indexed as one
directory after the build, and the browser loads only the index chunks a query needs.

Plain Python, no MkDocs: the plugin calls `missing()` in on_config (so a site that asks for
Pagefind without it fails before building) and `index_site()` in on_post_build.

What is indexed: pages whose content carries `data-pagefind-body` (theme/main.html puts it
around the content of every post-mortem and of the repository's own pages, not around the
generated lists, dashboard and insights), so the header, nav and footer never are; once one
page has the attribute, Pagefind leaves out every page without it. Inside the content, the
blocks in EXCLUDED are left out: permalinks, edit buttons, the lists of other incidents on
incident pages (related, repeats) and on the home page (latest incidents), which would make a
query for one incident's title match every page that links to it, and the git history.

The site is indexed in one `add_directory` call: one awaited `add_html_file` per page is about
18 times slower (10,000 round trips to the Pagefind process).
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BUNDLE_DIR = "pagefind"  # under site_dir: pagefind.js, its WASM and the index
ASSET = "assets/postmortems/pagefind-search.js"  # the search field in Material's header
STYLE = "assets/postmortems/pagefind-search.css"
INSTALL_HINT = "pip install 'mkdocs-postmortems[pagefind]'"
EXCLUDED = (
    ".headerlink",  # the ¶ after every heading
    ".md-content__button",  # edit / view source
    ".md-source-file",  # git-revision-date plugins
    ".pm-related",  # other incidents' titles
    ".pm-repeats",
    ".pm-history",  # last change, revisions, contributors
    ".pm-home",  # the home page's counts and latest incidents (the repository's own text stays)
)


class PagefindError(Exception):
    """Pagefind is missing or failed; the message says what to do."""


@dataclass(frozen=True)
class Indexed:
    pages: int
    seconds: float
    bundle: Path


def missing() -> str | None:
    """Why Pagefind cannot run here (its package or binary is missing), or None."""
    if importlib.util.find_spec("pagefind") is None:
        return f"`search: pagefind` needs the pagefind package and its binary: {INSTALL_HINT}"
    from pagefind.service import get_executable

    if get_executable() is None:
        return (
            "`search: pagefind`: the pagefind package is installed but not its binary: "
            f"{INSTALL_HINT} (it brings pagefind[bin]), or set PAGEFIND_BINARY_PATH"
        )
    return None


def setup(plugins: Mapping[str, Any], javascript: list[Any], css: list[Any]) -> list[str]:
    """Prepare a build for Pagefind; returns what to log (at info level).

    Refuses (PagefindError) when Pagefind cannot run, before anything is built. Turns Material's
    `search` plugin off when it is listed: it would still write one index of the whole site and
    every page would download it. Adds the search field's script and style to the theme."""
    problem = missing()
    if problem:
        raise PagefindError(problem)
    said = []
    material = plugins.get("material/search")
    if material is not None and material.config.get("enabled", True):
        material.config["enabled"] = False
        said.append(
            "search: pagefind: Material's `search` plugin is turned off (its index and search field are "
            "replaced by Pagefind's); remove `- search` from `plugins` in mkdocs.yml to say so"
        )
    elif "search" in plugins:
        said.append("search: pagefind: the `search` plugin still builds its own index; remove it from `plugins`")
    if ASSET not in javascript:
        javascript.append(ASSET)
    if STYLE not in css:
        css.append(STYLE)
    return said


def index_site(site_dir: Path) -> Indexed:
    """Index the built site in `site_dir` and write the bundle to `site_dir/pagefind/`
    (one index per `<html lang>`). Raises PagefindError when nothing could be indexed."""
    problem = missing()
    if problem:
        raise PagefindError(problem)
    started = time.perf_counter()
    bundle = site_dir / BUNDLE_DIR
    try:
        # In a thread of its own: the caller may be running an event loop (a notebook, or a test
        # driving a browser), where asyncio.run() is refused.
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(asyncio.run, _index(site_dir.resolve(), bundle.resolve())).result()
        pages = indexed_pages(bundle)
    except Exception as exc:  # the service's errors are plain exceptions with Pagefind's message
        raise PagefindError(f"Pagefind could not index {site_dir}: {exc}") from exc
    if pages == 0:
        raise PagefindError(f"Pagefind found no page to index in {site_dir}")
    return Indexed(pages, time.perf_counter() - started, bundle)


def indexed_pages(bundle: Path) -> int:
    """The pages in a written bundle, all languages (pagefind-entry.json). Pagefind's own count
    is of the HTML files it read, including those it left out (no `data-pagefind-body`)."""
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    return sum(int(language["page_count"]) for language in entry["languages"].values())


async def _index(site_dir: Path, bundle: Path) -> None:
    from pagefind.index import IndexConfig, PagefindIndex

    config = IndexConfig(exclude_selectors=list(EXCLUDED), output_path=str(bundle))
    async with PagefindIndex(config=config) as index:  # writes the files when the block ends
        await index.add_directory(str(site_dir))
