"""Follow-through rules that depend on today: overdue items and overdue effectiveness reviews."""

from __future__ import annotations

from collections.abc import Iterator

from ..load import Document
from ..model import Postmortem
from .base import Context, Hit


def check_dates(doc: Document, meta: Postmortem, ctx: Context) -> Iterator[Hit]:
    for index, item in enumerate(meta.action_items):
        if item.is_overdue(ctx.today):
            assert item.due is not None
            days = (ctx.today - item.due).days
            yield Hit(
                "action-overdue",
                doc.line_of(("action_items", index, "due")),
                f"action item {index + 1} was due {item.due.isoformat()} ({days} days ago) and is "
                f"still {item.status.value} (owner {item.owner or 'none'})",
                "finish it, re-date it with a reason, or mark it wont-do",
            )
    if meta.reviewed is None and meta.review_due < ctx.today:
        where = ("review_by",) if meta.review_by else ("date",)
        yield Hit(
            "review-overdue",
            doc.line_of(where),
            f"the effectiveness review was due {meta.review_due.isoformat()} and has not been recorded",
            "hold the review and add `reviewed: YYYY-MM-DD`, or move `review_by`",
        )
