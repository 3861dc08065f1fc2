"""One `mkdocs build`, in this process, with the time spent in each phase: what the phase
tables of docs/performance.md are made of.

    .venv/bin/python benchmarks/phases.py /tmp/pm-run/realistic-10000-4000/mkdocs.yml /tmp/site

Each phase is timed by wrapping its function at run time (nothing is changed on disk): the
plugin's events, `load_many`, MkDocs' `_populate_page` (read and convert a page, the page events
included) and `_build_page` (template and write it, `on_page_context` and `on_post_page`
included), and Material's search. A phase called inside another is counted in both. The
plugin's `on_post_build` is left alone: it waits for the workers that render ahead, and wrapping
it would count that wait twice. Run the plain side (mkdocs-plain.yml) the same way.
"""

from __future__ import annotations

import argparse
import functools
import resource
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

from mkdocs.commands import build as mkdocs_build
from mkdocs.config import load_config

seconds: defaultdict[str, float] = defaultdict(float)
calls: Counter[str] = Counter()


def timed(owner: Any, name: str, label: str) -> None:
    """Replace owner.name by a function that adds its time to `label`."""
    function: Callable[..., Any] = getattr(owner, name)

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            seconds[label] += time.perf_counter() - started
            calls[label] += 1

    setattr(owner, name, wrapper)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("config", help="the mkdocs.yml to build")
    parser.add_argument("site", help="the folder to build into")
    args = parser.parse_args()
    timed(mkdocs_build, "_populate_page", "MkDocs _populate_page")
    timed(mkdocs_build, "_build_page", "MkDocs _build_page")
    from material.plugins.search.plugin import SearchPlugin  # type: ignore[import-untyped]

    timed(SearchPlugin, "on_page_context", "search on_page_context")
    timed(SearchPlugin, "on_post_build", "search on_post_build")
    # Before load_config, which binds each plugin's events (the plain build simply never calls these).
    import mkdocs_postmortems.plugin as plugin

    for name in dir(plugin.PostmortemsPlugin):
        if name.startswith("on_") and name != "on_post_build":
            timed(plugin.PostmortemsPlugin, name, f"plugin {name}")
    timed(plugin, "load_many", "plugin load_many (in on_files)")
    config = load_config(args.config, site_dir=args.site)
    started = time.perf_counter()
    config.plugins.on_startup(command="build", dirty=False)
    mkdocs_build.build(config)
    total = time.perf_counter() - started
    for label, spent in sorted(seconds.items(), key=lambda item: -item[1]):
        print(f"{spent:8.2f} s {calls[label]:7d}  {label}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{total:8.2f} s in all; peak RSS of this process {peak:.0f} MiB")


if __name__ == "__main__":
    main()
