"""A repository of post-mortems for the action-item tests (test_actions, test_actions_cli, test_exports).

Every expected number in those tests is derived by hand from the table below, with TODAY = 2026-11-25
(due soon by default: due on or before 2026-12-09; the review window by default ends 2026-12-09 too).

    item  post-mortem            status       prio  owner       due         completed   what today makes of it
    A1    A db-failover (pub)    open         P0    @dba-team   2026-10-01              overdue 55 days
    A2    A                      in-progress  P1    @DBA-Team   2026-11-24              overdue 1 day (yesterday)
    A3    A                      done         P2    @sre        2026-10-15  2026-10-10  on time
    A4    A                      wont-do      P3    @net        2026-10-01              past due, not overdue
    B1    B checkout (pub)       open         P0    @payments   2026-11-25              due today: due soon, not overdue
    B2    B                      open         P1    -           2026-12-09              due soon (day 14, the edge)
    B3    B                      in-progress  P2    @Payments   2026-12-10              day 15: not due soon by default
    B4    B                      open         P2*   @payments   -                       no due date
    B5    B                      done         P2*   @web        2026-11-01  2026-11-10  late
    C1    C dns-outage (pub)     done         P1    @net        2026-07-01  2026-07-01  on time (same day)
    C2    C                      open         P2    -           -                       no owner, no due
    C3    C                      open         P0    @NET        2026-12-31              later
    C4    C                      done         P3    @net        -           2026-06-20  not judged (no due)
    D1    D queue-backlog (pub)  open         P1    @queue      2026-12-01              due soon (6 days)
    D2    D                      wont-do      P2    -           2026-11-23  2026-11-22  past due, not overdue
    E1    E cdn-purge (pub)      open         P2    @edge       2026-11-30              due soon (5 days)
    E2    E                      done         P1    @edge       2026-01-15  2026-02-01  late
    F1    F draft                open         P0    @draft      2026-11-01              (hidden) overdue 24 days
    G1    G in-review            open         P1    @dba-team   2026-11-30              (hidden) due soon
    (* = priority not written: the default P2)

Post-mortems: id, date, services, review:
    A 2026-09-10-db-failover      2026-09-10  Database, Payments   review_by default 2026-10-10: overdue
    B 2026-10-28-checkout-latency 2026-10-28  payments, Checkout   review_by default 2026-11-27: due in 2 days
    C 2026-06-01-dns-outage       2026-06-01  DNS                  reviewed 2026-07-01: never listed
    D 2026-11-20-queue-backlog    2026-11-20  Queue, Database      review_by 2026-12-05: due in 10 days
    E 2025-12-01-cdn-purge        2025-12-01  CDN                  review_by 2026-12-31: outside the window
    F 2026-11-22-draft-incident   draft       Payments
    G 2026-11-15-review-incident  in-review   Checkout
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

TODAY = dt.date(2026, 11, 25)
TODAY_EPOCH = "1795564800"  # 2026-11-25T00:00:00Z (20782 days after 1970-01-01, times 86400)
SITE_URL = "https://pm.example.com/"

BODY = """
## Summary

{summary}

## Timeline

| Time (UTC) | Event |
|---|---|
| 10:00 | Alert fired |
| 10:30 | Mitigated |

## Impact

Some users saw errors.

## Root causes

A missing limit.

## What went well

The alert fired quickly.

## What could be improved

Nothing limited the blast radius.

## Action items

See the table.
"""

A = """---
title: Database failover took 40 minutes
date: 2026-09-10
severity: SEV1
services: [Database, Payments]
tags: [failover]
authors: [Priya Raman]
action_items:
  - action: Add a failover drill to the quarterly calendar
    owner: "@dba-team"
    due: 2026-10-01
    priority: P0
  - action: Alert on replication lag above 30 s
    owner: "@DBA-Team"
    due: 2026-11-24
    priority: P1
    status: in-progress
  - action: Document the failover runbook
    owner: "@sre"
    due: 2026-10-15
    priority: P2
    status: done
    completed: 2026-10-10
  - action: Replace the legacy proxy
    owner: "@net"
    due: 2026-10-01
    priority: P3
    status: wont-do
---
"""

B = """---
title: Checkout latency during the sale
date: 2026-10-28
severity: SEV2
services: [payments, Checkout]
tags: [latency]
action_items:
  - action: Cap the connection pool at 200 per node
    owner: "@payments"
    due: 2026-11-25
    priority: P0
  - action: Load test checkout at twice the peak
    due: 2026-12-09
    priority: P1
  - action: Add a checkout SLO dashboard
    owner: "@Payments"
    due: 2026-12-10
    priority: P2
    status: in-progress
  - action: Write the retry policy down
    owner: "@payments"
  - action: Remove the dead feature flag
    owner: "@web"
    due: 2026-11-01
    status: done
    completed: 2026-11-10
---
"""

C = """---
title: DNS outage
date: 2026-06-01
severity: SEV3
services: [DNS]
reviewed: 2026-07-01
action_items:
  - action: Pin the resolver config in CI
    owner: "@net"
    due: 2026-07-01
    priority: P1
    status: done
    completed: 2026-07-01
  - action: Migrate the zone files to git
    priority: P2
  - action: Alert on DNS query latency above 200 ms
    owner: "@NET"
    due: 2026-12-31
    priority: P0
  - action: Lower the TTL of the apex record to 300 s
    owner: "@net"
    priority: P3
    status: done
    completed: 2026-06-20
---
"""

D = """---
title: Queue backlog
date: 2026-11-20
severity: SEV4
services: [Queue, Database]
review_by: 2026-12-05
action_items:
  - action: Alert when the queue depth exceeds 10k for 5 minutes
    owner: "@queue"
    due: 2026-12-01
    priority: P1
  - action: Autoscale the consumers on lag
    due: 2026-11-23
    priority: P2
    status: wont-do
    completed: 2026-11-22
---
"""

E = """---
title: CDN purge storm
date: 2025-12-01
severity: SEV2
services: [CDN]
review_by: 2026-12-31
action_items:
  - action: Rate-limit the purge API to 10 requests per second
    owner: "@edge"
    due: 2026-11-30
    priority: P2
  - action: Log every purge API call to the audit log
    owner: "@edge"
    due: 2026-01-15
    priority: P1
    status: done
    completed: 2026-02-01
---
"""

F = """---
title: Draft incident
date: 2026-11-22
severity: SEV3
status: draft
services: [Payments]
action_items:
  - action: Draft item that must stay hidden
    owner: "@draft"
    due: 2026-11-01
    priority: P0
---
"""

G = """---
title: Incident under review
date: 2026-11-15
severity: SEV2
status: in-review
services: [Checkout]
action_items:
  - action: In-review item that must stay hidden
    owner: "@dba-team"
    due: 2026-11-30
    priority: P1
---
"""

FILES = {
    "2026/2026-09-10-db-failover.md": A + BODY.format(summary="The database failover took 40 minutes."),
    "2026/2026-10-28-checkout-latency.md": B + BODY.format(summary="Checkout was slow during the sale."),
    "2026/2026-06-01-dns-outage.md": C + BODY.format(summary="Names did not resolve for 20 minutes."),
    "2026/2026-11-20-queue-backlog.md": D + BODY.format(summary="The queue backed up for an hour."),
    "2025/2025-12-01-cdn-purge.md": E + BODY.format(summary="A purge storm emptied the CDN cache."),
    "2026/2026-11-22-draft-incident.md": F + BODY.format(summary="Still being written."),
    "2026/2026-11-15-review-incident.md": G + BODY.format(summary="Under review."),
    "index.md": "# Post-mortems\n\nNot a post-mortem.\n",
}

ID_A = "2026-09-10-db-failover"
ID_B = "2026-10-28-checkout-latency"
ID_C = "2026-06-01-dns-outage"
ID_D = "2026-11-20-queue-backlog"
ID_E = "2025-12-01-cdn-purge"
ID_F = "2026-11-22-draft-incident"
ID_G = "2026-11-15-review-incident"

# Item labels of the table above, as row keys (`<post-mortem id>#<position>`).
KEYS = {
    **{f"A{n}": f"{ID_A}#{n}" for n in range(1, 5)},
    **{f"B{n}": f"{ID_B}#{n}" for n in range(1, 6)},
    **{f"C{n}": f"{ID_C}#{n}" for n in range(1, 5)},
    **{f"D{n}": f"{ID_D}#{n}" for n in range(1, 3)},
    **{f"E{n}": f"{ID_E}#{n}" for n in range(1, 3)},
    "F1": f"{ID_F}#1",
    "G1": f"{ID_G}#1",
}
LABELS = {key: label for label, key in KEYS.items()}
PUBLISHED = [label for label in KEYS if label[0] in "ABCDE"]  # 17 items


def write_files(docs_dir: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = docs_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return docs_dir


def write_repo(root: Path, files: dict[str, str] | None = None, site_url: str | None = SITE_URL) -> Path:
    """mkdocs.yml (docs_dir: postmortems, the plugin on) and the post-mortems under postmortems/."""
    site = f"site_url: {site_url}\n" if site_url else ""
    (root / "mkdocs.yml").write_text(
        f"site_name: Incidents\n{site}docs_dir: postmortems\nplugins:\n  - postmortems\n", encoding="utf-8"
    )
    write_files(root / "postmortems", FILES if files is None else files)
    return root


# The action text of each item, to find its row in the table and Markdown outputs.
ACTIONS = {
    "A1": "Add a failover drill to the quarterly calendar",
    "A2": "Alert on replication lag above 30 s",
    "A3": "Document the failover runbook",
    "A4": "Replace the legacy proxy",
    "B1": "Cap the connection pool at 200 per node",
    "B2": "Load test checkout at twice the peak",
    "B3": "Add a checkout SLO dashboard",
    "B4": "Write the retry policy down",
    "B5": "Remove the dead feature flag",
    "C1": "Pin the resolver config in CI",
    "C2": "Migrate the zone files to git",
    "C3": "Alert on DNS query latency above 200 ms",
    "C4": "Lower the TTL of the apex record to 300 s",
    "D1": "Alert when the queue depth exceeds 10k for 5 minutes",
    "D2": "Autoscale the consumers on lag",
    "E1": "Rate-limit the purge API to 10 requests per second",
    "E2": "Log every purge API call to the audit log",
    "F1": "Draft item that must stay hidden",
    "G1": "In-review item that must stay hidden",
}
# The whole order of `action_rows` at TODAY: overdue (longest first), open by due date with no due
# date last (ties by post-mortem id: C before B), then the closed ones.
ORDER_OPEN = ["A1", "A2", "B1", "E1", "D1", "B2", "B3", "C3", "C2", "B4"]
CLOSED = {"A3", "A4", "B5", "C1", "C4", "D2", "E2"}

# Text that tries to break out of every format: Markdown (| ] ( ` * _ #), HTML (<script>, &),
# CSV (" ,), iCalendar (; , \ and a line break), JSON (" \).
HOSTILE = (
    'Fix | the ] ( [x](javascript:alert(1)) <script>alert("x")</script> & done; '
    "really, \"q\" 's' \\back *em* _u_ `c` #1 ~~s~~ !\nsecond line"
)
# One-line fields (title, owner, names, tags, services, factors, addresses) refuse line breaks.
HOSTILE_LINE = HOSTILE.replace("\n", " ")
# A line break followed by what would be new iCalendar lines if it were written unescaped.
ICS_INJECTION = "Ship it\nEND:VEVENT\nBEGIN:VEVENT\nUID:injected\nSUMMARY:pwned"
HOSTILE_ID = "2026-11-01-hostile"


def hostile_postmortem(**overrides: object) -> str:
    """A valid post-mortem with HOSTILE in every free-text field (written with yaml.safe_dump)."""
    fields: dict[str, object] = {
        "id": HOSTILE_ID,
        "title": HOSTILE_LINE,
        "date": dt.date(2026, 11, 1),
        "severity": "SEV2",
        "summary": HOSTILE,
        "services": [HOSTILE_LINE, "Payments"],
        "tags": [HOSTILE_LINE],
        "authors": [HOSTILE_LINE],
        "contributing_factors": [HOSTILE_LINE],
        "impact": {
            "users_affected": 5,
            "revenue": 12.5,
            "data_loss": False,
            "customer_facing": True,
            "description": HOSTILE,
        },
        "action_items": [
            {
                "action": HOSTILE,
                "owner": HOSTILE_LINE,
                "due": dt.date(2026, 11, 20),
                "addresses": HOSTILE_LINE,
                "ticket": "https://tickets.example.com/browse/OPS-1?a=1&b=2;c",
                "kind": "detect",
            },
            {"action": ICS_INJECTION, "owner": "@team", "due": dt.date(2026, 12, 1), "ticket": "acme/payments#42"},
        ],
    }
    fields.update(overrides)
    front = yaml.safe_dump(fields, sort_keys=False, allow_unicode=True)
    return f"---\n{front}---\n\n## Summary\n\nBody summary.\n"
