"""The MkDocs plugin: event glue only. The work happens in the core (load, checks, catalog) and
in pages/ (what the site shows).

Every pull request is untrusted input to this build. Events: on_config resets all state
(`mkdocs serve` keeps this instance), adds the plugin's templates and assets to the theme, and
refuses a docs folder whose directory symlinks leave the repository or loop (MkDocs would walk
them next, without end); on_files (-50, after plugins that add sources and before nav builders)
leaves out files that must not be read (sources.py), gives every site path one owner
(sitepaths.py), reads and checks every post-mortem, then adds the generated pages with
File.generated; on_page_read_source hands MkDocs an empty source for each post-mortem, so MkDocs
never parses its front matter and the theme sees only what the plugin validated;
on_page_markdown (priority 10, before
material/tags at -50) decorates incident pages and sets their escaped metadata; on_page_content
sanitises the HTML of every page from the docs folder (sanitize.py) and puts the plugin's own
blocks back (in a one-off build, the workers that render ahead sanitise it and on_env puts it
in); on_post_page puts in the blocks kept out of the search index and the charts the workers
drew meanwhile; on_post_build stops the workers.

Check errors are logged as warnings from the plugin's logger, which is what `mkdocs build
--strict` counts, so a strict build fails naming each file and line; check warnings are logged
at info level. Without --strict an invalid post-mortem is still published, with its errors.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from functools import partial
from importlib.resources import files as package_files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url
from mkdocs.utils.templates import TemplateContext

from . import navcache, pagefind_search
from .catalog import Catalog
from .checks import check_report
from .checks.base import Hit
from .checks.deadline import deadline_findings
from .config import PostmortemsConfig
from .findings import Finding, Level
from .history import HistoryCache, RepositoryHistory, pathspec_of
from .load import Document, ParseCache, is_source_postmortem, load_file, refused_finding
from .model import Status
from .pages import SitePages, make_env
from .pages.site import EXPORTS, Ahead, generated_pages, theme_meta
from .pool import load_many
from .public import public_findings, withheld_files
from .publishing import ASSETS, clash_finding, no_postmortems
from .reuse import RenderCache, site_fingerprint
from .sanitize import BlockStore, clean, clean_all, safe_page_meta
from .settings import SITE_KEYS, ConfigError, Settings
from .sitepaths import Clash, SitePlan, mkdocs_excludes, url_of
from .sources import refusal, repository_root, scan
from .yamlsafe import LineMap

if TYPE_CHECKING:
    from jinja2 import Environment

    from .metrics import Insights
    from .parallel import Later

log = get_plugin_logger(__name__)
CLEAN_BATCH = 16  # pages sent to be sanitised at a time
THEME_DIR = str(package_files("mkdocs_postmortems").joinpath("theme"))


class PostmortemsPlugin(BasePlugin[PostmortemsConfig]):
    def __init__(self) -> None:
        self.is_serve = False
        self.history_cache = HistoryCache()  # kept across `mkdocs serve` rebuilds, keyed by HEAD
        self.parse_cache = ParseCache(keep=False)  # the same: files read again only when their bytes change
        self.hits_memo: dict[tuple[str, bytes], list[Hit]] = {}  # each file's own checks, by content
        self.render_cache = RenderCache(keep=False)  # pages and exports, reused while what they show is the same
        self.blocks = BlockStore()  # our HTML kept apart from the authors' while pages are sanitised
        self.fingerprint = b""
        self.last_insights: tuple[bytes, Insights] | None = None  # the figures, by the fingerprint they were counted at
        self._reset()

    def _reset(self) -> None:
        self.settings: Settings | None = None
        self.documents: list[Document] = []
        self.findings: list[Finding] = []
        self.catalog: Catalog | None = None
        self.pages: SitePages | None = None
        self.by_src: dict[str, Document] = {}
        self.home_is_generated = False
        self.generated_uris: set[str] = set()
        self.exports: list[File] = []  # their content comes in on_env
        # Pages sanitised by other processes, a batch at a time, put in by on_env; and the
        # pages of the batch not sent yet.
        self.cleaning: list[tuple[list[Page], Later[list[str]] | None]] = []
        self.to_clean: list[tuple[Page, str]] = []
        # Another plugin's on_page_content runs after ours: it must see each page sanitised,
        # and what it returns must stay, so the pages are sanitised here (_page_content_after).
        self.content_read_after: str | None = None
        self.displaced: dict[str, str] = {}  # generated src_uri -> src_uri of the page at its URL
        self.config_dir = Path.cwd()
        self.root = Path.cwd()
        self.known_hits: dict[str, list[Hit]] = {}  # each file's own checks, found where it was read

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Defining on_startup keeps this instance across `mkdocs serve` rebuilds.
        self.is_serve = command == "serve"
        # Only `mkdocs serve` has a next build to reuse this one's work in; elsewhere the caches
        # would only hold memory.
        self.parse_cache = ParseCache(keep=self.is_serve)
        self.render_cache = RenderCache(keep=self.is_serve)
        self.blocks.keep = self.is_serve

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        self._reset()  # a fresh state for every build
        options: dict[str, Any] = {k: v for k, v in self.config.items() if v is not None}
        config_dir = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
        try:
            site = {key: config[key] for key in SITE_KEYS}
            self.settings = Settings.build(options, Path(config.docs_dir), config_dir, site).with_today_fixed()
        except ConfigError as exc:
            raise PluginError(str(exc)) from None
        if not self.settings.enabled:
            return config
        self.config_dir = config_dir.resolve()
        self.root = repository_root(config_dir)
        self._refuse_unsafe_folders(self.settings)
        # Our templates come after the repository's overrides (custom_dir) and before the theme.
        dirs = config.theme.dirs
        if THEME_DIR not in dirs:
            dirs.insert(1 if config.theme.custom_dir else 0, THEME_DIR)
        for asset in ASSETS:
            target = config.extra_css if asset.endswith(".css") else config.extra_javascript
            if asset not in target:
                target.append(asset)
        if self.settings.search == "pagefind":  # docs/search.md
            try:
                for message in pagefind_search.setup(config.plugins, config.extra_javascript, config.extra_css):
                    log.info(message)
            except pagefind_search.PagefindError as exc:
                raise PluginError(str(exc)) from None
        return config

    def _refuse_unsafe_folders(self, settings: Settings) -> None:
        """MkDocs walks the docs folder right after this event, following every directory
        symlink: one that leaves the repository or loops is refused before it can."""
        missing = settings.missing_source_folder()  # the same words as `postmortems check`
        if missing:
            raise PluginError(missing)
        fatal = scan(settings.docs_dir, self.root).fatal
        if fatal:
            where = "; ".join(
                f"{self._shown(settings.docs_dir / r.relative)}:1: error[unsafe-file]: {r.reason} (help: {r.hint})"
                for r in fatal
            )
            raise PluginError(f"the docs folder cannot be built safely: {where}")

    def _shown(self, path: Path) -> str:
        source = path if path.is_absolute() else Path.cwd() / path
        return source.relative_to(self.config_dir).as_posix() if source.is_relative_to(self.config_dir) else str(path)

    @event_priority(-50)
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        settings = self.settings
        if settings is None or not settings.enabled:
            return files
        plan = SitePlan(settings.use_directory_urls, [f.dest_uri for f in files if not _from(f, config)])
        path_findings: list[Finding] = []
        if not self.parse_cache.start(settings):
            self.hits_memo.clear()  # other settings or another day: every file is checked again
        self.render_cache.start()
        histories: list[RepositoryHistory] = []  # read while the files are, where they are read by other processes
        incident_files = self._load(
            files, config, plan, settings, path_findings, lambda: histories.append(self._history(settings))
        )
        self.parse_cache.finish()
        docs_clashes = len(plan.clashes)
        memo = self.hits_memo if self.is_serve else None
        report = check_report(self.documents, settings, settings.resolve_today(), memo, self.known_hits)
        self.findings = sorted([*report.findings, *path_findings], key=lambda f: (f.path, f.line, f.rule, f.message))
        history = histories[0] if histories else self._history(settings)
        self.findings = sorted(
            [*self.findings, *deadline_findings(self.documents, history, settings)],
            key=lambda f: (f.path, f.line, f.rule, f.message),
        )
        if report.suppressed:
            log.info(f"{len(report.suppressed)} finding(s) suppressed by `postmortems: allow` comments")
        catalog = self.catalog = Catalog(self.documents, settings, settings.resolve_today())
        withheld = self._withhold(files, config, incident_files, catalog) if settings.public_only else None
        for doc in catalog.left_out:  # drafts and reviews unless shown; with public_only, all but public ones
            if doc.path in incident_files:
                files.remove(incident_files.pop(doc.path))
        if catalog.hidden and not settings.public_only:
            log.info(f"{len(catalog.hidden)} draft or in-review post-mortem(s) left out (show_drafts: false)")
        self.home_is_generated = files.get_file_from_path("index.md") is None
        specs = generated_pages(catalog, has_home=not self.home_is_generated)
        held = plan.generated([spec.src_uri for spec in specs], list(EXPORTS))
        late = self._clash_findings(plan.clashes[docs_clashes:], settings)
        self.findings = sorted([*self.findings, *late], key=lambda f: (f.path, f.line, f.rule, f.message))
        for finding in self.findings:
            say = log.warning if finding.level is Level.ERROR else log.info
            say(finding.as_text().replace("\n  = help: ", " (help: ") + (")" if finding.hint else ""))
        env = make_env(list(config.theme.dirs))
        published = {d.path for d in self.documents} - {d.path for d in catalog.left_out}
        shown = self.findings if withheld is None else public_findings(self.findings, published, withheld)
        pages = self.pages = SitePages(env, catalog, shown, get_relative_url, settings)
        pages.protect = self.blocks.protect
        pages.protect_late = self.blocks.protect_late
        pages.protect_indexed = self.blocks.protect_indexed
        pages.protect_pending = self.blocks.protect_pending
        pages.history = history
        pages.left_out = {name for name in held if name in EXPORTS}
        template_dirs = [d for d in (config.theme.custom_dir, THEME_DIR) if d]
        self.fingerprint = site_fingerprint(self.documents, self.findings, settings, history, template_dirs)
        if self.render_cache.keep and self.last_insights is not None and self.last_insights[0] == self.fingerprint:
            pages.computed_insights = self.last_insights[1]  # nothing they count has changed
        self._register_incidents(incident_files, pages)
        self._add_generated(files, config, pages, specs, held)
        self._render_ahead(files, pages)
        self.content_read_after = self._page_content_after(config)
        if self.content_read_after and pages.rendering_ahead:
            log.debug(f"pages sanitised in this process: {self.content_read_after} reads them next (on_page_content)")
        if config.nav is None:
            nav = [{title: self.displaced.get(uri, uri) for title, uri in entry.items()} for entry in pages.nav()]
            listed = {uri for entry in nav for uri in entry.values()}
            others = [
                f.src_uri
                for f in files.documentation_pages()
                if f.src_uri not in listed and f.src_uri not in pages.urls and f.src_uri not in self.by_src
            ]
            config.nav = [*nav, *others]
        if not self.parse_cache.keep:  # every finding has its line: the lines of each value are not needed again
            for doc in self.documents:
                doc.lines = LineMap()
        return files

    def _load(
        self,
        files: Files,
        config: MkDocsConfig,
        plan: SitePlan,
        settings: Settings,
        findings: list[Finding],
        meanwhile: Callable[[], object],
    ) -> dict[str, File]:
        """Leave out what must not be read or has no URL of its own; read every post-mortem
        (`meanwhile` may be called while they are read). Returns the post-mortems' files by
        document path."""
        docs_dir = Path(config.docs_dir)
        ours = [f for f in files if _from(f, config)]
        is_postmortem = {f.src_uri: is_source_postmortem(f.src_uri, settings) for f in ours}
        refused: dict[str, Finding] = {}
        for file in ours:
            problem = refusal(Path(file.abs_src_path or ""), self.root, file.src_uri)
            if problem is not None:
                doc = Document(self._shown(docs_dir / file.src_uri), docs_dir / file.src_uri)
                refused[file.src_uri] = refused_finding(doc, problem)
        losers = plan.docs(
            sorted(f.src_uri for f in ours if is_postmortem[f.src_uri] and f.src_uri not in refused),
            sorted(f.src_uri for f in ours if not is_postmortem[f.src_uri] and f.src_uri not in refused),
        )
        clash_of = {c.loser.name: c for c in plan.clashes}
        if not any(is_postmortem.values()):
            empty = no_postmortems(settings, self._shown)
            findings += [empty] if empty else []
        incident_files: dict[str, File] = {}
        order: list[Document | File] = []  # documents in the order of `files`; a File: to be read
        for file in ours:
            source = docs_dir / file.src_uri
            if file.src_uri in refused or file.src_uri in losers:
                files.remove(file)
                forced = is_postmortem[file.src_uri]  # a post-mortem is never left out without a word
                finding = refused.get(file.src_uri) or clash_finding(
                    clash_of[file.src_uri], settings, self._shown, forced
                )
                if finding is None:
                    continue
                if is_postmortem[file.src_uri]:  # listed with its error
                    doc = Document(self._shown(source), source)
                    doc.findings.append(finding)
                    order.append(doc)
                else:
                    findings.append(finding)
                continue
            if is_postmortem[file.src_uri]:
                order.append(file)
        to_read = [item for item in order if isinstance(item, File)]
        loaded = iter(self._read(to_read, docs_dir, settings, meanwhile))
        for item in order:
            doc = next(loaded) if isinstance(item, File) else item
            self.documents.append(doc)
            if isinstance(item, File):
                incident_files[doc.path] = item
        return incident_files

    def _read(
        self, to_read: list[File], docs_dir: Path, settings: Settings, meanwhile: Callable[[], object]
    ) -> list[Document]:
        """The post-mortems of `to_read`, in order. `mkdocs serve` reads only the files that
        changed since its last build; a one-off build reads them on every CPU (pool.py), each
        file's own checks included, and keeps of each what the site shows."""
        sources = [docs_dir / file.src_uri for file in to_read]
        if self.parse_cache.keep:
            return [load_file(p, settings, self._shown(p), self.root, self.parse_cache) for p in sources]
        loaded = load_many(
            sources, settings, self._shown, settings.resolve_today(), lean=True, with_markdown=True, meanwhile=meanwhile
        )
        log.debug(f"read {len(sources)} post-mortem(s) in {loaded.processes} process(es)")
        self.known_hits = loaded.hits
        self.parse_cache.read = len(sources)  # every file was read: nothing is kept
        return loaded.documents

    def _withhold(
        self, files: Files, config: MkDocsConfig, incident_files: dict[str, File], catalog: Catalog
    ) -> dict[str, str]:
        """The public subset (public.py): leaves out the evidence of every post-mortem that is not
        published. Returns the withheld post-mortems' paths, with their src_uri."""
        docs_dir = Path(config.docs_dir)
        uri_of = {path: file.src_uri for path, file in incident_files.items()}
        for doc in catalog.left_out:  # refused files too, which have no File any more
            if doc.path not in uri_of and doc.source.is_relative_to(docs_dir):
                uri_of[doc.path] = doc.source.relative_to(docs_dir).as_posix()
        left_out = {doc.path for doc in catalog.left_out}
        withheld = {uri_of[d.path]: d for d in catalog.left_out if d.path in uri_of}
        published = {uri_of[d.path]: d for d in self.documents if d.path in uri_of and d.path not in left_out}
        postmortem_uris = set(uri_of.values())
        others = {f.src_uri: f for f in files if _from(f, config) and f.src_uri not in postmortem_uris}
        evidence = withheld_files(published, withheld, others, lambda uri: others[uri].is_documentation_page())
        for uri in sorted(evidence):
            files.remove(others[uri])
        log.info(
            f"public_only: {len(catalog.left_out)} post-mortem(s) not public and {len(evidence)} file(s) "
            "beside them left out"
        )
        return {d.path: uri for uri, d in withheld.items()}

    def _history(self, settings: Settings) -> RepositoryHistory:
        """The post-mortems' git history: one log pass, reused while HEAD stays the same. A
        shallow clone is said once per build, at info level so `--strict` builds of shallow CI
        checkouts still pass; the pages say "history incomplete" rather than wrong dates."""
        history = self.history_cache.get(self.root, pathspec_of(self.root, settings.source_root))
        if history.message:
            log.info(history.message)
        if history.problem:
            log.info(f"no post-mortem history: {history.problem}")
        return history

    def _clash_findings(self, clashes: list[Clash], settings: Settings) -> list[Finding]:
        found = (clash_finding(clash, settings, self._shown) for clash in clashes)
        return [f for f in found if f is not None]

    def _register_incidents(self, incident_files: dict[str, File], pages: SitePages) -> None:
        by_path = {d.path: d for d in self.documents}
        for path, file in incident_files.items():
            file.inclusion = InclusionLevel.NOT_IN_NAV  # reached through indexes and search
            self.by_src[file.src_uri] = by_path[path]
            pages.doc_uris[path] = file.src_uri
            pages.urls[file.src_uri] = file.url

    def _add_generated(
        self, files: Files, config: MkDocsConfig, pages: SitePages, specs: list[Any], held: dict[str, Any]
    ) -> None:
        """The generated pages and exports that own their URL; links to a page left out
        follow the page of the repository that holds its URL."""
        by_dest = {f.dest_uri: f for f in files}
        generated = []
        for spec in specs:
            if spec.src_uri in held:
                holder = held[spec.src_uri]
                pages.urls[spec.src_uri] = url_of(holder.dest)
                if holder.dest in by_dest and by_dest[holder.dest].is_documentation_page():
                    self.displaced[spec.src_uri] = by_dest[holder.dest].src_uri
                continue
            inclusion = InclusionLevel.INCLUDED if spec.in_nav else InclusionLevel.NOT_IN_NAV
            file = File.generated(config, spec.src_uri, content="", inclusion=inclusion)
            pages.urls[spec.src_uri] = file.url
            generated.append(file)
        for file in generated:  # rendered when MkDocs reads them (on_page_read_source), once every URL is known
            files.append(file)
            self.generated_uris.add(file.src_uri)
        for path in pages.export_writers():  # written once every page is read (on_env)
            export = File.generated(config, path, content=b"")
            self.exports.append(export)
            files.append(export)

    def _render_ahead(self, files: Files, pages: SitePages) -> None:
        """A one-off build renders its pages and exports in other processes while MkDocs reads
        and converts the pages before them (pages.SitePages.start_ahead), in the order MkDocs
        asks for them; `mkdocs serve` renders again only what changed, from its cache."""
        if self.render_cache.keep:
            return
        tasks: list[Ahead] = []
        for file in files.documentation_pages():
            doc = self.by_src.get(file.src_uri)
            if doc is not None or file.src_uri in self.generated_uris:
                tasks.append(("page" if doc is None else "incident", file.src_uri, doc))
        tasks += [("export", export.src_uri, None) for export in self.exports]
        log.debug(f"pages rendered in {max(pages.start_ahead(tasks, pages.settings.jobs), 1)} process(es)")

    def on_page_read_source(self, *, page: Page, config: MkDocsConfig) -> str | None:
        """MkDocs never reads or parses a post-mortem itself (its YAML loader has no alias bound
        and accepts what ours refuses, and the theme would act on keys like `template`): the
        page's Markdown comes from on_page_markdown, its metadata from pages.site.theme_meta."""
        uri = page.file.src_uri
        if uri in self.by_src:
            return ""
        if uri in self.generated_uris and self.pages is not None:
            key = ("page", self.fingerprint, uri)
            return self.render_cache.get(key, partial(self.pages.render, uri), self.blocks)
        return None

    @event_priority(100)  # first: other plugins' on_env see every page as it will be written
    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment | None:
        """Every page is read: the pages sanitised by other processes get their content and the
        exports are written (MkDocs copies them next). The processes that rendered ahead go on
        drawing the charts of the pages to be written (on_post_page puts them in)."""
        self._send_to_clean()
        cleaning, self.cleaning = self.cleaning, []
        started = time.perf_counter()
        for batch, later in cleaning:
            cleaned = later.result() if later is not None else clean_all([page.content or "" for page in batch])
            for page, html in zip(batch, cleaned, strict=True):
                page.content = self.blocks.restore(html)
        if cleaning:
            seconds = time.perf_counter() - started
            count = sum(len(batch) for batch, _ in cleaning)
            log.debug(f"{count} page(s) sanitised by other processes, put in in {seconds:.2f} s")
        if self.pages is None:
            return env
        navcache.install(env)  # Material's nav, rendered once per distinct set of links
        for export in self.exports:
            key = ("export", self.fingerprint, export.src_uri)
            content = self.render_cache.get(key, partial(self.pages.export, export.src_uri))
            if isinstance(content, str):
                export.content_string = content
            else:
                export.content_bytes = content
        return env

    def on_build_error(self, *, error: Exception) -> None:
        self.cleaning, self.to_clean = [], []
        if self.pages is not None:
            self.pages.stop_ahead()

    @event_priority(10)
    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        if self.pages is None:
            return markdown
        doc = self.by_src.get(page.file.src_uri)
        if doc is not None:
            page.meta = theme_meta(doc, self.pages.catalog)
            uri = page.file.src_uri
            key = ("page", self.fingerprint, uri, doc.path, doc.content_key)
            decorated = self.render_cache.get(key, partial(self.pages.decorate, doc, uri), self.blocks)
            if not self.render_cache.keep:
                doc.markdown = ""  # the page has it now; a one-off build has no next build to need it
            return decorated
        if page.file.src_uri not in self.generated_uris:  # a page of the repository: untrusted too
            page.meta, dropped = safe_page_meta(page.meta, lambda name: _template_exists(config, name))
            if dropped:
                log.warning(f"{page.file.src_uri}: {dropped} is not a page template of the theme; it is ignored")
        if page.file.src_uri == "index.md" and not self.home_is_generated:
            return f"{markdown}\n\n{self.pages.home_block('index.md')}\n"
        return markdown

    @event_priority(-100)
    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        """The author's HTML sanitised (unless `allow_raw_html`), then the plugin's blocks put back."""
        if self.settings is None or not self.settings.enabled:
            return html
        sanitise = page.file.src_uri not in self.generated_uris and not self.settings.allow_raw_html
        if not self.render_cache.keep:  # a one-off build: nothing to look up, no hash to compute
            if not sanitise or self.pages is None or not self.pages.rendering_ahead or self.content_read_after:
                return self._content(html, sanitise)
            # Sanitised by the workers that rendered ahead, and put in by on_env: no page is
            # indexed, templated or written before then, and this process has MkDocs' work to do.
            self.to_clean.append((page, html))
            if len(self.to_clean) == CLEAN_BATCH:
                self._send_to_clean()
            return html
        digest = hashlib.blake2b(html.encode(), digest_size=20).digest()
        # The placeholders name their blocks by hash, so the same HTML always gives the same page.
        return self.render_cache.get(("content", sanitise, digest), partial(self._content, html, sanitise))

    def _page_content_after(self, config: MkDocsConfig) -> str | None:
        """The first on_page_content handler that runs after ours (a lower priority, or the
        same and listed after us: Material's privacy plugin reads every page there), if any."""
        handlers = config.plugins.events["page_content"]
        mine = next((i for i, h in enumerate(handlers) if getattr(h, "__self__", None) is self), len(handlers))
        later = handlers[mine + 1 :]
        return getattr(later[0], "__qualname__", repr(later[0])) if later else None

    def _send_to_clean(self) -> None:
        """The pages waiting to be sanitised, sent to the workers as one piece of work: one per
        page would have them wait for this process, busy with MkDocs, to hand each out."""
        if self.to_clean and self.pages is not None:
            batch, self.to_clean = self.to_clean, []
            later = self.pages.later(clean_all, [html for _, html in batch])
            self.cleaning.append(([page for page, _ in batch], later))  # None: sanitised here, in on_env

    def _content(self, html: str, sanitise: bool) -> str:
        return self.blocks.restore(clean(html) if sanitise else html)

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        """The blocks kept out of the search index go in once the page is written."""
        return self.blocks.finish(output) if self.settings is not None and self.settings.enabled else output

    def on_page_context(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext | None:
        doc = self.by_src.get(page.file.src_uri)
        if doc is not None:  # for theme overrides that want the data (escape it there)
            context["postmortem"] = doc.meta  # type: ignore[typeddict-unknown-key]
            context["postmortem_draft"] = doc.meta is not None and doc.meta.status is not Status.PUBLISHED  # type: ignore[typeddict-unknown-key]
        return context

    @event_priority(-100)  # last: index the pages as every other plugin left them
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Every page is written: the workers that rendered ahead stop. `search: pagefind`:
        index the built site in one pass (pagefind_search.py)."""
        if self.pages is not None:
            waited = self.pages.stop_ahead()  # every page is written: nothing is left for them
            if waited:
                log.debug(f"waited {waited:.2f} s for the pages rendered ahead")
        self.blocks.sweep()  # what this build used is kept for the next `mkdocs serve` rebuild
        if self.render_cache.keep and self.pages is not None and self.pages.computed_insights is not None:
            self.last_insights = (self.fingerprint, self.pages.computed_insights)
        self.render_cache.finish()
        if self.settings is None or not self.settings.enabled or self.settings.search != "pagefind":
            return
        try:
            indexed = pagefind_search.index_site(Path(config.site_dir))
        except pagefind_search.PagefindError as exc:
            raise PluginError(str(exc)) from None
        log.info(f"Pagefind indexed {indexed.pages} page(s) in {indexed.seconds:.1f} s into {indexed.bundle}")


def _template_exists(config: MkDocsConfig, name: str) -> bool:
    try:
        config.theme.get_env().get_template(name)
    except Exception:  # TemplateNotFound, or a name the loader refuses
        return False
    return True


def _from(file: File, config: MkDocsConfig) -> bool:
    """A file of the docs folder (not the theme's, not generated by a plugin)."""
    if file.generated_by or not file.abs_src_path or file.src_dir is None:
        return False
    return os.path.abspath(file.src_dir) == os.path.abspath(config.docs_dir) and not mkdocs_excludes(file.src_uri)
