"""Checks: rules with stable ids (see ..rules), run over every loaded post-mortem.

Each family of rules lives in its own module and yields Hits; this runner applies the
repository's levels (per path too), the draft policy and the body's suppression comments, so
the CLI and the plugin report identically.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..body import Suppression
from ..findings import Finding, Level
from ..load import Document
from ..model import Status
from ..rules import RULES, Drafts
from ..settings import Settings
from .actions import check_actions
from .base import Context, DocumentRule, Hit
from .blameless import check_blame
from .crossrefs import check_crossrefs
from .dates import check_dates
from .links import check_links
from .sections import check_sections
from .suppressions import Suppressed, Suppressions
from .timeline import check_timeline

DOCUMENT_RULES: tuple[DocumentRule, ...] = (
    check_actions,
    check_dates,
    check_blame,
    check_sections,
    check_timeline,
    check_links,
)


@dataclass
class CheckReport:
    """What the checks found: the findings to report, and those a suppression silenced."""

    findings: list[Finding] = field(default_factory=list)
    suppressed: list[Suppressed] = field(default_factory=list)


def run_checks(docs: list[Document], settings: Settings, today: dt.date) -> list[Finding]:
    """Every finding for `docs`: loading errors first found, then each rule, sorted by place."""
    return check_report(docs, settings, today).findings


def own_hits(doc: Document, ctx: Context) -> list[Hit]:
    """What the rules find in one valid file alone; links are left to check_report, as whether
    their targets exist is not in the file."""
    assert doc.meta is not None
    return [hit for rule in DOCUMENT_RULES if rule is not check_links for hit in rule(doc, doc.meta, ctx)]


def check_report(
    docs: list[Document],
    settings: Settings,
    today: dt.date,
    memo: dict[tuple[str, bytes], list[Hit]] | None = None,
    known: Mapping[str, list[Hit]] | None = None,
) -> CheckReport:
    """run_checks's findings, and the suppressed ones beside them (for counts and reasons).

    `memo` keeps each file's own hits by its content (Document.content_key) for the next call
    with the same settings and day: a `mkdocs serve` rebuild checks again only what changed.
    The caller empties it when the settings or the day change. `known` gives files' own hits
    already found (by pool.load_many, with the same settings and day), by document path."""
    ctx = Context(settings, today)
    used: dict[tuple[str, bytes], list[Hit]] = {}
    report = CheckReport()
    # Cross-file hits join their document's own, so every hit is matched to its suppressions
    # before any suppression is judged unused.
    hits: dict[int, tuple[Document, list[Hit]]] = {}
    for doc in docs:
        report.findings.extend(doc.findings)
        if doc.meta is not None:
            key = (doc.path, doc.content_key)
            own = memo.get(key) if memo is not None and doc.content_key else None
            if own is None and known is not None:
                own = known.get(doc.path)
            if own is None:
                own = own_hits(doc, ctx)
            used[key] = own
            # Links are checked every time: whether their targets exist is not in the file.
            hits[id(doc)] = (doc, [*own, *check_links(doc, doc.meta, ctx)])
    if memo is not None:
        memo.clear()
        memo.update(used)
    for doc, hit in check_crossrefs(docs):
        hits.setdefault(id(doc), (doc, []))[1].append(hit)
    for doc, doc_hits in hits.values():
        path = _docs_path(doc.source, settings.docs_dir) if settings.path_rules else None
        suppressions = Suppressions(doc.body.suppressions)
        for hit in doc_hits:
            _add(report, doc, hit, settings, path, suppressions.match(hit))
        if doc.meta is not None:  # an invalid file's rules never ran: its comments cannot be judged
            for hit in [*suppressions.problems, *suppressions.unused()]:
                _add(report, doc, hit, settings, path, None)
    report.findings.sort(key=lambda f: (f.path, f.line, f.rule, f.message))
    report.suppressed.sort(key=lambda s: (s.finding.path, s.finding.line, s.finding.rule, s.finding.message))
    return report


def findings_by_path(findings: list[Finding]) -> dict[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        grouped.setdefault(finding.path, []).append(finding)
    return grouped


def _add(
    report: CheckReport, doc: Document, hit: Hit, settings: Settings, path: str | None, by: Suppression | None
) -> None:
    """Report `hit` at its level for `path` (docs-relative), or count it as suppressed `by`."""
    level = settings.level_of(hit.rule, path)
    if level is Level.OFF:
        return
    if doc.meta is not None and doc.meta.status is not Status.PUBLISHED:
        policy = RULES[hit.rule].drafts
        if policy is Drafts.SKIP:
            return
        if policy is Drafts.WARN:
            level = Level.WARNING
    finding = doc.finding(hit.rule, level, hit.line, hit.message, hit.hint)
    if by is None:
        report.findings.append(finding)
    else:
        report.suppressed.append(Suppressed(finding, by))


def _docs_path(source: Path, docs_dir: Path) -> str | None:
    """`source` relative to docs_dir, as `path_rules` globs are written; None outside it.

    Tried as written first (a symlinked file keeps the folder it is filed in), then resolved
    (docs_dir itself reached through a symlink, or given relative to another folder)."""
    candidates = [(os.path.abspath(source), os.path.abspath(docs_dir))]
    with contextlib.suppress(OSError, RuntimeError):  # a symlink loop: unsafe-file reports it
        candidates.append((str(source.resolve()), str(docs_dir.resolve())))
    for file, folder in candidates:
        try:
            return Path(file).relative_to(folder).as_posix()
        except ValueError:
            continue
    return None


__all__ = ["CheckReport", "Context", "Hit", "Suppressed", "check_report", "findings_by_path", "run_checks"]
