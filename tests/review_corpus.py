"""A real git repository for `postmortems review`: post-mortems on main, then a feature branch
that makes every kind of change the review reports. docs/review-sample.md is its comment."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

MKDOCS_YML = (
    "site_name: Incidents\ndocs_dir: postmortems\ntheme:\n  name: material\n  font: false\n"
    "plugins:\n  - postmortems:\n      today: 2026-09-01\n"
)
BODY = (
    "## Summary\n\n{summary}\n\n## Timeline\n\n| Time | Event |\n|---|---|\n{rows}\n"
    "## Impact\n\nCheckout requests failed.\n\n## Root causes\n\n{cause}\n\n"
    "## What went well\n\nThe alert fired.\n\n## What could be improved\n\nRunbooks.\n\n## Action items\n"
)
HOSTILE_TITLE = "<script>alert(1)</script> [click](javascript:alert(1)) | **bold** `tick`"
HOSTILE_OWNER = "<img src=x onerror=alert(2)>"
HOSTILE_ACTION = "Add 2 checks ](javascript:alert(3)) <b>now</b> | cell"
HOSTILE_EVENT = "Paged <b>team</b> | [x](javascript:alert(4))"  # the text as parsed


def postmortem(front: str, rows: list[tuple[str, str]], summary: str = "Checkout failed.", cause: str = "") -> str:
    table = "".join(f"| {time} | {event} |\n" for time, event in rows)
    cause = cause or "A pool-size change shipped without a load test."
    return f"---\n{front.strip()}\n---\n\n" + BODY.format(summary=summary, rows=table, cause=cause)


CHECKOUT_ROWS = [
    ("14:02", "Pool resized to 20 connections"),
    ("14:19", "Alert fired for checkout latency"),
    ("14:30", "Paged the database team"),
    ("14:51", "Rolled back"),
]
CHECKOUT_ITEMS = """\
action_items:
  - action: Page on-call when pool use exceeds 85% for 3 minutes
    owner: "@sre-team"
    due: 2026-10-18
  - action: Add a load test for 2 pool sizes
    owner: "@payments"
    due: 2026-10-25
  - action: Write a runbook for 1 pool resize
    owner: "@payments"
    due: 2026-11-01
  - action: Review pool defaults in 4 services
    owner: "@dba"
    due: 2026-11-15
  - action: Remove the 2 old dashboards
    owner: "@sre-team"
    due: 2026-11-20
  - action: Document the 3 failover steps
    owner: "@dba"
    due: 2026-09-20
    status: done
    completed: 2026-08-30
"""
CHECKOUT_BASE = postmortem(
    f"""
title: Checkout timeouts
date: 2026-03-04
severity: SEV2
status: in-review
services: [checkout]
tags: [database]
started: 2026-03-04T14:02:00Z
detected: 2026-03-04T14:19:00Z
mitigated: 2026-03-04T14:51:00Z
resolved: 2026-03-04T16:10:00Z
review_by: 2026-12-01
impact: {{users_affected: 100, customer_facing: true}}
{CHECKOUT_ITEMS}""",
    CHECKOUT_ROWS,
)
CHECKOUT_ITEMS_AFTER = """\
action_items:
  - action: Page on-call when pool use exceeds 85% for 3 minutes
    owner: "@sre-team"
    due: 2026-10-18
    status: done
    completed: 2026-08-28
  - action: Add a load test for 2 pool sizes
    owner: "@payments"
    due: 2026-11-08
  - action: Write a runbook for 1 pool resize
    owner: "@platform"
    due: 2026-11-01
  - action: Review the connection-pool defaults of all 4 services
    owner: "@dba"
    due: 2026-11-15
  - action: Document the 3 failover steps
    owner: "@dba"
    due: 2026-09-20
    status: open
  - action: Alert on 5 failed checkouts per minute
    owner: "@sre-team"
    due: 2026-12-01
"""
CHECKOUT_AFTER = postmortem(
    f"""
title: Checkout timeouts after a connection-pool resize
date: 2026-03-04
severity: SEV1
status: published
services: [checkout, payments-db]
tags: [database, deploy]
visibility: public
started: 2026-03-04T14:02:00Z
detected: 2026-03-04T14:17:00Z
mitigated: 2026-03-04T14:51:00Z
resolved: 2026-03-04T16:40:00Z
review_by: 2026-12-01
impact: {{users_affected: 18400, customer_facing: true, revenue: 62000}}
{CHECKOUT_ITEMS_AFTER}""",
    [
        ("14:02", "Pool resized to 20 connections"),
        ("14:17", "Alert fired for checkout latency"),
        ("14:51", "Rolled back the pool resize"),
        ("16:40", "Declared resolved"),
    ],
    cause="A pool-size change shipped without a load test of 2 sizes.",
)
DNS = postmortem(
    """
title: Internal DNS outage
date: 2026-05-10
severity: SEV3
action_items:
  - action: Add a second resolver in 2 zones
    owner: "@network"
    due: 2026-10-01
""",
    [("09:00", "Resolution failed")],
)
# An error (an item without owner) in a file the branch never touches: not the branch's fault.
UNTOUCHED = postmortem(
    """
title: Untouched queue backlog
date: 2026-06-01
severity: SEV3
action_items:
  - action: Cap the queue at 10000 messages
    due: 2026-10-01
""",
    [("08:00", "Backlog grew")],
)
CACHE = postmortem(
    """
title: Cache eviction storm
date: 2026-07-01
severity: SEV3
review_by: 2026-12-01
action_items:
  - action: Limit evictions to 100 per second
    owner: "@platform"
    due: 2026-10-10
""",
    [("10:00", "Evictions spiked"), ("10:20", "Limit raised")],
)
HOSTILE = postmortem(
    f"""
title: '{HOSTILE_TITLE}'
date: 2026-08-02
severity: SEV4
tags: ['<b>tag</b>']
action_items:
  - action: '{HOSTILE_ACTION}'
    owner: '{HOSTILE_OWNER}'
    due: 2026-10-30
""",
    [("11:00", "".join("\\" + c if c in "<>|[]()" else c for c in HOSTILE_EVENT))],
)


def git(root: Path, *args: str, when: str = "2026-08-01T12:00:00+00:00") -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
        "GIT_AUTHOR_NAME": "Priya Raman",
        "GIT_AUTHOR_EMAIL": "priya@example.com",
        "GIT_COMMITTER_NAME": "Priya Raman",
        "GIT_COMMITTER_EMAIL": "priya@example.com",
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": str(root),
    }
    done = subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True)
    return done.stdout


def write(root: Path, files: dict[str, str | None]) -> None:
    """Write (or, for None, delete) files under the repository."""
    for name, text in files.items():
        path = root / name
        if text is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


BASE_FILES: dict[str, str | None] = {
    "mkdocs.yml": MKDOCS_YML,
    "postmortems/index.md": "# Incidents\n",
    "postmortems/2026/2026-03-04-checkout.md": CHECKOUT_BASE,
    "postmortems/2026/2026-05-10-dns.md": DNS,
    "postmortems/2026/2026-06-01-untouched.md": UNTOUCHED,
    "postmortems/2026/2026-07-01-cache.md": CACHE,
}


def base_repo(root: Path) -> Path:
    """main: four post-mortems (one with an error) and an index page, in two commits."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    write(root, {k: v for k, v in BASE_FILES.items() if "checkout" not in k})
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "First post-mortems", when="2026-07-02T09:00:00+00:00")
    write(root, {"postmortems/2026/2026-03-04-checkout.md": CHECKOUT_BASE})
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Checkout timeouts, in review", when="2026-07-03T09:00:00+00:00")
    return root


def feature_branch(root: Path) -> Path:
    """`feature`: the checkout post-mortem corrected, DNS removed, cache renamed, one added."""
    base_repo(root)
    git(root, "checkout", "-q", "-b", "feature")
    write(
        root,
        {
            "postmortems/2026/2026-03-04-checkout.md": CHECKOUT_AFTER,
            "postmortems/2026/2026-05-10-dns.md": None,
            "postmortems/2026/2026-08-02-hostile.md": HOSTILE,
        },
    )
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Corrections from the responders", when="2026-08-03T09:00:00+00:00")
    git(root, "mv", "postmortems/2026/2026-07-01-cache.md", "postmortems/2026/2026-07-01-cache-eviction.md")
    hostile_row = "".join("\\" + c if c in "<>|[]()" else c for c in HOSTILE_EVENT)
    cache = CACHE.replace(
        "10:20 | Limit raised |\n", f"10:20 | Limit raised to 500 per second |\n| 10:30 | {hostile_row} |\n"
    )
    write(root, {"postmortems/2026/2026-07-01-cache-eviction.md": cache})
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Cache: a clearer name", when="2026-08-04T09:00:00+00:00")
    return root
