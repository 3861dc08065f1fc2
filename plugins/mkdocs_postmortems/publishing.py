"""What the build would refuse to publish, found without MkDocs, so `postmortems check` fails
where the build fails: folders that leave the repository or loop, site paths with two owners or
impossible names, and a source folder with no post-mortem at all.

The build makes the same claims in the same order (plugin.py, with MkDocs' real file list, which
also holds the theme's files); both report through `clash_finding` and `no_postmortems`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .catalog import Catalog
from .findings import Finding, Level
from .load import Document, is_source_postmortem
from .pages.site import EXPORTS, generated_pages
from .settings import Settings
from .sitepaths import Clash, SitePlan, located, mkdocs_excludes
from .sources import Scan

# The plugin's own assets, added to the theme (plugin.py).
ASSETS = ("assets/postmortems/postmortems.css", "assets/postmortems/postmortems.js")
Display = Callable[[Path], str]  # a path as findings show it


def clash_finding(clash: Clash, settings: Settings, display: Display, forced: bool = False) -> Finding | None:
    """A refused claim as a finding on the docs file involved (None when the rule is off).
    `forced` keeps a post-mortem's own clash an error: it is never left out without a word."""
    name = located(clash)
    level = Level.ERROR if forced or clash.rule == "file-name" else settings.level_of(clash.rule, name)
    if level is Level.OFF:
        return None
    path = display(settings.docs_dir / name) if name else "mkdocs.yml"
    return Finding(path, 1, clash.rule, level, clash.message, clash.hint)


def no_postmortems(settings: Settings, display: Display) -> Finding | None:
    level = settings.level_of("no-postmortems")
    if level is Level.OFF:
        return None
    excluded = f" and `exclude: {settings.exclude}`" if settings.exclude else ""
    return Finding(
        display(settings.source_root),
        1,
        "no-postmortems",
        level,
        f"no post-mortem found in this folder (with `source_dir: {settings.source_dir!r}`{excluded})",
        "add one with `postmortems new TITLE`, or check `docs_dir`, `source_dir` and `exclude`",
    )


def fatal_findings(scanned: Scan, settings: Settings, display: Display) -> list[Finding]:
    return [
        Finding(display(settings.docs_dir / r.relative), 1, "unsafe-file", Level.ERROR, r.reason, r.hint)
        for r in scanned.fatal
    ]


def publishing_findings(settings: Settings, docs: list[Document], scanned: Scan, display: Display) -> list[Finding]:
    """Every finding about what the site can publish, for `postmortems check`."""
    findings = fatal_findings(scanned, settings, display)
    # Files that must not be read and are not post-mortems (those report it when loaded).
    findings += [
        Finding(display(settings.docs_dir / r.relative), 1, "unsafe-file", Level.ERROR, f"not read: {r.reason}", r.hint)
        for r in scanned.refused
        if not mkdocs_excludes(r.relative) and not is_source_postmortem(r.relative, settings)
    ]
    if not docs:
        empty = no_postmortems(settings, display)
        findings += [empty] if empty else []
    names = [name for name in scanned.files if not mkdocs_excludes(name)]
    is_postmortem = {n: is_source_postmortem(n, settings) for n in names}
    plan = SitePlan(settings.use_directory_urls, list(ASSETS))
    plan.docs([n for n in names if is_postmortem[n]], [n for n in names if not is_postmortem[n]])
    has_home = any(n in ("index.md", "README.md") for n in names)
    catalog = Catalog(docs, settings, settings.resolve_today())
    plan.generated([page.src_uri for page in generated_pages(catalog, has_home)], list(EXPORTS))
    for clash in plan.clashes:
        finding = clash_finding(clash, settings, display, forced=is_postmortem.get(clash.loser.name, False))
        if finding is not None:
            findings.append(finding)
    return findings
