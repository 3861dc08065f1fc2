"""The `postmortems` command: a thin front end over the core (load, checks, model).

Click was chosen for nested commands, `--help` on each of them, typed options and its test
runner. Exit codes: 0 clean, 1 findings at error level (or a command that failed), 2 usage or
configuration errors.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click
from pydantic import ValidationError

from .catalog import Catalog
from .checks import check_report
from .checks.deadline import deadline_findings
from .checks.suppressions import Suppressed
from .findings import Finding, Level
from .generators import ZENSICAL_STEPS, zensical_note, zensical_sign
from .history import RepositoryHistory, pathspec_of, read_history
from .load import NOT_POSTMORTEMS, Document, discover, display_path, is_postmortem_path, repo_root
from .model import ItemStatus, Priority, json_schema
from .output import ACTIONS_FORMATS, FORMATS, STATS_FORMATS
from .parallel import paused_gc
from .pool import load_many
from .publishing import publishing_findings
from .rules import RULES
from .settings import ConfigError, Settings, bounded_day, find_config, from_mkdocs_yml
from .sources import Scan, scan

DATE = click.DateTime(formats=["%Y-%m-%d"])


@dataclass
class Env:
    config: Path | None
    today: dt.date | None

    def settings(self) -> Settings:
        """The repository's settings, or exit 2 with the reason."""
        try:
            config = self.config or find_config(Path.cwd())
            if config is None:
                settings = Settings(docs_dir=(Path.cwd() / "postmortems").resolve())
            else:
                settings = from_mkdocs_yml(config)
        except ConfigError as exc:
            raise click.UsageError(str(exc)) from None
        if self.today is not None:
            try:
                day = bounded_day(self.today, self.today.isoformat())
            except ConfigError as exc:
                raise click.BadParameter(str(exc), param_hint="--today") from None
            settings = settings.model_copy(update={"today": day})
        try:
            return settings.with_today_fixed()  # a bad SOURCE_DATE_EPOCH is a usage error
        except ConfigError as exc:
            raise click.UsageError(str(exc)) from None


def _jobs_option(what: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """`--jobs N`, the `jobs` option for one run (check, generate)."""
    return click.option(
        "--jobs",
        type=click.IntRange(0, 256),
        default=None,
        help=f"Processes that {what} at once: 0 for one per CPU, 1 for none. Default: the `jobs` option.",
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "-f",
    "config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The mkdocs.yml whose `postmortems` plugin options apply. Default: the nearest one "
    "in this folder or above; without one, ./postmortems with default options.",
)
@click.option(
    "--today",
    type=DATE,
    metavar="YYYY-MM-DD",
    help="The date that decides what is overdue. Default: the plugin's `today` option, "
    "else SOURCE_DATE_EPOCH, else the clock.",
)
@click.version_option(package_name="mkdocs-postmortems")
@click.pass_context
def main(ctx: click.Context, config: Path | None, today: dt.datetime | None) -> None:
    """Create, check and report on blameless post-mortems kept as Markdown in git."""
    ctx.obj = Env(config.resolve() if config else None, today.date() if today else None)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(FORMATS)),
    default="text",
    show_default=True,
    help="text for people, json for tools, github for workflow annotations on the diff.",
)
@click.option(
    "--level",
    "levels",
    multiple=True,
    metavar="RULE=LEVEL",
    help="Override a rule's level (error, warning or off) for this run; repeatable. "
    "E.g. --level action-overdue=error to fail on overdue items.",
)
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@_jobs_option("read the files")
@click.pass_obj
def check(env: Env, paths: tuple[Path, ...], fmt: str, levels: tuple[str, ...], strict: bool, jobs: int | None) -> None:
    """Validate post-mortems and run the blameless checks.

    PATHS are files or folders; without them every post-mortem of the repository is checked.
    Cross-file rules (duplicate ids, unknown related ids) always see the whole repository.
    Exit 0 when clean, 1 when any finding is at error level, 2 on a usage error.
    """
    settings = _with_levels(env.settings(), levels)
    if jobs is not None:
        settings = settings.model_copy(update={"jobs": jobs})
    note = zensical_note(env.config or find_config(Path.cwd()), repo_root(settings))
    if note:
        click.echo(note, err=True)
    # A run that ends with the process: no cyclic garbage collection at all (see paused_gc).
    # After loading, each full collection walked every document again: 1-2 s at 10,000.
    with paused_gc():
        checked = _check(settings, paths)
        click.echo(FORMATS[fmt](checked.findings, len(checked.wanted), checked.suppressed))
    failing = [f for f in checked.findings if f.level is Level.ERROR or strict]
    sys.exit(1 if failing else 0)


@dataclass
class _Checked:
    """What `check` found, and what it read on the way (for `generate`, which reports the same)."""

    findings: list[Finding]
    wanted: set[str]
    suppressed: list[Suppressed]
    documents: list[Document]
    history: RepositoryHistory
    scanned: Scan


def _check(settings: Settings, paths: tuple[Path, ...] = (), with_markdown: bool = False) -> _Checked:
    _require_source_folder(settings)
    selected = _selected(paths, settings)
    root = repo_root(settings)
    scanned = scan(settings.docs_dir, root)
    found = discover(settings, scanned) if settings.source_root.is_dir() else []
    everything = sorted(set(found) | set(selected))
    today = settings.resolve_today()
    histories: list[RepositoryHistory] = []
    # Each file's own rules run where it is loaded; nothing later reads its prose again. The
    # history is read while the files are.
    loaded = load_many(
        everything,
        settings,
        _shown,
        today,
        lean=True,
        with_markdown=with_markdown,
        meanwhile=lambda: histories.append(read_history(root, pathspec_of(root, settings.source_root))),
    )
    history, docs = histories[0], loaded.documents
    wanted = {display_path(p, Path.cwd()) for p in selected} if paths else {doc.path for doc in docs}
    result = check_report(docs, settings, today, known=loaded.hits)
    # What the build would refuse to publish (unsafe folders, URL clashes, nothing to publish)
    # is about the repository as a whole: reported when no PATHS narrow the run.
    found_set = set(found)
    site = publishing_findings(settings, [d for d in docs if Path(d.source) in found_set], scanned, _shown)
    findings = [f for f in result.findings if f.path in wanted]
    if history.message:  # a shallow clone: `writeup-late` cannot be judged, said once
        click.echo(f"note: {history.message}", err=True)
    findings += [f for f in deadline_findings(docs, history, settings) if f.path in wanted]
    findings.sort(key=lambda f: (f.path, f.line, f.rule, f.message))
    if not paths:
        findings = sorted([*findings, *site], key=lambda f: (f.path, f.line, f.rule, f.message))
    else:
        findings += [f for f in site if f.path in wanted]
    suppressed = [s for s in result.suppressed if s.finding.path in wanted]
    return _Checked(findings, wanted, suppressed, docs, history, scanned)


def _shown(path: Path) -> str:
    return display_path(path, Path.cwd())


def _with_levels(settings: Settings, levels: tuple[str, ...]) -> Settings:
    rules = dict(settings.rules)
    for item in levels:
        rule_id, _, level = item.partition("=")
        if rule_id not in RULES:
            raise click.BadParameter(f"unknown rule {rule_id!r}; known: {', '.join(RULES)}", param_hint="--level")
        try:
            rules[rule_id] = Level(level)
        except ValueError:
            raise click.BadParameter(
                f"{item!r}: the level must be error, warning or off", param_hint="--level"
            ) from None
    try:
        return Settings.model_validate({**settings.model_dump(), "rules": rules})
    except ValidationError as exc:
        reason = "; ".join(str(err["msg"]).removeprefix("Value error, ") for err in exc.errors())
        raise click.BadParameter(reason, param_hint="--level") from None


def _require_source_folder(settings: Settings) -> None:
    """A configured `source_dir` that is no folder is a usage error, as it fails the build."""
    problem = settings.missing_source_folder()
    if problem is not None:
        raise click.UsageError(problem)


def _selected(paths: tuple[Path, ...], settings: Settings) -> list[Path]:
    """The post-mortems among the files named on the command line and inside named folders.

    A named file that is not a post-mortem (a page, an excluded file, a file outside the source
    folder) is skipped with a note on standard error: workflows pass lists of changed files,
    so naming one is not a usage error, and it is never checked as a post-mortem."""
    chosen: list[Path] = []
    for path in paths:
        if path.is_dir():
            for found in sorted(path.rglob("*.md")):
                named, reason = _as_postmortem(found, settings)
                if reason is None and found.is_file():
                    chosen.append(named)
            continue
        named, reason = _as_postmortem(path, settings)
        if reason is None:
            chosen.append(named)
        else:
            click.echo(f"{display_path(named, Path.cwd())} is not a post-mortem: {reason}; skipped", err=True)
    return chosen


def _as_postmortem(path: Path, settings: Settings) -> tuple[Path, str | None]:
    """`path` named as discover names it (under docs_dir), and why it is not a post-mortem (None if it is).

    Links inside the path are kept where the source folder contains it as written, so a link
    the loader must refuse (unsafe-file) is still checked rather than taken for a file elsewhere."""
    named, docs_dir, root = Path(os.path.abspath(path)), settings.docs_dir, settings.source_root
    if not named.is_relative_to(os.path.abspath(root)):
        named, docs_dir = path.resolve(), docs_dir.resolve()  # a linked docs_dir
        if not named.is_relative_to(root.resolve()) or not named.is_relative_to(docs_dir):
            shown = display_path(Path(os.path.abspath(root)), Path.cwd())
            return Path(os.path.abspath(path)), f"it is outside the source folder {shown}"
    relative = named.relative_to(os.path.abspath(docs_dir)).as_posix()  # as exclude globs are written
    parts = relative.split("/")
    if named.suffix != ".md":
        return named, "only .md files are post-mortems"
    if parts[-1].lower() in NOT_POSTMORTEMS:
        return named, "index.md and README.md are pages"
    if any(part.startswith(("_", ".")) for part in parts):
        return named, "a file or folder name starting with `_` or `.` marks a page"
    if not is_postmortem_path(relative, settings.exclude):
        return named, "it matches an `exclude` pattern"
    return named, None


@main.command()
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder to write: DIR/docs, DIR/mkdocs.yml; the generator builds into DIR/site.",
)
@click.option("--strict", is_flag=True, help="Exit 1, writing nothing, when any finding is at error level.")
@_jobs_option("read and render")
@click.pass_obj
def generate(env: Env, out: Path, strict: bool, jobs: int | None) -> None:
    """Write the whole site as a docs folder for Zensical or any Markdown site generator.

    Every page the plugin makes (incident pages, indexes, dashboard, insights) and every export,
    with the front matter escaped and the bodies sanitised, plus DIR/mkdocs.yml without the
    plugin. Then: zensical build -f DIR/mkdocs.yml. The findings are reported as `check`
    reports them; without --strict the site is written anyway, as a build without --strict is.
    """
    from .generate import GenerateError
    from .generate import generate as write_site

    settings = env.settings()
    if jobs is not None:
        settings = settings.model_copy(update={"jobs": jobs})
    config = env.config or find_config(Path.cwd())
    sign = zensical_sign(config, repo_root(settings))
    if sign:  # said plainly: this command is the way
        click.echo(f"note: {sign}: Zensical does not run the postmortems plugin; {ZENSICAL_STEPS} builds it", err=True)
    with paused_gc():  # as in `check`
        checked = _check(settings, with_markdown=True)
    click.echo(FORMATS["text"](checked.findings, len(checked.wanted), checked.suppressed))
    if strict and any(f.level is Level.ERROR for f in checked.findings):
        click.echo("generate: nothing written (--strict and errors above)", err=True)
        sys.exit(1)
    try:
        done = write_site(
            settings, config, out, checked.documents, checked.findings, checked.history, checked.scanned, _shown
        )
    except (GenerateError, ConfigError) as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(
        f"generated {done.postmortems} post-mortem page(s), {done.pages} other page(s) and "
        f"{done.exports} export(s) in {_shown(done.docs)}; {done.files} file(s) in all, "
        f"rendered in {done.processes} process(es)"
    )
    click.echo(f"next: zensical build -f {_shown(done.config)}")


@main.command()
@click.argument("title")
@click.option(
    "--severity", "-s", metavar="LEVEL", help="A configured severity level. Default: the last (least severe)."
)
@click.option(
    "--date", "-d", "date", type=DATE, metavar="YYYY-MM-DD", help="The day the incident began. Default: today."
)
@click.pass_obj
def new(env: Env, title: str, severity: str | None, date: dt.datetime | None) -> None:
    """Create a post-mortem draft from the template and print its path.

    The file is postmortems/YYYY/YYYY-MM-DD-<slug of TITLE>.md (under the site's docs folder);
    a repository can ship its own template with the plugin's `template` option.
    """
    from . import new as new_module  # imported when used: `check` starts faster

    settings = env.settings()
    day = date.date() if date else settings.resolve_today()
    try:
        path = new_module.create(settings, title, severity or settings.severities[-1], day)
    except new_module.NewError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(display_path(path, Path.cwd()))


@main.command()
@click.pass_obj
def schema(env: Env) -> None:
    """Print the JSON Schema of the front matter, with this repository's severities and factors."""
    settings = env.settings()
    click.echo(json.dumps(json_schema(tuple(settings.severities), tuple(settings.contributing_factors)), indent=2))


@main.command()
@click.option(
    "--status", "statuses", multiple=True, type=click.Choice([s.value for s in ItemStatus]), help="Repeatable."
)
@click.option("--owner", "owners", multiple=True, metavar="OWNER", help="Repeatable; case-insensitive.")
@click.option(
    "--priority", "priorities", multiple=True, type=click.Choice([p.value for p in Priority]), help="Repeatable."
)
@click.option("--service", "services", multiple=True, metavar="SERVICE", help="Repeatable; case-insensitive.")
@click.option("--overdue", is_flag=True, help="Only items open or in progress past their due date.")
@click.option(
    "--due-within",
    type=click.IntRange(min=0),
    metavar="DAYS",
    help="Only open items due within DAYS (overdue included).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(ACTIONS_FORMATS),
    default="table",
    show_default=True,
    help="md is the body of a reminder issue, as the scheduled workflow posts it.",
)
@click.option("--fail-on-overdue", is_flag=True, help="Exit 1 when any matching item is overdue.")
@click.pass_obj
def actions(
    env: Env,
    statuses: tuple[str, ...],
    owners: tuple[str, ...],
    priorities: tuple[str, ...],
    services: tuple[str, ...],
    overdue: bool,
    due_within: int | None,
    fmt: str,
    fail_on_overdue: bool,
) -> None:
    """List the action items of every published post-mortem, overdue first.

    Today comes from --today, the plugin's `today` option or SOURCE_DATE_EPOCH. Invalid
    post-mortems are reported on standard error and their items are not listed.
    """
    from . import report
    from .actions import ActionFilter, action_rows

    settings = env.settings()
    _require_source_folder(settings)
    docs = load_many(discover(settings) if settings.source_root.is_dir() else [], settings, _shown).documents
    for doc in docs:
        for finding in doc.findings:
            click.echo(f"warning: skipped, not valid: {finding.as_text().splitlines()[0]}", err=True)
    catalog = Catalog(docs, settings.model_copy(update={"show_drafts": False}), settings.resolve_today())
    chosen = ActionFilter(
        statuses=frozenset(ItemStatus(s) for s in statuses),
        owners=frozenset(owners),
        priorities=frozenset(Priority(p) for p in priorities),
        services=frozenset(services),
        overdue=overdue,
        due_within=due_within,
    ).select(catalog, action_rows(catalog, settings.due_soon_days))
    click.echo(report.render(fmt, chosen, catalog, settings))
    sys.exit(1 if fail_on_overdue and any(row.overdue for row in chosen) else 0)


@main.command()
def rules() -> None:
    """List every rule id with its default level and how drafts are treated."""
    for rule in RULES.values():
        click.echo(f"{rule.id:24} {rule.level.value:8} drafts: {rule.drafts.value:5} {rule.summary}")


@main.command()
@click.option(
    "--base",
    required=True,
    metavar="REF",
    help="The revision to compare with: a branch, tag or commit (in a pull request, its base branch).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "json"]),
    default="md",
    show_default=True,
    help="md is the pull-request comment (it starts with <!-- postmortems-review -->), json the same for tools.",
)
@click.option("--preview-url", metavar="URL", help="Where the branch's site preview is: linked from the comment.")
@click.pass_obj
def review(env: Env, base: str, fmt: str, preview_url: str | None) -> None:
    """Summarise what this branch changes in the post-mortems, against REF.

    The working tree is compared with REF: post-mortems added, changed, renamed or removed; for
    each changed one its metadata, Timeline rows and action items before and after; and the
    check findings on the changed files only (the checks still see every post-mortem).
    Exit 0, 1 when a changed file has an error-level finding, 2 on a usage error.
    """
    from . import review as review_module

    settings = env.settings()
    _require_source_folder(settings)
    try:
        result = review_module.review(settings, base, Path.cwd(), settings.resolve_today(), preview_url)
    except review_module.ReviewError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(review_module.as_markdown(result) if fmt == "md" else review_module.as_json(result))
    sys.exit(1 if result.errors else 0)


@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--action",
    default="OWNER/mkdocs-postmortems@" + "0" * 40,
    show_default=True,
    metavar="OWNER/REPO@SHA",
    help="The composite action the workflows use (and the pre-commit hook's repository and rev): "
    "give the commit SHA of the mkdocs-postmortems release you use. The default is a placeholder.",
)
@click.option("--site-name", default="Post-mortems", show_default=True, help="The site's name in mkdocs.yml.")
def init(directory: Path, action: str, site_name: str) -> None:
    """Scaffold a new post-mortem repository in DIRECTORY (default: here).

    Writes mkdocs.yml with the plugin, postmortems/ with a home page and one example, the three
    GitHub workflows using the composite action, a pre-commit configuration and a README saying
    what to do next. Never overwrites: when any of these files exists, exit 1 naming them, and
    nothing is written. Exit 2 on a usage error.
    """
    from . import init as init_module

    try:
        init_module.parse_action(action)
        init_module.site_name_line(site_name)
    except init_module.InitError as exc:
        raise click.UsageError(str(exc)) from None
    try:
        written = init_module.scaffold(directory, action, site_name)
    except init_module.InitError as exc:
        click.echo(f"error: {directory}: {exc}; nothing was written", err=True)
        sys.exit(1)
    for path in written:
        click.echo(f"created {(directory / path).as_posix()}")
    if action == init_module.PLACEHOLDER or not init_module.is_pinned(action):
        click.echo(
            f"note: the workflows use {action}; pin it to a commit SHA of mkdocs-postmortems "
            "(README.md, 'Pin the action')",
            err=True,
        )
    click.echo(f"next: read {(directory / 'README.md').as_posix()}, then `postmortems check` and `mkdocs serve`")


@main.command()
@click.option(
    "--since", type=DATE, metavar="YYYY-MM-DD", help="Count only incidents dated on or after this day. Default: all."
)
@click.option("--format", "fmt", type=click.Choice(STATS_FORMATS), default="table", show_default=True)
@click.pass_obj
def stats(env: Env, since: dt.datetime | None, fmt: str) -> None:
    """Print the insights page's figures: incidents, TTD/TTM/TTR, action items, recurrences.

    The post-mortems counted are those the site shows (published; drafts too with
    `show_drafts`), dated up to today. Invalid post-mortems are reported on standard error and
    not counted. The formulas are in docs/insights.md.
    """
    from . import stats_report
    from .metrics import insights

    settings = env.settings()
    _require_source_folder(settings)
    first = None
    if since is not None:
        try:
            first = bounded_day(since.date(), since.date().isoformat())
        except ConfigError as exc:
            raise click.BadParameter(str(exc), param_hint="--since") from None
    docs = load_many(discover(settings) if settings.source_root.is_dir() else [], settings, _shown).documents
    for doc in docs:
        for finding in doc.findings:
            click.echo(f"warning: skipped, not valid: {finding.as_text().splitlines()[0]}", err=True)
    catalog = Catalog(docs, settings, settings.resolve_today())
    click.echo(stats_report.render(fmt, insights(catalog, settings, first)))
