"""A realistic repository of post-mortems for benchmarks/run.py: N files of ~150 lines in git.

Each post-mortem has the front matter of benchmarks/corpus.py (whose word pools and helpers it
reuses) with 3 to 5 action items, and a full body: Summary (two paragraphs), a 15-row Timeline
table, Impact (with a list), Root causes (one numbered item per contributing factor, two
subsections), What went well, What could be improved, Action items and Supporting information.
Every file is valid for the model and passes the checks that are errors (see corpus.py for what
that means); the only findings are the overdue items and reviews the data is meant to have, and
at most a few `writeup-late` warnings (a SEV1 file batched into a commit more than 48 hours
after its incident's date). All are warnings, so strict builds pass.

The git history is written in one `git fast-import` stream (never one `git commit` per commit):
`commits` commits with fixed author dates and offsets, by the post-mortems' authors. About 3/5
of the commits add the files in batches, in the order of their incidents (each batch a day or
so after its incidents); about 3/8 edit files added earlier (a file edited k times is added as a
shorter draft and reaches its final text at its last edit); a few rename a file from the name
of its first draft to its final name. The work tree and the index match HEAD at the end.

Beside the post-mortems (docs folder `postmortems/`) it writes, and commits first:

- `mkdocs.yml`: Material (`font: false`) with `search` and `postmortems` (`today:` fixed, the
  contributing factors), as benchmarks/corpus.py writes it;
- `mkdocs-plain.yml`: the plain Material build of the same docs folder, `search` only, no
  post-mortems plugin; every page is left out of the nav (`not_in_nav`), as the plugin leaves
  the incident pages out of its nav.

The output is deterministic: the same N, commits and seed write the same bytes and the same
commit ids.

    .venv/bin/python benchmarks/realistic.py /tmp/realistic 1000 --commits 400
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import random
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from corpus import (
    _CAUSES,
    _IMPROVE,
    _SERVICE_WORDS,
    _SYMPTOMS,
    _WELL,
    FACTORS,
    SEVERITIES,
    TODAY,
    _item,
    _pool,
    _stamp,
    _weighted,
    mkdocs_yml,
)

DOCS = "postmortems"  # the docs folder, relative to the repository root
END = dt.datetime.combine(TODAY, dt.time(18), tzinfo=dt.timezone.utc)  # no commit after this

_ZONES = ("eu-west-1a", "eu-west-1b", "us-east-1a", "us-east-1c", "ap-south-1a")
_ONSET = (
    "Error rate on {svc} rises above {n} percent",
    "p99 latency of {svc} reaches {n}00 ms",
    "First customer report of {symptom}",
    "Synthetic check of {svc} fails in {zone}",
    "Queue depth of {svc} passes {n}000 messages",
    "Connection errors from {svc} to its database in {zone}",
)
_RESPONSE = (
    "On-call opens the incident channel",
    "Incident commander assigned; status page updated",
    "Dashboards line up the errors with {cause}",
    "Rollback of the last change to {svc} started",
    "Traffic to {svc} shifted away from {zone}",
    "Support told to expect reports of {symptom}",
    "{svc} scaled from {n} to {m} nodes",
    "Feature flag of the new {svc} path turned off",
    "Second responder joins from the {svc} team",
    "Retries from {svc} clients capped at {n} per minute",
)
_RECOVERY = (
    "Error rate back under 0.1 percent",
    "Backlog of {n}000 messages drained",
    "Caches of {svc} warm again",
    "Status page set to monitoring",
    "Retries from partners tail off",
    "Failed jobs of {svc} re-run",
    "Last alert on {svc} resolves",
)
_FACTOR_TEXT = {
    "change-management": "The change reached every zone at once: the rollout of {svc} had no canary stage.",
    "testing-gap": "The load tests of {svc} ran at a tenth of the peak traffic, so the new limit never showed.",
    "monitoring-gap": "The alert on {svc} measured average latency, which stayed flat while the slow tail grew.",
    "capacity": "{svc} ran at {n}0 percent of its capacity before the change, with no headroom for retries.",
    "dependency": "{svc} called {dep} with a timeout longer than its own, so slow calls piled up.",
    "configuration": "The new value was right for one region and wrong for the {n} others.",
    "process": "The runbook step for this failure was {n} months old and named a retired dashboard.",
}
_MORE_WELL = (
    "The incident commander handed over cleanly at the shift change.",
    "Customers were told within 15 minutes through the status page.",
    "The change log made the trigger obvious in the first 10 minutes.",
    "Feature flags let the team turn the new path off without a deploy.",
)
_MORE_IMPROVE = (
    "The alert went to a channel that nobody watches at night.",
    "Two dashboards disagreed about the error rate for 20 minutes.",
    "Paging the database team took three attempts.",
    "The status page update waited for an approval that nobody on shift could give.",
)


@dataclass
class Postmortem:
    index: int
    path: str  # relative to the repository root, at HEAD
    text: str
    date: dt.date
    severity: str
    authors: list[str]


def _timeline(
    rng: random.Random, services: list[str], symptom: str, cause: str, stamps: tuple[dt.datetime, ...]
) -> list[str]:
    """15 rows in time order: the four front-matter timestamps and 11 events between them."""
    started, detected, mitigated, resolved = stamps
    span = int((resolved - started).total_seconds() // 60)
    extra = sorted(started + dt.timedelta(minutes=rng.randint(0, span)) for _ in range(11))
    rows = [
        (started, 0, f"Impact begins on {services[0]}: {symptom}"),
        (detected, 1, "Alert fires and the on-call acknowledges"),
        (mitigated, 1, "Mitigation in place; error rate back to normal"),
        (resolved, 1, "Incident closed after a quiet hour"),
    ]
    for when in extra:
        pool = _ONSET if when < detected else _RESPONSE if when < mitigated else _RECOVERY
        text = rng.choice(pool).format(
            svc=rng.choice(services),
            symptom=symptom,
            cause=cause,
            zone=rng.choice(_ZONES),
            n=rng.randint(2, 9),
            m=rng.randint(10, 40),
        )
        rows.append((when, 2, text))
    rows.sort(key=lambda row: (row[0], row[1]))
    return [f"| {when.strftime('%Y-%m-%d %H:%M')} | {text} |" for when, _, text in rows]


def postmortem(index: int, n: int, rng: random.Random, pool: dict[str, list[str]]) -> Postmortem:
    """Post-mortem `index` of `n`: ~150 lines, 3 to 5 action items, a 15-row timeline."""
    date = TODAY - dt.timedelta(days=int(3 * 365 * (n - index) / n) + rng.randint(0, 3))
    services = _weighted(rng, pool["services"], rng.randint(1, 3))
    svc = services[0]
    symptom = rng.choice(_SYMPTOMS)
    cause = rng.choice(_CAUSES)
    dep = rng.choice([s for s in _SERVICE_WORDS if s not in services])
    title = f"{svc.capitalize()} {symptom} after {cause}"
    slug = f"{date.isoformat()}-{svc}-{index:05d}"
    severity = rng.choices(SEVERITIES, (5, 20, 45, 30))[0]
    factors = sorted(rng.sample(FACTORS, rng.randint(1, 3)))
    tags = _weighted(rng, pool["tags"], rng.randint(1, 4))
    authors = rng.sample(pool["authors"], rng.randint(1, 3))
    started = dt.datetime.combine(date, dt.time(rng.randint(0, 20), rng.randint(0, 59)), tzinfo=dt.timezone.utc)
    detected = started + dt.timedelta(minutes=rng.randint(1, 90))
    mitigated = detected + dt.timedelta(minutes=rng.randint(5, 120))
    resolved = mitigated + dt.timedelta(minutes=rng.randint(10, 600))
    reviewed = date + dt.timedelta(days=rng.randint(10, 40))
    users = rng.randint(0, 50000)
    revenue = rng.randint(0, 200) * 100
    front = [
        "---",
        f"title: {title}",
        f"date: {date.isoformat()}",
        f"severity: {severity}",
        "status: published",
        f"services: [{', '.join(services)}]",
        f"tags: [{', '.join(tags)}]",
        f"authors: [{', '.join(authors)}]",
        f"contributing_factors: [{', '.join(factors)}]",
        f"started: {_stamp(started, rng)}",
        f"detected: {_stamp(detected, rng)}",
        f"mitigated: {_stamp(mitigated, rng)}",
        f"resolved: {_stamp(resolved, rng)}",
        "impact:",
        f"  users_affected: {users}",
        f"  revenue: {revenue}",
        f"  customer_facing: {'true' if users else 'false'}",
        "  data_loss: false",
    ]
    if reviewed < TODAY and rng.random() < 0.8:
        front.append(f"reviewed: {reviewed.isoformat()}")
    front.append("action_items:")
    for _ in range(rng.randint(3, 5)):
        front += _item(rng, pool, date, services, factors)
    front.append("---")

    minutes = int((resolved - started).total_seconds() // 60)
    timeline = _timeline(rng, services, symptom, cause, (started, detected, mitigated, resolved))
    causes = [
        f"{number}. " + _FACTOR_TEXT[factor].format(svc=svc, dep=dep, n=rng.randint(2, 9))
        for number, factor in enumerate(factors, 1)
    ]
    well = rng.sample((*_WELL, *_MORE_WELL), rng.randint(3, 4))
    improve = rng.sample((*_IMPROVE, *_MORE_IMPROVE), rng.randint(3, 4))
    zone = rng.choice(_ZONES)
    tickets = rng.randint(1, 500)
    partners = rng.randint(0, 12)
    body = [
        "",
        "## Summary",
        "",
        f"On {date.isoformat()} {svc} had {symptom} for {minutes} minutes after {cause}.",
        f"About {rng.randint(1, 99)} percent of requests to {', '.join(services)} were affected, starting in {zone}.",
        "",
        f"The incident was declared {severity} {int((detected - started).total_seconds() // 60)} minutes after the",
        f"first errors and mitigated {int((mitigated - detected).total_seconds() // 60)} minutes later. This",
        "write-up follows the blameless format: it describes what the system allowed, and what",
        "made each decision look right at the time it was made.",
        "",
        "## Timeline",
        "",
        "| Time (UTC) | Event |",
        "|---|---|",
        *timeline,
        "",
        "## Impact",
        "",
        f"Requests to {', '.join(services)} saw {symptom} for {minutes} minutes. The effect was",
        f"largest in {zone}, where most of the traffic of {svc} is served at that hour.",
        "",
        f"- {users} users saw {symptom}.",
        f"- {tickets} support tickets were opened, most of them in the first hour.",
        f"- Revenue at risk: about {revenue} in orders that were retried or abandoned.",
        "- No data was lost; every queued message was processed after the mitigation.",
        f"- {partners} partner integrations retried their requests and caught up on their own.",
        "",
        "### Customer communication",
        "",
        f"The status page named {svc} as degraded {rng.randint(5, 30)} minutes after the first errors, and",
        "support answered with a prepared message until the incident was closed.",
        "",
        "## Root causes",
        "",
        f"The trigger was {cause} on {svc}. Several conditions turned it into an incident:",
        "",
        *causes,
        "",
        "None of these alone would have caused the incident; together they removed every margin",
        f"that {svc} normally has at the evening peak.",
        "",
        "### Trigger",
        "",
        f"{cause.capitalize()} changed how {svc} used its connections to {dep}. Under the",
        "evening peak the new setting left too few connections for the retries it caused.",
        "",
        "### Why it was not caught earlier",
        "",
        f"The staging environment of {svc} carries a small share of the production traffic, and the",
        "change looked healthy there for two days. The alert that did fire measured the symptom",
        "at the edge, several minutes after the first errors.",
        "",
        "## What went well",
        "",
        *(f"- {line}" for line in well),
        "",
        "These are worth keeping: the next incident review checks that they still hold.",
        "",
        "## What could be improved",
        "",
        *(f"- {line}" for line in improve),
        "",
        f"The next game day of {svc} replays this incident, so the runbook and the alerts are",
        "tested against it before the next peak.",
        "",
        "## Action items",
        "",
        "The action items are in the front matter and on the dashboard; each has an owner and a",
        "due date, and the weekly operations review follows them until they are done.",
        "",
        "## Supporting information",
        "",
        f"- Dashboard: https://grafana.example.com/d/{svc}/overview",
        f"- Runbook: https://runbooks.example.com/{svc}",
        f"- Incident channel: https://chat.example.com/archives/inc-{index:05d}",
        f"- Logs: https://logs.example.com/search?service={svc}&incident={index:05d}",
        f"- Change record: https://changes.example.com/CHG-{rng.randint(1000, 99999)}",
        "",
    ]
    return Postmortem(index, f"{DOCS}/{date.year}/{slug}.md", "\n".join([*front, *body]), date, severity, authors)


def plain_yml(site_name: str) -> str:
    """The plain Material build of the same docs folder: search only, every page out of the nav."""
    return (
        f"site_name: {site_name}\n"
        f"docs_dir: {DOCS}\n"
        "theme:\n"
        "  name: material\n"
        "  font: false\n"
        "plugins:\n"
        "  - search\n"
        "not_in_nav: |\n"
        "  *.md\n"
    )


# --- the git history --------------------------------------------------------------------------


@dataclass
class _Commit:
    when: dt.datetime
    order: int  # adds first among commits of the same instant (never needed: kept stable)
    author: str
    message: str
    adds: list[int] = field(default_factory=list)
    edits: list[int] = field(default_factory=list)
    rename: int | None = None


_OFFSETS = (0, 0, 60, 60, 120, -300, -240, 330)  # minutes east of UTC, one per author


def _ident(author: str, when: dt.datetime) -> str:
    first, _, last = author.partition(" ")
    offset = _OFFSETS[sum(map(ord, author)) % len(_OFFSETS)]
    sign = "+" if offset >= 0 else "-"
    return (
        f"{author} <{first.lower()}.{last.lower()}@example.com> {int(when.timestamp())} "
        f"{sign}{abs(offset) // 60:02d}{abs(offset) % 60:02d}"
    )


def _plan(docs: list[Postmortem], commits: int, rng: random.Random) -> list[_Commit]:
    """`commits` commits: batches of adds in incident order, later edits, a few renames."""
    n = len(docs)
    renames = min(max(1, n // 100), commits // 20)
    edits = commits * 3 // 8
    adds = commits - edits - renames
    if adds > n:
        adds, edits = n, commits - n - renames
    adds = max(1, adds)
    edits = max(0, commits - adds - renames)
    # When each file's first draft is ready: a few hours to a day and a half after its date.
    ready = [
        dt.datetime.combine(d.date, dt.time(), tzinfo=dt.timezone.utc) + dt.timedelta(minutes=rng.randint(180, 2160))
        for d in docs
    ]
    order = sorted(range(n), key=lambda i: (ready[i], i))
    plan: list[_Commit] = []
    added_at = [END] * n
    cut = 0
    for batch in range(adds):
        members = order[cut : _cut(docs, order, cut, batch, adds)]
        cut += len(members)
        when = min(max(ready[i] for i in members), END)
        names = ", ".join(Path(docs[i].path).stem for i in members[:3]) + (", ..." if len(members) > 3 else "")
        plan.append(_Commit(when, 0, docs[members[0]].authors[0], f"Add {len(members)} post-mortem(s): {names}"))
        plan[-1].adds = members
        for i in members:
            added_at[i] = when
    by_time = sorted(range(n), key=lambda i: (added_at[i], i))
    times = [added_at[i] for i in by_time]
    everyone = sorted({a for d in docs for a in d.authors})
    for index in rng.sample(range(n), renames):
        when = min(added_at[index] + dt.timedelta(minutes=rng.randint(120, 14400)), END)
        plan.append(_Commit(when, 1, docs[index].authors[0], f"Rename {Path(docs[index].path).stem} to its final name"))
        plan[-1].rename = index
    for _ in range(edits):
        index = rng.randrange(n)
        when = min(added_at[index] + dt.timedelta(minutes=rng.randint(60, 90 * 24 * 60)), END)
        others = bisect.bisect_left(times, when)  # files committed before this instant
        touched = [index] + [by_time[rng.randrange(others)] for _ in range(rng.randint(0, 2)) if others]
        touched = list(dict.fromkeys(touched))
        author = rng.choice(docs[index].authors) if rng.random() < 0.7 else rng.choice(everyone)
        plan.append(_Commit(when, 2, author, f"Update {Path(docs[index].path).stem}: timeline and actions"))
        plan[-1].edits = touched
    plan.sort(key=lambda c: (c.when, c.order))
    return plan


def _cut(docs: list[Postmortem], order: list[int], start: int, batch: int, batches: int) -> int:
    """Where batch `batch` of `batches` (of files in `order`, from `start`) ends: near an equal
    share, moved to end on the most severe post-mortem close by, which then is committed soon
    after its incident (`writeup-late` gives SEV1 48 hours and SEV2 a week)."""
    n = len(order)
    nominal = (batch + 1) * n // batches
    if batch == batches - 1:
        return n
    width = max(0, (n // batches) // 2)
    lo, hi = max(start + 1, nominal - width), min(n - (batches - batch - 1), nominal + width)
    if lo >= hi:
        return max(start + 1, min(nominal, hi))
    return min(range(lo, hi + 1), key=lambda end: (docs[order[end - 1]].severity, abs(end - nominal)))


def _draft_name(doc: Postmortem) -> str:
    """The name of a renamed file's first draft."""
    folder, name = doc.path.rsplit("/", 1)
    return f"{folder}/draft-{doc.index:05d}-{name}"


def _version(doc: Postmortem, number: int, last: int) -> str:
    """Version `number` of `last` of the file (the last is its final text): earlier drafts lack
    the end of the body."""
    if number >= last:
        return doc.text
    lines = doc.text.split("\n")
    return "\n".join(lines[: max(len(lines) // 2, len(lines) - 12 * (last - number))]) + "\n"


def _stream(root_files: dict[str, str], docs: list[Postmortem], plan: list[_Commit]) -> Iterator[bytes]:
    """The fast-import commands of the history: the repository's own files come in the first commit."""
    versions = [0] * len(docs)
    edits = [0] * len(docs)
    for commit in plan:
        for i in commit.edits:
            edits[i] += 1
    renamed = {c.rename for c in plan if c.rename is not None}
    path = [_draft_name(d) if d.index in renamed else d.path for d in docs]

    def blob(name: str, text: str) -> bytes:
        data = text.encode("utf-8")
        return b"M 100644 inline %s\ndata %d\n%s\n" % (name.encode("utf-8"), len(data), data)

    for mark, commit in enumerate(plan, 1):
        ident = _ident(commit.author, commit.when).encode("utf-8")
        message = commit.message.encode("utf-8")
        parts = [
            b"commit refs/heads/main\nmark :%d\nauthor %s\ncommitter %s\ndata %d\n%s\n"
            % (mark, ident, ident, len(message), message)
        ]
        if mark > 1:
            parts.append(b"from :%d\n" % (mark - 1))
        else:
            parts += [blob(name, text) for name, text in root_files.items()]
        for i in commit.adds:
            parts.append(blob(path[i], _version(docs[i], 0, edits[i])))
        for i in commit.edits:
            versions[i] += 1
            parts.append(blob(path[i], _version(docs[i], versions[i], edits[i])))
        if commit.rename is not None:
            i = commit.rename
            parts.append(b"R %s %s\n" % (path[i].encode("utf-8"), docs[i].path.encode("utf-8")))
            path[i] = docs[i].path
        parts.append(b"\n")
        yield b"".join(parts)


def _git(root: Path, *args: str, stdin: bytes | None = None) -> str:
    done = subprocess.run(["git", "-C", str(root), *args], input=stdin, capture_output=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout.decode("utf-8", errors="replace")


def write_repository(root: Path, n: int, commits: int, seed: int = 2026) -> Path:
    """Write a git repository of `n` post-mortems and `commits` commits into `root` (which must
    not exist or be empty); returns the path of its mkdocs.yml (mkdocs-plain.yml is beside it)."""
    if n < 1 or commits < 1:
        raise ValueError("n and commits must be at least 1")
    root.mkdir(parents=True, exist_ok=True)
    if any(root.iterdir()):
        raise ValueError(f"{root} is not empty")
    rng = random.Random(seed)
    pool = _pool(rng)
    docs = [postmortem(index, n, rng, pool) for index in range(n)]
    site_name = f"Benchmark, {n} post-mortems"
    root_files = {
        "mkdocs.yml": mkdocs_yml(site_name),
        "mkdocs-plain.yml": plain_yml(f"{site_name} (plain Material)"),
        ".gitignore": "site/\n",
    }
    plan = _plan(docs, commits, rng)
    _git(root, "init", "-q", "-b", "main")
    importer = subprocess.Popen(
        ["git", "-C", str(root), "fast-import", "--quiet"], stdin=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert importer.stdin is not None and importer.stderr is not None
    try:
        for chunk in _stream(root_files, docs, plan):
            importer.stdin.write(chunk)
        importer.stdin.close()
    except BrokenPipeError:
        pass
    error = importer.stderr.read().decode(errors="replace")
    if importer.wait() != 0:
        raise RuntimeError(f"git fast-import failed: {error.strip()}")
    for name, text in root_files.items():
        (root / name).write_text(text, encoding="utf-8")
    for doc in docs:
        target = root / doc.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(doc.text, encoding="utf-8")
    _git(root, "reset", "-q")  # the index from HEAD; the work tree already matches it
    return root / "mkdocs.yml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path, help="folder to write the repository into (new or empty)")
    parser.add_argument("n", type=int, help="number of post-mortems")
    parser.add_argument("--commits", type=int, help="number of commits (default: 2 for every 5 post-mortems)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    started = time.perf_counter()
    config = write_repository(args.root, args.n, args.commits or max(1, args.n * 2 // 5), args.seed)
    print(f"{config} ({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
