"""The repository's configuration, shared by the plugin and the CLI.

The plugin's options in mkdocs.yml are validated here, and the CLI reads the same block from
mkdocs.yml, so `postmortems check` and `mkdocs build` judge a post-mortem the same way.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .findings import Level
from .formatting import absolute_url
from .model import DEFAULT_SEVERITIES
from .rules import FIXED_RULES, RULES

PLUGIN_NAME = "postmortems"
SITE_KEYS = ("site_name", "site_url", "use_directory_urls")  # read from mkdocs.yml itself

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


class Settings(BaseModel):
    """Options of the `postmortems` plugin block in mkdocs.yml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    docs_dir: Path = Field(Path("docs"), description="resolved from mkdocs.yml, not set by hand")
    source_dir: str = Field("", description="folder inside docs_dir holding the post-mortems")
    exclude: list[str] = Field(default_factory=list, description="glob patterns of files that are not post-mortems")
    severities: list[str] = Field(default_factory=lambda: list(DEFAULT_SEVERITIES), min_length=1)
    contributing_factors: list[str] = Field(default_factory=list)
    today: dt.date | None = None
    rules: dict[str, Level] = Field(default_factory=dict)
    max_action_items: int = Field(5, ge=1)
    people: list[str] = Field(default_factory=list, description="names never to appear in Root causes")
    blame_phrases: list[str] = Field(default_factory=lambda: list(DEFAULT_BLAME_PHRASES))
    vague_phrases: list[str] = Field(default_factory=lambda: list(DEFAULT_VAGUE_PHRASES))
    template: Path | None = Field(None, description="the template `postmortems new` copies")
    show_drafts: bool = False
    due_soon_days: int = Field(14, ge=0, description="the dashboard's 'due soon' window, in days")
    review_window_days: int = Field(14, ge=0, description="effectiveness reviews shown this many days ahead")
    max_file_size: int = Field(
        1_048_576, ge=1024, le=1_073_741_824, description="bytes; a bigger post-mortem file is refused, not read"
    )
    allow_raw_html: bool = Field(
        False, description="publish raw HTML in bodies as written (scripts included) instead of sanitising it"
    )
    site_name: str = Field("Post-mortems", description="from mkdocs.yml, not set by hand")
    site_url: str | None = Field(None, description="from mkdocs.yml, not set by hand")
    use_directory_urls: bool = Field(True, description="from mkdocs.yml, not set by hand")
    forge_url: str | None = Field(
        None, pattern=r"^https?://", description="links `owner/repo#N` tickets, e.g. https://github.com"
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

    def level_of(self, rule_id: str) -> Level:
        return self.rules.get(rule_id, RULES[rule_id].level)

    def resolve_today(self) -> dt.date:
        """Today, from config, else SOURCE_DATE_EPOCH, else the clock (for real use only)."""
        if self.today is not None:
            return self.today
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        if epoch:
            try:
                return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date()
            except (ValueError, OverflowError) as exc:
                raise ConfigError(
                    f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix timestamp: set it to whole seconds since "
                    "1970 (as `date +%s` prints) or unset it"
                ) from exc
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

        `site` carries mkdocs.yml's own `site_name` and `site_url`."""
        for name in ("docs_dir", *SITE_KEYS):
            if name in options:
                raise ConfigError(f"invalid `{PLUGIN_NAME}` plugin options: {name}: set it in mkdocs.yml itself")
        site_values = {k: v for k, v in (site or {}).items() if k in SITE_KEYS and v is not None}
        data = {**options, **site_values, "docs_dir": docs_dir}
        try:
            settings = cls.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'options'}: {err['msg'].removeprefix('Value error, ')}"
                for err in exc.errors()
            )
            raise ConfigError(f"invalid `{PLUGIN_NAME}` plugin options: {problems}") from None
        if settings.template is not None and not settings.template.is_absolute():
            settings = settings.model_copy(update={"template": config_dir / settings.template})
        return settings


class _MkDocsYamlLoader(yaml.SafeLoader):
    """Reads mkdocs.yml without running anything: python and custom tags become None."""


def _ignore_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> None:
    return None


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
    """The plugin's settings as `mkdocs build` would see them in `config_file`."""
    try:
        raw = yaml.load(config_file.read_text(encoding="utf-8-sig"), Loader=_MkDocsYamlLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{config_file}: cannot read it: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{config_file}: expected a mapping of MkDocs options")
    config_dir = config_file.parent
    docs_dir = config_dir / str(raw.get("docs_dir") or "docs")
    site = {key: raw.get(key) for key in SITE_KEYS}
    return Settings.build(plugin_options(raw.get("plugins")), docs_dir.resolve(), config_dir.resolve(), site)


def plugin_options(plugins: Any) -> dict[str, Any]:
    """The `postmortems` entry of a `plugins:` list or mapping."""
    entries: list[Any]
    if isinstance(plugins, dict):
        entries = [{name: opts} for name, opts in plugins.items()]
    elif isinstance(plugins, list):
        entries = plugins
    else:
        return {}
    for entry in entries:
        if entry == PLUGIN_NAME:
            return {}
        if isinstance(entry, dict) and PLUGIN_NAME in entry:
            options = entry[PLUGIN_NAME]
            return dict(options) if isinstance(options, dict) else {}
    return {}
