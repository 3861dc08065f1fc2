"""The mkdocs.yml that `postmortems generate` writes beside the docs folder it makes.

It is the repository's own config, read with every tag kept as written (`!ENV`, `!relative`,
`!!python/name:`: the generator resolves them, as it would in the original) and its INHERIT
parents merged in, then changed only where it must be: `docs_dir` and `site_dir` in DIR, the
`postmortems` plugin left out (the work is done), the plugin's stylesheet and script added, the
small nav when the repository has none, and paths to other files (`theme.custom_dir`, `hooks`)
pointing from DIR at the same files. `watch` is dropped: it names folders `serve` would watch.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .settings import PLUGIN_NAME, ConfigError, read_mkdocs_yml


@dataclass
class Tagged:
    """A value with a tag the generator resolves, such as `!ENV [NAME, default]`."""

    tag: str
    value: Any


class _KeepTags(yaml.SafeLoader):
    """Every tag is kept as Tagged; none is resolved, nothing is run."""


def _tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node, prefix: str) -> Tagged:
    value: Any
    if isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_scalar(node)  # type: ignore[arg-type]
    return Tagged(prefix + suffix, value)


_KeepTags.add_multi_constructor("!", lambda loader, suffix, node: _tagged(loader, suffix, node, "!"))
_KeepTags.add_multi_constructor(
    "tag:yaml.org,2002:python/",
    lambda loader, suffix, node: _tagged(loader, suffix, node, "tag:yaml.org,2002:python/"),
)


class _Dumper(yaml.SafeDumper):
    pass


def _represent_tagged(dumper: yaml.SafeDumper, data: Tagged) -> yaml.Node:
    if isinstance(data.value, Mapping):
        return dumper.represent_mapping(data.tag, data.value)
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    return dumper.represent_scalar(data.tag, "" if data.value is None else str(data.value))


_Dumper.add_representer(Tagged, _represent_tagged)


def read_raw(config_file: Path) -> dict[str, Any]:
    """mkdocs.yml as written, tags kept, with its INHERIT parents merged in (as MkDocs merges them)."""
    return read_mkdocs_yml(config_file, loader=_KeepTags)


def without_plugin(plugins: Any) -> Any:
    """`plugins:` (a list or a mapping) without the `postmortems` entry."""
    if isinstance(plugins, dict):
        return {name: options for name, options in plugins.items() if name != PLUGIN_NAME}
    if isinstance(plugins, list):
        return [
            item for item in plugins if item != PLUGIN_NAME and not (isinstance(item, dict) and PLUGIN_NAME in item)
        ]
    return plugins


def plugin_names(plugins: Any) -> list[str]:
    if isinstance(plugins, dict):
        return [str(name) for name in plugins]
    if isinstance(plugins, list):
        return [str(next(iter(item))) if isinstance(item, dict) and item else str(item) for item in plugins]
    return []


def generated_config(
    raw: dict[str, Any],
    config_dir: Path,
    out: Path,
    assets: tuple[str, ...],
    nav: list[Any] | None,
    site_name: str,
) -> dict[str, Any]:
    """The config for DIR/mkdocs.yml (`out` is DIR, absolute)."""
    config = dict(raw)
    config.setdefault("site_name", site_name)
    config.setdefault("theme", {"name": "material", "font": False})  # no web font: the site works offline
    config["docs_dir"] = "docs"
    config["site_dir"] = "site"
    if "plugins" in config:
        config["plugins"] = without_plugin(config["plugins"])
    for key, suffix in (("extra_css", ".css"), ("extra_javascript", ".js")):
        listed = list(config.get(key) or [])
        listed += [a for a in assets if a.endswith(suffix) and a not in listed]
        config[key] = listed
    if nav is not None and not config.get("nav"):
        config["nav"] = nav
    config.pop("watch", None)

    def moved(value: Any) -> Any:  # a path relative to the repository's mkdocs.yml, from DIR
        if isinstance(value, str) and not os.path.isabs(value):
            return os.path.relpath(config_dir / value, out).replace(os.sep, "/")
        return value

    theme = config.get("theme")
    if isinstance(theme, dict) and theme.get("custom_dir"):
        config["theme"] = {**theme, "custom_dir": moved(theme["custom_dir"])}
    if isinstance(config.get("hooks"), list):
        config["hooks"] = [moved(h) for h in config["hooks"]]
    return config


def dump(config: dict[str, Any], source: str | None) -> str:
    if source is None:
        head = "# Written by `postmortems generate`, which found no mkdocs.yml and used the default options.\n"
    else:
        head = f"# Written by `postmortems generate` from {source}: edit that file, not this one.\n"
    return head + yaml.dump(config, Dumper=_Dumper, sort_keys=False, allow_unicode=True)


def markdown_extensions(raw: dict[str, Any], source: str) -> tuple[list[Any], dict[str, dict[str, Any]]]:
    """`markdown_extensions` as Python-Markdown takes them (names, and configs by name), with
    `!ENV` and `!!python/name:` resolved as MkDocs resolves them."""
    listed = raw.get("markdown_extensions") or []
    if isinstance(listed, dict):
        listed = [{k: v} for k, v in listed.items()]
    if not isinstance(listed, list):
        raise ConfigError(f"{source}: markdown_extensions: expected a list, got {type(listed).__name__}")
    names: list[Any] = []
    configs: dict[str, dict[str, Any]] = {}
    for item in listed:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict) and len(item) == 1:
            name, options = next(iter(item.items()))
            names.append(str(name))
            if options is not None:
                resolved = _resolve(options, source)
                if not isinstance(resolved, dict):
                    raise ConfigError(f"{source}: markdown_extensions: the options of {name!r} must be a mapping")
                configs[str(name)] = resolved
        else:
            raise ConfigError(f"{source}: markdown_extensions: each entry is a name, or one `name:` with options")
    return names, configs


def _resolve(value: Any, source: str) -> Any:
    if isinstance(value, Tagged):
        if value.tag == "!ENV":
            names = value.value if isinstance(value.value, list) else [value.value]
            default = names[-1] if len(names) > 1 else None
            for name in names[:-1] if len(names) > 1 else names:
                if isinstance(name, str) and name in os.environ:
                    return yaml.safe_load(os.environ[name]) if os.environ[name] else None
            return default
        if value.tag.startswith("tag:yaml.org,2002:python/name:"):
            module, _, attr = value.tag.removeprefix("tag:yaml.org,2002:python/name:").rpartition(".")
            try:
                return getattr(importlib.import_module(module), attr)
            except (ImportError, AttributeError) as exc:
                raise ConfigError(f"{source}: markdown_extensions: cannot import {value.tag}: {exc}") from None
        raise ConfigError(f"{source}: markdown_extensions: the tag {value.tag} is not supported by generate")
    if isinstance(value, dict):
        return {k: _resolve(v, source) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, source) for v in value]
    return value
