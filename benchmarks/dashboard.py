"""The action-item dashboard with 500 and 50,000 items: build time, sizes, and the page in Chromium.

Builds synthetic repositories (benchmarks/corpus.py) with MkDocs in this process: SMALL (100
post-mortems, 500 items) and LARGE (10,000 post-mortems, 50,000 items), plus MEDIUM (1,000) for
the build only, a third point to judge whether the build grows linearly. Each SMALL and LARGE
site is served with `python -m http.server` on 127.0.0.1 and /actions/ is opened in Debian's
Chromium. Times inside the page are taken with performance.now():

- data ready: from the start of navigation to `data-pm-ready` on the dashboard (recorded by a
  MutationObserver added before any script of the page runs), split with Resource Timing into
  the wait for the request of api/actions.json, its download, and what follows (JSON parse,
  filter, first 100 rows);
- an owner filter change, a keystroke in the text filter, a sort click (on Due, whose order the
  data nearly has already, and on Action, a full sort) and "Show more": the event is dispatched
  in the page and timed to the end of the dashboard's handler ("script"), then with style and
  layout (forced, as the browser would before painting: the time the page cannot answer), and
  to the next frame (requestAnimationFrame then a task: adds the wait for the frame, up to
  16.7 ms, so it is noisier).

Every page load is in a new browser context (cold cache); each operation is repeated and the
median is reported. The numbers are reported, never judged: this script fails only when it
cannot measure. Absolute times depend on the machine; the LARGE/SMALL ratios are what to compare
from one change to the next.

    .venv/bin/python benchmarks/dashboard.py           # 100, 1,000 (build only) and 10,000 post-mortems
    .venv/bin/python benchmarks/dashboard.py --quick   # 10, 100 (build only) and 1,000
"""

from __future__ import annotations

import argparse
import functools
import gc
import gzip
import importlib
import json
import logging
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus import ITEMS_PER_POSTMORTEM, write_corpus

# The browser tests' plumbing (Chromium's launch options, the loopback server) serves here too.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from browsing import CHROMIUM, VIEWPORT, chromium, serve

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # MkDocs 1.6 prints a banner about 2.0 otherwise

from mkdocs.commands.build import build
from mkdocs.config import load_config
from playwright.sync_api import Browser

LOADS = 5  # page loads (each in a new context); every interaction below starts on a fresh load
REPEATS = 11  # times each interaction is timed on a page
TYPED = "latency"  # typed one key at a time; "l" matches nearly every item, "latency" about one in ten
READY_TIMEOUT_MS = 300_000

# Parts of the plugin timed during the build, wrapped at run time (the package is not changed).
# (label, module, class or None for a module attribute, attribute)
PHASES = (
    ("plugin on_files (all of it)", "mkdocs_postmortems.plugin", "PostmortemsPlugin", "on_files"),
    ("  read + parse + validate", "mkdocs_postmortems.plugin", "PostmortemsPlugin", "_load"),
    ("  checks", "mkdocs_postmortems.plugin", None, "run_checks"),
    ("  Catalog()", "mkdocs_postmortems.catalog", "Catalog", "__init__"),
    ("  SitePages() (action rows)", "mkdocs_postmortems.pages.site", "SitePages", "__init__"),
    ("  generated pages", "mkdocs_postmortems.pages.site", "SitePages", "render"),
    ("  exports (JSON, ics, feed)", "mkdocs_postmortems.pages.site", "SitePages", "exports"),
    ("plugin on_page_markdown", "mkdocs_postmortems.plugin", "PostmortemsPlugin", "on_page_markdown"),
)

# Before any script of the page: note when the dashboard says its data is ready.
READY_PROBE = """
(() => {
  window.__pmBench = { ready: null };
  new MutationObserver((records, observer) => {
    if (records.some((r) => r.attributeName === "data-pm-ready")) {
      window.__pmBench.ready = performance.now();
      observer.disconnect();
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-pm-ready"] });
})();
"""

LOAD_TIMES = """
() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const json = performance.getEntriesByType("resource").find((e) => e.name.includes("api/actions.json"));
  return {
    ready: window.__pmBench.ready,
    html: nav.responseEnd,
    jsonStart: json ? json.startTime : null,
    jsonEnd: json ? json.responseEnd : null,
    count: document.querySelector("[data-pm-count]").textContent,
    rows: document.querySelectorAll("[data-pm-dashboard] tbody tr").length,
  };
}
"""

# One interaction, dispatched in the page: the dashboard's listeners run synchronously inside
# dispatchEvent/click, so t1 - t0 is the handler (filter, sort, drawing 100 rows, URL update).
INTERACT = """
async ({ selector, action, value }) => {
  const el = document.querySelector(selector);
  if (!el) throw new Error("no element " + selector);
  const t0 = performance.now();
  if (action === "select") {
    el.value = value;
    el.dispatchEvent(new Event("change", { bubbles: true }));
  } else if (action === "type") {
    el.value += value;
    el.dispatchEvent(new Event("input", { bubbles: true }));
  } else {
    el.click();
  }
  const t1 = performance.now();
  document.body.getBoundingClientRect();  // style and layout, as before the next paint
  const t2 = performance.now();
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  const t3 = performance.now();
  return {
    handler: t1 - t0,
    layout: t2 - t0,
    frame: t3 - t0,
    count: document.querySelector("[data-pm-count]").textContent,
    rows: document.querySelectorAll("[data-pm-dashboard] tbody tr").length,
  };
}
"""

# Set a filter without timing it (to start the next measurement from the same state).
RESET = """
({ selector, action }) => {
  const el = document.querySelector(selector);
  el.value = "";
  el.dispatchEvent(new Event(action === "select" ? "change" : "input", { bubbles: true }));
}
"""


@dataclass
class Build:
    name: str
    postmortems: int
    seconds: float
    phases: dict[str, float]
    site: Path
    site_bytes: int
    json_bytes: int
    json_gzip_bytes: int
    dashboard_html_bytes: int
    warnings: list[str]


@dataclass
class Browse:
    """Samples in milliseconds, by measure."""

    samples: dict[str, list[float]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    heap_mb: float = 0.0
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)

    def add(self, measure: str, value: float) -> None:
        self.samples.setdefault(measure, []).append(value)

    def median(self, measure: str) -> float | None:
        values = self.samples.get(measure)
        return statistics.median(values) if values else None


# --- building ---------------------------------------------------------------------------------


class PhaseTimer:
    """Wraps plugin functions to add up the time spent in each during a build."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = {}
        self.missing: list[str] = []
        for label, module_name, class_name, attribute in PHASES:
            owner: Any = importlib.import_module(module_name)
            if class_name is not None:
                owner = getattr(owner, class_name, None)
            original = getattr(owner, attribute, None) if owner is not None else None
            if original is None:  # the plugin changed: measure what is still there
                self.missing.append(label)
                continue
            setattr(owner, attribute, self._timed(label, original))

    def _timed(self, label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)  # keeps `mkdocs_priority`, which MkDocs reads from the method
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.totals[label] = self.totals.get(label, 0.0) + time.perf_counter() - start

        return timed


class WarningLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def build_corpus(name: str, postmortems: int, workdir: Path, timer: PhaseTimer) -> Build:
    root = workdir / name.lower()
    if root.exists():
        shutil.rmtree(root)
    started = time.perf_counter()
    config_file = write_corpus(root, postmortems)
    print(
        f"{name}: wrote {postmortems:,} post-mortems in {time.perf_counter() - started:.1f} s; building...", flush=True
    )
    site = root / "site"
    warnings = WarningLog()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(warnings)
    timer.totals = {}
    gc.collect()
    try:
        started = time.perf_counter()
        build(load_config(str(config_file), site_dir=str(site)))  # what `mkdocs build` does
        seconds = time.perf_counter() - started
    finally:
        logger.removeHandler(warnings)
    gc.collect()
    json_file = site / "api" / "actions.json"
    result = Build(
        name=name,
        postmortems=postmortems,
        seconds=seconds,
        phases=dict(timer.totals),
        site=site,
        site_bytes=sum(p.stat().st_size for p in site.rglob("*") if p.is_file()),
        json_bytes=json_file.stat().st_size,
        json_gzip_bytes=len(gzip.compress(json_file.read_bytes(), compresslevel=6)),
        dashboard_html_bytes=(site / "actions" / "index.html").stat().st_size,
        warnings=warnings.messages,
    )
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{name}: built in {seconds:.1f} s ({len(result.warnings)} warnings; load average {load})", flush=True)
    return result


# --- the browser ------------------------------------------------------------------------------


class Dashboard:
    """/actions/ opened in a new context (cold cache) and loaded; records what went wrong."""

    def __init__(self, browser: Browser, url: str, result: Browse) -> None:
        self.context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
        self.context.add_init_script(READY_PROBE)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda error: result.errors.append(f"{error.name}: {error.message}"))
        self.page.on("console", lambda m: result.errors.append(f"console: {m.text}") if m.type == "error" else None)
        self.page.on(
            "request",
            lambda r: result.outside.append(r.url) if not r.url.startswith((url, "data:", "blob:")) else None,
        )
        self.result = result
        self.url = url

    def load(self) -> dict[str, Any]:
        self.page.goto(self.url + "/actions/", wait_until="domcontentloaded")
        self.page.wait_for_selector("[data-pm-dashboard][data-pm-ready]", state="attached", timeout=READY_TIMEOUT_MS)
        times: dict[str, Any] = self.page.evaluate(LOAD_TIMES)
        self.result.add("ready", times["ready"])
        if times["jsonEnd"] is not None:
            self.result.add("request", times["jsonStart"])
            self.result.add("fetch", times["jsonEnd"] - times["jsonStart"])
            self.result.add("parse", times["ready"] - times["jsonEnd"])
        self.result.notes.setdefault("count", times["count"])
        return times

    def interact(self, measure: str, selector: str, action: str, value: str = "") -> dict[str, Any]:
        times: dict[str, Any] = self.page.evaluate(INTERACT, {"selector": selector, "action": action, "value": value})
        self.result.add(f"{measure}|script", times["handler"])
        self.result.add(f"{measure}|layout", times["layout"])
        self.result.add(f"{measure}|frame", times["frame"])
        self.result.notes[measure] = times["count"]
        return times

    def reset(self, selector: str, action: str) -> None:
        self.page.evaluate(RESET, {"selector": selector, "action": action})

    def heap_mb(self) -> float:
        session = self.context.new_cdp_session(self.page)
        usage = session.send("Runtime.getHeapUsage")
        session.detach()
        return float(usage["usedSize"]) / 2**20

    def close(self) -> None:
        self.context.close()


@contextmanager
def dashboard(browser: Browser, url: str, result: Browse) -> Iterator[Dashboard]:
    board = Dashboard(browser, url, result)
    try:
        board.load()
        yield board
    finally:
        board.close()


def browse(browser: Browser, site: Path) -> Browse:
    result = Browse()
    owner_field = "[data-pm-field=owner]"
    text_field = "[data-pm-field=q]"
    with serve(site) as url:
        with dashboard(browser, url, result) as board:
            result.heap_mb = board.heap_mb()
            # The owner with the most items: the filter's cost is the scan of every item either way.
            owners = board.page.eval_on_selector_all(
                f"{owner_field} option", "options => options.map((o) => o.value).filter(Boolean)"
            )
            owner = max(owners, key=lambda o: site_owner_count(site, o))
            for _ in range(REPEATS):
                board.interact("owner", owner_field, "select", owner)
                board.reset(owner_field, "select")
        with dashboard(browser, url, result) as board:
            for _ in range(REPEATS):
                for key in TYPED:
                    board.interact("key", text_field, "type", key)
                board.reset(text_field, "type")
        for column in ("due", "action"):
            with dashboard(browser, url, result) as board:
                for _ in range(REPEATS):  # ascending, descending, ascending...: a full sort each time
                    board.interact(f"sort-{column}", f"button[data-pm-sort={column}]", "click")
        with dashboard(browser, url, result) as board:
            for _ in range(REPEATS):
                board.interact("more", "[data-pm-more]", "click")
                board.reset("[data-pm-field=status]", "select")  # back to the first 100 rows
        while len(result.samples["ready"]) < LOADS:
            with dashboard(browser, url, result):
                pass
    return result


@functools.cache
def _owner_counts(site: Path) -> dict[str, int]:
    data = json.loads((site / "api" / "actions.json").read_text(encoding="utf-8"))
    counts: dict[str, int] = {}
    for item in data["items"]:
        counts[item["owner"]] = counts.get(item["owner"], 0) + 1
    return counts


def site_owner_count(site: Path, owner: str) -> int:
    return _owner_counts(site).get(owner, 0)


# --- the report -------------------------------------------------------------------------------


def _ratio(large: float | None, small: float | None) -> str:
    if large is None or small is None or small <= 0:
        return "-"
    return f"{large / small:.1f}x"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def report(small: Build, medium: Build, large: Build, browsed: dict[str, Browse]) -> str:
    s, lg = browsed[small.name], browsed[large.name]
    items = large.postmortems / small.postmortems
    lines = [
        f"SMALL = {small.postmortems:,} post-mortems ({small.postmortems * ITEMS_PER_POSTMORTEM:,} items), "
        f"LARGE = {large.postmortems:,} post-mortems ({large.postmortems * ITEMS_PER_POSTMORTEM:,} items): "
        f"{items:.0f}x the items. Browser times: median of {LOADS} loads and of {REPEATS} interactions "
        f"(keystrokes: {REPEATS} x {len(TYPED)}).",
        "",
        "| measure | SMALL | LARGE | LARGE/SMALL |",
        "|---|---:|---:|---:|",
        f"| build, `mkdocs build` (s) | {small.seconds:.1f} | {large.seconds:.1f} | "
        f"{_ratio(large.seconds, small.seconds)} (items {items:.0f}x) |",
        f"| site size (MB) | {small.site_bytes / 1e6:.1f} | {large.site_bytes / 1e6:.1f} | "
        f"{_ratio(large.site_bytes, small.site_bytes)} |",
        f"| api/actions.json (MB) | {small.json_bytes / 1e6:.2f} | {large.json_bytes / 1e6:.2f} | "
        f"{_ratio(large.json_bytes, small.json_bytes)} |",
        f"| api/actions.json gzipped (MB) | {small.json_gzip_bytes / 1e6:.2f} | {large.json_gzip_bytes / 1e6:.2f} | "
        f"{_ratio(large.json_gzip_bytes, small.json_gzip_bytes)} |",
        f"| actions/index.html (KB) | {small.dashboard_html_bytes / 1e3:.0f} | {large.dashboard_html_bytes / 1e3:.0f} "
        f"| {_ratio(large.dashboard_html_bytes, small.dashboard_html_bytes)} |",
        f"| JS heap after load (MB) | {s.heap_mb:.1f} | {lg.heap_mb:.1f} | {_ratio(lg.heap_mb, s.heap_mb)} |",
    ]
    rows = [
        ("data ready: navigation to `data-pm-ready` (ms)", "ready"),
        ("- navigation to the request of api/actions.json (ms)", "request"),
        ("- download api/actions.json (ms)", "fetch"),
        ("- from download to ready: parse, filter, first 100 rows (ms)", "parse"),
    ]
    for label, operation in (
        ("owner filter change", "owner"),
        (f"text filter keystroke (typing {TYPED!r})", "key"),
        ("sort click: Due", "sort-due"),
        ("sort click: Action", "sort-action"),
        ('"Show more" (100 rows)', "more"),
    ):
        rows.append((f"{label}: script (ms)", f"{operation}|script"))
        rows.append(("- script + style and layout (ms)", f"{operation}|layout"))
        rows.append(("- to next frame (ms)", f"{operation}|frame"))
    for label, measure in rows:
        a, b = s.median(measure), lg.median(measure)
        lines.append(f"| {label} | {_ms(a)} | {_ms(b)} | {_ratio(b, a)} |")
    lines += [
        "",
        f"Dashboard count after load: SMALL {s.notes.get('count')!r}, LARGE {lg.notes.get('count')!r}; "
        f"owner filter: LARGE {lg.notes.get('owner')!r}.",
        "",
        f"Build by phase (s); MEDIUM = {medium.postmortems:,} post-mortems, built only. "
        f"Linear growth gives LARGE/MEDIUM = {large.postmortems / medium.postmortems:.0f}x.",
        "",
        "| phase | SMALL | MEDIUM | LARGE | LARGE/MEDIUM |",
        "|---|---:|---:|---:|---:|",
        f"| whole build | {small.seconds:.2f} | {medium.seconds:.2f} | {large.seconds:.2f} | "
        f"{_ratio(large.seconds, medium.seconds)} |",
    ]
    labels = [label for label, *_ in PHASES]
    for label in labels:
        values = [b.phases.get(label) for b in (small, medium, large)]
        if all(v is None for v in values):
            continue
        cells = " | ".join("-" if v is None else f"{v:.2f}" for v in values)
        shown = f"- {label.strip()}" if label.startswith(" ") else label  # a part of the line above
        lines.append(f"| {shown} | {cells} | {_ratio(values[2], values[1])} |")
    rest = [b.seconds - b.phases.get(labels[0], 0.0) - b.phases.get(labels[-1], 0.0) for b in (small, medium, large)]
    lines.append(
        f"| MkDocs and Material (the rest) | {rest[0]:.2f} | {rest[1]:.2f} | {rest[2]:.2f} | "
        f"{_ratio(rest[2], rest[1])} |"
    )
    return "\n".join(lines)


def plugin_version() -> str:
    """Where the plugin is imported from, and its commit when that is a git checkout."""
    package = Path(importlib.import_module("mkdocs_postmortems").__file__ or "").parent
    git = ["git", "-C", str(package)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    if head.returncode != 0:
        return f"{package} (not a git checkout)"
    dirty = subprocess.run([*git, "status", "--porcelain", "--", "."], capture_output=True, text=True).stdout.strip()
    return f"{package} at {head.stdout.strip()}{' with uncommitted changes' if dirty else ''}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="10, 100 and 1,000 post-mortems instead of 100, 1,000, 10,000"
    )
    parser.add_argument(
        "--workdir", type=Path, help="where to write the corpora and sites (kept); default: a temp folder"
    )
    args = parser.parse_args()
    sizes = (10, 100, 1_000) if args.quick else (100, 1_000, 10_000)
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is not installed (apt-get install chromium)")
    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.platform()}", flush=True)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    print(f"plugin measured: {plugin_version()}", flush=True)

    temporary = None
    if args.workdir is None:
        temporary = tempfile.TemporaryDirectory(prefix="pm-bench-")
        workdir = Path(temporary.name)
    else:
        workdir = args.workdir.resolve()
        workdir.mkdir(parents=True, exist_ok=True)
    try:
        timer = PhaseTimer()
        if timer.missing:
            print(f"not found in the plugin, not timed: {', '.join(timer.missing)}", flush=True)
        build_corpus("WARMUP", 5, workdir, timer)  # imports and first-use costs, out of the numbers
        small, medium, large = (
            build_corpus(name, n, workdir, timer) for name, n in zip(("SMALL", "MEDIUM", "LARGE"), sizes, strict=True)
        )
        for b in (small, medium, large):
            for message in b.warnings[:5]:
                print(f"{b.name} build warning: {message}", flush=True)
        browsed: dict[str, Browse] = {}
        with chromium() as browser:
            for b in (small, large):
                load = " ".join(f"{x:.2f}" for x in os.getloadavg())
                print(f"{b.name}: measuring /actions/ in Chromium (load average {load})...", flush=True)
                started = time.perf_counter()
                browsed[b.name] = browse(browser, b.site)
                print(f"{b.name}: measured in {time.perf_counter() - started:.1f} s", flush=True)
        for name, result in browsed.items():
            for error in result.errors[:5]:
                print(f"{name} page error: {error}", flush=True)
            if result.outside:
                print(f"{name}: {len(result.outside)} request(s) to another host, e.g. {result.outside[0]}", flush=True)
        print()
        print(report(small, medium, large, browsed))
    finally:
        if temporary is not None:
            temporary.cleanup()


if __name__ == "__main__":
    main()
