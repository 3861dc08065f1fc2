"""`postmortems new`: a new post-mortem from the template, front matter written by python-frontmatter.

The repository's template is rendered in Jinja's sandbox (a template from a pull request must not
run commands), and the file is created exclusively, inside the docs folder: never through a
symbolic link, never over an existing path.
"""

from __future__ import annotations

import datetime as dt
from importlib.resources import files
from pathlib import Path

import frontmatter
import jinja2
from jinja2.sandbox import SandboxedEnvironment

from .model import check_year
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
    try:
        check_year(date)  # the model refuses such a date: never write a draft that cannot load
    except ValueError as exc:
        raise NewError(f"the date {date.isoformat()}: {exc}") from None
    template_text = _template_text(settings)
    try:
        post = frontmatter.loads(template_text)
    except Exception as exc:  # a broken repository template: say which file
        raise NewError(f"the template {_template_name(settings)} has invalid front matter: {exc}") from None
    slug = f"{date.isoformat()}-{slugify(title, fallback_prefix='incident')}"
    metadata = {"id": slug, "title": title.strip(), "date": date, "severity": severity}
    metadata.update({k: v for k, v in post.metadata.items() if k not in metadata})
    # Only values that are safe as Markdown reach the body; the title stays in front matter.
    post.content = _render(settings, template_text, post.content, date=date.isoformat(), severity=severity, id=slug)
    post.metadata = metadata
    path = settings.source_root / str(date.year) / f"{slug}.md"
    _make_folder(path.parent, settings.docs_dir)
    try:
        # "x" is O_CREAT|O_EXCL: it refuses any existing path, a dangling symbolic link included,
        # so the file is never written through a link to somewhere else.
        with open(path, "x", encoding="utf-8") as out:
            out.write(frontmatter.dumps(post, sort_keys=False) + "\n")
    except FileExistsError:
        what = "a symbolic link" if path.is_symlink() else "a file"
        raise NewError(f"{path} already exists ({what}); choose another title or edit that file") from None
    except OSError as exc:
        raise NewError(f"cannot write {path}: {exc.strerror}") from None
    return path


def _render(settings: Settings, template_text: str, body: str, **values: str) -> str:
    """The template's body rendered in Jinja's sandbox; any template error is a NewError."""
    name = _template_name(settings)
    # StrictUndefined: a misspelt variable is an error, not an empty string in the draft.
    env = SandboxedEnvironment(autoescape=False, keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    try:
        return env.from_string(body).render(**values)
    except jinja2.TemplateSyntaxError as exc:
        start = template_text.find(body)
        line = (template_text.count("\n", 0, start) + exc.lineno) if start >= 0 and exc.lineno else None
        where = f", line {line}" if line else ""
        raise NewError(f"the template {name}{where} is not valid Jinja: {exc.message}") from None
    except jinja2.exceptions.SecurityError as exc:
        raise NewError(
            f"the template {name} is refused: {exc} (templates may only use id, date and severity)"
        ) from None
    except jinja2.UndefinedError as exc:
        raise NewError(f"the template {name} uses an unknown value: {exc} (use id, date or severity)") from None
    except Exception as exc:  # a runtime error inside the template, e.g. {{ 1 / 0 }}
        raise NewError(f"the template {name} cannot be rendered: {exc}") from None


def _make_folder(folder: Path, docs_dir: Path) -> None:
    """Create `folder` (inside docs_dir), refusing when a part of it that exists resolves outside
    docs_dir, such as a year folder that is a symbolic link to elsewhere."""
    root = docs_dir.resolve()
    try:
        parts = folder.relative_to(docs_dir).parts
    except ValueError:
        raise NewError(f"{folder} is outside the docs folder {docs_dir}; check `source_dir`") from None
    for depth in range(len(parts) + 1):
        part = docs_dir.joinpath(*parts[:depth])
        if part.exists() and not part.resolve().is_relative_to(root):
            raise NewError(
                f"{part} resolves to {part.resolve()}, outside the docs folder {root}; "
                "remove the symbolic link or point it inside the docs folder"
            )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise NewError(f"cannot create the folder {folder}: {exc.strerror or exc}") from None


def _template_name(settings: Settings) -> str:
    return str(settings.template) if settings.template is not None else "templates/postmortem.md (built in)"


def _template_text(settings: Settings) -> str:
    if settings.template is None:
        return default_template()
    try:
        return settings.template.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8"
        raise NewError(f"cannot read the template {settings.template}: {reason}") from None
