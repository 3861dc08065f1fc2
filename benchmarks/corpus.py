"""A synthetic repository of post-mortems for the benchmarks: N post-mortems, 5 action items each.

Every file is valid for the model (plugins/mkdocs_postmortems/model.py) and passes the checks
that are errors: title, date and severity set; timestamps with a time zone, in order; every
action item owned and dated, with a digit so it is never vague; `completed` on done items;
`addresses` only naming the post-mortem's own contributing factors; no blame phrase and no
author's name in Root causes; Timeline rows with full dates, in order. Warnings the data itself
causes (overdue items and reviews, at info level in the build log) are left in on purpose: a real
repository has them and the dashboard shows them.

The output is deterministic: the same N and seed write the same bytes.

    .venv/bin/python benchmarks/corpus.py /tmp/corpus 1000
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

TODAY = dt.date(2026, 11, 25)  # the `today:` of the generated mkdocs.yml
ITEMS_PER_POSTMORTEM = 5
SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4")
FACTORS = (
    "change-management",
    "testing-gap",
    "monitoring-gap",
    "capacity",
    "dependency",
    "configuration",
    "process",
)
KINDS = ("prevent", "detect", "mitigate", "process")

_SERVICE_WORDS = (
    "checkout", "payments", "search", "auth", "billing", "catalog", "inventory", "shipping", "orders", "cart",
    "ledger", "notifications", "email", "sms", "push", "cdn", "dns", "gateway", "identity", "profile",
    "recommendations", "pricing", "tax", "fraud", "reporting", "analytics", "ingest", "export", "queue",
    "scheduler", "storage", "backup", "cache", "session", "media", "thumbnails", "uploads", "webhooks",
    "partner-api", "mobile-api", "admin", "support-console", "feature-flags", "config-service", "metrics",
    "logging", "tracing", "build", "deploy", "vpn",
)  # fmt: skip
_TEAM_WORDS = (
    "platform", "sre", "dba", "network", "payments", "search", "identity", "web", "mobile", "data", "infra",
    "security", "billing", "growth", "edge", "storage", "release", "observability", "support", "catalog",
)  # fmt: skip
_FIRST = (
    "Priya", "Noor", "Tomasz", "Amara", "Kenji", "Lucia", "Oskar", "Farah", "Mateo", "Ingrid", "Daniel",
    "Chidi", "Yara", "Henrik", "Aisha", "Ravi", "Elena", "Jonas", "Mei", "Samir",
)  # fmt: skip
_LAST = (
    "Raman", "Haddad", "Nowak", "Okafor", "Tanaka", "Ferreira", "Lind", "Aziz", "Rossi", "Berg", "Kowalski",
    "Mensah", "Costa", "Larsen", "Khan", "Iyer", "Petrova", "Weber", "Chen", "Nasser",
)  # fmt: skip
_COMMON_TAGS = (
    "deploy", "database", "latency", "timeouts", "config", "certificates", "capacity", "failover", "cache",
    "rate-limit", "migration", "dns", "memory", "disk", "network", "retry-storm", "queue-backlog", "cron",
    "third-party", "rollback",
)  # fmt: skip
_TAG_WORDS = (
    "alpha", "beta", "gamma", "delta", "north", "south", "east", "west", "blue", "green", "amber", "red",
    "night", "weekend", "peak", "batch", "canary", "shard", "replica", "quota", "token", "ttl", "hotfix",
)  # fmt: skip
_SYMPTOMS = (
    "timeouts", "elevated error rate", "stale results", "slow responses", "failed logins", "dropped messages",
    "duplicate charges", "missing emails", "partial outage", "full outage", "queue backlog", "disk full",
)  # fmt: skip
_CAUSES = (
    "a connection-pool resize", "a certificate expiry", "a config change", "a schema migration",
    "a dependency upgrade", "a cache TTL change", "a failover", "a traffic spike", "a cron overlap",
    "a DNS change", "a feature-flag rollout", "a node replacement",
)  # fmt: skip
_ACTIONS = (
    "Alert when p99 latency of {service} exceeds {n}0 ms for {m} minutes",
    "Cap the {service} connection pool at {n}00 connections per node",
    "Add a load test of {service} at {m} times the peak to the release pipeline",
    "Reject {service} config changes that raise the TTL above {n}00 seconds",
    "Run a failover drill of {service} every {m} weeks and record the time to recover",
    "Page the {service} on-call when the queue holds more than {n}000 messages",
    "Keep {m} spare nodes for {service} during the sale weeks",
    "Add a runbook step {m} for the {service} rollback and time it in the next game day",
    "Expire {service} certificates no sooner than {n}0 days after the renewal alert",
    "Limit {service} retries to {m} with {n}00 ms of backoff",
)  # fmt: skip
_WELL = (
    "The alert fired within 4 minutes of the first errors.",
    "The rollback was one command and took under 10 minutes.",
    "The incident channel was opened early and kept a clear log.",
    "Support escalated after the third similar report.",
)
_IMPROVE = (
    "Nothing limited the blast radius of the change.",
    "The dashboard showed averages, which hid the slow tail.",
    "The runbook did not cover this failure mode.",
    "The change was reviewed without a load test.",
)


def _pool(rng: random.Random) -> dict[str, list[str]]:
    """The names the post-mortems draw from: ~200 owners, 50 services, ~500 tags, 40 authors."""
    owners = [f"@{w}-team" for w in _TEAM_WORDS]
    owners += [f"@{first.lower()}.{last.lower()}" for first in _FIRST for last in _LAST]
    rng.shuffle(owners)
    tags = list(_COMMON_TAGS) + [f"{a}-{b}-{n}" for a in _TAG_WORDS for b in _TAG_WORDS[:4] for n in range(5)]
    return {
        "owners": sorted(owners[:200]),
        "services": list(_SERVICE_WORDS),
        "tags": tags[:500],
        "authors": [f"{first} {last}" for first, last in zip(_FIRST * 2, _LAST + _LAST[::-1], strict=True)],
    }


def _weighted(rng: random.Random, names: list[str], k: int) -> list[str]:
    """k distinct names, the first ones of the list far more often (a long tail, as in real use)."""
    weights = [1 / (rank + 1) for rank in range(len(names))]
    chosen: list[str] = []
    while len(chosen) < k:
        name = rng.choices(names, weights)[0]
        if name not in chosen:
            chosen.append(name)
    return chosen


def _stamp(when: dt.datetime, rng: random.Random) -> str:
    """An ISO timestamp, in UTC or with an offset (the same instant either way)."""
    offset = rng.choice((0, 0, 0, 1, 2, -5))
    if offset == 0:
        return when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return when.astimezone(dt.timezone(dt.timedelta(hours=offset))).isoformat()


def _item(
    rng: random.Random, pool: dict[str, list[str]], date: dt.date, services: list[str], factors: list[str]
) -> list[str]:
    service = rng.choice(services)
    text = rng.choice(_ACTIONS).format(service=service, n=rng.randint(1, 9), m=rng.randint(2, 9))
    # Due around today (overdue, due soon and later), never before the incident.
    due = max(TODAY + dt.timedelta(days=rng.randint(-150, 120)), date + dt.timedelta(days=rng.randint(7, 30)))
    status = rng.choices(("open", "in-progress", "done", "wont-do"), (40, 20, 30, 10))[0]
    lines = [
        f"  - action: {text}",
        f'    owner: "{_weighted(rng, pool["owners"], 1)[0]}"',
        f"    due: {due.isoformat()}",
        f"    priority: P{rng.choices((0, 1, 2, 3), (5, 25, 45, 25))[0]}",
        f"    status: {status}",
    ]
    if status == "done":
        completed = max(min(due + dt.timedelta(days=rng.randint(-20, 15)), TODAY), date)
        lines.append(f"    completed: {completed.isoformat()}")
    ticket = rng.random()
    if ticket < 0.4:
        lines.append(f"    ticket: acme/{service}#{rng.randint(1, 9999)}")
    elif ticket < 0.7:
        lines.append(f"    ticket: https://tracker.example.com/browse/OPS-{rng.randint(1, 99999)}")
    lines.append(f"    kind: {rng.choice(KINDS)}")
    if factors and rng.random() < 0.7:
        lines.append(f"    addresses: {rng.choice(factors)}")
    return lines


def postmortem(index: int, n: int, rng: random.Random, pool: dict[str, list[str]]) -> tuple[str, str]:
    """The (relative path, text) of post-mortem `index` of `n`."""
    # Spread over the three years before today, oldest first.
    date = TODAY - dt.timedelta(days=int(3 * 365 * (n - index) / n) + rng.randint(0, 3))
    services = _weighted(rng, pool["services"], rng.randint(1, 3))
    symptom = rng.choice(_SYMPTOMS)
    cause = rng.choice(_CAUSES)
    title = f"{services[0].capitalize()} {symptom} after {cause}"
    slug = f"{date.isoformat()}-{services[0]}-{index:05d}"
    factors = sorted(rng.sample(FACTORS, rng.randint(1, 3)))
    tags = _weighted(rng, pool["tags"], rng.randint(1, 3))
    authors = rng.sample(pool["authors"], rng.randint(1, 2))
    started = dt.datetime.combine(date, dt.time(rng.randint(0, 20), rng.randint(0, 59)), tzinfo=dt.timezone.utc)
    detected = started + dt.timedelta(minutes=rng.randint(1, 90))
    mitigated = detected + dt.timedelta(minutes=rng.randint(5, 120))
    resolved = mitigated + dt.timedelta(minutes=rng.randint(10, 600))
    reviewed = date + dt.timedelta(days=rng.randint(10, 40))
    front = [
        "---",
        f"title: {title}",
        f"date: {date.isoformat()}",
        f"severity: {rng.choices(SEVERITIES, (5, 20, 45, 30))[0]}",
        "status: published",  # all shown: N post-mortems give exactly 5 N items on the dashboard
        f"services: [{', '.join(services)}]",
        f"tags: [{', '.join(tags)}]",
        f"authors: [{', '.join(authors)}]",
        f"contributing_factors: [{', '.join(factors)}]",
        f"started: {_stamp(started, rng)}",
        f"detected: {_stamp(detected, rng)}",
        f"mitigated: {_stamp(mitigated, rng)}",
        f"resolved: {_stamp(resolved, rng)}",
        "impact:",
        f"  users_affected: {rng.randint(0, 50000)}",
        f"  revenue: {rng.randint(0, 200) * 100}",
        f"  customer_facing: {rng.choice(('true', 'false'))}",
        "  data_loss: false",
    ]
    if reviewed < TODAY and rng.random() < 0.8:  # most reviews held; the others show as due or overdue
        front.append(f"reviewed: {reviewed.isoformat()}")
    front.append("action_items:")
    for _ in range(ITEMS_PER_POSTMORTEM):
        front += _item(rng, pool, date, services, factors)
    front.append("---")
    rows = [
        (started, f"Impact begins on {services[0]}"),
        (detected, "Alert fires and the on-call acknowledges"),
        (mitigated, "Change rolled back; error rate back to normal"),
        (resolved, "Backlog drained and the incident closed"),
    ]
    timeline = "\n".join(f"| {when.strftime('%Y-%m-%d %H:%M')} | {event} |" for when, event in rows)
    body = f"""
## Summary

On {date.isoformat()} {services[0]} had {symptom} for {int((resolved - started).total_seconds() // 60)} minutes
after {cause}. About {rng.randint(1, 99)} percent of requests to {", ".join(services)} were affected.

## Timeline

| Time (UTC) | Event |
|---|---|
{timeline}

## Impact

Requests to {", ".join(services)} saw {symptom}; {rng.randint(1, 500)} support tickets were opened.

## Root causes

The rollout of {cause} on {services[0]} was not limited to one zone, and the alert on the
{rng.choice(_SERVICE_WORDS)} dependency measured averages rather than the slow tail.

## What went well

{rng.choice(_WELL)}

## What could be improved

{rng.choice(_IMPROVE)}

## Action items

Tracked in the front matter.
"""
    return f"{date.year}/{slug}.md", "\n".join(front) + "\n" + body


def mkdocs_yml(site_name: str) -> str:
    factors = "".join(f"        - {f}\n" for f in FACTORS)
    return (
        f"site_name: {site_name}\n"
        "docs_dir: postmortems\n"
        "theme:\n"
        "  name: material\n"
        "  font: false\n"
        "plugins:\n"
        "  - search\n"
        "  - postmortems:\n"
        f"      today: {TODAY.isoformat()}\n"
        "      contributing_factors:\n"
        f"{factors}"
    )


def write_corpus(root: Path, n: int, seed: int = 2026) -> Path:
    """Write a repository of `n` post-mortems into `root` (which must not hold one); returns mkdocs.yml."""
    rng = random.Random(seed)
    pool = _pool(rng)
    docs = root / "postmortems"
    docs.mkdir(parents=True, exist_ok=True)
    for index in range(n):
        relative, text = postmortem(index, n, rng, pool)
        path = docs / relative
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    config = root / "mkdocs.yml"
    config.write_text(mkdocs_yml(f"Benchmark, {n} post-mortems"), encoding="utf-8")
    return config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path, help="folder to write the repository into")
    parser.add_argument("n", type=int, help="number of post-mortems (5 action items each)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    print(write_corpus(args.root, args.n, args.seed))


if __name__ == "__main__":
    main()
