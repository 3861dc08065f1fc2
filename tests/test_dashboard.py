"""The action-item dashboard (/actions/) and the exports behind it, on real builds.

Every expected number below is derived by hand from this table, with today = 2026-11-25 (write_site
sets `today:`). Due soon by default: open, not overdue, due on or before 2026-12-09 (14 days).

    item  post-mortem                status       prio  owner          due         completed   today makes of it
    G1    gateway (pub 2026-08-01)   open         P0    @gateway-team  2026-09-01              overdue 85 days
    G2    gateway                    in-progress  P1    @gateway-team  2026-11-24              overdue 1 day
    G3    gateway                    done         P2    @auth-team     2026-09-15  2026-09-10  on time
    G4    gateway                    wont-do      P3    @auth-team     2026-09-01              past due, not overdue
    G5    gateway                    open         P1    -              2026-11-20              overdue 5 days, no owner
    S1    search (pub 2026-11-01)    open         P2    @search-team   2026-11-25              due today: soon, not late
    S2    search                     open         P3    @search-team   2026-12-09              day 14: soon (the edge)
    S3    search                     in-progress  P0    @Search-Team   2026-12-10              day 15: not soon at 14
    S4    search                     open         P2*   @search-team   -                       no due date
    S5    search                     done         P1    @search-team   2026-11-01  2026-11-05  late
    B1    billing (pub 2026-05-10)   done         P0    @billing       2026-06-01  2026-06-01  on time (same day)
    B2    billing                    open         P2    -              -                       no owner, no due date
    B3    billing                    done         P3    @billing       -           2026-06-01  not judged (no due)
    B4    billing                    wont-do      P1    -              2026-05-30  2026-05-20  closed: not unassigned
    Q1    queue (pub 2026-11-20)     open         P3    @queue-team    2026-12-25              day 30: soon at 30 only
    Q2    queue                      done         P2    @queue-team    2026-11-22  2026-11-22  on time (same day)
    D1    draft (draft)              open         P0    @draft-owner   2026-11-01              hidden
    R1    in-review (in-review)      open         P1    @review-owner  2026-11-02              hidden
    (* = priority not written: the default P2)

    post-mortem  id                                 services          review
    gateway      2026-08-01-gateway-outage          gateway, auth     review_by default 2026-08-31: overdue 86 days
    search       2026-11-01-search-index-lag        search            review_by default 2026-12-01: in 6 days
    billing      2026-05-10-billing-double-charge   billing, gateway  reviewed 2026-06-20: never listed
    queue        2026-11-20-queue-backlog           queue             review_by 2026-12-20: in 25 days (30-day window)
    draft        2026-11-22-draft-incident          draft-only        hidden
    in-review    2026-11-10-in-review-incident      gateway           hidden
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import feedparser
import icalendar
import pytest
import yaml
from bs4 import BeautifulSoup, Tag
from jsonschema import Draft202012Validator, FormatChecker

from sitebuild import article, build_site, incident, page, write_site

D = dt.date
BODY = incident("unused").split("---\n", 2)[2]

GATEWAY = "2026-08-01-gateway-outage"
SEARCH = "2026-11-01-search-index-lag"
BILLING = "2026-05-10-billing-double-charge"
QUEUE = "2026-11-20-queue-backlog"
DRAFT = "2026-11-22-draft-incident"
IN_REVIEW = "2026-11-10-in-review-incident"
TITLES = {
    GATEWAY: "Gateway outage after a TLS rotation",
    SEARCH: "Search index lag after a mapping change",
    BILLING: "Billing double charge on retry",
    QUEUE: "Queue backlog during a consumer deploy",
    DRAFT: "Draft incident still being written",
    IN_REVIEW: "Incident still in review",
}


def postmortem(meta: dict[str, Any]) -> str:
    """A post-mortem file with every section; the front matter written by a YAML library, so any
    string (quotes, angle brackets, newlines) reaches the plugin exactly as given."""
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=10_000)
    return f"---\n{front}---\n{BODY}"


def item(action: str, owner: str | None, due: dt.date | None, **more: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"action": action}
    if owner is not None:
        found["owner"] = owner
    if due is not None:
        found["due"] = due
    found.update(more)
    return found


def corpus() -> dict[str, str]:
    gateway = [
        item(
            "G1 Alert when TLS expiry < 14 days",
            "@gateway-team",
            D(2026, 9, 1),
            priority="P0",
            ticket="acme/gateway#12",
        ),
        item(
            "G2 Rotate certificates by pipeline in 2 steps",
            "@gateway-team",
            D(2026, 11, 24),
            priority="P1",
            status="in-progress",
            ticket="https://tracker.example/browse/GW-7",
        ),
        item(
            "G3 Add a canary for auth tokens, 1 per region",
            "@auth-team",
            D(2026, 9, 15),
            priority="P2",
            status="done",
            completed=D(2026, 9, 10),
        ),
        item("G4 Replace the gateway by 2027", "@auth-team", D(2026, 9, 1), priority="P3", status="wont-do"),
        item("G5 Page on 5xx above 1% for 5 min", None, D(2026, 11, 20), priority="P1"),
    ]
    search = [
        item(
            "S1 Block mapping changes without 1 reindex dry run",
            "@search-team",
            D(2026, 11, 25),
            priority="P2",
            ticket="http://legacy-tracker.example/issue?id=5&view=full",
        ),
        item("S2 Alert when index lag > 60 s", "@search-team", D(2026, 12, 9), priority="P3"),
        item("S3 Shard the index into 4 parts", "@Search-Team", D(2026, 12, 10), priority="P0", status="in-progress"),
        item("S4 Document the 3 reindex steps", "@search-team", None),
        item(
            "S5 Add 2 replicas",
            "@search-team",
            D(2026, 11, 1),
            priority="P1",
            status="done",
            completed=D(2026, 11, 5),
        ),
    ]
    billing = [
        item(
            "B1 Make retries idempotent with 1 key per charge",
            "@billing",
            D(2026, 6, 1),
            priority="P0",
            status="done",
            completed=D(2026, 6, 1),
        ),
        item("B2 Reconcile charges every 24 h", None, None, priority="P2"),
        item("B3 Refund the 12 customers", "@billing", None, priority="P3", status="done", completed=D(2026, 6, 1)),
        item(
            "B4 Move billing to 1 new vendor",
            None,
            D(2026, 5, 30),
            priority="P1",
            status="wont-do",
            completed=D(2026, 5, 20),
        ),
    ]
    queue = [
        item("Q1 Autoscale consumers at 1000 messages", "@queue-team", D(2026, 12, 25), priority="P3"),
        item(
            "Q2 Drain the queue before 1 deploy",
            "@queue-team",
            D(2026, 11, 22),
            priority="P2",
            status="done",
            completed=D(2026, 11, 22),
        ),
    ]
    metas: dict[str, dict[str, Any]] = {
        GATEWAY: {"date": D(2026, 8, 1), "services": ["gateway", "auth"], "action_items": gateway},
        SEARCH: {"date": D(2026, 11, 1), "services": ["search"], "action_items": search},
        BILLING: {
            "date": D(2026, 5, 10),
            "services": ["billing", "gateway"],
            "reviewed": D(2026, 6, 20),
            "action_items": billing,
        },
        QUEUE: {"date": D(2026, 11, 20), "services": ["queue"], "review_by": D(2026, 12, 20), "action_items": queue},
        DRAFT: {
            "date": D(2026, 11, 22),
            "status": "draft",
            "services": ["draft-only"],
            "action_items": [item("D1 Hidden draft item", "@draft-owner", D(2026, 11, 1), priority="P0")],
        },
        IN_REVIEW: {
            "date": D(2026, 11, 10),
            "status": "in-review",
            "services": ["gateway"],
            "action_items": [item("R1 Hidden review item", "@review-owner", D(2026, 11, 2), priority="P1")],
        },
    }
    files = {}
    for pm_id, meta in metas.items():
        front = {"title": TITLES[pm_id], "date": meta.pop("date"), "severity": "SEV2", **meta}
        files[f"{pm_id[:4]}/{pm_id}.md"] = postmortem(front)
    return files


PUBLISHED = {GATEWAY: 5, SEARCH: 5, BILLING: 4, QUEUE: 2}  # items per published post-mortem
CONFIGURED = "      forge_url: https://forge.example\n      due_soon_days: 30\n      review_window_days: 30\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus with the default options: due soon within 14 days, reviews 14 days ahead, no forge."""
    return build_site(write_site(tmp_path_factory.mktemp("dashboard"), corpus()))


@pytest.fixture(scope="module")
def configured(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same corpus with forge_url, due_soon_days: 30 and review_window_days: 30."""
    return build_site(write_site(tmp_path_factory.mktemp("configured"), corpus(), options=CONFIGURED))


# --- what the page says -----------------------------------------------------------------------------


def words(element: Tag) -> str:
    return " ".join(element.get_text(" ").split())


def counts(body: Tag) -> dict[str, str]:
    found = {}
    for li in body.select("ul.pm-counts > li[data-count]"):
        strong = li.select_one("strong")
        assert strong is not None, li
        found[str(li["data-count"])] = strong.get_text()
    return found


def view(body: Tag, heading_id: str) -> Tag:
    """The table right under `<h2 id=heading_id>` (views are a heading, then a table or a sentence)."""
    heading = body.find("h2", id=heading_id)
    assert isinstance(heading, Tag), f"no heading #{heading_id}"
    table = heading.find_next_sibling()
    assert isinstance(table, Tag) and table.name == "table", f"#{heading_id} is followed by {table}"
    return table


def rows(table: Tag) -> list[list[str]]:
    return [[words(td) for td in tr.find_all("td")] for tr in table.select("tbody tr")]


def filter_links(table: Tag) -> list[tuple[str, dict[str, list[str]], str]]:
    """(link text, query, fragment) of each row's link: the views link into the live table."""
    found = []
    for a in table.select("tbody tr td:first-child a"):
        href = urlsplit(str(a["href"]))
        assert (href.scheme, href.netloc, href.path) == ("", "", ""), f"not a same-page link: {a['href']}"
        found.append((words(a), parse_qs(href.query), href.fragment))
    return found


def resolve(site: Path, page_url: str, href: object) -> Path:
    target = (site / page_url / str(href)).resolve()
    return target / "index.html" if target.is_dir() else target


def page_title(site: Path, file: Path) -> str:
    h1 = BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser").select_one("article h1")
    assert h1 is not None, file
    return words(h1)


# --- counts -------------------------------------------------------------------------------------------

# open:        G1 G5 S1 S2 S4 B2 Q1          = 7
# in progress: G2 S3                         = 2
# overdue:     G1 (85 d) G5 (5 d) G2 (1 d)   = 3   (G4 and B4 are past due but closed; D1, R1 are hidden)
# due soon 14: S1 (day 0) S2 (day 14)        = 2   (S3 is day 15, Q1 day 30)
# due soon 30: S1 S2 S3 Q1                   = 4
# done:        G3 S5 B1 B3 Q2                = 5
# won't do:    G4 B4                         = 2   (7 + 2 + 5 + 2 = 16 items of published post-mortems)
# on time:     judged = done with due and completed = G3 S5 B1 Q2 (B3 has no due) = 4;
#              on time = G3 (09-10 <= 09-15), B1 (same day), Q2 (same day) = 3; S5 is late -> 3/4 = 75%
COUNTS = {"open": "7", "in-progress": "2", "overdue": "3", "done": "5", "wont-do": "2", "on-time": "75%"}


def test_counts_at_the_top(site: Path) -> None:
    body = article(site, "actions")
    assert counts(body) == {**COUNTS, "due-soon": "2"}
    texts = {str(li["data-count"]): words(li) for li in body.select("ul.pm-counts > li")}
    assert texts["due-soon"] == "2 due in the next 14 days"
    assert texts["on-time"] == "75% done on time (3 of 4)"
    assert texts["wont-do"] == "2 won't do"
    overdue = body.select_one("li[data-count=overdue]")
    assert overdue is not None and "pm-count-overdue" in overdue.get_attribute_list("class")
    count = body.select_one("[data-pm-count]")
    assert count is not None and words(count) == "Loading 16 items…"  # until the script has the data


def test_counts_follow_the_configured_window(configured: Path) -> None:
    body = article(configured, "actions")
    assert counts(body) == {**COUNTS, "due-soon": "4"}
    due_soon = body.select_one("li[data-count=due-soon]")
    assert due_soon is not None and words(due_soon) == "4 due in the next 30 days"


def test_counts_with_nothing_open_and_nothing_to_judge(tmp_path: Path) -> None:
    """Only closed items, none of them datable: the views say so instead of drawing empty tables."""
    meta = {
        "title": "All done",
        "date": D(2026, 11, 1),
        "severity": "SEV3",
        "reviewed": D(2026, 11, 20),
        "action_items": [
            item("Done without a due date, 1 step", "@a", None, status="done", completed=D(2026, 11, 2)),
            item("Dropped, 1 step", "@b", D(2026, 11, 3), status="wont-do"),
        ],
    }
    body = article(build_site(write_site(tmp_path, {"2026/2026-11-01-all-done.md": postmortem(meta)})), "actions")
    assert counts(body) == {
        "open": "0",
        "in-progress": "0",
        "overdue": "0",
        "due-soon": "0",
        "done": "1",
        "wont-do": "1",
        "on-time": "—",  # no done item has both dates
    }
    overdue = body.select_one("li[data-count=overdue]")
    assert overdue is not None and "pm-count-overdue" not in overdue.get_attribute_list("class")
    for heading, sentence in [
        ("by-owner", "No open items."),
        ("by-service", "No open items on a named service."),
        ("unassigned", "Every open item has an owner and a due date."),
        ("reviews", "No effectiveness review is overdue or due in the next 14 days."),
    ]:
        h2 = body.find("h2", id=heading)
        assert isinstance(h2, Tag)
        after = h2.find_next_sibling()
        assert isinstance(after, Tag) and after.name == "p" and words(after) == sentence, heading
    assert rows(view(body, "by-priority")) == [[p, "0", "0"] for p in ("P0", "P1", "P2", "P3")]


# --- views --------------------------------------------------------------------------------------------


def test_by_owner_lists_open_and_overdue_items_most_overdue_first(site: Path) -> None:
    # open items by owner (owners compare without case: S3's @Search-Team is @search-team):
    #   @gateway-team G1 G2      open 2, overdue 2
    #   (no owner)    G5 B2      open 2, overdue 1 (G5)
    #   @search-team  S1-S4      open 4, overdue 0
    #   @queue-team   Q1         open 1, overdue 0
    # @auth-team and @billing have only closed items: not listed. Order: overdue, then open, descending.
    table = view(article(site, "actions"), "by-owner")
    assert rows(table) == [
        ["@gateway-team", "2", "2"],
        ["(no owner)", "2", "1"],
        ["@search-team", "4", "0"],
        ["@queue-team", "1", "0"],
    ]
    assert filter_links(table) == [
        ("@gateway-team", {"owner": ["@gateway-team"]}, "all-items"),
        ("(no owner)", {"owner": ["(no owner)"]}, "all-items"),
        ("@search-team", {"owner": ["@search-team"]}, "all-items"),
        ("@queue-team", {"owner": ["@queue-team"]}, "all-items"),
    ]


def test_by_priority_lists_every_priority(site: Path) -> None:
    # open items: P0 G1 (overdue) S3; P1 G2 G5 (both overdue); P2 S1 S4 B2; P3 S2 Q1
    table = view(article(site, "actions"), "by-priority")
    assert rows(table) == [["P0", "2", "1"], ["P1", "2", "2"], ["P2", "3", "0"], ["P3", "2", "0"]]
    assert [(text, query) for text, query, _ in filter_links(table)] == [
        (p, {"priority": [p]}) for p in ("P0", "P1", "P2", "P3")
    ]


def test_by_service_counts_an_item_for_every_service_of_its_postmortem(site: Path) -> None:
    # gateway: G1 G2 G5 (gateway post-mortem) + B2 (billing) = open 4, overdue 3
    # auth:    G1 G2 G5                                        = open 3, overdue 3
    # search:  S1-S4 = open 4, overdue 0; billing: B2 = 1, 0; queue: Q1 = 1, 0 (billing < queue by name)
    # The in-review post-mortem's overdue R1 on `gateway` and the draft's `draft-only` count nowhere.
    table = view(article(site, "actions"), "by-service")
    assert rows(table) == [
        ["gateway", "4", "3"],
        ["auth", "3", "3"],
        ["search", "4", "0"],
        ["billing", "1", "0"],
        ["queue", "1", "0"],
    ]
    assert [(text, query) for text, query, _ in filter_links(table)] == [
        (s, {"service": [s]}) for s in ("gateway", "auth", "search", "billing", "queue")
    ]


def test_items_without_owner_or_due_date(site: Path) -> None:
    # open items missing an owner or a due date, overdue first: G5 (overdue, no owner), then the
    # undated ones by post-mortem id: B2 (2026-05-10-..., neither) before S4 (2026-11-01-..., no due).
    # B4 has no owner but is closed (won't do), B3 has no due but is done: neither is listed.
    body = article(site, "actions")
    table = view(body, "unassigned")
    assert rows(table) == [
        ["G5 Page on 5xx above 1% for 5 min", "owner", TITLES[GATEWAY]],
        ["B2 Reconcile charges every 24 h", "owner and due date", TITLES[BILLING]],
        ["S4 Document the 3 reindex steps", "due date", TITLES[SEARCH]],
    ]
    for a, pm_id in zip(table.select("tbody a"), [GATEWAY, BILLING, SEARCH], strict=True):
        target = resolve(site, "actions", a["href"])
        assert target == (site / "2026" / pm_id / "index.html").resolve()
        assert page_title(site, target) == TITLES[pm_id]


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        # window 14 days (until 2026-12-09): gateway's default review 2026-08-01 + 30 = 2026-08-31 is
        # 86 days overdue (30 + 31 + 25); search's 2026-11-01 + 30 = 2026-12-01 is in 6 days; queue's
        # 2026-12-20 is 25 days away: outside. Billing was reviewed; the draft is hidden.
        ("site", [(GATEWAY, "2026-08-31", "overdue 86 days"), (SEARCH, "2026-12-01", "in 6 days")]),
        # window 30 days (until 2026-12-25): queue's review comes in.
        (
            "configured",
            [
                (GATEWAY, "2026-08-31", "overdue 86 days"),
                (SEARCH, "2026-12-01", "in 6 days"),
                (QUEUE, "2026-12-20", "in 25 days"),
            ],
        ),
    ],
)
def test_effectiveness_reviews_due(
    request: pytest.FixtureRequest, fixture: str, expected: list[tuple[str, ...]]
) -> None:
    site: Path = request.getfixturevalue(fixture)
    table = view(article(site, "actions"), "reviews")
    assert rows(table) == [[TITLES[pm_id], due, state] for pm_id, due, state in expected]
    for tr, (pm_id, *_) in zip(table.select("tbody tr"), expected, strict=True):
        a = tr.select_one("a")
        assert a is not None
        target = resolve(site, "actions", a["href"])
        assert target == (site / "2026" / pm_id / "index.html").resolve() and target.is_file()
        assert page_title(site, target) == TITLES[pm_id]


def test_overdue_review_rows_carry_the_overdue_class(site: Path) -> None:
    raw = (site / "actions" / "index.html").read_text(encoding="utf-8")
    assert "class=&#34;" not in raw
    trs = view(article(site, "actions"), "reviews").select("tbody tr")
    assert [tr.get("class") for tr in trs] == [["pm-overdue"], None]  # gateway overdue, search not


def test_filters_offer_the_published_names_only(site: Path) -> None:
    body = article(site, "actions")

    def options(field: str) -> list[str]:
        return [str(o["value"]) for o in body.select(f"select[data-pm-field={field}] option")]

    assert options("owner") == [
        "",
        "(no owner)",
        "@auth-team",
        "@billing",
        "@gateway-team",
        "@queue-team",
        "@search-team",
    ]
    assert options("service") == ["", "auth", "billing", "gateway", "queue", "search"]
    assert options("priority") == ["", "P0", "P1", "P2", "P3"]
    assert options("status") == ["", "active", "overdue", "due-soon", "open", "in-progress", "done", "wont-do"]
    live = body.select_one("[data-pm-dashboard]")
    assert live is not None
    assert resolve(site, "actions", live["data-src"]) == (site / "api" / "actions.json").resolve()
    sorts = [str(b["data-pm-sort"]) for b in live.select("th button[data-pm-sort]")]
    assert sorts == ["action", "owner", "due", "priority", "status", "ticket", "postmortem_title", "age_days"]


def test_drafts_and_reviews_in_progress_are_left_out(site: Path) -> None:
    body = article(site, "actions")
    data = (site / "api" / "actions.json").read_text(encoding="utf-8")
    calendar = (site / "actions.ics").read_text(encoding="utf-8")
    for hidden in ("@draft-owner", "@review-owner", "D1 Hidden", "R1 Hidden", "draft-only", DRAFT, IN_REVIEW):
        assert hidden not in str(body), hidden
        assert hidden not in data, hidden
        assert hidden not in calendar, hidden
    assert TITLES[DRAFT] not in str(body) and TITLES[IN_REVIEW] not in str(body)


# --- api/actions.json --------------------------------------------------------------------------------

# label: (post-mortem, number, owner, due, priority, status, completed, overdue, due soon at 14, due soon
#         at 30, days overdue, age in days, ticket); N is None, T and F are True and False
# age: from the incident's date to `completed` when closed with one, else to 2026-11-25:
#   gateway 2026-08-01 -> today 116 (30 + 30 + 31 + 25), -> 09-10 40; search 2026-11-01 -> today 24, -> 11-05 4;
#   billing 2026-05-10 -> today 199 (21 + 30 + 31 + 31 + 30 + 31 + 25), -> 06-01 22, -> 05-20 10;
#   queue 2026-11-20 -> today 5, -> 11-22 2. G4 (won't do, no completed date) ages to today.
N, T, F = None, True, False
REF, GW7 = "acme/gateway#12", "https://tracker.example/browse/GW-7"
LEGACY = "http://legacy-tracker.example/issue?id=5&view=full"
ITEMS: dict[str, tuple[Any, ...]] = {
    "G1": (GATEWAY, 1, "@gateway-team", "2026-09-01", "P0", "open",        N,            T, F, F, 85, 116, REF),
    "G2": (GATEWAY, 2, "@gateway-team", "2026-11-24", "P1", "in-progress", N,            T, F, F, 1,  116, GW7),
    "G3": (GATEWAY, 3, "@auth-team",    "2026-09-15", "P2", "done",        "2026-09-10", F, F, F, N,  40,  N),
    "G4": (GATEWAY, 4, "@auth-team",    "2026-09-01", "P3", "wont-do",     N,            F, F, F, N,  116, N),
    "G5": (GATEWAY, 5, N,               "2026-11-20", "P1", "open",        N,            T, F, F, 5,  116, N),
    "S1": (SEARCH,  1, "@search-team",  "2026-11-25", "P2", "open",        N,            F, T, T, N,  24,  LEGACY),
    "S2": (SEARCH,  2, "@search-team",  "2026-12-09", "P3", "open",        N,            F, T, T, N,  24,  N),
    "S3": (SEARCH,  3, "@Search-Team",  "2026-12-10", "P0", "in-progress", N,            F, F, T, N,  24,  N),
    "S4": (SEARCH,  4, "@search-team",  N,            "P2", "open",        N,            F, F, F, N,  24,  N),
    "S5": (SEARCH,  5, "@search-team",  "2026-11-01", "P1", "done",        "2026-11-05", F, F, F, N,  4,   N),
    "B1": (BILLING, 1, "@billing",      "2026-06-01", "P0", "done",        "2026-06-01", F, F, F, N,  22,  N),
    "B2": (BILLING, 2, N,               N,            "P2", "open",        N,            F, F, F, N,  199, N),
    "B3": (BILLING, 3, "@billing",      N,            "P3", "done",        "2026-06-01", F, F, F, N,  22,  N),
    "B4": (BILLING, 4, N,               "2026-05-30", "P1", "wont-do",     "2026-05-20", F, F, F, N,  10,  N),
    "Q1": (QUEUE,   1, "@queue-team",   "2026-12-25", "P3", "open",        N,            F, F, T, N,  5,   N),
    "Q2": (QUEUE,   2, "@queue-team",   "2026-11-22", "P2", "done",        "2026-11-22", F, F, F, N,  2,   N),
}  # fmt: skip
# Overdue first (longest overdue first), then open by due date (undated last, by post-mortem id),
# then closed ones by due date (undated last).
ORDER = ["G1", "G5", "G2", "S1", "S2", "S3", "Q1", "B2", "S4", "B4", "B1", "G4", "G3", "S5", "Q2", "B3"]
SERVICES = {GATEWAY: ["gateway", "auth"], SEARCH: ["search"], BILLING: ["billing", "gateway"], QUEUE: ["queue"]}


def load_json(site: Path, name: str) -> Any:
    return json.loads((site / "api" / name).read_text(encoding="utf-8"))


def by_label(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    records = {r["key"]: r for r in data["items"]}
    return {label: records[f"{spec[0]}#{spec[1]}"] for label, spec in ITEMS.items()}


@pytest.mark.parametrize("fixture", ["site", "configured"])
def test_actions_json_has_one_record_per_published_item(request: pytest.FixtureRequest, fixture: str) -> None:
    site: Path = request.getfixturevalue(fixture)
    data = load_json(site, "actions.json")
    assert data["today"] == "2026-11-25"
    assert len(data["items"]) == sum(PUBLISHED.values()) == 16
    assert [r["key"] for r in data["items"]] == [f"{ITEMS[label][0]}#{ITEMS[label][1]}" for label in ORDER]
    soon_at = 2 if fixture == "configured" else 1  # index of the due-soon flag for this window
    for label, record in by_label(data).items():
        pm_id, _, owner, due, priority, status, completed, overdue, *soon, days_overdue, age, ticket = ITEMS[label]
        assert {
            "postmortem": record["postmortem"],
            "postmortem_title": record["postmortem_title"],
            "action": record["action"].split(" ")[0],
            "owner": record["owner"],
            "due": record["due"],
            "priority": record["priority"],
            "status": record["status"],
            "completed": record["completed"],
            "overdue": record["overdue"],
            "due_soon": record["due_soon"],
            "days_overdue": record["days_overdue"],
            "age_days": record["age_days"],
            "ticket": record["ticket"],
            "services": record["services"],
        } == {
            "postmortem": pm_id,
            "postmortem_title": TITLES[pm_id],
            "action": label,
            "owner": owner,
            "due": due,
            "priority": priority,
            "status": status,
            "completed": completed,
            "overdue": overdue,
            "due_soon": soon[soon_at - 1],
            "days_overdue": days_overdue,
            "age_days": age,
            "ticket": ticket,
            "services": SERVICES[pm_id],
        }, label
        # the record's page is the post-mortem's page in this site
        target = site / record["url"] / "index.html"
        assert record["url"] == f"2026/{pm_id}/" and target.is_file(), record["url"]
        assert page_title(site, target) == TITLES[pm_id]
    assert sum(r["overdue"] for r in data["items"]) == int(COUNTS["overdue"])


@pytest.mark.parametrize(
    ("fixture", "forge_link"),
    [("site", None), ("configured", "https://forge.example/acme/gateway/issues/12")],
)
def test_actions_json_ticket_urls(request: pytest.FixtureRequest, fixture: str, forge_link: str | None) -> None:
    """URLs as given; owner/repo#N through the forge when one is configured; null otherwise."""
    records = by_label(load_json(request.getfixturevalue(fixture), "actions.json"))
    assert records["G1"]["ticket_url"] == forge_link
    assert records["G2"]["ticket_url"] == GW7
    assert records["S1"]["ticket_url"] == LEGACY
    assert {label for label, r in records.items() if r["ticket_url"] is None} == (
        set(ITEMS) - {"G2", "S1"} - ({"G1"} if forge_link else set())
    )


@pytest.mark.parametrize("fixture", ["site", "configured"])
@pytest.mark.parametrize("name", ["actions", "postmortems"])
def test_exports_validate_against_their_schemas(request: pytest.FixtureRequest, fixture: str, name: str) -> None:
    site: Path = request.getfixturevalue(fixture)
    schema = load_json(site, f"{name}.schema.json")
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(load_json(site, f"{name}.json"))]
    assert not errors, errors


def test_schema_refuses_a_record_with_a_wrong_type(site: Path) -> None:
    """The schema is not vacuous: a record that breaks it is caught."""
    schema = load_json(site, "actions.schema.json")
    data = load_json(site, "actions.json")
    data["items"][0]["overdue"] = "yes"
    del data["items"][1]["key"]
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    assert sorted(e.validator for e in validator.iter_errors(data)) == ["required", "type"]


def test_postmortems_json_counts_match_the_items(site: Path) -> None:
    records = {r["id"]: r for r in load_json(site, "postmortems.json")["postmortems"]}
    assert set(records) == set(PUBLISHED)
    # open / overdue per post-mortem, from the table: gateway G1 G2 G5 open, all overdue;
    # search S1-S4 open, none overdue; billing B2 open; queue Q1 open.
    assert {i: (r["action_items"], r["open_action_items"], r["overdue_action_items"]) for i, r in records.items()} == {
        GATEWAY: (5, 3, 3),
        SEARCH: (5, 4, 0),
        BILLING: (4, 1, 0),
        QUEUE: (2, 1, 0),
    }
    assert {i: r["review_by"] for i, r in records.items()} == {
        GATEWAY: "2026-08-31",
        SEARCH: "2026-12-01",
        BILLING: "2026-06-09",  # 2026-05-10 + 30, though reviewed on 2026-06-20
        QUEUE: "2026-12-20",
    }


def test_calendar_has_the_open_dated_items(site: Path) -> None:
    # open or in progress with a due date: G1 G5 G2 (overdue) S1 S2 S3 Q1; S4 and B2 have no date.
    calendar = icalendar.Calendar.from_ical((site / "actions.ics").read_bytes())
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    labels = ["G1", "G5", "G2", "S1", "S2", "S3", "Q1"]
    assert list(events) == [f"{ITEMS[x][0]}#{ITEMS[x][1]}@mkdocs-postmortems" for x in labels]
    for label, event in zip(labels, events.values(), strict=True):
        assert event.decoded("dtstart") == dt.date.fromisoformat(ITEMS[label][3])
        assert str(event["summary"]).startswith(f"[{ITEMS[label][4]}] {label} ")
        categories = event["categories"]
        assert isinstance(categories, icalendar.vCategory)
        category = [str(c) for c in categories.cats]
        assert category == (["overdue"] if ITEMS[label][7] else ["open"]), label


# --- hostile strings ------------------------------------------------------------------------------

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "javascript:alert(3)",
    "</textarea><svg onload=alert(4)>",
    "' onmouseover='alert(5)",
    "&lt;b&gt; AT&T {{ 7*7 }} [x](javascript:alert(6))",
]
EVIL = "2026-10-20-evil"
EVIL_TITLE = f"{PAYLOADS[0]} {PAYLOADS[1]} title"
INJECTION = "line one\nDTSTART:19700101T000000Z\nEND:VEVENT\nBEGIN:VEVENT 5"  # a calendar line break attempt
EVIL_ITEMS = [
    # action, owner, due, more
    item(f"{PAYLOADS[1]} 1", PAYLOADS[2], D(2026, 11, 1), priority="P0", ticket="https://tracker.example/T-1?a=1&b=2"),
    item(f"{PAYLOADS[0]} 2", PAYLOADS[1], D(2026, 12, 1), priority="P1", status="in-progress", ticket="acme/repo#7"),
    item(f"{PAYLOADS[3]} 3", PAYLOADS[0], None, kind="detect", addresses=PAYLOADS[3]),
    item(f"{PAYLOADS[5]} 4", None, None, priority="P3"),
    item(INJECTION, PAYLOADS[4], D(2026, 12, 2), priority="P2", ticket="acme/ops#12"),
]
EVIL_META: dict[str, Any] = {
    "title": EVIL_TITLE,
    "date": D(2026, 10, 20),  # review due 2026-11-19: overdue 6 days, so the title is in that view too
    "severity": "SEV2",
    "summary": PAYLOADS[0],
    "services": [PAYLOADS[0], PAYLOADS[1], PAYLOADS[2]],
    "tags": [PAYLOADS[3], PAYLOADS[4], PAYLOADS[5]],
    "authors": [PAYLOADS[1]],
    "contributing_factors": [PAYLOADS[3]],
    "action_items": EVIL_ITEMS,
}
REFUSED = "2026-11-02-refused-ticket"


def hostile_files() -> dict[str, str]:
    """A published post-mortem with a payload in every field, and one whose ticket is javascript:
    (refused by the schema: the post-mortem is invalid, so none of its items is listed)."""
    refused = {
        "title": "Refused ticket",
        "date": D(2026, 11, 2),
        "severity": "SEV3",
        "action_items": [item("Refused item 9", "@refused-owner", D(2026, 11, 3), ticket="javascript:alert(9)")],
    }
    return {f"2026/{EVIL}.md": postmortem(EVIL_META), f"2026/{REFUSED}.md": postmortem(refused)}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    options = "      forge_url: https://forge.example\n"
    return build_site(write_site(tmp_path_factory.mktemp("hostile"), hostile_files(), options=options))


def safe_href(href: str) -> bool:
    return urlsplit(href.strip()).scheme.lower() in ("", "http", "https")


def test_hostile_strings_are_escaped_on_the_dashboard(hostile: Path) -> None:
    raw = (hostile / "actions" / "index.html").read_text(encoding="utf-8")
    body = article(hostile, "actions")
    handlers = [(el.name, a) for el in body.find_all(True) for a in el.attrs if a.lower().startswith("on")]
    assert handlers == []
    assert body.find_all(["script", "img", "svg", "textarea", "iframe", "object"]) == []
    scripts = page(hostile, "actions").find_all("script")
    assert [s for s in scripts if "alert(" in s.get_text() or "alert(" in str(s.get("src", ""))] == []
    for payload in ("<script>alert(1)", "<img src=x", "<svg onload", "</textarea>"):
        assert payload not in raw, payload
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    hrefs = [str(a["href"]) for a in body.find_all(href=True)]
    assert hrefs and [h for h in hrefs if not safe_href(h)] == []

    text = body.get_text()
    assert "{{ 7*7 }}" in text and "49" not in text  # data, never a template
    assert "&lt;b&gt; AT&T" in text  # not unescaped a second time
    unassigned = rows(view(body, "unassigned"))
    assert unassigned == [
        [words_of(f"{PAYLOADS[3]} 3"), "due date", words_of(EVIL_TITLE)],
        [words_of(f"{PAYLOADS[5]} 4"), "owner and due date", words_of(EVIL_TITLE)],
    ]
    reviews = rows(view(body, "reviews"))
    assert reviews == [[words_of(EVIL_TITLE), "2026-11-19", "overdue 6 days"]]

    owners = [str(o["value"]) for o in body.select("select[data-pm-field=owner] option")]
    assert sorted(owners) == sorted(["", "(no owner)", PAYLOADS[0], PAYLOADS[1], PAYLOADS[2], PAYLOADS[4]])
    services = [str(o["value"]) for o in body.select("select[data-pm-field=service] option")]
    assert sorted(services) == sorted(["", PAYLOADS[0], PAYLOADS[1], PAYLOADS[2]])
    # the view links carry the names, URL-encoded, into the live table's filter
    owner_links = {text: query for text, query, _ in filter_links(view(body, "by-owner"))}
    assert owner_links == {
        words_of(o): {"owner": [o]} for o in (PAYLOADS[2], PAYLOADS[1], PAYLOADS[0], PAYLOADS[4], "(no owner)")
    }
    service_links = {text: query for text, query, _ in filter_links(view(body, "by-service"))}
    assert service_links == {words_of(s): {"service": [s]} for s in EVIL_META["services"]}
    assert "Refused item 9" not in raw and "@refused-owner" not in raw and "alert(9)" not in raw


def words_of(text: str) -> str:
    return " ".join(text.split())


def test_hostile_strings_round_trip_through_the_json(hostile: Path) -> None:
    data = load_json(hostile, "actions.json")
    records = {r["key"]: r for r in data["items"]}
    assert set(records) == {f"{EVIL}#{n}" for n in range(1, 6)}  # nothing of the refused post-mortem
    for number, spec in enumerate(EVIL_ITEMS, start=1):
        record = records[f"{EVIL}#{number}"]
        assert record["action"] == spec["action"]
        assert record["owner"] == spec.get("owner")
        assert record["postmortem_title"] == EVIL_TITLE
        assert record["services"] == EVIL_META["services"]
        assert record["addresses"] == spec.get("addresses")
        assert record["url"] == f"2026/{EVIL}/" and (hostile / record["url"] / "index.html").is_file()
    ticket_urls = [r["ticket_url"] for r in data["items"]]
    assert [u for u in ticket_urls if u is not None and not u.startswith(("https://", "http://"))] == []
    assert records[f"{EVIL}#1"]["ticket_url"] == "https://tracker.example/T-1?a=1&b=2"
    assert records[f"{EVIL}#2"]["ticket_url"] == "https://forge.example/acme/repo/issues/7"
    assert "alert(9)" not in (hostile / "api" / "actions.json").read_text(encoding="utf-8")

    (postmortem_record,) = load_json(hostile, "postmortems.json")["postmortems"]
    for key in ("title", "summary", "services", "tags", "authors", "contributing_factors"):
        assert postmortem_record[key] == EVIL_META[key], key
    for name in ("actions", "postmortems"):
        validator = Draft202012Validator(load_json(hostile, f"{name}.schema.json"), format_checker=FormatChecker())
        assert [e.message for e in validator.iter_errors(load_json(hostile, f"{name}.json"))] == []


def test_hostile_strings_are_text_in_the_calendar(hostile: Path) -> None:
    raw = (hostile / "actions.ics").read_text(encoding="utf-8")
    lines = raw.splitlines()
    # the payload's line breaks are escaped: no property or component is injected
    assert [line for line in lines if line.startswith("DTSTART:1970")] == []
    assert sum(line == "BEGIN:VEVENT" for line in lines) == sum(line == "END:VEVENT" for line in lines) == 3
    events = {str(e["uid"]): e for e in icalendar.Calendar.from_ical(raw.encode()).walk("VEVENT")}
    # open with a due date: items 1, 2 and 5; 3 and 4 have none
    assert set(events) == {f"{EVIL}#{n}@mkdocs-postmortems" for n in (1, 2, 5)}
    for number in (1, 2, 5):
        spec = EVIL_ITEMS[number - 1]
        event = events[f"{EVIL}#{number}@mkdocs-postmortems"]
        assert str(event["summary"]) == f"[{spec['priority']}] {spec['action']}"
        description = str(event["description"])
        assert f"Owner: {spec['owner']}\n" in description
        assert f"Post-mortem: {EVIL_TITLE}" in description
        assert f"Ticket: {spec['ticket']}" in description


def test_hostile_strings_are_text_in_the_feed(hostile: Path) -> None:
    data = (hostile / "feed.xml").read_bytes()
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    (entry,) = parsed.entries
    assert entry.title == f"[SEV2] {EVIL_TITLE}"
    assert sorted(t.term for t in entry.tags) == sorted(EVIL_META["tags"])
    # feedparser may clean what it takes for HTML: read the XML itself for the exact text too
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(data)
    (xml_entry,) = root.findall("a:entry", ns)
    assert xml_entry.findtext("a:title", namespaces=ns) == f"[SEV2] {EVIL_TITLE}"
    assert xml_entry.findtext("a:summary", namespaces=ns) == PAYLOADS[0]
    assert [a.findtext("a:name", namespaces=ns) for a in xml_entry.findall("a:author", ns)] == EVIL_META["authors"]
    assert sorted(c.get("term") or "" for c in xml_entry.findall("a:category", ns)) == sorted(EVIL_META["tags"])
    links = [link.get("href") or "" for link in root.iter("{http://www.w3.org/2005/Atom}link")]
    assert [h for h in links if not safe_href(h)] == []
