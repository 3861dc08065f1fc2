"""The targets of issue 10 ("Performance at 10,000 post-mortems"), each a ratio measured side by side.

Every figure compares two sides measured in the same run, alternated A, B, A, B... (`--repeat`
times each, 3 by default), and reports the median of each side, their ratio and the target.
Each build is a fresh `mkdocs build -q` subprocess; its wall time, its peak RSS (the child's
`ru_maxrss` from os.wait4) and the size of the site it wrote are recorded. The repositories are
written by benchmarks/realistic.py (post-mortems of ~150 lines in git; 2 commits per 5 files).

1. build: the plugin build vs the plain Material build of the same files (mkdocs-plain.yml:
   search only, no post-mortems plugin, post-mortems out of the nav), at N = 1,000 and 10,000;
2. growth: the plugin build at 10,000 vs at 1,000, in time and in site size (from 1.);
3. check: `postmortems check --format json` vs benchmarks/floor.py (read the files, parse the
   front matter with yaml.CSafeLoader), both subprocesses, at N = 10,000;
4. history: the plugin's one-pass history (mkdocs_postmortems.history.read_history) vs one
   `git log -1` per file, both in a fresh Python subprocess (imports count on both sides), at
   N = 5,000 with 2,000 commits;
5. serve: the plugin's own time (inside its on_* event methods) in a `mkdocs serve` rebuild
   after editing one post-mortem vs in the first build, in a subprocess that does what
   mkdocs/commands/serve.py does (the plugin instances are kept across rebuilds), at 1,000
   (`--repeat` processes) and 10,000 (one process);
6. memory: the peak RSS of the plugin build vs the plain build at N = 10,000 (from 1.);
7. dashboard: the owner and text filters on 50,000 action items in headless Chromium, with
   benchmarks/dashboard.py, and the transfer size of /actions/ and api/actions.json;
8. search: the first result after typing and the bytes transferred in Chromium, at N = 10,000
   with the plugin's Pagefind option (benchmarks/search.py, when it exists).

    .venv/bin/python benchmarks/run.py                  # everything: about 30-40 minutes (longer
                                                        # while the plugin build is slow)
    .venv/bin/python benchmarks/run.py --quick          # small sizes: a smoke run of every figure
    .venv/bin/python benchmarks/run.py --only build,check --repeat 5 --workdir /tmp/pm-run
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import importlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import yaml
from corpus import ITEMS_PER_POSTMORTEM, write_corpus
from realistic import DOCS, write_repository

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # MkDocs 1.6 prints a banner about 2.0 otherwise

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent  # .venv/bin
FIGURES = ("build", "growth", "check", "history", "serve", "memory", "dashboard", "search")

# The plugin options that publish the Pagefind index instead of Material's search (Material's
# `search` plugin is left out of that build). Change here if the option is named otherwise.
PAGEFIND_OPTIONS: dict[str, Any] = {"search": "pagefind"}
SEARCH_QUERY = "certificate"


@dataclass(frozen=True)
class Sizes:
    small: int  # N of figure 1's small point (and of serve's repeated point)
    large: int  # N of figures 1-3, 5, 6 and 8
    history: int  # N of figure 4
    history_commits: int
    dashboard: int  # post-mortems of figure 7's corpus (5 action items each)


FULL = Sizes(small=1_000, large=10_000, history=5_000, history_commits=2_000, dashboard=10_000)
QUICK = Sizes(small=50, large=300, history=300, history_commits=120, dashboard=300)


def commits_for(n: int) -> int:
    return max(1, n * 2 // 5)


# --- running children -------------------------------------------------------------------------


@dataclass
class Sample:
    seconds: float
    maxrss: int  # bytes
    returncode: int
    stdout: str = ""
    stderr: str = ""
    site_bytes: int = 0


class BenchError(RuntimeError):
    pass


def child(argv: list[str], cwd: Path | None = None, capture: bool = False) -> Sample:
    """Run `argv` as a fresh process: its wall time, and its peak RSS from os.wait4 (on Linux the
    largest of the child and the children it waited for). Output goes to files, never a pipe that
    could fill up while we wait."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out if capture else subprocess.DEVNULL, stderr=err
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Sample(
            seconds=seconds,
            maxrss=usage.ru_maxrss * 1024,
            returncode=process.returncode,
            stdout=out.read().decode("utf-8", errors="replace") if capture else "",
            stderr=err.read().decode("utf-8", errors="replace"),
        )


def checked(sample: Sample, what: str, codes: tuple[int, ...] = (0,)) -> Sample:
    if sample.returncode not in codes:
        tail = "\n".join(sample.stderr.strip().splitlines()[-15:])
        raise BenchError(f"{what} exited with {sample.returncode}:\n{tail}")
    return sample


def tree_bytes(folder: Path) -> int:
    """The size of a site: the sum of its files' sizes."""
    total = 0
    for base, _, names in os.walk(folder):
        for name in names:
            total += os.lstat(os.path.join(base, name)).st_size
    return total


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def say(text: str) -> None:
    print(text, flush=True)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# --- the repositories -------------------------------------------------------------------------


def _generator_hash() -> str:
    digest = hashlib.sha256()
    for name in ("realistic.py", "corpus.py"):
        digest.update((HERE / name).read_bytes())
    return digest.hexdigest()[:16]


def _reuse(root: Path, params: dict[str, Any]) -> bool:
    """Whether `root` holds the repository `params` describe (written by an earlier run)."""
    marker = root.with_name(root.name + ".json")
    if root.is_dir() and marker.is_file():
        with contextlib.suppress(ValueError):
            if json.loads(marker.read_text(encoding="utf-8")) == params:
                return True
    if root.exists():
        shutil.rmtree(root)
    marker.unlink(missing_ok=True)
    return False


def _mark(root: Path, params: dict[str, Any]) -> None:
    root.with_name(root.name + ".json").write_text(json.dumps(params), encoding="utf-8")


def realistic(workdir: Path, n: int, commits: int) -> Path:
    """The realistic repository of `n` post-mortems and `commits` commits; returns mkdocs.yml."""
    root = workdir / f"realistic-{n}-{commits}"
    params = {"n": n, "commits": commits, "generator": _generator_hash()}
    if _reuse(root, params):
        say(f"realistic N={n:,}, {commits:,} commits: reusing {root}")
        return root / "mkdocs.yml"
    started = time.perf_counter()
    config = write_repository(root, n, commits)
    say(f"realistic N={n:,}, {commits:,} commits: written in {time.perf_counter() - started:.1f} s ({root})")
    _mark(root, params)
    return config


def dashboard_corpus(workdir: Path, n: int) -> Path:
    root = workdir / f"corpus-{n}"
    params = {"n": n, "generator": _generator_hash()}
    if not _reuse(root, params):
        write_corpus(root, n)
        _mark(root, params)
    return root / "mkdocs.yml"


# --- the results ------------------------------------------------------------------------------


@dataclass
class Row:
    figure: str
    a: str  # side A's median, with its unit
    b: str
    ratio: str
    target: str
    met: bool | None  # None: reported, no target to meet

    def cells(self) -> list[str]:
        met = "-" if self.met is None else "met" if self.met else "NOT met"
        return [self.figure, self.a, self.b, self.ratio, self.target, met]


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)

    def add(self, row: Row) -> None:
        self.rows.append(row)
        cells = row.cells()
        say(f"==> {cells[0]}: A {cells[1]} | B {cells[2]} | ratio {cells[3]} | target {cells[4]} | {cells[5]}")

    def note(self, text: str) -> None:
        self.notes.append(text)
        say(f"==> {text}")

    def table(self) -> str:
        head = ["figure", "side A median", "side B median", "ratio", "target", "met"]
        lines = ["| " + " | ".join(head) + " |", "|---|---:|---:|---:|---|---|"]
        lines += ["| " + " | ".join(row.cells()) + " |" for row in self.rows]
        return "\n".join(lines)


def ratio_row(results: Results, figure: str, a: float, b: float, unit: Callable[[float], str], limit: float) -> float:
    """A row whose ratio is A / B, met when at most `limit`."""
    ratio = a / b if b > 0 else float("inf")
    results.add(Row(figure, unit(a), unit(b), f"{ratio:.3f}", f"<= {limit:g}", ratio <= limit))
    return ratio


def seconds(value: float) -> str:
    return f"{value:.2f} s"


def megabytes(value: float) -> str:
    return f"{value / 1e6:.1f} MB"


def milliseconds(value: float) -> str:
    return f"{value:.1f} ms"


# --- figures 1, 2, 6: builds ------------------------------------------------------------------


def build_sample(config: Path, site: Path) -> Sample:
    if site.exists():
        shutil.rmtree(site)
    sample = child([str(BIN / "mkdocs"), "build", "-q", "-f", str(config), "-d", str(site)], cwd=config.parent)
    checked(sample, f"mkdocs build -f {config}")
    sample.site_bytes = tree_bytes(site)
    return sample


def alternate(
    label: str, a_name: str, a: Callable[[], Sample], b_name: str, b: Callable[[], Sample], repeat: int
) -> tuple[list[Sample], list[Sample]]:
    """A, B, A, B...: `repeat` samples of each side, interleaved so that both see the same machine."""
    side_a: list[Sample] = []
    side_b: list[Sample] = []
    for round_ in range(1, repeat + 1):
        for name, run, samples in ((a_name, a, side_a), (b_name, b, side_b)):
            sample = run()
            samples.append(sample)
            say(
                f"  {label} {round_}/{repeat} {name}: {sample.seconds:.2f} s, peak RSS {sample.maxrss / 2**20:.0f} MiB"
                + (f", site {sample.site_bytes / 1e6:.1f} MB" if sample.site_bytes else "")
                + f" (load {load()})"
            )
    return side_a, side_b


def figure_builds(
    results: Results, configs: dict[int, Path], workdir: Path, repeat: int
) -> dict[int, tuple[list[Sample], list[Sample]]]:
    runs: dict[int, tuple[list[Sample], list[Sample]]] = {}
    for n, config in configs.items():
        plain = config.with_name("mkdocs-plain.yml")
        runs[n] = alternate(
            f"build N={n:,}",
            "plugin",
            functools.partial(build_sample, config, workdir / "sites" / f"plugin-{n}"),
            "plain",
            functools.partial(build_sample, plain, workdir / "sites" / f"plain-{n}"),
            repeat,
        )
        plugin, plain_runs = runs[n]
        ratio_row(
            results,
            f"1. build plugin / plain, N={n:,} (time)",
            median([s.seconds for s in plugin]),
            median([s.seconds for s in plain_runs]),
            seconds,
            1.15,
        )
    return runs


def figure_growth(results: Results, runs: dict[int, tuple[list[Sample], list[Sample]]], sizes: Sizes) -> None:
    small, large = runs[sizes.small][0], runs[sizes.large][0]
    limit = 1.1 * sizes.large / sizes.small
    ratio_row(
        results,
        f"2. growth plugin build N={sizes.large:,} / N={sizes.small:,} (time)",
        median([s.seconds for s in large]),
        median([s.seconds for s in small]),
        seconds,
        limit,
    )
    ratio_row(
        results,
        f"2. growth plugin build N={sizes.large:,} / N={sizes.small:,} (site size)",
        median([float(s.site_bytes) for s in large]),
        median([float(s.site_bytes) for s in small]),
        megabytes,
        limit,
    )


def figure_memory(results: Results, runs: dict[int, tuple[list[Sample], list[Sample]]], n: int) -> None:
    plugin, plain = runs[n]
    ratio_row(
        results,
        f"6. peak RSS plugin / plain build, N={n:,}",
        median([float(s.maxrss) for s in plugin]),
        median([float(s.maxrss) for s in plain]),
        lambda v: f"{v / 2**20:.0f} MiB",
        1.3,
    )


# --- figure 3: check vs the floor -------------------------------------------------------------


def figure_check(results: Results, config: Path, repeat: int) -> None:
    root = config.parent

    def check() -> Sample:
        # Exit 1 would mean errors in the corpus: refused, the figure would measure something else.
        return checked(child([str(BIN / "postmortems"), "check", "--format", "json"], cwd=root), "postmortems check")

    def floor() -> Sample:
        return checked(child([sys.executable, str(HERE / "floor.py"), str(root / DOCS)], cwd=root), "floor.py")

    n = sum(1 for _ in (root / DOCS).rglob("*.md"))
    a, b = alternate(f"check N={n:,}", "postmortems check", check, "C-YAML floor", floor, repeat)
    ratio_row(
        results,
        f"3. `postmortems check` / C-YAML floor, N={n:,}",
        median([s.seconds for s in a]),
        median([s.seconds for s in b]),
        seconds,
        3,
    )


# --- figure 4: git history --------------------------------------------------------------------

ONE_PASS = """
import sys
from pathlib import Path
from mkdocs_postmortems.history import read_history
history = read_history(Path(sys.argv[1]), [sys.argv[2]])
print(sum(1 for h in history.files.values() if h.known))
"""

PER_FILE = """
import subprocess, sys
root, docs = sys.argv[1], sys.argv[2]
listed = subprocess.run(["git", "-C", root, "ls-files", "-z", "--", docs], capture_output=True, check=True).stdout
found = 0
for name in filter(None, listed.decode("utf-8").split("\\0")):
    out = subprocess.run(
        ["git", "-C", root, "log", "-1", "--format=%H%x00%an%x00%aI", "--", name], capture_output=True, check=True
    ).stdout
    found += bool(out.strip())
print(found)
"""


def figure_history(results: Results, config: Path, repeat: int) -> None:
    root = config.parent
    n = sum(1 for _ in (root / DOCS).rglob("*.md"))
    commits = int(
        subprocess.run(
            ["git", "-C", str(root), "rev-list", "--count", "HEAD"], capture_output=True, text=True, check=True
        ).stdout
    )

    def side(script: str, what: str) -> Callable[[], Sample]:
        def run() -> Sample:
            sample = checked(child([sys.executable, "-c", script, str(root), DOCS], cwd=root, capture=True), what)
            if sample.stdout.strip() != str(n):
                raise BenchError(f"{what} found the history of {sample.stdout.strip()!r} files, not {n}")
            return sample

        return run

    a, b = alternate(
        f"history N={n:,}, {commits:,} commits",
        "one pass",
        side(ONE_PASS, "read_history"),
        "git log -1 per file",
        side(PER_FILE, "git log -1 per file"),
        repeat,
    )
    one, per_file = median([s.seconds for s in a]), median([s.seconds for s in b])
    speedup = per_file / one if one > 0 else float("inf")
    results.add(
        Row(
            f"4. git history: one pass vs `git log -1` per file, N={n:,}, {commits:,} commits",
            seconds(one),
            seconds(per_file),
            f"{speedup:.1f}x faster",
            ">= 10x faster",
            speedup >= 10,
        )
    )


# --- figure 5: a `mkdocs serve` rebuild -------------------------------------------------------


class EventTimer:
    """The time spent inside a plugin instance's on_* event methods, wrapped on the instance."""

    def __init__(self, plugin: Any) -> None:
        self.total = 0.0
        self.by_event: dict[str, float] = {}
        self._depth = 0
        self.wrapped: dict[Any, Any] = {}  # original bound method -> wrapper
        for name in dir(plugin):
            method = getattr(plugin, name, None)
            if name.startswith("on_") and callable(method):
                wrapper = self._timed(name, method)
                setattr(plugin, name, wrapper)
                self.wrapped[method] = wrapper

    def _timed(self, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)  # keeps `mkdocs_priority`, which MkDocs reads when it registers events
        def timed(*args: Any, **kwargs: Any) -> Any:
            if self._depth:  # an event method calling another: counted once
                return method(*args, **kwargs)
            self._depth += 1
            started = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                self._depth -= 1
                self.total += elapsed
                self.by_event[name] = self.by_event.get(name, 0.0) + elapsed

        return timed

    def take(self) -> tuple[float, dict[str, float]]:
        total, events = self.total, dict(self.by_event)
        self.total, self.by_event = 0.0, {}
        return total, events


def serve_child(config_file: str, site_dir: str, edit: str, rebuilds: int) -> None:
    """What mkdocs/commands/serve.py (MkDocs 1.6) does, without serving: load the config once,
    fire on_startup(command="serve"), build; set up the server and fire on_serve; then, for each
    edit of one post-mortem, call the builder as the file watcher does (it loads the config
    again: the Plugins option keeps every plugin instance that defines on_startup or
    on_shutdown, so the same instances build again). Prints the times as JSON."""
    from urllib.parse import urlsplit

    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.livereload import LiveReloadServer, _serve_url

    def get_config() -> Any:
        config = load_config(config_file=config_file, site_dir=site_dir)
        config.watch.extend([])
        return config

    config = get_config()
    plugin = config.plugins["postmortems"]
    timer = EventTimer(plugin)
    # This collection registered the bound methods before they were wrapped: swap in the wrappers
    # (the collections of the rebuilds register the wrappers themselves, as instance attributes).
    for methods in config.plugins.events.values():
        for position, method in enumerate(methods):
            wrapper = timer.wrapped.get(method)
            if wrapper is not None:
                methods[position] = wrapper
                config.plugins._event_origins[wrapper] = config.plugins._event_origins.get(method, "postmortems")
    config.plugins.on_startup(command="serve", dirty=False)
    host, port = config.dev_addr
    mount_path = urlsplit(config.site_url or "/").path
    config.site_url = serve_url = _serve_url(host, port, mount_path)
    instances: list[bool] = []

    def builder(config: Any = None) -> None:
        if config is None:
            config = get_config()
            config.site_url = serve_url
            instances.append(config.plugins["postmortems"] is plugin)
        build(config, serve_url=serve_url, dirty=False)

    # bind_and_activate=False: nothing listens; on_serve and watch() only register.
    server = LiveReloadServer(builder=builder, host=host, port=port, root=site_dir, mount_path=mount_path)
    result: dict[str, Any] = {"rebuild_plugin": [], "rebuild_wall": [], "rebuild_events": []}
    started = time.perf_counter()
    builder(config)
    result["first_wall"] = time.perf_counter() - started
    result["first_plugin"], result["first_events"] = timer.take()
    server.watch(config.docs_dir)
    if config.config_file_path:
        server.watch(config.config_file_path)
    server = config.plugins.on_serve(server, config=config, builder=builder)
    for item in config.watch:
        server.watch(item)
    path = Path(edit)
    original = path.read_bytes()
    try:
        for number in range(1, rebuilds + 1):
            text = original.decode("utf-8").rstrip("\n")
            path.write_text(f"{text}\n\nEdited while serving: revision {number}.\n", encoding="utf-8")
            started = time.perf_counter()
            builder()
            result["rebuild_wall"].append(time.perf_counter() - started)
            total, events = timer.take()
            result["rebuild_plugin"].append(total)
            result["rebuild_events"].append(events)
    finally:
        path.write_bytes(original)
        config.plugins.on_shutdown()
    result["same_instance"] = all(instances) and bool(instances)
    print(json.dumps(result))


def figure_serve(results: Results, config: Path, workdir: Path, processes: int) -> None:
    root = config.parent
    pages = sorted((root / DOCS).rglob("*.md"))
    n = len(pages)
    edit = pages[n // 2]
    site = workdir / "sites" / f"serve-{n}"
    firsts: list[float] = []
    rebuilds: list[float] = []
    for number in range(1, processes + 1):
        if site.exists():
            shutil.rmtree(site)
        argv = [sys.executable, str(Path(__file__).resolve()), "--serve-child", str(config), str(site), str(edit), "1"]
        sample = checked(child(argv, cwd=root, capture=True), "the serve emulation")
        data = json.loads(sample.stdout.strip().splitlines()[-1])
        if not data["same_instance"]:
            raise BenchError("the rebuild did not keep the plugin instance: not what `mkdocs serve` does")
        firsts.append(data["first_plugin"])
        rebuilds.append(data["rebuild_plugin"][0])
        top = sorted(data["rebuild_events"][0].items(), key=lambda kv: -kv[1])[:3]
        say(
            f"  serve N={n:,} {number}/{processes}: first build {data['first_wall']:.2f} s (plugin "
            f"{data['first_plugin']:.2f} s), rebuild {data['rebuild_wall'][0]:.2f} s (plugin "
            f"{data['rebuild_plugin'][0]:.2f} s: {', '.join(f'{k} {v:.2f}' for k, v in top)}); load {load()}"
        )
    ratio_row(
        results,
        f"5. serve: plugin time in a rebuild / in the first build, N={n:,}",
        median(rebuilds),
        median(firsts),
        seconds,
        0.1,
    )


# --- figure 7: the dashboard ------------------------------------------------------------------

TRANSFER = """
() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const resources = performance.getEntriesByType("resource");
  const json = resources.find((e) => e.name.includes("api/actions.json"));
  return {
    page: nav.transferSize,
    json: json ? json.transferSize : 0,
    all: nav.transferSize + resources.reduce((sum, e) => sum + e.transferSize, 0),
  };
}
"""


def figure_dashboard(results: Results, workdir: Path, n: int) -> None:
    import dashboard  # Playwright and the browser tests' plumbing (tests/ is on the path then): only here

    from browsing import CHROMIUM, chromium, serve

    if not CHROMIUM.exists():
        results.note(f"dashboard: not available ({CHROMIUM} is not installed)")
        return
    config = dashboard_corpus(workdir, n)
    site = workdir / "sites" / f"dashboard-{n}"
    sample = build_sample(config, site)
    items = n * ITEMS_PER_POSTMORTEM
    say(
        f"  dashboard corpus N={n:,} ({items:,} items): built in {sample.seconds:.1f} s; "
        f"opening /actions/ (load {load()})"
    )
    with chromium() as browser:
        browsed = dashboard.browse(browser, site)
        with serve(site) as url:
            context = browser.new_context()
            try:
                page = context.new_page()
                page.goto(url + "/actions/", wait_until="load")
                page.wait_for_selector(
                    "[data-pm-dashboard][data-pm-ready]", state="attached", timeout=dashboard.READY_TIMEOUT_MS
                )
                transfer: dict[str, int] = page.evaluate(TRANSFER)
            finally:
                context.close()
    for error in browsed.errors[:5]:
        say(f"  dashboard page error: {error}")
    for label, measure in (
        ("owner filter", "owner|layout"),
        (f"text filter keystroke ({dashboard.TYPED!r})", "key|layout"),
    ):
        value = browsed.median(measure)
        results.add(
            Row(
                f"7. dashboard {items:,} items: {label}, script + style and layout",
                "-" if value is None else milliseconds(value),
                "-",
                "-",
                "<= 100 ms",
                None if value is None else value <= 100,
            )
        )
    results.add(
        Row(
            f"7. dashboard {items:,} items: transferred, /actions/ + api/actions.json",
            megabytes(transfer["page"] + transfer["json"]),
            "-",
            "-",
            f"reported (whole page with assets: {megabytes(transfer['all'])})",
            None,
        )
    )


# --- figure 8: search -------------------------------------------------------------------------


def _search_figures() -> Callable[[Path, str], dict[str, float]] | None:
    if str(ROOT) not in sys.path:
        sys.path.append(str(ROOT))
    try:
        module = importlib.import_module("benchmarks.search")
    except ImportError:
        return None
    function = getattr(module, "search_figures", None)
    return function if callable(function) else None


def pagefind_config(config: Path) -> Path:
    """mkdocs.yml with the plugin's Pagefind option and without Material's search plugin."""
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    plugins: list[Any] = []
    for entry in data["plugins"]:
        if entry == "search":
            continue
        if isinstance(entry, dict) and "postmortems" in entry:
            entry = {"postmortems": {**(entry["postmortems"] or {}), **PAGEFIND_OPTIONS}}
        plugins.append(entry)
    data["plugins"] = plugins
    target = config.with_name("mkdocs-pagefind.yml")
    target.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return target


def figure_search(results: Results, config: Path, workdir: Path) -> None:
    search_figures = _search_figures()
    if search_figures is None:
        results.note("search: not available (benchmarks/search.py with search_figures() is not there yet)")
        return
    from mkdocs_postmortems.settings import Settings

    missing = [name for name in PAGEFIND_OPTIONS if name not in Settings.option_names()]
    if missing:
        results.note(f"search: not available (the plugin has no option {', '.join(missing)} yet)")
        return
    variant = pagefind_config(config)
    n = sum(1 for _ in (config.parent / DOCS).rglob("*.md"))
    site = workdir / "sites" / f"pagefind-{n}"
    sample = build_sample(variant, site)
    say(f"  search N={n:,}: Pagefind build in {sample.seconds:.1f} s, site {sample.site_bytes / 1e6:.1f} MB")
    figures = search_figures(site, SEARCH_QUERY)
    first, sent = figures.get("first_result_ms"), figures.get("transferred_bytes")
    results.add(
        Row(
            f"8. search N={n:,}: first result after typing {SEARCH_QUERY!r}",
            "-" if first is None else milliseconds(first),
            "-",
            "-",
            "<= 1000 ms",
            None if first is None else first <= 1000,
        )
    )
    results.add(
        Row(
            f"8. search N={n:,}: transferred in Chromium",
            "-" if sent is None else megabytes(sent),
            "-",
            "-",
            "<= 10 MB",
            None if sent is None else sent <= 10e6,
        )
    )


# --- the run ----------------------------------------------------------------------------------


def header(sizes: Sizes, repeat: int) -> str:
    ram = "?"
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--", "plugins"], capture_output=True, text=True
    ).stdout.strip()
    plugin = f"{head.stdout.strip() or '?'}{' with uncommitted changes in plugins/' if dirty else ''}"
    return "\n".join(
        [
            f"machine: {os.cpu_count()} CPUs, {ram} RAM, {platform.platform()}; load average {load()}",
            f"Python {platform.python_version()}, MkDocs {version('mkdocs')}, Material {version('mkdocs-material')}, "
            f"git {subprocess.run(['git', '--version'], capture_output=True, text=True).stdout.split()[-1]}",
            f"plugin: {ROOT} at {plugin}",
            f"sizes: N={sizes.small:,} and {sizes.large:,} ({commits_for(sizes.small):,} and "
            f"{commits_for(sizes.large):,} commits); history N={sizes.history:,} with {sizes.history_commits:,} "
            f"commits; dashboard {sizes.dashboard * ITEMS_PER_POSTMORTEM:,} items; {repeat} sample(s) of each side",
        ]
    )


def compile_plugin() -> None:
    """Byte-compile the plugin, as pip does for an installed package (MkDocs and Material are):
    installed editable, and with PYTHONDONTWRITEBYTECODE set (as on CI here), each run would
    compile its modules from source again, a cost no user's install pays."""
    package = ROOT / "plugins" / "mkdocs_postmortems"
    checked(child([sys.executable, "-m", "compileall", "-q", str(package)]), f"compileall {package}")


@contextlib.contextmanager
def working_folder(path: Path | None) -> Iterator[Path]:
    if path is not None:
        path = path.resolve()
        path.mkdir(parents=True, exist_ok=True)
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="pm-run-") as temporary:
        yield Path(temporary)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"small sizes for a smoke run: {QUICK}")
    parser.add_argument("--repeat", type=int, default=3, help="samples of each side of a pair (default 3)")
    parser.add_argument("--workdir", type=Path, help="where to write (and keep) the repositories and sites")
    parser.add_argument("--only", help=f"comma-separated figures among {','.join(FIGURES)}")
    parser.add_argument(
        "--serve-child", nargs=4, metavar=("CONFIG", "SITE", "EDIT", "REBUILDS"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.serve_child:
        config, site, edit, rebuilds = args.serve_child
        serve_child(config, site, edit, int(rebuilds))
        return
    wanted = set(FIGURES) if not args.only else {f.strip() for f in args.only.split(",") if f.strip()}
    unknown = wanted - set(FIGURES)
    if unknown:
        parser.error(f"unknown figure(s) {', '.join(sorted(unknown))}; the figures are {', '.join(FIGURES)}")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    sizes = QUICK if args.quick else FULL
    say(header(sizes, args.repeat))
    compile_plugin()
    results = Results()
    started = time.perf_counter()
    with working_folder(args.workdir) as workdir:
        say(f"workdir: {workdir}")
        configs: dict[int, Path] = {}

        def repository(n: int) -> Path:
            if n not in configs:
                configs[n] = realistic(workdir, n, commits_for(n))
            return configs[n]

        steps: list[tuple[str, Callable[[], None]]] = []
        # The cheap figures first: a run cut short still has them.
        if "history" in wanted:
            steps.append(
                (
                    "history",
                    lambda: figure_history(
                        results, realistic(workdir, sizes.history, sizes.history_commits), args.repeat
                    ),
                )
            )
        if "check" in wanted:
            steps.append(("check", lambda: figure_check(results, repository(sizes.large), args.repeat)))
        if wanted & {"build", "growth", "memory"}:
            points = [sizes.small, sizes.large] if wanted & {"build", "growth"} else [sizes.large]

            def builds() -> None:
                warm = repository(points[0])
                say("warm-up (not measured): one build of each side")
                build_sample(warm, workdir / "sites" / "warm-up")
                build_sample(warm.with_name("mkdocs-plain.yml"), workdir / "sites" / "warm-up")
                runs = figure_builds(results, {n: repository(n) for n in points}, workdir, args.repeat)
                if "growth" in wanted:
                    figure_growth(results, runs, sizes)
                if "memory" in wanted:
                    figure_memory(results, runs, sizes.large)

            steps.append(("build", builds))
        if "serve" in wanted:

            def serve() -> None:
                figure_serve(results, repository(sizes.small), workdir, args.repeat)
                figure_serve(results, repository(sizes.large), workdir, 1)

            steps.append(("serve", serve))
        if "dashboard" in wanted:
            steps.append(("dashboard", lambda: figure_dashboard(results, workdir, sizes.dashboard)))
        if "search" in wanted:
            steps.append(("search", lambda: figure_search(results, repository(sizes.large), workdir)))
        for name, step in steps:
            say(f"--- {name} (load {load()}, {time.perf_counter() - started:.0f} s into the run)")
            try:
                step()
            except BenchError as exc:
                results.note(f"{name}: FAILED: {exc}")
            (workdir / "results.json").write_text(  # after every step: a run cut short keeps what it measured
                json.dumps({"rows": [row.cells() for row in results.rows], "notes": results.notes}, indent=1),
                encoding="utf-8",
            )
    say("")
    say(header(sizes, args.repeat))
    say(f"total time {time.perf_counter() - started:.0f} s")
    say("")
    say(results.table())
    for text in results.notes:
        say(f"- {text}")


if __name__ == "__main__":
    main()
