"""Machine-readable exports: api/postmortems.json, api/actions.json (each with its JSON Schema),
actions.ics and feed.xml.

The JSON records are pydantic models, so the published schema is generated from the same
definition that writes the data. The calendar is written with `icalendar` and the feed with
`feedgen`: both escape what they write, and both are what calendar and feed readers expect.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from typing import Any

from feedgen.feed import FeedGenerator
from icalendar import Calendar, Event
from pydantic import BaseModel, Field

from .actions import ActionRow
from .catalog import Catalog, meta_of
from .formatting import absolute_url, ticket_url
from .history import RepositoryHistory
from .load import Document
from .model import Impact

UrlOf = Callable[[Document], str]  # site-relative URL of a post-mortem's page ("2026/x/")
SCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"
FEED_SIZE = 50


class ActionRecord(BaseModel):
    """One action item, as `api/actions.json` and `postmortems actions --format json` give it."""

    key: str = Field(description="`<post-mortem id>#<position>`, stable while the list keeps its order")
    postmortem: str = Field(description="the id of the post-mortem the item belongs to")
    postmortem_title: str
    url: str | None = Field(description="the post-mortem's page, relative to the site root")
    action: str
    owner: str | None
    due: dt.date | None
    priority: str
    status: str
    completed: dt.date | None
    ticket: str | None
    ticket_url: str | None = Field(description="http(s) link to the ticket, when one can be made")
    kind: str | None
    addresses: str | None
    services: list[str]
    overdue: bool = Field(description="open or in progress, and due before `today`")
    due_soon: bool = Field(description="open, not overdue, due within the configured window")
    days_overdue: int | None
    age_days: int = Field(description="days from the incident's date to completion, or to today while open")


class ActionsExport(BaseModel):
    today: dt.date = Field(description="the date `overdue` was computed for")
    items: list[ActionRecord]


class PostmortemRecord(BaseModel):
    """One published post-mortem's metadata and computed fields."""

    id: str
    title: str
    url: str | None
    date: dt.date
    severity: str
    status: str
    visibility: str
    summary: str | None
    services: list[str]
    tags: list[str]
    authors: list[str]
    contributing_factors: list[str]
    started: dt.datetime | None
    detected: dt.datetime | None
    mitigated: dt.datetime | None
    resolved: dt.datetime | None
    ttd_seconds: int | None = Field(description="detected - started")
    ttm_seconds: int | None = Field(description="mitigated - started")
    ttr_seconds: int | None = Field(description="resolved - started")
    duration_seconds: int | None = Field(description="resolved (or mitigated) - started")
    impact: Impact | None
    review_by: dt.date = Field(description="the effectiveness review's date (default: date + 30 days)")
    reviewed: dt.date | None
    related: list[str] = Field(description="ids linked by `related` on either side, among published post-mortems")
    action_items: int
    open_action_items: int
    overdue_action_items: int
    # From git (history.py); null without a history to go by (no repository, not yet committed,
    # a shallow clone), or when the history was not read.
    created: dt.datetime | None = Field(None, description="the author date of the file's first commit")
    last_change: dt.datetime | None = Field(None, description="the author date of the file's last commit")
    revisions: int | None = Field(None, description="commits that changed the file, renames followed")
    contributors: list[str] | None = Field(None, description="commit authors' names, de-duplicated by e-mail")


class PostmortemsExport(BaseModel):
    today: dt.date
    postmortems: list[PostmortemRecord]


def action_record(row: ActionRow, catalog: Catalog, url: str | None, forge_url: str | None) -> ActionRecord:
    item = row.item
    return ActionRecord(
        key=row.key,
        postmortem=row.document.id,
        postmortem_title=row.meta.title,
        url=url,
        action=item.action,
        owner=item.owner,
        due=item.due,
        priority=item.priority.value,
        status=item.status.value,
        completed=item.completed,
        ticket=item.ticket,
        ticket_url=ticket_url(item.ticket, forge_url),
        kind=item.kind.value if item.kind else None,
        addresses=item.addresses,
        services=[t.name for t in catalog.terms_of("services", row.document)],
        overdue=row.overdue,
        due_soon=row.due_soon,
        days_overdue=row.days_overdue,
        age_days=row.age_days,
    )


def actions_json(rows: list[ActionRow], catalog: Catalog, url_of: UrlOf | None, forge_url: str | None) -> str:
    items = [action_record(r, catalog, url_of(r.document) if url_of else None, forge_url) for r in rows]
    return ActionsExport(today=catalog.today, items=items).model_dump_json(indent=1)


def _seconds(delta: dt.timedelta | None) -> int | None:
    return int(delta.total_seconds()) if delta is not None else None


def postmortems_json(catalog: Catalog, url_of: UrlOf | None, history: RepositoryHistory | None = None) -> str:
    records = []
    for doc in catalog.visible:
        meta = meta_of(doc)
        past = history.of(os.path.abspath(doc.source)) if history is not None else None
        known = past is not None and past.known
        records.append(
            PostmortemRecord(
                id=doc.id,
                title=meta.title,
                url=url_of(doc) if url_of else None,
                date=meta.date,
                severity=meta.severity,
                status=meta.status.value,
                visibility=meta.visibility.value,
                summary=meta.summary or doc.body.summary or None,
                services=meta.services,
                tags=meta.tags,
                authors=meta.authors,
                contributing_factors=meta.contributing_factors,
                started=meta.started,
                detected=meta.detected,
                mitigated=meta.mitigated,
                resolved=meta.resolved,
                ttd_seconds=_seconds(meta.ttd),
                ttm_seconds=_seconds(meta.ttm),
                ttr_seconds=_seconds(meta.ttr),
                duration_seconds=_seconds(meta.duration),
                impact=meta.impact,
                review_by=meta.review_due,
                reviewed=meta.reviewed,
                related=catalog.linked_ids(doc),
                action_items=len(meta.action_items),
                open_action_items=sum(1 for i in meta.action_items if i.is_open),
                overdue_action_items=sum(1 for i in meta.action_items if i.is_overdue(catalog.today)),
                created=past.created if past is not None else None,
                last_change=past.last_change if past is not None else None,
                revisions=past.revisions if past is not None and known else None,
                contributors=[c.name for c in past.contributors] if past is not None and known else None,
            )
        )
    return PostmortemsExport(today=catalog.today, postmortems=records).model_dump_json(indent=1)


def json_schema_of(model: type[BaseModel], title: str) -> str:
    schema: dict[str, Any] = model.model_json_schema()
    schema["$schema"] = SCHEMA_URI
    schema["title"] = title
    return json.dumps(schema, indent=1)


def actions_ics(
    rows: list[ActionRow], today: dt.date, site_name: str, site_url: str | None, url_of: UrlOf | None
) -> bytes:
    """All-day events on the due dates of the items still open, for a calendar to subscribe to."""
    calendar = Calendar()
    calendar.add("prodid", "-//mkdocs-postmortems//action items//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{site_name}: action items")
    for row in rows:
        item = row.item
        if not item.is_open or item.due is None:
            continue
        event = Event()
        event.add("uid", f"{row.key}@mkdocs-postmortems")
        # DTSTAMP is when the data was true: the build's "today", so builds are reproducible.
        event.add("dtstamp", dt.datetime.combine(today, dt.time(), tzinfo=dt.timezone.utc))
        event.add("dtstart", item.due)
        event.add("dtend", item.due + dt.timedelta(days=1))
        event.add("summary", f"[{item.priority.value}] {item.action}")
        lines = [f"Owner: {row.owner}", f"Status: {item.status.value}", f"Post-mortem: {row.meta.title}"]
        url = absolute_url(site_url, url_of(row.document)) if url_of else None
        if url:
            lines.append(url)
            event.add("url", url)
        if item.ticket:
            lines.append(f"Ticket: {item.ticket}")
        event.add("description", "\n".join(lines))
        event.add("categories", ["overdue"] if row.overdue else ["open"])
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def feed_xml(catalog: Catalog, site_name: str, site_url: str | None, url_of: UrlOf | None) -> bytes:
    """An Atom feed of the newest post-mortems."""
    feed = FeedGenerator()
    base = site_url or "urn:mkdocs-postmortems:"
    feed.id(absolute_url(site_url, "feed.xml") or f"{base}feed")
    feed.title(f"{site_name}: post-mortems")
    feed.link(href=absolute_url(site_url, "feed.xml") or "feed.xml", rel="self")
    updated = dt.datetime.combine(catalog.today, dt.time(), tzinfo=dt.timezone.utc)
    feed.updated(updated)
    newest = catalog.visible[:FEED_SIZE]
    for doc in reversed(newest):  # feedgen prepends: add oldest first to list newest first
        meta = meta_of(doc)
        entry = feed.add_entry()
        page = url_of(doc) if url_of else None
        link = absolute_url(site_url, page) if page is not None else None
        entry.id(link or f"urn:mkdocs-postmortems:{doc.id}")
        entry.title(f"[{meta.severity}] {meta.title}")
        if link or page is not None:
            entry.link(href=link or page)
        else:  # Atom wants a link or content: without page URLs, the summary is the content
            entry.content(meta.summary or doc.body.summary or meta.title, type="text")
        published = dt.datetime.combine(meta.date, dt.time(), tzinfo=dt.timezone.utc)
        entry.published(published)
        entry.updated(published)
        entry.summary(meta.summary or doc.body.summary or meta.title)
        for author in meta.authors:
            entry.author(name=author)
        for term in catalog.terms_of("tags", doc):
            entry.category(term=term.name)
    return bytes(feed.atom_str(pretty=True))
