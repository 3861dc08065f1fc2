"""Checks: rules with stable ids (see ..rules), run over every loaded post-mortem.

Each family of rules lives in its own module and yields Hits; this runner applies the
repository's levels and the draft policy, so the CLI and the plugin report identically.
"""

from __future__ import annotations

import datetime as dt

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
from .timeline import check_timeline

DOCUMENT_RULES: tuple[DocumentRule, ...] = (
    check_actions,
    check_dates,
    check_blame,
    check_sections,
    check_timeline,
    check_links,
)


def run_checks(docs: list[Document], settings: Settings, today: dt.date) -> list[Finding]:
    """Every finding for `docs`: loading errors first found, then each rule, sorted by place."""
    ctx = Context(settings, today)
    findings: list[Finding] = []
    for doc in docs:
        findings.extend(doc.findings)
        if doc.meta is None:
            continue
        for rule in DOCUMENT_RULES:
            for hit in rule(doc, doc.meta, ctx):
                _add(findings, doc, hit, settings)
    for doc, hit in check_crossrefs(docs):
        _add(findings, doc, hit, settings)
    return sorted(findings, key=lambda f: (f.path, f.line, f.rule, f.message))


def findings_by_path(findings: list[Finding]) -> dict[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        grouped.setdefault(finding.path, []).append(finding)
    return grouped


def _add(findings: list[Finding], doc: Document, hit: Hit, settings: Settings) -> None:
    level = settings.level_of(hit.rule)
    if level is Level.OFF:
        return
    if doc.meta is not None and doc.meta.status is not Status.PUBLISHED:
        policy = RULES[hit.rule].drafts
        if policy is Drafts.SKIP:
            return
        if policy is Drafts.WARN:
            level = Level.WARNING
    findings.append(doc.finding(hit.rule, level, hit.line, hit.message, hit.hint))


__all__ = ["Context", "Hit", "findings_by_path", "run_checks"]
