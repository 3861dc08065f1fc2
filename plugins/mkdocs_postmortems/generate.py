"""`postmortems generate`: the whole site written as a plain docs folder, for Zensical or any
Markdown site generator that runs no MkDocs plugin (docs/zensical.md).

One renderer, two drivers: the post-mortems are read and checked as `postmortems check` reads
them (the command hands them over), and the catalog, pages, decorations and exports come from
the same code as the plugin's (pages.SitePages). Each page is rendered here and handed over in
a form the generator cannot change (prerender.py). Nothing is written outside DIR: DIR/docs is
the docs folder, DIR/mkdocs.yml its config, and the generator builds into DIR/site.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files as package_files
from pathlib import Path
from typing import Any

import yaml

from . import yamlsafe
from .catalog import Catalog
from .findings import Finding
from .generate_config import dump, generated_config, markdown_extensions, read_raw
from .history import RepositoryHistory
from .load import Document, is_source_postmortem
from .pages import SitePages, make_env
from .pages.site import EXPORTS, MIN_RENDERS, RENDER_CHUNK, generated_pages, theme_meta
from .parallel import fork_map, processes
from .prerender import Prerender, no_braces
from .public import public_findings, withheld_files
from .publishing import ASSETS, clash_finding
from .sanitize import BlockStore, safe_page_meta
from .settings import ConfigError, Settings
from .sitepaths import SitePlan, dest_of, file_url, mkdocs_excludes, relative_url
from .sources import Scan

MARKER = ".postmortems-generate"  # DIR holds it: a later run may replace what is there
THEME_DIR = Path(str(package_files("mkdocs_postmortems").joinpath("theme")))
# MkDocs' front-matter block (mkdocs.utils.meta.YAML_RE), so pages split where MkDocs splits them.
_FRONT = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.S)


class GenerateError(Exception):
    """generate cannot run: the reason, worded for the command line."""


@dataclass(frozen=True)
class Generated:
    docs: Path
    config: Path
    postmortems: int
    pages: int
    files: int
    exports: int
    processes: int  # that rendered the pages


def generate(
    settings: Settings,
    config_file: Path | None,
    out: Path,
    documents: list[Document],
    findings: list[Finding],
    history: RepositoryHistory,
    scanned: Scan,
    shown: Callable[[Path], str],
) -> Generated:
    """Write the site for `documents` (as `check` loaded them, markdown kept) under `out`."""
    docs_dir = Path(os.path.abspath(settings.docs_dir))
    config_dir = Path(os.path.abspath(config_file)).parent if config_file else Path.cwd()
    if scanned.fatal:
        where = "; ".join(f"{shown(docs_dir / r.relative)}: {r.reason}" for r in scanned.fatal)
        raise GenerateError(f"the docs folder cannot be built safely: {where}")
    raw = read_raw(config_file) if config_file else {}
    source = shown(config_file) if config_file else "the default options"
    extensions, configs = markdown_extensions(raw, source)
    url_table: dict[str, str] = {}  # docs file -> its URL, filled once the site's paths are known
    # Made before DIR is touched: extensions that cannot be loaded stop the run, and DIR keeps
    # the last good output.
    prerender = Prerender.checked(extensions, configs, url_table.get, source)
    target = _prepare(out, docs_dir, config_dir)
    written = _Writer(target / "docs")
    use_dirs = settings.use_directory_urls

    def uri_of(doc: Document) -> str | None:
        path = Path(os.path.abspath(doc.source))
        return path.relative_to(docs_dir).as_posix() if path.is_relative_to(docs_dir) else None

    # What the site may publish: the same claims, in the same order, as the build makes.
    names = [n for n in scanned.files if not mkdocs_excludes(n)]
    is_postmortem = {n: is_source_postmortem(n, settings) for n in names}
    plan = SitePlan(use_dirs, list(ASSETS))
    losers = plan.docs(sorted(n for n in names if is_postmortem[n]), sorted(n for n in names if not is_postmortem[n]))
    clash_of = {c.loser.name: c for c in plan.clashes if c.loser is not None}
    documents = list(documents)
    for index, doc in enumerate(documents):  # a post-mortem that lost its URL is listed with the reason
        uri = uri_of(doc)
        if uri in losers and uri in clash_of:
            refused = Document(doc.path, doc.source)
            finding = clash_finding(clash_of[uri], settings, shown, forced=True)
            refused.findings.extend([finding] if finding else [])
            documents[index] = refused
    catalog = Catalog(documents, settings, settings.resolve_today())
    left_out = {d.path for d in catalog.left_out}
    incidents = {
        uri: doc
        for doc in documents
        if (uri := uri_of(doc)) in is_postmortem and uri not in losers and doc.path not in left_out
    }
    others = [n for n in names if not is_postmortem[n] and n not in losers]
    withheld_paths: dict[str, str] = {}
    if settings.public_only:
        withheld = {u: d for d in catalog.left_out if (u := uri_of(d)) is not None}
        evidence = withheld_files(incidents, withheld, others, lambda n: n.endswith(".md"))
        others = [n for n in others if n not in evidence]
        withheld_paths = {d.path: u for u, d in withheld.items()}
    published = {d.path for d in incidents.values()}
    shown_findings = findings if not settings.public_only else public_findings(findings, published, withheld_paths)

    has_home = "index.md" in others
    specs = generated_pages(catalog, has_home=has_home)
    held = plan.generated([spec.src_uri for spec in specs], list(EXPORTS))
    custom = raw.get("theme", {}).get("custom_dir") if isinstance(raw.get("theme"), dict) else None
    template_dirs = [str(config_dir / custom)] if isinstance(custom, str) else []
    # Zensical reads every relative link of a page, raw HTML's too, from the page's source file
    # (as MkDocs reads Markdown links) and rewrites it for the page's URL: links are written so.
    source_of: dict[str, str] = {}

    def relative(target: str, page_url: str) -> str:
        return relative_url(target, source_of.get(page_url, page_url))

    pages = SitePages(make_env([*template_dirs, str(THEME_DIR)]), catalog, shown_findings, relative, settings)
    blocks = BlockStore()
    pages.protect = blocks.protect
    # Related incidents and repeats name other incidents: out of the search index, as in the build.
    pages.protect_late = lambda block: blocks.protect(f"<div data-search-exclude>{block}</div>")
    pages.history = history
    pages.left_out = {name for name in held if name in EXPORTS}
    url_table.update({n: file_url(dest_of(n, use_dirs), use_dirs) for n in [*incidents, *others]})
    pages.urls.update(url_table)
    pages.doc_uris.update({doc.path: uri for uri, doc in incidents.items()})
    displaced: dict[str, str] = {}
    by_dest = {dest_of(n, use_dirs): n for n in [*incidents, *others]}
    for spec in specs:
        if spec.src_uri in held:  # a page of the repository holds its URL: links follow that page
            holder = held[spec.src_uri]
            pages.urls[spec.src_uri] = file_url(holder.dest, use_dirs)
            if holder.dest in by_dest and by_dest[holder.dest].endswith(".md"):
                displaced[spec.src_uri] = by_dest[holder.dest]
        else:
            pages.urls[spec.src_uri] = file_url(dest_of(spec.src_uri, use_dirs), use_dirs)
    source_of.update({url: name for name, url in url_table.items()})
    for spec in specs:  # a generated page held by a page of the repository is that page
        source_of.setdefault(pages.urls[spec.src_uri], spec.src_uri)

    def template_exists(name: str) -> bool:
        return any((Path(d) / name).is_file() for d in template_dirs)

    sanitise = not settings.allow_raw_html

    def render(index: int) -> str:
        """The generator's Markdown of task `index`: a generated page, an incident page or a
        page of the repository (each page's blocks are protected and put back in one process)."""
        kind, name = tasks[index]
        if kind == "generated":
            front, body = _split(pages.render(name))
            return _page(front, prerender.page(body, name, blocks, False))
        if kind == "incident":
            doc = incidents[name]
            return _page(theme_meta(doc, catalog), prerender.page(pages.decorate(doc, name), name, blocks, sanitise))
        # A page of the repository, read as MkDocs reads it (scan judged the file safe).
        meta, markdown = _page_source((docs_dir / name).read_bytes().decode("utf-8-sig", errors="replace"))
        meta, _dropped = safe_page_meta(meta, template_exists)
        if name == "index.md" and has_home:
            markdown = f"{markdown}\n\n{pages.home_block(name)}\n"
        return _page(meta, prerender.page(markdown, name, blocks, sanitise))

    tasks = [("generated", spec.src_uri) for spec in specs if spec.src_uri not in held]
    tasks += [("incident", uri) for uri in incidents]
    tasks += [("page", name) for name in others if name.endswith(".md")]
    exports: dict[str, str | bytes] = {}

    def export() -> None:  # in this process while the pages render in others
        exports.update(pages.exports())

    used = processes(settings.jobs, len(tasks), RENDER_CHUNK, MIN_RENDERS)
    if used > 1:
        pages.before_fork()
    rendered = fork_map(render, len(tasks), used, RENDER_CHUNK, export) if used > 1 else None
    if rendered is None:  # one process, or a worker died: all of it here
        used = 1
        export()
        rendered = [render(index) for index in range(len(tasks))]
    for path, content in exports.items():
        written.write(path, content)
    for (_kind, name), text in zip(tasks, rendered, strict=True):
        written.write(name, text)
    for name in others:
        if not name.endswith(".md"):
            written.copy(name, docs_dir / name)
    for asset in ASSETS:
        written.copy(asset, THEME_DIR / asset)
    nav: list[Any] | None = None
    if not raw.get("nav"):
        nav = [{title: displaced.get(uri, uri) for title, uri in entry.items()} for entry in pages.nav()]
        listed = {uri for entry in nav for uri in entry.values()}
        nav += [n for n in others if n.endswith(".md") and n not in listed]
    config = generated_config(raw, config_dir, target, ASSETS, nav, settings.site_name or "Post-mortems")
    config_path = target / "mkdocs.yml"
    _replace(config_path, dump(config, source if config_file else None))
    _replace(target / MARKER, "made by `postmortems generate`: it replaces docs/ and mkdocs.yml here\n")
    others_written = len(tasks) - len(incidents)
    return Generated(target / "docs", config_path, len(incidents), others_written, written.count, len(exports), used)


def _prepare(out: Path, docs_dir: Path, config_dir: Path) -> Path:
    """DIR, checked and emptied of an earlier run's docs folder. DIR must be new, empty or an
    earlier run's, and must neither hold nor sit inside the docs folder or the repository's config."""
    target = Path(os.path.abspath(out))
    real = target.resolve()
    for name, folder in (("the docs folder", docs_dir.resolve()), ("the folder of mkdocs.yml", config_dir.resolve())):
        if real == folder or folder.is_relative_to(real):
            raise GenerateError(f"--out {out}: it holds {name} ({folder}); choose a folder of its own (build/zensical)")
    if real.is_relative_to(docs_dir.resolve()):
        raise GenerateError(f"--out {out}: it is inside the docs folder {docs_dir}; choose a folder outside it")
    if target.exists() or target.is_symlink():
        if not target.is_dir():
            raise GenerateError(f"--out {out}: it exists and is not a folder")
        if any(target.iterdir()) and not (target / MARKER).is_file():
            raise GenerateError(
                f"--out {out}: the folder is not empty and was not made by `postmortems generate`; "
                "choose a new or empty folder"
            )
    target.mkdir(parents=True, exist_ok=True)
    docs = target / "docs"
    if docs.is_symlink() or docs.is_file():
        docs.unlink()
    elif docs.exists():
        shutil.rmtree(docs)
    docs.mkdir()
    return target


def _replace(path: Path, text: str) -> None:
    if path.is_symlink():
        path.unlink()  # never write through a link
    path.write_text(text, encoding="utf-8")


class _Writer:
    """Files under the new docs folder; a name that would leave it is refused (sitepaths already
    refuses such names: this is the last guard)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.count = 0

    def _target(self, name: str) -> Path:
        normal = posixpath.normpath(name)
        if name.startswith("/") or normal != name or normal.split("/")[0] == ".." or "\\" in name:
            raise GenerateError(f"refused to write {name!r}: the name leaves the docs folder")
        target = self.root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.parent.resolve().is_relative_to(self.root.resolve()):
            raise GenerateError(f"refused to write {name!r}: the name leaves the docs folder")
        self.count += 1
        return target

    def write(self, name: str, content: str | bytes) -> None:
        target = self._target(name)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")

    def copy(self, name: str, source: Path) -> None:
        shutil.copyfile(source, self._target(name))


def _braceless(value: Any) -> Any:
    if isinstance(value, str):
        return no_braces(value)
    if isinstance(value, dict):
        return {k: _braceless(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_braceless(v) for v in value]
    return value


def _split(page: str) -> tuple[dict[str, Any], str]:
    """A generated page's front matter (pages.site._page wrote it) and body."""
    match = _FRONT.match(page)
    if match is None:
        return {}, page
    meta = yaml.safe_load(match.group(1))
    return (meta if isinstance(meta, dict) else {}), page[match.end() :]


def _page_source(text: str) -> tuple[dict[str, Any], str]:
    """A page of the repository: its front matter as MkDocs would read it (bounded, safe), and its Markdown."""
    text = text.replace("\r\n", "\n")
    match = _FRONT.match(text)
    if match is None:
        return {}, text
    try:
        meta, _lines = yamlsafe.load(match.group(1))
    except (yamlsafe.YamlProblem, yaml.YAMLError):
        return {}, text  # MkDocs keeps such a page whole, without metadata
    return (meta if isinstance(meta, dict) else {}), text[match.end() :]


def _page(meta: dict[str, Any], body: str) -> str:
    """A page for the generator: front matter whose strings are HTML-escaped already (a theme
    prints them raw) and have no brace as written (prerender.no_braces), then the body."""
    if not meta:
        return body
    front = yaml.safe_dump(_braceless(meta), allow_unicode=True, sort_keys=False).strip()
    return f"---\n{front}\n---\n\n{body}"


__all__ = ["ConfigError", "GenerateError", "Generated", "generate"]
