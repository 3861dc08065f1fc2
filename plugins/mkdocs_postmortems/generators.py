"""Which site generator a repository builds with: Zensical runs no MkDocs plugin and says
nothing about it, so `check` and `generate` say it for it (docs/zensical.md)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ADVICE = (
    "Zensical does not run MkDocs plugins, so the postmortems plugin does not run there and the site "
    "would have no incident pages, indexes, dashboard or exports; build it with "
    "`postmortems generate --out DIR` then `zensical build -f DIR/mkdocs.yml` (see docs/zensical.md)"
)


def zensical_sign(config_file: Path | None, root: Path) -> str | None:
    """Why this repository looks built with Zensical (None when it does not): a zensical.toml
    beside mkdocs.yml or at the repository's root, or Zensical installed without mkdocs-material
    (so `mkdocs build` with Material cannot be what builds the site)."""
    folders = [root] if config_file is None else [config_file.parent, root]
    for folder in dict.fromkeys(folders):
        if (folder / "zensical.toml").is_file():
            return f"{folder / 'zensical.toml'} is there"
    if importlib.util.find_spec("zensical") is not None and importlib.util.find_spec("material") is None:
        return "Zensical is installed and mkdocs-material is not"
    return None


def zensical_note(config_file: Path | None, root: Path) -> str | None:
    sign = zensical_sign(config_file, root)
    return None if sign is None else f"note: this repository seems built with Zensical ({sign}). {ADVICE}."
