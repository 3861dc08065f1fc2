"""Action items across post-mortems: rows with computed state, counts, views and filters.

The dashboard page, the exports and `postmortems actions` all read these, so a count on the
site and a count in a reminder issue cannot disagree. "Today" is an argument, never the clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from .catalog import Catalog, meta_of
from .load import Document
from .model import ActionItem, ItemStatus, Postmortem, Priority
from .slugs import term_key

NO_OWNER = "(no owner)"


@dataclass(frozen=True)
class ActionRow:
    """One action item of one published post-mortem, with what today makes of it."""

    document: Document
    number: int  # 1-based position in the post-mortem's list
    item: ActionItem
    overdue: bool
    due_soon: bool  # open, not overdue, due within the configured window
    days_overdue: int | None
    age_days: int  # from the incident's date to completion (or to today while open)

    @property
    def meta(self) -> Postmortem:
        return meta_of(self.document)

    @property
    def key(self) -> str:
        """Stable across builds while the list's order is kept: `<post-mortem id>#<number>`."""
        return f"{self.meta.id or self.document.id}#{self.number}"

    @property
    def owner(self) -> str:
        return self.item.owner or NO_OWNER


def action_rows(catalog: Catalog, due_soon_days: int) -> list[ActionRow]:
    """Every item of every post-mortem the site shows, overdue first (see `overdue_first`)."""
    today = catalog.today
    rows = []
    for doc in catalog.visible:
        meta = meta_of(doc)
        for number, item in enumerate(meta.action_items, start=1):
            overdue = item.is_overdue(today)
            soon = item.is_open and not overdue and item.due is not None and (item.due - today).days <= due_soon_days
            end = item.completed if item.completed and not item.is_open else today
            rows.append(
                ActionRow(
                    document=doc,
                    number=number,
                    item=item,
                    overdue=overdue,
                    due_soon=soon,
                    days_overdue=(today - item.due).days if overdue and item.due else None,
                    age_days=max((end - meta.date).days, 0),
                )
            )
    return overdue_first(rows)


def overdue_first(rows: Iterable[ActionRow]) -> list[ActionRow]:
    """Overdue items (longest overdue first), then open ones by due date, then closed ones."""

    def key(row: ActionRow) -> tuple[int, dt.date, str, int]:
        due = row.item.due or dt.date.max
        group = 0 if row.overdue else 1 if row.item.is_open else 2
        return (group, due, row.meta.id or "", row.number)

    return sorted(rows, key=key)


@dataclass(frozen=True)
class ActionStats:
    total: int
    open: int
    in_progress: int
    overdue: int
    due_soon: int
    done: int
    wont_do: int
    on_time: int  # done items completed on or before their due date
    done_with_dates: int  # done items with both a due and a completed date

    @property
    def on_time_rate(self) -> float | None:
        """Share of done items completed by their due date; None when none can be judged."""
        return self.on_time / self.done_with_dates if self.done_with_dates else None


def stats(rows: list[ActionRow]) -> ActionStats:
    status = [r.item.status for r in rows]
    judged = [r.item for r in rows if r.item.status is ItemStatus.DONE and r.item.due and r.item.completed]
    return ActionStats(
        total=len(rows),
        open=status.count(ItemStatus.OPEN),
        in_progress=status.count(ItemStatus.IN_PROGRESS),
        overdue=sum(r.overdue for r in rows),
        due_soon=sum(r.due_soon for r in rows),
        done=status.count(ItemStatus.DONE),
        wont_do=status.count(ItemStatus.WONT_DO),
        on_time=sum(1 for i in judged if i.completed and i.due and i.completed <= i.due),
        done_with_dates=len(judged),
    )


@dataclass
class Tally:
    """Open and overdue items of one owner, priority or service."""

    name: str
    open: int = 0
    overdue: int = 0
    rows: list[ActionRow] = field(default_factory=list)


def _tally(pairs: Iterable[tuple[str, ActionRow]]) -> dict[str, Tally]:
    tallies: dict[str, Tally] = {}
    for name, row in pairs:
        tally = tallies.setdefault(term_key(name), Tally(name))
        tally.rows.append(row)
        if row.item.is_open:
            tally.open += 1
        if row.overdue:
            tally.overdue += 1
    return tallies


def by_owner(rows: list[ActionRow]) -> list[Tally]:
    """Owners with open items, most overdue first."""
    tallies = _tally((row.owner, row) for row in rows if row.item.is_open)
    return sorted(tallies.values(), key=lambda t: (-t.overdue, -t.open, t.name.casefold()))


def by_priority(rows: list[ActionRow]) -> list[Tally]:
    tallies = _tally((row.item.priority.value, row) for row in rows if row.item.is_open)
    return [tallies.get(p.value.casefold(), Tally(p.value)) for p in Priority]


def by_service(catalog: Catalog, rows: list[ActionRow]) -> list[Tally]:
    """Each service's open items (an item counts for every service of its post-mortem)."""
    pairs = (
        (term.name, row) for row in rows if row.item.is_open for term in catalog.terms_of("services", row.document)
    )
    return sorted(_tally(pairs).values(), key=lambda t: (-t.overdue, -t.open, t.name.casefold()))


def unassigned(rows: list[ActionRow]) -> list[ActionRow]:
    """Open items without an owner or a due date: nobody will chase them."""
    return [r for r in rows if r.item.is_open and (r.item.owner is None or r.item.due is None)]


@dataclass(frozen=True)
class ReviewDue:
    document: Document
    due: dt.date
    overdue: bool


def reviews_due(catalog: Catalog, within_days: int) -> list[ReviewDue]:
    """Effectiveness reviews not yet held that are overdue or due within the window."""
    limit = catalog.today + dt.timedelta(days=within_days)
    found = [
        ReviewDue(doc, meta_of(doc).review_due, meta_of(doc).review_due < catalog.today)
        for doc in catalog.visible
        if meta_of(doc).reviewed is None and meta_of(doc).review_due <= limit
    ]
    return sorted(found, key=lambda r: (r.due, r.document.id))


@dataclass(frozen=True)
class ActionFilter:
    """What `postmortems actions` selects; empty means anything."""

    statuses: frozenset[ItemStatus] = frozenset()
    owners: frozenset[str] = frozenset()  # compared case-insensitively
    priorities: frozenset[Priority] = frozenset()
    services: frozenset[str] = frozenset()  # compared case-insensitively
    overdue: bool = False
    due_within: int | None = None  # open items due within this many days (overdue included)

    def select(self, catalog: Catalog, rows: list[ActionRow]) -> list[ActionRow]:
        owners = {term_key(o) for o in self.owners}
        services = {term_key(s) for s in self.services}
        chosen = []
        for row in rows:
            item = row.item
            if self.statuses and item.status not in self.statuses:
                continue
            if owners and term_key(row.owner) not in owners:
                continue
            if self.priorities and item.priority not in self.priorities:
                continue
            if services and not services & {t.key for t in catalog.terms_of("services", row.document)}:
                continue
            if self.overdue and not row.overdue:
                continue
            if self.due_within is not None and not (
                item.is_open and item.due is not None and (item.due - catalog.today).days <= self.due_within
            ):
                continue
            chosen.append(row)
        return chosen


def owners_and_services(catalog: Catalog, rows: list[ActionRow]) -> tuple[list[str], list[str]]:
    """The names the dashboard's filters offer."""
    owners: dict[str, str] = {}
    for row in rows:
        owners.setdefault(term_key(row.owner), row.owner)
    services = [t.name for t in sorted(catalog.indexes["services"], key=lambda t: t.key)]
    return sorted(owners.values(), key=str.casefold), services
