"""Action items across post-mortems (actions.py) on a real repository with a fixed today.

The corpus and its hand-made table of expectations are in actions_corpus.py; every number below
is read off that table (TODAY = 2026-11-25), never computed a second way by the code under test.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from actions_corpus import (
    CLOSED,
    FILES,
    ID_A,
    ID_B,
    ID_C,
    ID_D,
    ID_E,
    ID_F,
    ID_G,
    KEYS,
    LABELS,
    ORDER_OPEN,
    PUBLISHED,
    TODAY,
    write_files,
)
from mkdocs_postmortems.actions import (
    NO_OWNER,
    ActionFilter,
    ActionRow,
    Tally,
    action_rows,
    by_owner,
    by_priority,
    by_service,
    reviews_due,
    stats,
    unassigned,
)
from mkdocs_postmortems.catalog import Catalog
from mkdocs_postmortems.load import discover, load_all
from mkdocs_postmortems.model import ItemStatus, Priority
from mkdocs_postmortems.settings import Settings


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("repo")
    write_files(root / "postmortems", FILES)
    return root


def make_catalog(root: Path, today: dt.date = TODAY, **options: object) -> Catalog:
    """As the CLI builds it: discover, load, Catalog."""
    settings = Settings.model_validate({"docs_dir": root / "postmortems", **options})
    docs = load_all(discover(settings), settings, root)
    assert all(not doc.findings for doc in docs), [f for doc in docs for f in doc.findings]
    return Catalog(docs, settings, today)


def rows_of(root: Path, today: dt.date = TODAY, **options: object) -> list[ActionRow]:
    catalog = make_catalog(root, today, **options)
    return action_rows(catalog, catalog.settings.due_soon_days)


def labels(rows: list[ActionRow]) -> list[str]:
    return [LABELS[row.key] for row in rows]


def by_label(rows: list[ActionRow]) -> dict[str, ActionRow]:
    return {LABELS[row.key]: row for row in rows}


def tallies(found: list[Tally]) -> list[tuple[str, int, int]]:
    return [(t.name, t.open, t.overdue) for t in found]


# -- which items ----------------------------------------------------------------------------


def test_only_published_post_mortems_items_are_listed(root: Path) -> None:
    catalog = make_catalog(root)
    rows = action_rows(catalog, 14)
    # A 4 + B 5 + C 4 + D 2 + E 2 = 17; the draft's F1 and the in-review G1 are left out.
    assert len(rows) == 17
    assert sorted(labels(rows)) == sorted(PUBLISHED)
    assert {d.id for d in catalog.hidden} == {ID_F, ID_G}
    assert {d.id for d in catalog.visible} == {ID_A, ID_B, ID_C, ID_D, ID_E}  # index.md is no post-mortem


def test_show_drafts_lists_draft_and_in_review_items(root: Path) -> None:
    rows = rows_of(root, show_drafts=True)
    assert sorted(labels(rows)) == sorted([*PUBLISHED, "F1", "G1"])
    found = by_label(rows)
    # F1 (draft) was due 2026-11-01: overdue by 24 days, between A1 (55) and A2 (1).
    assert found["F1"].overdue and found["F1"].days_overdue == 24
    assert labels(rows)[:3] == ["A1", "F1", "A2"]
    # G1 (in review) is due 2026-11-30: 5 days away, due soon.
    assert found["G1"].due_soon and not found["G1"].overdue


def test_row_key_number_and_owner(root: Path) -> None:
    found = by_label(rows_of(root))
    assert found["B3"].key == f"{ID_B}#3" and found["B3"].number == 3
    assert found["B3"].document.id == ID_B
    assert found["B3"].owner == "@Payments"  # as written
    assert found["B2"].owner == NO_OWNER == "(no owner)"
    assert found["B2"].item.owner is None


# -- overdue, due soon, days overdue, age ---------------------------------------------------


@pytest.mark.parametrize(
    ("label", "overdue", "days_overdue"),
    [
        ("A1", True, 55),  # open, due 2026-10-01: 30 days of October + 25 of November
        ("A2", True, 1),  # in progress, due yesterday
        ("B1", False, None),  # due today: not yet overdue
        ("B2", False, None),  # due in 14 days
        ("C3", False, None),  # due 2026-12-31
        ("B4", False, None),  # open without a due date
        ("C2", False, None),  # open without owner and due date
        ("A3", False, None),  # done, due in the past
        ("B5", False, None),  # done late, due in the past
        ("A4", False, None),  # wont-do, due 2026-10-01 (like A1)
        ("D2", False, None),  # wont-do, due 2026-11-23
        ("E2", False, None),  # done late
    ],
)
def test_overdue_and_days_overdue(root: Path, label: str, overdue: bool, days_overdue: int | None) -> None:
    row = by_label(rows_of(root))[label]
    assert row.overdue is overdue
    assert row.days_overdue == days_overdue


def test_due_today_is_due_soon_not_overdue(root: Path) -> None:
    b1 = by_label(rows_of(root))["B1"]
    assert b1.item.due == TODAY
    assert (b1.overdue, b1.due_soon, b1.days_overdue) == (False, True, None)


def test_closed_items_are_never_overdue_nor_due_soon(root: Path) -> None:
    # Move today so that every closed item's due date is either in the past or within the window.
    for today in (TODAY, dt.date(2026, 1, 10), dt.date(2026, 6, 25)):
        for row in rows_of(root, today):
            if row.item.status in (ItemStatus.DONE, ItemStatus.WONT_DO):
                assert not row.overdue and not row.due_soon and row.days_overdue is None, (today, row.key)


@pytest.mark.parametrize(
    ("label", "due_soon"),
    [
        ("B1", True),  # day 0
        ("E1", True),  # day 5
        ("D1", True),  # day 6
        ("B2", True),  # day 14: the edge, included
        ("B3", False),  # day 15
        ("C3", False),  # day 36
        ("B4", False),  # no due date
        ("C2", False),  # no due date
        ("A1", False),  # overdue is not "due soon"
        ("A2", False),
    ],
)
def test_due_soon_default_window_of_14_days(root: Path, label: str, due_soon: bool) -> None:
    assert by_label(rows_of(root))[label].due_soon is due_soon


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (0, {"B1"}),  # only what is due today
        (5, {"B1", "E1"}),
        (14, {"B1", "E1", "D1", "B2"}),
        (15, {"B1", "E1", "D1", "B2", "B3"}),
        (36, {"B1", "E1", "D1", "B2", "B3", "C3"}),
    ],
)
def test_due_soon_window_is_configurable(root: Path, days: int, expected: set[str]) -> None:
    catalog = make_catalog(root)
    assert {label for label, row in by_label(action_rows(catalog, days)).items() if row.due_soon} == expected
    # The same through the setting, as the CLI and the site pass it.
    via_settings = rows_of(root, due_soon_days=days)
    assert {label for label, row in by_label(via_settings).items() if row.due_soon} == expected


def test_due_soon_days_defaults_to_14() -> None:
    assert Settings().due_soon_days == 14
    assert Settings().review_window_days == 14


@pytest.mark.parametrize(
    ("label", "age"),
    [
        ("A1", 76),  # open: 2026-09-10 -> today: 20 (Sep) + 31 (Oct) + 25 (Nov)
        ("A2", 76),
        ("A3", 30),  # done 2026-10-10, incident 2026-09-10
        ("B1", 28),  # open: 2026-10-28 -> today: 3 + 25
        ("B5", 13),  # done 2026-11-10, incident 2026-10-28
        ("C1", 30),  # done 2026-07-01, incident 2026-06-01
        ("C2", 177),  # open: day 329 (Nov 25) - day 152 (Jun 1)
        ("C4", 19),  # done 2026-06-20
        ("D1", 5),  # open: 2026-11-20 -> today
        ("D2", 2),  # wont-do, completed 2026-11-22
        ("E1", 359),  # open: 2025-12-01 -> 2026-11-25 = 365 - 6
        ("E2", 62),  # done 2026-02-01, incident 2025-12-01: 31 + 31
    ],
)
def test_age_days(root: Path, label: str, age: int) -> None:
    assert by_label(rows_of(root))[label].age_days == age


def test_age_of_a_closed_item_does_not_move_with_today(root: Path) -> None:
    later = by_label(rows_of(root, dt.date(2027, 3, 1)))
    assert later["A3"].age_days == 30 and later["E2"].age_days == 62
    assert later["A1"].age_days == 172  # open: 76 + 6 (Nov) + 31 (Dec) + 31 (Jan) + 28 (Feb)


# -- order ------------------------------------------------------------------------------------


def test_order_overdue_first_then_open_by_due_then_closed(root: Path) -> None:
    order = labels(rows_of(root))
    # A1 (55 days late) before A2 (1 day); then open by due date: B1 11-25, E1 11-30, D1 12-01,
    # B2 12-09, B3 12-10, C3 12-31; then no due date (C2, B4: by post-mortem id); then the closed.
    assert order[:10] == ORDER_OPEN
    assert set(order[10:]) == CLOSED


def test_order_does_not_depend_on_file_order(tmp_path: Path, root: Path) -> None:
    # The same post-mortems written in another order and under other folders sort the same way.
    moved = {f"z/{name}" if name.startswith("2025") else name: text for name, text in reversed(FILES.items())}
    write_files(tmp_path / "postmortems", moved)
    assert labels(rows_of(tmp_path)) == labels(rows_of(root))


# -- stats --------------------------------------------------------------------------------------


def test_stats(root: Path) -> None:
    counts = stats(rows_of(root))
    assert counts.total == 17
    assert counts.open == 8  # A1 B1 B2 B4 C2 C3 D1 E1
    assert counts.in_progress == 2  # A2 B3
    assert counts.overdue == 2  # A1 A2
    assert counts.due_soon == 4  # B1 B2 D1 E1
    assert counts.done == 5  # A3 B5 C1 C4 E2
    assert counts.wont_do == 2  # A4 D2
    # Judged: done with due and completed: A3 (early), C1 (same day), B5 (late), E2 (late); C4 has no due.
    assert (counts.on_time, counts.done_with_dates) == (2, 4)
    assert counts.on_time_rate == 0.5


def test_stats_with_drafts_shown(root: Path) -> None:
    counts = stats(rows_of(root, show_drafts=True))
    assert (counts.total, counts.open, counts.overdue, counts.due_soon) == (19, 10, 3, 5)  # + F1 overdue, G1 soon


@pytest.mark.parametrize(
    ("chosen", "rate"),
    [
        ({"A3", "C1"}, 1.0),  # both on time (C1 on its due date)
        ({"B5", "E2"}, 0.0),  # both late
        ({"A3", "B5", "E2"}, 1 / 3),
        ({"C4", "A4", "D2", "A1", "B4"}, None),  # done without due, wont-do (even completed), open
        (set(), None),
    ],
)
def test_on_time_rate(root: Path, chosen: set[str], rate: float | None) -> None:
    rows = [row for row in rows_of(root) if LABELS[row.key] in chosen]
    assert stats(rows).on_time_rate == rate


def test_stats_of_nothing() -> None:
    counts = stats([])
    assert (counts.total, counts.open, counts.overdue, counts.done, counts.on_time_rate) == (0, 0, 0, 0, None)


# -- views --------------------------------------------------------------------------------------


def test_by_owner(root: Path) -> None:
    found = by_owner(rows_of(root))
    # Open and in-progress items only. @dba-team/@DBA-Team merge (A1, A2: both overdue);
    # @payments/@Payments merge (B1, B3, B4); no owner: B2, C2; @NET (C3; @net's other items are closed).
    # Most overdue first, then most open, then by name.
    assert tallies(found) == [
        ("@dba-team", 2, 2),
        ("@payments", 3, 0),
        (NO_OWNER, 2, 0),
        ("@edge", 1, 0),
        ("@NET", 1, 0),
        ("@queue", 1, 0),
    ]
    assert labels(found[0].rows) == ["A1", "A2"]
    assert labels(found[1].rows) == ["B1", "B3", "B4"]
    assert labels(found[2].rows) == ["B2", "C2"]
    names = {t.name.casefold() for t in found}
    assert "@sre" not in names and "@web" not in names  # only closed items


def test_by_priority_lists_all_four_even_empty(root: Path) -> None:
    found = by_priority(rows_of(root))
    # Open: P0 A1 (overdue) B1 C3; P1 A2 (overdue) B2 D1; P2 B3 B4 (default) C2 E1; P3 none (A4, C4 closed).
    assert tallies(found) == [("P0", 3, 1), ("P1", 3, 1), ("P2", 4, 0), ("P3", 0, 0)]
    assert labels(found[3].rows) == []
    closed_only = [row for row in rows_of(root) if LABELS[row.key] in CLOSED]
    assert tallies(by_priority(closed_only)) == [(p.value, 0, 0) for p in Priority]


def test_by_service_counts_an_item_for_each_service(root: Path) -> None:
    found = by_service(make_catalog(root), rows_of(root))
    # A (Database, Payments): A1 A2 open and overdue; B (payments, Checkout): B1-B4 open;
    # C (DNS): C2 C3; D (Queue, Database): D1; E (CDN): E1. "Payments" and "payments" are one service.
    assert tallies(found) == [
        ("Payments", 6, 2),
        ("Database", 3, 2),
        ("Checkout", 4, 0),
        ("DNS", 2, 0),
        ("CDN", 1, 0),
        ("Queue", 1, 0),
    ]
    services = {t.name: labels(t.rows) for t in found}
    assert "A1" in services["Payments"] and "A1" in services["Database"]
    assert sorted(services["Payments"]) == ["A1", "A2", "B1", "B2", "B3", "B4"]


def test_by_service_ignores_hidden_post_mortems(root: Path) -> None:
    # The draft F lists Payments; hidden, its item adds nothing.
    found = by_service(make_catalog(root), rows_of(root))
    assert ("Payments", 6, 2) in tallies(found)
    shown = make_catalog(root, show_drafts=True)
    with_drafts = by_service(shown, action_rows(shown, 14))
    assert ("Payments", 7, 3) in tallies(with_drafts)  # + F1, overdue
    assert ("Checkout", 5, 0) in tallies(with_drafts)  # + G1


def test_unassigned(root: Path) -> None:
    # Open items without owner (B2), without due (B4), without both (C2); D2 has no owner but is closed.
    assert labels(unassigned(rows_of(root))) == ["B2", "C2", "B4"]


def test_reviews_due_default_window(root: Path) -> None:
    found = reviews_due(make_catalog(root), 14)
    # A: date + 30 = 2026-10-10, overdue. B: 2026-11-27 (2 days). D: 2026-12-05 (10 days).
    # C was reviewed (its review_by 2026-07-01 would be overdue); E's 2026-12-31 is outside.
    assert [(r.document.id, r.due, r.overdue) for r in found] == [
        (ID_A, dt.date(2026, 10, 10), True),
        (ID_B, dt.date(2026, 11, 27), False),
        (ID_D, dt.date(2026, 12, 5), False),
    ]
    assert ID_C not in {r.document.id for r in found}


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        (0, [ID_A]),  # only the overdue one
        (1, [ID_A]),
        (2, [ID_A, ID_B]),  # B on the window's last day
        (9, [ID_A, ID_B]),
        (10, [ID_A, ID_B, ID_D]),
        (35, [ID_A, ID_B, ID_D]),
        (36, [ID_A, ID_B, ID_D, ID_E]),  # 2026-12-31
    ],
)
def test_reviews_due_window(root: Path, window: int, expected: list[str]) -> None:
    assert [r.document.id for r in reviews_due(make_catalog(root), window)] == expected


def test_reviews_due_of_hidden_post_mortems(root: Path) -> None:
    # G (in review, 2026-11-15) is due 2026-12-15 (20 days), F (draft, 2026-11-22) 2026-12-22 (27 days).
    assert ID_G not in {r.document.id for r in reviews_due(make_catalog(root), 20)}
    shown = [r.document.id for r in reviews_due(make_catalog(root, show_drafts=True), 27)]
    assert shown == [ID_A, ID_B, ID_D, ID_G, ID_F]


def test_reviews_due_on_the_day_is_not_overdue(root: Path) -> None:
    (a,) = reviews_due(make_catalog(root, dt.date(2026, 10, 10)), 0)
    assert (a.document.id, a.overdue) == (ID_A, False)
    (a,) = reviews_due(make_catalog(root, dt.date(2026, 10, 11)), 0)
    assert (a.document.id, a.overdue) == (ID_A, True)


# -- ActionFilter -------------------------------------------------------------------------------

OPEN = ItemStatus.OPEN
IN_PROGRESS = ItemStatus.IN_PROGRESS
DONE = ItemStatus.DONE
WONT_DO = ItemStatus.WONT_DO
ALL_A = {"A1", "A2", "A3", "A4"}
ALL_B = {"B1", "B2", "B3", "B4", "B5"}
ALL_C = {"C1", "C2", "C3", "C4"}


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        (ActionFilter(), set(PUBLISHED)),
        (ActionFilter(statuses=frozenset({OPEN})), {"A1", "B1", "B2", "B4", "C2", "C3", "D1", "E1"}),
        (ActionFilter(statuses=frozenset({IN_PROGRESS})), {"A2", "B3"}),
        (ActionFilter(statuses=frozenset({DONE, WONT_DO})), CLOSED),
        (ActionFilter(owners=frozenset({"@DBA-TEAM"})), {"A1", "A2"}),
        (ActionFilter(owners=frozenset({"@net"})), {"A4", "C1", "C3", "C4"}),  # @NET too, any status
        (ActionFilter(owners=frozenset({"@edge", "@QUEUE"})), {"E1", "E2", "D1"}),
        (ActionFilter(owners=frozenset({"@nobody"})), set()),
        (ActionFilter(priorities=frozenset({Priority.P0})), {"A1", "B1", "C3"}),
        (ActionFilter(priorities=frozenset({Priority.P3})), {"A4", "C4"}),
        (ActionFilter(priorities=frozenset({Priority.P2})), {"A3", "B3", "B4", "B5", "C2", "D2", "E1"}),
        (ActionFilter(priorities=frozenset({Priority.P1, Priority.P3})), {"A2", "B2", "C1", "D1", "E2", "A4", "C4"}),
        (ActionFilter(services=frozenset({"payments"})), ALL_A | ALL_B),
        (ActionFilter(services=frozenset({"DATABASE"})), ALL_A | {"D1", "D2"}),
        (ActionFilter(services=frozenset({"cdn", "Dns"})), ALL_C | {"E1", "E2"}),
        (ActionFilter(services=frozenset({"unknown"})), set()),
        (ActionFilter(overdue=True), {"A1", "A2"}),
        (ActionFilter(due_within=0), {"A1", "A2", "B1"}),  # overdue included, due today included
        (ActionFilter(due_within=5), {"A1", "A2", "B1", "E1"}),
        (ActionFilter(due_within=6), {"A1", "A2", "B1", "E1", "D1"}),
        (ActionFilter(due_within=14), {"A1", "A2", "B1", "E1", "D1", "B2"}),
        (ActionFilter(due_within=15), {"A1", "A2", "B1", "E1", "D1", "B2", "B3"}),
        # combinations: every criterion must hold
        (ActionFilter(statuses=frozenset({OPEN}), services=frozenset({"Payments"})), {"A1", "B1", "B2", "B4"}),
        (ActionFilter(owners=frozenset({"@PAYMENTS"}), priorities=frozenset({Priority.P2})), {"B3", "B4"}),
        (ActionFilter(overdue=True, priorities=frozenset({Priority.P1})), {"A2"}),
        (ActionFilter(due_within=14, statuses=frozenset({IN_PROGRESS})), {"A2"}),
        (ActionFilter(owners=frozenset({"@net"}), statuses=frozenset({DONE})), {"C1", "C4"}),
        (ActionFilter(overdue=True, services=frozenset({"dns"})), set()),
        (ActionFilter(due_within=36, owners=frozenset({"@net"})), {"C3"}),
        (
            ActionFilter(
                statuses=frozenset({OPEN, IN_PROGRESS}),
                owners=frozenset({"@dba-team", "@payments"}),
                priorities=frozenset({Priority.P0, Priority.P1}),
                services=frozenset({"payments"}),
                due_within=14,
            ),
            {"A1", "A2", "B1"},
        ),
    ],
)
def test_action_filter(root: Path, chosen: ActionFilter, expected: set[str]) -> None:
    catalog = make_catalog(root)
    rows = action_rows(catalog, 14)
    selected = chosen.select(catalog, rows)
    assert set(labels(selected)) == expected
    assert selected == [row for row in rows if LABELS[row.key] in expected]  # the order is kept


def test_action_filter_sees_drafts_only_when_shown(root: Path) -> None:
    chosen = ActionFilter(owners=frozenset({"@dba-team"}))
    catalog = make_catalog(root)
    assert labels(chosen.select(catalog, action_rows(catalog, 14))) == ["A1", "A2"]
    shown = make_catalog(root, show_drafts=True)
    assert labels(chosen.select(shown, action_rows(shown, 14))) == ["A1", "A2", "G1"]


def test_keys_are_unique_and_cover_the_table(root: Path) -> None:
    rows = rows_of(root, show_drafts=True)
    assert len({row.key for row in rows}) == len(rows) == len(KEYS)
