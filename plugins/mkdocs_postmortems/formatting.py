"""Small display helpers shared by the page templates (registered as Jinja filters)."""

from __future__ import annotations

import datetime as dt


def duration(value: dt.timedelta | None) -> str:
    """`49 min`, `2 h 08 min`, `3 d 4 h`; an em dash when unknown."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def ticket_url(ticket: str | None, forge_url: str | None) -> str | None:
    """A ticket's link: URLs as given (the model admits only http and https), `owner/repo#N`
    through the configured forge; None when there is nothing safe to link to."""
    if not ticket:
        return None
    if ticket.startswith(("https://", "http://")):
        return ticket
    if forge_url and "#" in ticket:
        repo, _, number = ticket.partition("#")
        return f"{forge_url.rstrip('/')}/{repo}/issues/{number}"
    return None


def absolute_url(site_url: str | None, path: str) -> str | None:
    """`path` (relative to the site root) under `site_url`; None without a `site_url`."""
    if not site_url:
        return None
    return site_url.rstrip("/") + "/" + path.lstrip("/")
