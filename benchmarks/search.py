"""Search at N post-mortems in Chromium: Pagefind (`search: pagefind`) against Material's built-in search.

The target (issue 10): at N = 10,000 post-mortems, the first result at most 1 s after typing
and at most 10 MB transferred. Material's search downloads one JSON index of the whole site
(~44 MB at 10,000) and builds it in a worker before it can answer; Pagefind loads its script,
WASM and metadata on first use, then only the index chunks and result fragments a query needs.

`search_figures(site, query)` measures one built site. The site is served by
`python -m http.server` on 127.0.0.1 and its home page is opened in Debian's Chromium, each
load in a new browser context (cold cache); as soon as the page has loaded, the query is typed
into the header's search field one key at a time (both searches use Material's
`input.md-search__input` and `.md-search-result__item` markup). Inside the page, with
performance.now(), a probe added before any script of the page records the keystrokes and, with
a MutationObserver, when result items are added (taken at the next animation frame, when they
are drawn):

- first_result_ms: from the first keystroke to the first result drawn (for any prefix);
- query_result_ms: from the first keystroke to the first results drawn after the last keystroke
  (results for the whole query);
- transferred_bytes: everything the page and its workers fetched (Pagefind searches in a
  worker) from the start of the navigation to query_result_ms: response headers and bodies as
  received (Playwright's Request.sizes(); http.server does not compress);
- page_bytes: what was fetched before the first keystroke (the page itself, and whatever the
  search loads at page load), load_ms: navigation to the load event.

Medians of `loads` page loads. The numbers are reported, never judged here (benchmarks/run.py
compares them with the target); this fails only when it cannot measure.

    .venv/bin/python benchmarks/search.py                # N = 10,000: two builds, ~6 minutes
    .venv/bin/python benchmarks/search.py --n 1000       # quicker
    .venv/bin/python benchmarks/search.py --workdir /tmp/pm-search --keep
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Request

# corpus.py beside this file, and the browser tests' plumbing (Chromium's launch options, the
# loopback server), also when imported as `benchmarks.search` (benchmarks/run.py).
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1] / "tests"))
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # MkDocs 1.6 prints a banner about 2.0 otherwise

from corpus import write_corpus

from browsing import CHROMIUM, VIEWPORT, chromium, serve

FIELD = "input.md-search__input"
ITEM = ".md-search-result__item"
LOADS = 3
TIMEOUT_MS = 300_000  # Material's search at 10,000 post-mortems takes long to answer
QUERIES = ("certificate", "connection pool resize")

# Before any script of the page: keystrokes, and when result items are first drawn.
PROBE = """
(() => {
  const s = (window.__pmSearch = { expect: null, keys: 0, firstKey: null, lastKey: null,
                                   first: null, query: null, items: 0 });
  document.addEventListener("keydown", () => {
    const t = performance.now();
    if (s.firstKey === null) s.firstKey = t;
    s.lastKey = t;
    s.keys += 1;
  }, true);
  const isItem = (n) => n.nodeType === 1 && (n.matches(ITEM) || n.querySelector(ITEM) !== null);
  new MutationObserver((records) => {
    if (s.firstKey === null || !records.some((r) => [...r.addedNodes].some(isItem))) return;
    const t = performance.now();
    const typed = s.expect !== null && s.keys >= s.expect && t >= s.lastKey;
    requestAnimationFrame(() => {
      const drawn = performance.now();
      if (s.first === null) s.first = drawn;
      if (typed && s.query === null) {
        s.query = drawn;
        s.items = document.querySelectorAll(ITEM).length;
      }
    });
  }).observe(document, { childList: true, subtree: true });
})();
""".replace("ITEM", repr(ITEM))


def search_figures(site: Path, query: str, loads: int = LOADS) -> dict[str, float]:
    """The figures of searching `query` on the built `site` (medians of `loads` cold loads)."""
    with serve(site) as url, chromium() as browser:
        samples = [_one_load(browser, url, query) for _ in range(loads)]
    figures = {key: float(statistics.median(s[key] for s in samples)) for key in samples[0]}
    figures["loads"] = float(loads)
    return figures


def _one_load(browser: Browser, url: str, query: str) -> dict[str, float]:
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    try:
        context.add_init_script(PROBE)
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(f"{error.name}: {error.message}"))
        page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
        outside: list[str] = []
        page.on("request", lambda r: None if r.url.startswith((url, "data:", "blob:")) else outside.append(r.url))
        finished: list[Request] = []  # the page's and its workers' (Pagefind searches in a worker)
        context.on("requestfinished", lambda request: finished.append(request))
        page.goto(url + "/", wait_until="load")
        load_ms = float(page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd"))
        field = page.locator(FIELD).first
        field.wait_for(state="visible")
        before = len(finished)
        page.evaluate(f"window.__pmSearch.expect = {len(query)}")
        field.click()
        field.press_sequentially(query)
        page.wait_for_function("window.__pmSearch.query !== null", timeout=TIMEOUT_MS, polling=10)
        probe: dict[str, Any] = page.evaluate("window.__pmSearch")
        done = list(finished)
        sizes = [_transferred(request) for request in done]
        page_bytes, transferred = sum(sizes[:before]), sum(sizes)
        if outside or problems:
            raise RuntimeError(f"cannot measure {url}: requests to another host {outside}, errors {problems}")
        return {
            "first_result_ms": probe["first"] - probe["firstKey"],
            "query_result_ms": probe["query"] - probe["firstKey"],
            "typing_ms": probe["lastKey"] - probe["firstKey"],
            "transferred_bytes": transferred,
            "page_bytes": page_bytes,
            "load_ms": load_ms,
            "requests": float(len(done)),
            "results_shown": float(probe["items"]),
        }
    finally:
        context.close()


def _transferred(request: Request) -> float:
    """Bytes received for `request`: headers and body as sent (http.server does not compress)."""
    sizes = request.sizes()
    return float(sizes["responseHeadersSize"] + sizes["responseBodySize"])


# --- main: a corpus, built twice --------------------------------------------------------------


def pagefind_variant(config: Path) -> Path:
    """The corpus' mkdocs.yml with `search: pagefind` and without Material's search plugin."""
    text = config.read_text(encoding="utf-8")
    assert "  - search\n" in text and "  - postmortems:\n" in text, "benchmarks/corpus.py changed its mkdocs.yml"
    text = text.replace("  - search\n", "").replace("  - postmortems:\n", "  - postmortems:\n      search: pagefind\n")
    variant = config.with_name("mkdocs-pagefind.yml")
    variant.write_text(text, encoding="utf-8")
    return variant


def build_site(config: Path, site: Path) -> dict[str, float]:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from mkdocs_postmortems import pagefind_search

    indexing: list[float] = []
    original = pagefind_search.index_site

    def timed(site_dir: Path) -> pagefind_search.Indexed:
        result = original(site_dir)
        indexing.append(result.seconds)
        return result

    pagefind_search.index_site = timed
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    try:
        started = time.perf_counter()
        build(load_config(str(config), site_dir=str(site)))  # what `mkdocs build` does
        seconds = time.perf_counter() - started
    finally:
        pagefind_search.index_site = original
    return {"build_s": seconds, "index_s": sum(indexing)}


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="post-mortems in the corpus (default 10,000)")
    parser.add_argument("--query", action="append", help=f"query to type (repeatable; default {QUERIES})")
    parser.add_argument("--loads", type=int, default=LOADS, help="cold page loads per search and query")
    parser.add_argument("--workdir", type=Path, help="keep the corpus and sites here (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="reuse sites already built in --workdir")
    parser.add_argument("--only", choices=("material", "pagefind"), help="build and measure one search only")
    args = parser.parse_args()
    queries = tuple(args.query or QUERIES)
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing: apt-get install chromium (never `playwright install`)")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="pm-search-"))
    chromium_version = subprocess.run([str(CHROMIUM), "--version"], capture_output=True, text=True).stdout.strip()
    print(
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {chromium_version}, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        flush=True,
    )
    try:
        root = workdir / f"corpus-{args.n}"
        if not (args.keep and root.exists()):
            shutil.rmtree(root, ignore_errors=True)
            write_corpus(root, args.n)
        config = root / "mkdocs.yml"
        variants = {"material": config, "pagefind": pagefind_variant(config)}
        if args.only:
            variants = {args.only: variants[args.only]}
        rows: dict[str, dict[str, float]] = {}
        for name, variant in variants.items():
            site = workdir / f"site-{name}-{args.n}"
            built: dict[str, float] = {}
            if not (args.keep and (site / "index.html").exists()):
                print(f"{name}: building {args.n:,} post-mortems...", flush=True)
                built = build_site(variant, site)
                print(
                    f"{name}: built in {built['build_s']:.1f} s (Pagefind indexing {built['index_s']:.1f} s; "
                    f"load average {os.getloadavg()[0]:.2f})",
                    flush=True,
                )
            sizes = {
                "site_mb": folder_bytes(site) / 1e6,
                "index_mb": (folder_bytes(site / "pagefind") or folder_bytes(site / "search")) / 1e6,
            }
            for query in queries:
                figures = search_figures(site, query, args.loads)
                rows[f"{name}: {query!r}"] = {**built, **sizes, **figures}
                print(f"{name} {query!r}: {_line(figures)}", flush=True)
        print()
        print(_table(rows, args.n))
        print(f"\nload average after the run: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


def _line(figures: dict[str, float]) -> str:
    return (
        f"first result {figures['first_result_ms']:.0f} ms, whole query {figures['query_result_ms']:.0f} ms, "
        f"{figures['transferred_bytes'] / 1e6:.2f} MB in {figures['requests']:.0f} requests"
    )


def _table(rows: dict[str, dict[str, float]], n: int) -> str:
    columns = (
        ("first result (ms)", "first_result_ms", "{:.0f}"),
        ("whole query (ms)", "query_result_ms", "{:.0f}"),
        ("transferred (MB)", "transferred_bytes", "MB"),
        ("of which before typing (MB)", "page_bytes", "MB"),
        ("requests", "requests", "{:.0f}"),
        ("results shown", "results_shown", "{:.0f}"),
        ("index on disk (MB)", "index_mb", "{:.1f}"),
        ("build (s)", "build_s", "{:.1f}"),
        ("of which Pagefind (s)", "index_s", "{:.1f}"),
    )
    lines = [
        f"N = {n:,} post-mortems; medians of cold loads",
        "",
        "| search: query | " + " | ".join(title for title, _, _ in columns) + " |",
        "|---|" + "---:|" * len(columns),
    ]
    for label, values in rows.items():
        cells = []
        for _, key, form in columns:
            value = values.get(key)
            if value is None:
                cells.append("-")
            elif form == "MB":
                cells.append(f"{value / 1e6:.2f}")
            else:
                cells.append(form.format(value))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
