"""`postmortems new`: a new post-mortem from the template, front matter written by python-frontmatter."""

from __future__ import annotations

import datetime as dt
from importlib.resources import files
from pathlib import Path

import frontmatter
import jinja2

from .settings import Settings
from .slugs import slugify


class NewError(Exception):
    """A post-mortem could not be created; the message says why and what to do."""


def default_template() -> str:
    return files("mkdocs_postmortems").joinpath("templates/postmortem.md").read_text(encoding="utf-8")


def create(settings: Settings, title: str, severity: str, date: dt.date) -> Path:
    """Write the new post-mortem and return its path; never overwrites a file."""
    if not title.strip():
        raise NewError("the title is empty; give the incident a short descriptive title")
    if severity not in settings.severities:
        raise NewError(f"unknown severity {severity!r}; use one of {', '.join(settings.severities)}")
    template_text = _template_text(settings)
    try:
        post = frontmatter.loads(template_text)
    except Exception as exc:  # a broken repository template: say which file
        raise NewError(f"the template {settings.template} has invalid front matter: {exc}") from None
    slug = f"{date.isoformat()}-{slugify(title, fallback_prefix='incident')}"
    metadata = {"id": slug, "title": title.strip(), "date": date, "severity": severity}
    metadata.update({k: v for k, v in post.metadata.items() if k not in metadata})
    body = jinja2.Environment(autoescape=False, keep_trailing_newline=True).from_string(post.content)
    # Only values that are safe as Markdown reach the body; the title stays in front matter.
    post.content = body.render(date=date.isoformat(), severity=severity, id=slug)
    post.metadata = metadata
    path = settings.source_root / str(date.year) / f"{slug}.md"
    if path.exists():
        raise NewError(f"{path} already exists; choose another title or edit that file")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(frontmatter.dumps(post, sort_keys=False) + "\n", encoding="utf-8")
    return path


def _template_text(settings: Settings) -> str:
    if settings.template is None:
        return default_template()
    try:
        return settings.template.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise NewError(f"cannot read the template {settings.template}: {exc.strerror}") from None
