"""The repository's configuration, shared by the plugin and the CLI.

The plugin's options in mkdocs.yml are validated here, and the CLI reads the same block from
mkdocs.yml, so `postmortems check` and `mkdocs build` judge a post-mortem the same way.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
import posixpath
import re
from pathlib import Path, PureWindowsPath
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import mergedeep  # type: ignore[import-untyped]
import yaml
import yaml_env_tag  # type: ignore[import-untyped]
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from . import yamlsafe
from .findings import Level
from .formatting import absolute_url
from .model import DEFAULT_SEVERITIES, LINE_BREAKS, check_year
from .rules import FIXED_RULES, RULES

PLUGIN_NAME = "postmortems"
SITE_KEYS = ("site_name", "site_url", "use_directory_urls", "repo_url", "edit_uri")  # read from mkdocs.yml itself
# `writeup-late`: hours from the incident's date to its first commit, by severity (none: no deadline).
DEFAULT_WRITEUP_DEADLINES = {"SEV1": 48, "SEV2": 168}

DEFAULT_BLAME_PHRASES = (
    "human error",
    "should have",
    "shouldn't have",
    "should not have",
    "careless",
    "carelessness",
    "negligent",
    "negligence",
    "incompetent",
    "sloppy",
    "lazy",
    "stupid",
    "fault of",
    "their fault",
    "his fault",
    "her fault",
    "to blame",
    "dropped the ball",
)

DEFAULT_VAGUE_PHRASES = (
    "be more careful",
    "be careful",
    "look into",
    "looking into",
    "keep an eye on",
    "communicate better",
    "try to",
    "think about",
    "double-check",
    "double check",
    "revisit",
    "investigate",
    "improve monitoring",
    "improve alerting",
    "improve testing",
    "more testing",
    "better monitoring",
)


class ConfigError(Exception):
    """The configuration itself is wrong: the message names the option and the fix."""


# Fields the front ends fill from mkdocs.yml itself; every other field is a plugin option.
NOT_OPTIONS = ("docs_dir", "config_dir", *SITE_KEYS)
# Day counts stay within ten years, so today + the window can never overflow a date.
MAX_DAYS = 3660


def _not_blank(value: str) -> str:
    # An empty phrase matches everywhere, an empty pattern or name nowhere sensible.
    if not value.strip():
        raise ValueError("an entry is empty; remove it or write the text")
    return value


def _one_line(value: str) -> str:
    if LINE_BREAKS.search(value):
        raise ValueError(f"{value!r} contains a line break; write it on one line")
    return value


def _a_day(value: Any) -> Any:
    """`today`: a YAML date or the text 'YYYY-MM-DD'; never a timestamp, number or other text."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a real date ({exc})") from None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ValueError(f"expected a date written YYYY-MM-DD, got {value!r}")
    check_year(value)
    return value


Entry = Annotated[StrictStr, AfterValidator(_not_blank)]
SeverityName = Annotated[StrictStr, AfterValidator(_not_blank), AfterValidator(_one_line)]
Day = Annotated[dt.date, BeforeValidator(_a_day)]
DayCount = Annotated[StrictInt, Field(ge=0, le=MAX_DAYS)]


def bounded_day(day: dt.date, source: str) -> dt.date:
    """`day` when its year is sane (see model.MIN_YEAR); else a ConfigError naming `source`."""
    try:
        check_year(day)
    except ValueError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    return day


class Settings(BaseModel):
    """Options of the `postmortems` plugin block in mkdocs.yml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: StrictBool = True
    docs_dir: Path = Field(Path("docs"), description="resolved from mkdocs.yml, not set by hand")
    config_dir: Path | None = Field(None, description="mkdocs.yml's folder, not set by hand")
    source_dir: StrictStr = Field("", description="folder inside docs_dir holding the post-mortems")
    exclude: list[Entry] = Field(default_factory=list, description="glob patterns of files that are not post-mortems")
    severities: list[SeverityName] = Field(default_factory=lambda: list(DEFAULT_SEVERITIES), min_length=1)
    contributing_factors: list[Entry] = Field(default_factory=list)
    today: Day | None = None
    rules: dict[str, Level] = Field(default_factory=dict)
    path_rules: dict[str, dict[str, Level]] = Field(
        default_factory=dict, description="glob (relative to docs_dir) -> rule id -> level; later globs win"
    )
    max_action_items: StrictInt = Field(5, ge=1)
    people: list[Entry] = Field(default_factory=list, description="names never to appear in Root causes")
    blame_phrases: list[Entry] = Field(default_factory=lambda: list(DEFAULT_BLAME_PHRASES))
    vague_phrases: list[Entry] = Field(default_factory=lambda: list(DEFAULT_VAGUE_PHRASES))
    template: Path | None = Field(None, description="the template `postmortems new` copies")
    show_drafts: StrictBool = False
    public_only: StrictBool = Field(
        False, description="publish only post-mortems with `visibility: public`, and nothing of the others"
    )
    due_soon_days: DayCount = Field(14, description="the dashboard's 'due soon' window, in days")
    review_window_days: DayCount = Field(14, description="effectiveness reviews shown this many days ahead")
    recurrence_window_days: Annotated[StrictInt, Field(ge=1, le=MAX_DAYS)] = Field(
        90, description="incidents sharing a service and a contributing factor within this many days recur"
    )
    max_file_size: StrictInt = Field(
        1_048_576, ge=1024, le=1_073_741_824, description="bytes; a bigger post-mortem file is refused, not read"
    )
    jobs: Annotated[StrictInt, Field(ge=0, le=256)] = Field(
        0,
        description="processes that read and check the post-mortems of a large repository at once; "
        "0: one per CPU, 1: no extra process (docs/performance.md)",
    )
    allow_raw_html: StrictBool = Field(
        False, description="publish raw HTML in bodies as written (scripts included) instead of sanitising it"
    )
    search: Literal["material", "pagefind"] = Field(
        "material",
        description="the site's search: 'material' (Material's `search` plugin, one index of the whole site) "
        "or 'pagefind' (Pagefind indexes the built site; the browser loads only the parts a query needs; "
        "needs `pip install 'mkdocs-postmortems[pagefind]'`; see docs/search.md)",
    )
    site_name: str = Field("Post-mortems", description="from mkdocs.yml, not set by hand")
    site_url: str | None = Field(None, description="from mkdocs.yml, not set by hand")
    use_directory_urls: bool = Field(True, description="from mkdocs.yml, not set by hand")
    repo_url: str | None = Field(None, description="from mkdocs.yml, not set by hand")
    edit_uri: str | None = Field(None, description="from mkdocs.yml, not set by hand")
    writeup_deadlines: dict[SeverityName, Annotated[StrictInt, Field(ge=0, le=MAX_DAYS * 24)]] | None = Field(
        None,
        description="hours from an incident's date to its post-mortem's first commit, by severity "
        f"(rule `writeup-late`; default {DEFAULT_WRITEUP_DEADLINES}, none for other levels)",
    )
    forge_url: StrictStr | None = Field(
        None, pattern=r"^https?://", description="links `owner/repo#N` tickets, e.g. https://github.com"
    )

    @field_validator("source_dir")
    @classmethod
    def _inside_docs_dir(cls, value: str) -> str:
        """A folder relative to docs_dir and inside it, normalised ('./2026/' is '2026', '.' is '')."""
        if value.startswith(("/", "\\")) or PureWindowsPath(value).anchor:
            raise ValueError(
                f"{value!r} is an absolute path; write the folder relative to docs_dir (e.g. 'incidents'), "
                "or '' for all of docs_dir"
            )
        normal = posixpath.normpath(value) if value.strip() else "."
        if normal == ".." or normal.startswith("../"):
            raise ValueError(f"{value!r} leaves docs_dir; write a folder inside docs_dir, relative to it")
        return "" if normal == "." else normal

    @field_validator("writeup_deadlines")
    @classmethod
    def _known_deadlines(cls, value: dict[str, int] | None, info: ValidationInfo) -> dict[str, int] | None:
        severities = info.data.get("severities") or []
        for level in value or {}:
            if level not in severities:
                raise ValueError(f"unknown severity {level!r}; the severities are {', '.join(severities)}")
        return value

    @property
    def deadlines(self) -> dict[str, int]:
        """`writeup_deadlines` in hours by severity, the defaults when not set."""
        if self.writeup_deadlines is not None:
            return dict(self.writeup_deadlines)
        return {k: v for k, v in DEFAULT_WRITEUP_DEADLINES.items() if k in self.severities}

    @property
    def effective_edit_uri(self) -> str | None:
        """edit_uri as MkDocs completes it (config_options.EditURI): its default for
        github.com and gitlab.com (`edit/master/docs/`) or bitbucket.org, and a final slash."""
        edit_uri = self.edit_uri
        if edit_uri is None and self.repo_url is not None:
            host = urlsplit(self.repo_url).netloc.lower()
            if host in ("github.com", "gitlab.com"):
                edit_uri = "edit/master/docs/"
            elif host == "bitbucket.org":
                edit_uri = "src/default/docs/"
        if edit_uri and not edit_uri.endswith("/"):
            edit_uri += "/"
        return edit_uri or None

    @field_validator("severities")
    @classmethod
    def _unique_severities(cls, value: list[str]) -> list[str]:
        seen: set[str] = set()
        for level in value:
            if level in seen:
                raise ValueError(f"{level!r} is listed twice; list each severity once")
            seen.add(level)
        return value

    @classmethod
    def option_names(cls) -> tuple[str, ...]:
        """The plugin options a repository sets in mkdocs.yml (MkDocs declares exactly these)."""
        return tuple(name for name in cls.model_fields if name not in NOT_OPTIONS)

    def missing_source_folder(self) -> str | None:
        """Why the configured `source_dir` cannot be read (it is no folder), or None.

        Both front ends refuse to run without it rather than publish or check nothing."""
        if not self.source_dir or self.source_root.is_dir():
            return None
        return (
            f"the `source_dir` folder {self.source_root} does not exist: create it, or set `source_dir` "
            f"in the `{PLUGIN_NAME}` plugin options to a folder inside docs_dir ('' for all of it)"
        )

    @field_validator("rules")
    @classmethod
    def _known_rules(cls, value: dict[str, Level]) -> dict[str, Level]:
        for rule_id, level in value.items():
            if rule_id not in RULES:
                raise ValueError(f"unknown rule {rule_id!r}; known rules: {', '.join(RULES)}")
            if rule_id in FIXED_RULES and level is not Level.ERROR:
                raise ValueError(f"rule {rule_id!r} cannot be turned down: an unreadable file is never published")
        return value

    @field_validator("path_rules", mode="before")
    @classmethod
    def _yaml_off(cls, value: Any) -> Any:
        # YAML 1.1 (PyYAML, so MkDocs too) reads an unquoted `off` as false.
        if not isinstance(value, dict):
            return value
        return {
            pattern: {k: "off" if v is False else v for k, v in levels.items()} if isinstance(levels, dict) else levels
            for pattern, levels in value.items()
        }

    @field_validator("path_rules")
    @classmethod
    def _known_path_rules(cls, value: dict[str, dict[str, Level]]) -> dict[str, dict[str, Level]]:
        for pattern, levels in value.items():
            if not pattern or pattern.startswith("/"):
                raise ValueError(f"{pattern!r}: write globs relative to docs_dir, e.g. 'archive/*'")
            for rule_id, level in levels.items():
                if rule_id not in RULES:
                    raise ValueError(f"{pattern!r}: unknown rule {rule_id!r}; known rules: {', '.join(RULES)}")
                if rule_id in FIXED_RULES and level is not Level.ERROR:
                    raise ValueError(
                        f"{pattern!r}: rule {rule_id!r} cannot be turned down: an unreadable file is never published"
                    )
        return value

    def level_of(self, rule_id: str, path: str | None = None) -> Level:
        """The level of `rule_id`, for the file at `path` (relative to docs_dir) when given:
        the last matching `path_rules` glob that sets the rule wins, then `rules`, then the default."""
        if path is not None:
            for pattern, levels in reversed(self.path_rules.items()):
                if rule_id in levels and fnmatch.fnmatch(path, pattern):
                    return levels[rule_id]
        return self.rules.get(rule_id, RULES[rule_id].level)

    def resolve_today(self) -> dt.date:
        """Today, from config, else SOURCE_DATE_EPOCH, else the clock (for real use only)."""
        if self.today is not None:
            return self.today
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        if epoch:
            try:
                day = dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date()
            except (ValueError, OverflowError, OSError) as exc:
                raise ConfigError(
                    f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix timestamp: set it to whole seconds since "
                    "1970 (as `date +%s` prints) or unset it"
                ) from exc
            return bounded_day(day, f"SOURCE_DATE_EPOCH={epoch!r} ({day.isoformat()})")
        return dt.date.today()

    def with_today_fixed(self) -> Settings:
        """These settings with `today` resolved once, so one build or run uses one date
        (and a bad SOURCE_DATE_EPOCH is reported before any work)."""
        return self.model_copy(update={"today": self.resolve_today()})

    @property
    def source_root(self) -> Path:
        return self.docs_dir / self.source_dir if self.source_dir else self.docs_dir

    def page_url(self, source: Path) -> str | None:
        """The site-relative URL MkDocs gives the page of `source` (None outside docs_dir)."""
        try:
            parts = source.resolve().relative_to(self.docs_dir.resolve()).with_suffix("").parts
        except ValueError:
            return None
        if parts[-1].lower() in ("index", "readme"):
            parts = parts[:-1]
            return "/".join(parts) + "/" if parts else ""
        if self.use_directory_urls:
            return "/".join(parts) + "/"
        return "/".join(parts) + ".html"

    def absolute_url(self, source: Path) -> str | None:
        page = self.page_url(source)
        return absolute_url(self.site_url, page) if page is not None else None

    def validation_context(self) -> dict[str, Any]:
        return {"severities": self.severities, "contributing_factors": self.contributing_factors}

    @classmethod
    def build(
        cls, options: dict[str, Any], docs_dir: Path, config_dir: Path, site: dict[str, Any] | None = None
    ) -> Settings:
        """Validate the plugin's options; relative paths are taken from mkdocs.yml's folder.

        `site` carries mkdocs.yml's own `site_name` and `site_url`. Both front ends hand the
        options over as written (MkDocs checks only their names), so this is their one validator
        and both give the same message. An option set to null takes its default."""
        if not isinstance(options, dict):
            raise ConfigError(
                f"invalid `{PLUGIN_NAME}` plugin options: expected a mapping of `option: value`, "
                f"got {type(options).__name__}"
            )
        for name in NOT_OPTIONS:
            if name in options:
                raise ConfigError(f"invalid `{PLUGIN_NAME}` plugin options: {name}: set it in mkdocs.yml itself")
        given = {name: _fspaths(value, name) for name, value in options.items() if value is not None}
        site_values = {k: v for k, v in (site or {}).items() if k in SITE_KEYS and v is not None}
        data = {**given, **site_values, "docs_dir": docs_dir, "config_dir": config_dir}
        try:
            settings = cls.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'options'}: {err['msg'].removeprefix('Value error, ')}"
                + (f" (got {_shown(err['input'])})" if err["type"].endswith(("_type", "_parsing")) else "")
                for err in exc.errors()
            )
            raise ConfigError(f"invalid `{PLUGIN_NAME}` plugin options: {problems}") from None
        if settings.template is not None and not settings.template.is_absolute():
            settings = settings.model_copy(update={"template": config_dir / settings.template})
        return settings


def _fspaths(value: Any, name: str) -> Any:
    """`!relative` paths (MkDocs' placeholders, or the CLI's) as text, in lists and mappings too."""
    if isinstance(value, os.PathLike):
        try:
            return str(os.fspath(value))
        except Exception as exc:  # MkDocs raises its ConfigurationError; the core imports no MkDocs
            raise ConfigError(f"invalid `{PLUGIN_NAME}` plugin options: {name}: {exc}") from None
    if isinstance(value, list):
        return [_fspaths(item, name) for item in value]
    if isinstance(value, dict):
        return {key: _fspaths(item, f"{name}.{key}") for key, item in value.items()}
    return value


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class _MkDocsYamlLoader(yamlsafe.LocatedLoader):
    """Reads mkdocs.yml as MkDocs does (`!ENV`, `!relative`) without running anything: python
    and other custom tags become None. A value that cannot be constructed is a located error."""


def _ignore_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> None:
    return None


class _Relative(os.PathLike[str]):
    """`!relative $config_dir/...` or `$docs_dir/...`, bound to its folder once docs_dir is known.

    A bare `!relative` names the Markdown page being rendered (for markdown_extensions); in the
    plugin's options it has no meaning, and using it there is the error MkDocs gives too."""

    def __init__(self, base: str, suffix: str) -> None:
        self.base = base
        self.suffix = suffix
        self.folder: str | None = None

    def __fspath__(self) -> str:
        if self.folder is None:
            raise ValueError(
                "'!relative' without $config_dir/ or $docs_dir/ names the page being rendered; "
                "write `!relative $config_dir/PATH` or a plain path"
            )
        return os.path.join(self.folder, self.suffix)

    def __deepcopy__(self, memo: dict[int, Any]) -> _Relative:
        return self  # mergedeep copies what it merges; a placeholder is bound in place later


def _relative_tag(loader: yaml.SafeLoader, node: yaml.Node) -> _Relative:
    # As mkdocs.utils.yaml._construct_dir_placeholder reads it.
    value = str(loader.construct_scalar(node) or "")  # type: ignore[arg-type]
    prefix, _, suffix = value.partition("/")
    if prefix.startswith("$"):
        if prefix not in ("$config_dir", "$docs_dir"):
            raise yaml.constructor.ConstructorError(
                None, None, f"unknown prefix {prefix!r} in !relative {value!r}", node.start_mark
            )
        return _Relative(prefix, suffix)
    if value:
        raise yaml.constructor.ConstructorError(
            None, None, f"'!relative' tag does not expect any value; received {value!r}", node.start_mark
        )
    return _Relative("", "")


_MkDocsYamlLoader.add_constructor("!ENV", yaml_env_tag.construct_env_tag)
_MkDocsYamlLoader.add_constructor("!relative", _relative_tag)
_MkDocsYamlLoader.add_multi_constructor("tag:yaml.org,2002:python/", _ignore_tag)
_MkDocsYamlLoader.add_multi_constructor("!", _ignore_tag)


def find_config(start: Path) -> Path | None:
    """mkdocs.yml in `start` or the nearest folder above it."""
    for folder in (start, *start.parents):
        for name in ("mkdocs.yml", "mkdocs.yaml"):
            if (folder / name).is_file():
                return folder / name
    return None


def from_mkdocs_yml(config_file: Path) -> Settings:
    """The plugin's settings as `mkdocs build` would see them in `config_file`.

    Read as MkDocs 1.6 reads it (mkdocs.utils.yaml.yaml_load): `INHERIT` names a parent file
    relative to the child's folder, merged under it with mergedeep, recursively; `!ENV` is
    pyyaml-env-tag's; `!relative $config_dir/...` is a path. Every failure is a ConfigError
    naming the file (and the line, where YAML gives one)."""
    raw = read_mkdocs_yml(config_file)
    config_dir = Path(os.path.abspath(config_file)).parent
    docs_value = raw.get("docs_dir")
    _bind(docs_value, config_dir, config_dir)
    if isinstance(docs_value, _Relative):
        docs_value = _fspaths(docs_value, "docs_dir")
    if docs_value is not None and not isinstance(docs_value, str):
        raise ConfigError(f"{config_file}: docs_dir: expected the path of a folder, got {_shown(docs_value)}")
    docs_dir = (config_dir / (docs_value or "docs")).resolve()
    options = plugin_options(raw.get("plugins"), str(config_file))
    _bind(options, config_dir, docs_dir)
    site = {key: raw.get(key) for key in SITE_KEYS}
    return Settings.build(options, docs_dir, config_dir.resolve(), site)


def read_mkdocs_yml(
    config_file: Path, _children: tuple[str, ...] = (), loader: type[yaml.SafeLoader] | None = None
) -> dict[str, Any]:
    """mkdocs.yml's mapping, with its INHERIT parents merged in. `loader` reads each file
    (default: as MkDocs resolves its tags; generate_config keeps them as written)."""
    path = os.path.abspath(config_file)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(f"{path}: cannot read it: {reason}") from None
    try:
        loaded = yaml.load(text, Loader=loader or _MkDocsYamlLoader)
    except yaml.MarkedYAMLError as exc:
        problem = yamlsafe.marked_problem(exc, text)
        raise ConfigError(f"{path}:{problem.line}: {problem.message} ({problem.hint})") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: the YAML is nested too deeply") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ConfigError(f"{path}: expected a mapping of MkDocs options, not {type(loaded).__name__}")
    if "INHERIT" in loaded:
        relpath = loaded.pop("INHERIT")
        if not isinstance(relpath, str):
            raise ConfigError(f"{path}: INHERIT: expected the path of a parent config file, got {_shown(relpath)}")
        parent = os.path.normpath(os.path.join(os.path.dirname(path), relpath))
        if parent == path or parent in _children:
            raise ConfigError(f"{path}: INHERIT: {relpath!r} inherits from this file again (a loop)")
        if not os.path.exists(parent):
            raise ConfigError(f"{path}: inherited config file '{relpath}' does not exist at '{parent}'")
        merged: dict[str, Any] = mergedeep.merge(read_mkdocs_yml(Path(parent), (*_children, path), loader), loaded)
        return merged
    return loaded


def _bind(value: Any, config_dir: Path, docs_dir: Path) -> None:
    """Give each `!relative` placeholder in `value` its folder."""
    if isinstance(value, _Relative):
        if value.base == "$config_dir":
            value.folder = str(config_dir)
        elif value.base == "$docs_dir":
            value.folder = str(docs_dir)
    elif isinstance(value, list):
        for item in value:
            _bind(item, config_dir, docs_dir)
    elif isinstance(value, dict):
        for item in value.values():
            _bind(item, config_dir, docs_dir)


def plugin_options(plugins: Any, source: str = "mkdocs.yml") -> dict[str, Any]:
    """The `postmortems` entry of a `plugins:` list or mapping, checked as MkDocs checks it."""
    if plugins is None:
        return {}
    entries: list[tuple[Any, Any]] = []
    if isinstance(plugins, dict):
        entries = list(plugins.items())
    elif isinstance(plugins, list):
        for item in plugins:
            if isinstance(item, dict):
                if len(item) != 1:
                    raise ConfigError(
                        f"{source}: plugins: each entry is a plugin name, or one `name:` with its options"
                    )
                entries.append(next(iter(item.items())))
            else:
                entries.append((item, None))
    else:
        raise ConfigError(f"{source}: plugins: expected a list or mapping of plugins, got {_shown(plugins)}")
    for name, options in entries:
        if name == PLUGIN_NAME:
            if options is None:
                return {}
            if not isinstance(options, dict):
                raise ConfigError(
                    f"{source}: plugins: the `{PLUGIN_NAME}` options must be a mapping of `option: value`, "
                    f"got {_shown(options)}"
                )
            return dict(options)
    return {}
