"""The MkDocs plugin: event glue only. The work happens in the core (load, checks).

Check errors are logged as warnings from the plugin's logger, which is what `mkdocs build
--strict` counts, so a strict build fails naming each file and line; check warnings are logged
at info level.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import Files

from .checks import run_checks
from .config import PostmortemsConfig
from .findings import Finding, Level
from .load import Document, is_postmortem_path, load_bytes
from .settings import ConfigError, Settings

log = get_plugin_logger(__name__)


class PostmortemsPlugin(BasePlugin[PostmortemsConfig]):
    def __init__(self) -> None:
        self.is_serve = False
        self.settings: Settings | None = None
        self.documents: list[Document] = []
        self.findings: list[Finding] = []

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Defining on_startup keeps this instance across `mkdocs serve` rebuilds.
        self.is_serve = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        # A fresh state for every build: `mkdocs serve` reuses this instance.
        self.documents, self.findings = [], []
        options: dict[str, Any] = {k: v for k, v in self.config.items() if v is not None}
        config_dir = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
        try:
            self.settings = Settings.build(options, Path(config.docs_dir), config_dir)
        except ConfigError as exc:
            raise PluginError(str(exc)) from None
        return config

    @event_priority(-50)  # after plugins that add source files, before nav builders
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        settings = self.settings
        if settings is None or not settings.enabled:
            return files
        prefix = f"{settings.source_dir.strip('/')}/" if settings.source_dir else ""
        config_dir = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
        for file in files.documentation_pages():
            if not file.src_uri.startswith(prefix) or not is_postmortem_path(file.src_uri, settings.exclude):
                continue
            source = Path(file.abs_src_path) if file.abs_src_path else Path(file.src_uri)
            shown = source.relative_to(config_dir).as_posix() if source.is_relative_to(config_dir) else file.src_uri
            doc = Document(shown, source)
            self.documents.append(load_bytes(file.content_bytes, doc, settings))
        self.findings = run_checks(self.documents, settings, settings.resolve_today())
        for finding in self.findings:
            report = log.warning if finding.level is Level.ERROR else log.info
            report(finding.as_text().replace("\n  = help: ", " (help: ") + (")" if finding.hint else ""))
        return files
