"""Helpers to build real sites into temporary folders and read the HTML inside <article>."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bs4 import BeautifulSoup, Tag
from click.testing import CliRunner, Result
from mkdocs.commands.build import build
from mkdocs.config import load_config

ROOT = Path(__file__).resolve().parents[1]
TODAY_EPOCH = "1795564800"  # 2026-11-25T00:00:00Z: "today" for every build in the tests


@contextmanager
def fixed_today(epoch: str = TODAY_EPOCH) -> Iterator[None]:
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = epoch
    try:
        yield
    finally:
        if old is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old


def build_example(site_dir: Path, strict: bool = True) -> Path:
    """The example repository's own site, built as `mkdocs build --strict` would."""
    with fixed_today():
        build(load_config(str(ROOT / "mkdocs.yml"), site_dir=str(site_dir), strict=strict))
    return site_dir


def write_site(
    root: Path, files: dict[str, str], options: str = "", extra: str = "", plugins_before: str = "  - search\n"
) -> Path:
    """A repository in `root`: mkdocs.yml with the plugin, and the given files under postmortems/."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(
        "site_name: Test site\ndocs_dir: postmortems\ntheme:\n  name: material\n  font: false\n"
        f"plugins:\n{plugins_before}  - postmortems:\n      today: 2026-11-25\n{options}{extra}"
    )
    for name, text in files.items():
        path = root / "postmortems" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "postmortems").mkdir(exist_ok=True)
    return root / "mkdocs.yml"


def build_site(config_file: Path, strict: bool = False) -> Path:
    site = config_file.parent / "site"
    build(load_config(str(config_file), site_dir=str(site), strict=strict))
    return site


def page(site: Path, url: str) -> BeautifulSoup:
    path = site / url / "index.html" if not url.endswith(".html") else site / url
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def article(site: Path, url: str) -> Tag:
    found = page(site, url).select_one("article")
    assert found is not None, f"no <article> in {url}"
    return found


def incident(title: str, date: str = "2026-05-01", severity: str = "SEV2", extra: str = "", body: str = "") -> str:
    """A valid post-mortem with every section; `extra` adds front-matter lines."""
    return (
        f"---\ntitle: {title}\ndate: {date}\nseverity: {severity}\n{extra}---\n\n"
        "## Summary\n\nA short summary.\n\n## Timeline\n\n| Time | Event |\n|---|---|\n| 10:00 | Start |\n\n"
        "## Impact\n\nSome.\n\n## Root causes\n\nA gap in the deploy checks.\n\n## What went well\n\nAlerts.\n\n"
        f"## What could be improved\n\nRunbooks.\n\n{body}"
    )


def invoke(root: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    """The `postmortems` command run in `root`, as a user would run it there."""
    from mkdocs_postmortems.cli import main

    cwd = os.getcwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    finally:
        os.chdir(cwd)
