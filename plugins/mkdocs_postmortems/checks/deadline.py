"""`writeup-late`: a post-mortem first committed later after its incident than its severity allows.

It needs git history (history.py), so it runs beside check_report rather than inside it: both
front ends call deadline_findings with the history they read once. The deadline runs from the
start (00:00 UTC) of the incident's `date`, to the author date of the file's first commit;
`writeup_deadlines` gives the hours by severity (a severity not listed has no deadline). With no
history to go by (no repository, a file not yet committed, a shallow clone) nothing is reported.
The finding is at the `date` line, in front matter, so no comment suppresses it; `rules` and
`path_rules` set its level (an imported archive turns it off), and drafts are skipped.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from ..findings import Finding, Level
from ..history import RepositoryHistory
from ..load import Document
from ..model import Status
from ..rules import RULES, Drafts
from ..settings import Settings

RULE = "writeup-late"


def deadline_findings(docs: list[Document], history: RepositoryHistory, settings: Settings) -> list[Finding]:
    """A `writeup-late` finding for each valid post-mortem whose first commit came too late."""
    deadlines = settings.deadlines
    found: list[Finding] = []
    if history.root is None or history.shallow or not deadlines:
        return found
    for doc in docs:
        meta = doc.meta
        if meta is None or meta.severity not in deadlines:
            continue
        if meta.status is not Status.PUBLISHED and RULES[RULE].drafts is Drafts.SKIP:
            continue
        level = settings.level_of(RULE, _docs_path(doc.source, settings.docs_dir))
        if level is Level.OFF:
            continue
        created = history.of(Path(os.path.abspath(doc.source))).created
        if created is None:
            continue
        hours = deadlines[meta.severity]
        start = dt.datetime.combine(meta.date, dt.time(), tzinfo=dt.timezone.utc)
        late = created - (start + dt.timedelta(hours=hours))
        if late <= dt.timedelta(0):
            continue
        found.append(
            doc.finding(
                RULE,
                level,
                doc.line_of(("date",)),
                f"the post-mortem was first committed {created.isoformat()}, {_span(created - start)} after "
                f"the incident's date {meta.date.isoformat()}; {meta.severity} allows {hours} hours "
                f"({_span(late)} late)",
                "commit the first draft within the deadline next time (a draft counts); for an imported "
                "post-mortem, turn the rule off with `path_rules`, or change `writeup_deadlines`",
            )
        )
    return found


def _span(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{minutes} min" if minutes else ""]
    return " ".join(p for p in parts if p) or "0 min"


def _docs_path(source: Path, docs_dir: Path) -> str | None:
    try:
        return Path(os.path.abspath(source)).relative_to(os.path.abspath(docs_dir)).as_posix()
    except ValueError:
        return None
