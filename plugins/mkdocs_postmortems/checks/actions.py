"""Action-item rules: every item owned and dated, specific, and a sensible number of them."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..load import Document
from ..model import ItemStatus, Postmortem
from .base import Context, Hit, phrase_pattern


def check_actions(doc: Document, meta: Postmortem, ctx: Context) -> Iterator[Hit]:
    items = meta.action_items
    if not items:
        yield Hit(
            "actions-none",
            doc.line_of(("action_items",)),
            "the post-mortem has no action items",
            "add at least one specific, owned, dated item under `action_items:`",
        )
    elif len(items) > ctx.settings.max_action_items:
        yield Hit(
            "actions-too-many",
            doc.line_of(("action_items",)),
            f"{len(items)} action items; more than {ctx.settings.max_action_items} rarely all get done",
            "keep the 3 to 5 that matter most and track the rest elsewhere",
        )
    vague = phrase_pattern(ctx.settings.vague_phrases)
    for index, item in enumerate(items):
        where = ("action_items", index)
        if item.owner is None:
            yield Hit(
                "action-owner",
                doc.line_of(where),
                f"action item {index + 1} has no owner",
                "add `owner:` with the one person or team responsible",
            )
        if item.due is None:
            yield Hit(
                "action-due",
                doc.line_of(where),
                f"action item {index + 1} has no due date",
                "add `due: YYYY-MM-DD`",
            )
        if item.status is ItemStatus.DONE and item.completed is None:
            yield Hit(
                "action-completed",
                doc.line_of((*where, "status")),
                f"action item {index + 1} is done but has no `completed` date",
                "add `completed: YYYY-MM-DD`, the day it was done",
            )
        match = vague.search(item.action) if vague else None
        if match and not re.search(r"\d", item.action):
            yield Hit(
                "action-vague",
                doc.line_of((*where, "action")),
                f"action item {index + 1} is vague ({match.group(0)!r}) with no measurable outcome",
                "say what will exist when it is done, e.g. 'alert when p99 latency > 500 ms for 5 min'",
            )
