"""The plugin's options in mkdocs.yml, as MkDocs declares them: names only.

Every option is handed over as written and Settings.build validates the whole block, so
`mkdocs build` and `postmortems check` (which reads mkdocs.yml itself) accept exactly the same
configuration and refuse it with the same message. MkDocs' own part is the option names: an
unknown one is its "Unrecognised configuration name" warning.
"""

from __future__ import annotations

from typing import Any

from mkdocs.config.base import BaseConfigOption, Config

from .settings import Settings


class _AsWritten(BaseConfigOption[Any]):
    """Any value, unvalidated (None when not set, so Settings' default applies)."""

    def run_validation(self, value: object, /) -> Any:
        return value


class PostmortemsConfig(Config):
    # Config.__init_subclass__ completes this schema; the names come from Settings, the one
    # definition of the options.
    _schema = tuple((name, _AsWritten()) for name in Settings.option_names())
