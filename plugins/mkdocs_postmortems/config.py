"""The plugin's options in mkdocs.yml, as MkDocs declares them.

MkDocs checks each option's type; the core's Settings then validates the whole block (rule ids,
levels, severities), so the plugin and the CLI accept exactly the same configuration.
"""

from __future__ import annotations

import datetime

from mkdocs.config import config_options as c
from mkdocs.config.base import Config


class PostmortemsConfig(Config):
    enabled = c.Type(bool, default=True)
    source_dir = c.Type(str, default="")
    exclude = c.ListOfItems(c.Type(str), default=[])
    severities = c.ListOfItems(c.Type(str), default=["SEV1", "SEV2", "SEV3", "SEV4"])
    contributing_factors = c.ListOfItems(c.Type(str), default=[])
    today = c.Optional(c.Type((str, datetime.date)))
    rules = c.Type(dict, default={})
    max_action_items = c.Type(int, default=5)
    people = c.ListOfItems(c.Type(str), default=[])
    blame_phrases = c.Optional(c.ListOfItems(c.Type(str)))
    vague_phrases = c.Optional(c.ListOfItems(c.Type(str)))
    template = c.Optional(c.Type(str))
    show_drafts = c.Type(bool, default=False)
    forge_url = c.Optional(c.Type(str))
    due_soon_days = c.Type(int, default=14)
    review_window_days = c.Type(int, default=14)
    max_file_size = c.Type(int, default=1_048_576)
    allow_raw_html = c.Type(bool, default=False)
