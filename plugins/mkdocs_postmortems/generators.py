"""Which site generator a repository builds with: Zensical runs no MkDocs plugin and says
nothing about it, so `check` and `generate` say it for it (docs/zensical.md)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ZENSICAL_STEPS = "`postmortems generate --out DIR`, then `zensical build -f DIR/mkdocs.yml` (docs/zensical.md)"
ADVICE = (
    "Zensical does not run MkDocs plugins: the postmortems plugin is not run there, and `zensical build` "
    "of this mkdocs.yml would publish no incident pages, indexes, dashboard or exports, and no escaping "
    f"of front matter. Build it with {ZENSICAL_STEPS}"
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
