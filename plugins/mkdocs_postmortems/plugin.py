"""The MkDocs plugin: event glue only. The work happens in the core (load, checks, catalog) and
in pages/ (what the site shows).

Events: on_config resets all state (`mkdocs serve` keeps this instance) and adds the plugin's
templates and assets to the theme; on_files (-50, after plugins that add sources and before nav
builders) loads and checks every post-mortem, then adds the generated pages with
File.generated; on_page_markdown (priority 10, before material/tags at -50) decorates incident
pages and escapes their front matter for the theme, which prints `page.title` and tags raw.

Check errors are logged as warnings from the plugin's logger, which is what `mkdocs build
--strict` counts, so a strict build fails naming each file and line; check warnings are logged
at info level. Without --strict an invalid post-mortem is still published, with its errors.
"""

from __future__ import annotations

import html
from importlib.resources import files as package_files
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url
from mkdocs.utils.templates import TemplateContext

from .catalog import Catalog
from .checks import run_checks
from .config import PostmortemsConfig
from .findings import Finding, Level
from .load import Document, is_postmortem_path, load_bytes
from .model import Status
from .pages import SitePages, make_env
from .settings import SITE_KEYS, ConfigError, Settings

log = get_plugin_logger(__name__)
THEME_DIR = str(package_files("mkdocs_postmortems").joinpath("theme"))
ASSETS = (
    "assets/postmortems/postmortems.css",
    "assets/postmortems/postmortems.js",
)


class PostmortemsPlugin(BasePlugin[PostmortemsConfig]):
    def __init__(self) -> None:
        self.is_serve = False
        self._reset()

    def _reset(self) -> None:
        self.settings: Settings | None = None
        self.documents: list[Document] = []
        self.findings: list[Finding] = []
        self.catalog: Catalog | None = None
        self.pages: SitePages | None = None
        self.by_src: dict[str, Document] = {}
        self.home_is_generated = False

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Defining on_startup keeps this instance across `mkdocs serve` rebuilds.
        self.is_serve = command == "serve"

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
        # Our templates come after the repository's overrides (custom_dir) and before the theme.
        dirs = config.theme.dirs
        if THEME_DIR not in dirs:
            dirs.insert(1 if config.theme.custom_dir else 0, THEME_DIR)
        for asset in ASSETS:
            target = config.extra_css if asset.endswith(".css") else config.extra_javascript
            if asset not in target:
                target.append(asset)
        return config

    @event_priority(-50)
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        settings = self.settings
        if settings is None or not settings.enabled:
            return files
        incident_files = self._load(files, config, settings)
        self.findings = run_checks(self.documents, settings, settings.resolve_today())
        for finding in self.findings:
            report = log.warning if finding.level is Level.ERROR else log.info
            report(finding.as_text().replace("\n  = help: ", " (help: ") + (")" if finding.hint else ""))
        catalog = self.catalog = Catalog(self.documents, settings, settings.resolve_today())
        for doc in catalog.hidden:  # drafts and reviews, unless the site shows them
            files.remove(incident_files.pop(doc.path))
        if catalog.hidden:
            log.info(f"{len(catalog.hidden)} draft or in-review post-mortem(s) left out (show_drafts: false)")
        env = make_env(list(config.theme.dirs))
        pages = self.pages = SitePages(env, catalog, self.findings, get_relative_url, settings)
        self._register_incidents(incident_files, pages)
        self._add_generated(files, config, pages)
        if config.nav is None:
            listed = {uri for entry in pages.nav() for uri in entry.values()}
            others = [
                f.src_uri
                for f in files.documentation_pages()
                if f.src_uri not in listed and f.src_uri not in pages.urls and f.src_uri not in self.by_src
            ]
            config.nav = [*pages.nav(), *others]
        return files

    def _load(self, files: Files, config: MkDocsConfig, settings: Settings) -> dict[str, File]:
        """Read every post-mortem among the documentation pages; returns their files by path."""
        prefix = f"{settings.source_dir.strip('/')}/" if settings.source_dir else ""
        config_dir = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
        incident_files: dict[str, File] = {}
        for file in files.documentation_pages():
            if not file.src_uri.startswith(prefix) or not is_postmortem_path(file.src_uri, settings.exclude):
                continue
            source = Path(file.abs_src_path) if file.abs_src_path else Path(file.src_uri)
            shown = source.relative_to(config_dir).as_posix() if source.is_relative_to(config_dir) else file.src_uri
            doc = load_bytes(file.content_bytes, Document(shown, source), settings)
            self.documents.append(doc)
            incident_files[doc.path] = file
        return incident_files

    def _register_incidents(self, incident_files: dict[str, File], pages: SitePages) -> None:
        unreadable = {f.path for f in self.findings if f.rule == "encoding"}
        by_path = {d.path: d for d in self.documents}
        for path, file in incident_files.items():
            file.inclusion = InclusionLevel.NOT_IN_NAV  # reached through indexes and search
            self.by_src[file.src_uri] = by_path[path]
            pages.doc_uris[path] = file.src_uri
            pages.urls[file.src_uri] = file.url
            if path in unreadable:
                file.content_string = ""  # MkDocs cannot decode it either: the page shows the errors

    def _add_generated(self, files: Files, config: MkDocsConfig, pages: SitePages) -> None:
        """The generated pages and exports; a file of the repository at the same URL wins."""
        self.home_is_generated = files.get_file_from_path("index.md") is None
        taken = {f.dest_uri: f.src_uri for f in files}
        generated = []
        for spec in pages.generated(has_home=not self.home_is_generated):
            inclusion = InclusionLevel.INCLUDED if spec.in_nav else InclusionLevel.NOT_IN_NAV
            file = File.generated(config, spec.src_uri, content="", inclusion=inclusion)
            if file.dest_uri in taken:
                log.warning(
                    f"{taken[file.dest_uri]} in the docs folder is published at {file.url or '/'}, where the "
                    f"plugin would put its {spec.src_uri}; the generated page is left out (rename your page)"
                )
                continue
            pages.urls[spec.src_uri] = file.url
            generated.append(file)
        for file in generated:  # rendered once every URL is known, so pages can link each other
            file.content_string = pages.render(file.src_uri)
            files.append(file)
        for path, content in pages.exports().items():
            if path in taken:
                log.warning(f"{taken[path]} in the docs folder is published at {path}; the export is left out")
                continue
            files.append(File.generated(config, path, content=content))

    @event_priority(10)
    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        if self.pages is None:
            return markdown
        doc = self.by_src.get(page.file.src_uri)
        if doc is not None:
            page.meta = _escaped(page.meta)
            page.meta["title"] = html.escape(doc.title)
            return self.pages.decorate(doc, page.file.src_uri)
        if page.file.src_uri == "index.md" and not self.home_is_generated:
            return f"{markdown}\n\n{self.pages.home_block('index.md')}\n"
        return markdown

    def on_page_context(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext | None:
        doc = self.by_src.get(page.file.src_uri)
        if doc is not None:  # for theme overrides that want the data (escape it there)
            context["postmortem"] = doc.meta  # type: ignore[typeddict-unknown-key]
            context["postmortem_draft"] = doc.meta is not None and doc.meta.status is not Status.PUBLISHED  # type: ignore[typeddict-unknown-key]
        return context


def _escaped(value: Any) -> Any:
    """Front matter as the theme may print it: every string HTML-escaped, recursively."""
    if isinstance(value, str):
        return html.escape(value)
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    return value
