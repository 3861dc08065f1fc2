"""The front-matter model, field by field, loaded through the real loader so errors carry lines."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any

import pytest
import yaml

from mkdocs_postmortems.findings import Finding, Level
from mkdocs_postmortems.load import Document, load_bytes
from mkdocs_postmortems.model import (
    TIMESTAMP_FIELDS,
    ActionItem,
    ItemStatus,
    Postmortem,
    Priority,
    Status,
)
from mkdocs_postmortems.settings import Settings

UTC = dt.timezone.utc
DROP = object()  # an override that removes the field
BASE: dict[str, Any] = {
    "title": "Checkout timeouts",
    "date": dt.date(2026, 3, 1),
    "severity": "SEV2",
}
BODY = "\n## Summary\n\nCheckout timed out for 20 minutes.\n"


def pm_text(**overrides: Any) -> str:
    """A valid post-mortem's text; each keyword sets (or with DROP removes) a front-matter field."""
    fields = {**BASE, **overrides}
    data = {key: value for key, value in fields.items() if value is not DROP}
    front = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)
    return f"---\n{front}---\n{BODY}"


def item(**overrides: Any) -> dict[str, Any]:
    """A valid action item; keywords as in pm_text."""
    fields = {"action": "Alert when p99 latency > 500 ms for 5 minutes", "owner": "@sre", "due": dt.date(2026, 4, 1)}
    fields.update(overrides)
    return {key: value for key, value in fields.items() if value is not DROP}


def load(text: str, settings: Settings | None = None, path: str = "pm/x.md") -> Document:
    return load_bytes(text.encode(), Document(path, Path(path)), settings or Settings())


def valid(text: str, settings: Settings | None = None, path: str = "pm/x.md") -> Postmortem:
    doc = load(text, settings, path)
    assert doc.findings == []
    assert doc.meta is not None
    return doc.meta


def the_error(text: str, settings: Settings | None = None, path: str = "pm/x.md") -> Finding:
    """The one finding for `text`, which must be a schema error (and the model not built)."""
    doc = load(text, settings, path)
    assert doc.meta is None
    assert len(doc.findings) == 1, doc.findings
    finding = doc.findings[0]
    assert finding.rule == "schema"
    assert finding.level is Level.ERROR
    assert finding.path == path
    assert finding.hint
    return finding


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the first line of `text` containing `needle`."""
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in the fixture")


def test_the_helper_text_is_valid() -> None:
    meta = valid(pm_text())
    assert (meta.title, meta.date, meta.severity) == ("Checkout timeouts", dt.date(2026, 3, 1), "SEV2")


# -- required fields ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["title", "date", "severity"])
def test_required_field_missing(name: str) -> None:
    text = pm_text(**{name: DROP})
    error = the_error(text)
    assert error.message == f"missing required field `{name}`"
    assert error.line == 2  # the front matter's first line: the field has no line of its own
    assert f"add `{name}:`" in error.hint


@pytest.mark.parametrize("title", ["", "   ", None])
def test_title_must_be_text(title: Any) -> None:
    text = pm_text(title=title)
    error = the_error(text)
    assert error.line == line_of(text, "title:")
    assert "title" in error.message
    assert "title: Checkout timeouts" in error.hint


def test_title_is_stripped() -> None:
    assert valid(pm_text(title="  Checkout timeouts  ")).title == "Checkout timeouts"


@pytest.mark.parametrize("value", [20260301, 1772323200.0, "March 1st", "2026-02-30"])
def test_date_must_be_a_date(value: Any) -> None:
    text = pm_text(date=value)
    error = the_error(text)
    assert error.line == line_of(text, "date:")
    assert "`date`" in error.message
    assert "YYYY-MM-DD" in error.message + error.hint
    assert "date: 2026-03-01" in error.hint


# -- id ------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["checkout-timeouts", "2026-03-01-db", "a", "0"])
def test_id_slug_accepted(value: str) -> None:
    assert valid(pm_text(id=value)).id == value


@pytest.mark.parametrize("value", ["Checkout", "checkout_timeouts", "-leading-dash", "has space", "dé", "abc\n", ""])
def test_id_must_be_a_slug(value: str) -> None:
    text = pm_text(id=value)
    error = the_error(text)
    assert error.line == line_of(text, "id:")
    assert "`id`" in error.message
    assert "id: 2026-03-01-checkout-timeouts" in error.hint


def test_id_defaults_to_the_file_stem() -> None:
    meta = valid(pm_text(), path="postmortems/2026/2026-03-01-checkout-timeouts.md")
    assert meta.id == "2026-03-01-checkout-timeouts"


def test_explicit_id_wins_over_the_file_stem() -> None:
    assert valid(pm_text(id="checkout"), path="pm/2026-03-01-other.md").id == "checkout"


def test_a_file_stem_that_is_no_slug_needs_an_id() -> None:
    error = the_error(pm_text(), path="pm/Checkout Outage.md")
    assert "'Checkout Outage'" in error.message
    assert error.line == 2
    assert "id:" in error.hint
    # ... and with an explicit id the file name does not matter.
    assert valid(pm_text(id="checkout-outage"), path="pm/Checkout Outage.md").id == "checkout-outage"


# -- status ----------------------------------------------------------------------------------


def test_status_defaults_to_published() -> None:
    assert valid(pm_text()).status is Status.PUBLISHED


@pytest.mark.parametrize("value", ["draft", "in-review", "published"])
def test_status_values(value: str) -> None:
    assert valid(pm_text(status=value)).status.value == value


@pytest.mark.parametrize("value", ["done", "Published", "review", 1])
def test_status_enum(value: Any) -> None:
    text = pm_text(status=value)
    error = the_error(text)
    assert error.line == line_of(text, "status:")
    assert "`status`" in error.message
    assert "draft, in-review or published" in error.hint


# -- severity ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["SEV1", "SEV2", "SEV3", "SEV4"])
def test_default_severity_levels(value: str) -> None:
    assert valid(pm_text(severity=value)).severity == value


@pytest.mark.parametrize("value", ["SEV0", "SEV5", "sev2", "critical", 2])
def test_severity_outside_the_default_levels(value: Any) -> None:
    text = pm_text(severity=value)
    error = the_error(text)
    assert error.line == line_of(text, "severity:")
    assert "severity" in error.message
    assert "severity: SEV2" in error.hint


def test_unknown_severity_lists_the_levels() -> None:
    assert "SEV1, SEV2, SEV3, SEV4" in the_error(pm_text(severity="SEV9")).message


def test_configured_severity_levels() -> None:
    settings = Settings(severities=["critical", "major", "minor"])
    assert valid(pm_text(severity="major"), settings).severity == "major"
    text = pm_text(severity="SEV2")
    error = the_error(text, settings)
    assert error.line == line_of(text, "severity:")
    assert "critical, major, minor" in error.message
    # Without the setting, the default levels apply again.
    the_error(pm_text(severity="major"))


# -- contributing factors ------------------------------------------------------------------


VOCABULARY = Settings(contributing_factors=["change-management", "testing-gap", "monitoring-gap", "capacity"])


def test_factors_from_the_configured_vocabulary() -> None:
    meta = valid(pm_text(contributing_factors=["capacity", "testing-gap"]), VOCABULARY)
    assert meta.contributing_factors == ["capacity", "testing-gap"]


def test_factor_outside_the_vocabulary() -> None:
    text = pm_text(contributing_factors=["capacity", "bad-luck"])
    error = the_error(text, VOCABULARY)
    assert error.line == line_of(text, "- bad-luck")
    assert "'bad-luck'" in error.message
    assert "use one of: change-management, testing-gap, monitoring-gap, capacity" in error.hint


def test_any_factor_without_a_vocabulary() -> None:
    meta = valid(pm_text(contributing_factors=["bad-luck", "Cosmic Rays"]))
    assert meta.contributing_factors == ["bad-luck", "Cosmic Rays"]


def test_factor_must_be_text() -> None:
    text = pm_text(contributing_factors=["capacity", [3]])
    error = the_error(text)
    assert error.line == line_of(text, "- 3")
    assert "contributing_factors[1]" in error.message


# -- timestamps --------------------------------------------------------------------------------


def at(hour: int, minute: int = 0, tz: dt.tzinfo | None = UTC) -> dt.datetime:
    return dt.datetime(2026, 3, 1, hour, minute, tzinfo=tz)


@pytest.mark.parametrize("name", TIMESTAMP_FIELDS)
def test_timestamps_accepted_with_a_time_zone(name: str) -> None:
    assert getattr(valid(pm_text(**{name: at(10)})), name) == at(10)


@pytest.mark.parametrize("name", TIMESTAMP_FIELDS)
@pytest.mark.parametrize("value", [at(10, tz=None), dt.date(2026, 3, 1)])
def test_timestamp_needs_a_time_zone(name: str, value: Any) -> None:
    text = pm_text(**{name: value})
    error = the_error(text)
    assert error.line == line_of(text, f"{name}:")
    assert error.message == f"`{name}`: the timestamp has no time zone"
    assert "Z`" in error.hint


def test_timestamp_as_a_number_is_refused() -> None:
    text = pm_text(started=1772359200)
    error = the_error(text)
    assert error.line == line_of(text, "started:")
    assert "not a date" in error.message


@pytest.mark.parametrize(("earlier", "later"), list(itertools.combinations(TIMESTAMP_FIELDS, 2)))
def test_timestamps_out_of_order(earlier: str, later: str) -> None:
    text = pm_text(**{earlier: at(10), later: at(9, 59)})
    error = the_error(text)
    assert error.line == line_of(text, f"{later}:")
    assert error.message.startswith(f"`{later}` (2026-03-01T09:59:00+00:00) is before `{earlier}`")
    assert "started, detected, mitigated, resolved" in error.hint


@pytest.mark.parametrize(("earlier", "later"), list(itertools.combinations(TIMESTAMP_FIELDS, 2)))
def test_timestamps_in_order_or_equal(earlier: str, later: str) -> None:
    valid(pm_text(**{earlier: at(10), later: at(10, 1)}))
    valid(pm_text(**{earlier: at(10), later: at(10)}))


def test_timestamps_in_order_across_time_zones() -> None:
    plus_two = dt.timezone(dt.timedelta(hours=2))
    # 10:00+02:00 is 08:00Z, so detection at 09:00Z comes after it...
    valid(pm_text(started=at(10, tz=plus_two), detected=at(9)))
    # ... and 07:00Z comes before it.
    text = pm_text(started=at(10, tz=plus_two), detected=at(7))
    assert the_error(text).line == line_of(text, "detected:")


def test_only_the_first_out_of_order_field_is_reported() -> None:
    text = pm_text(started=at(10), detected=at(11), mitigated=at(10, 30), resolved=at(12))
    assert the_error(text).line == line_of(text, "mitigated:")


def test_computed_durations() -> None:
    meta = valid(pm_text(started=at(14), detected=at(14, 7), mitigated=at(14, 30), resolved=at(16)))
    assert meta.ttd == dt.timedelta(minutes=7)
    assert meta.ttm == dt.timedelta(minutes=30)
    assert meta.ttr == dt.timedelta(hours=2)
    assert meta.duration == dt.timedelta(hours=2)


def test_duration_until_mitigation_when_not_resolved() -> None:
    meta = valid(pm_text(started=at(14), mitigated=at(14, 45)))
    assert (meta.ttd, meta.ttr) == (None, None)
    assert meta.ttm == meta.duration == dt.timedelta(minutes=45)


def test_no_durations_without_a_start() -> None:
    meta = valid(pm_text(detected=at(14), mitigated=at(15), resolved=at(16)))
    assert (meta.ttd, meta.ttm, meta.ttr, meta.duration) == (None, None, None, None)


def test_duration_across_time_zones() -> None:
    plus_two = dt.timezone(dt.timedelta(hours=2))
    meta = valid(pm_text(started=at(16, tz=plus_two), resolved=at(15)))
    assert meta.ttr == meta.duration == dt.timedelta(hours=1)


# -- impact ------------------------------------------------------------------------------------


def test_impact_fields() -> None:
    impact = {
        "users_affected": 1200,
        "revenue": 4500.5,
        "data_loss": False,
        "customer_facing": True,
        "description": "About a third of checkouts failed.",
    }
    meta = valid(pm_text(impact=impact))
    assert meta.impact is not None
    assert meta.impact.users_affected == 1200
    assert meta.impact.revenue == 4500.5
    assert meta.impact.data_loss is False
    assert meta.impact.customer_facing is True
    assert meta.impact.description == "About a third of checkouts failed."


@pytest.mark.parametrize(("name", "value"), [("users_affected", 0), ("revenue", 0), ("revenue", 62000)])
def test_impact_edge_values_accepted(name: str, value: Any) -> None:
    meta = valid(pm_text(impact={name: value}))
    assert meta.impact is not None
    assert getattr(meta.impact, name) == value


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("users_affected", -1, "greater than or equal to 0"),
        ("users_affected", True, "valid integer"),
        ("users_affected", 1.5, "valid integer"),
        ("users_affected", "1200", "valid integer"),
        ("revenue", "4500", "valid number"),
        ("revenue", True, "valid number"),
        ("data_loss", "no", "valid boolean"),
        ("data_loss", 0, "valid boolean"),
        ("customer_facing", 1, "valid boolean"),
        ("customer_facing", "true", "valid boolean"),
        ("description", [12], "valid string"),
    ],
)
def test_impact_field_types(name: str, value: Any, expected: str) -> None:
    text = pm_text(impact={name: value})
    error = the_error(text)
    assert error.line == line_of(text, f"  {name}:")
    assert error.message.startswith(f"`impact.{name}`")
    assert expected in error.message
    assert error.hint.startswith("expected ")


def test_impact_must_be_a_mapping() -> None:
    text = pm_text(impact="bad")
    assert the_error(text).line == line_of(text, "impact:")


# -- action items --------------------------------------------------------------------------------


def test_action_item_defaults() -> None:
    meta = valid(pm_text(action_items=[item()]))
    (only,) = meta.action_items
    assert only.priority is Priority.P2
    assert only.status is ItemStatus.OPEN
    assert (only.completed, only.ticket, only.kind, only.addresses) == (None, None, None, None)


def test_action_item_owner_and_due_may_be_left_out_for_the_checks() -> None:
    meta = valid(pm_text(action_items=[item(owner=DROP, due=DROP)]))
    assert (meta.action_items[0].owner, meta.action_items[0].due) == (None, None)


def test_action_item_needs_an_action() -> None:
    text = pm_text(action_items=[item(), item(action=DROP)])
    error = the_error(text)
    assert error.message == "missing required field `action_items[1].action`"
    assert error.line == line_of(text, "- owner:")  # the second item starts at its first key
    assert "add `action:`" in error.hint


@pytest.mark.parametrize(
    ("name", "good", "bad", "hint"),
    [
        ("priority", ["P0", "P1", "P2", "P3"], ["P4", "high", "p1"], "P0 (most urgent) to P3"),
        ("status", ["open", "in-progress", "done", "wont-do"], ["closed", "todo", "Done"], "open, in-progress"),
        ("kind", ["prevent", "detect", "mitigate", "process"], ["fix", "Prevent"], "prevent, detect"),
    ],
)
def test_action_item_enums(name: str, good: list[str], bad: list[str], hint: str) -> None:
    for value in good:
        meta = valid(pm_text(action_items=[item(**{name: value})]))
        assert getattr(meta.action_items[0], name).value == value
    for value in bad:
        text = pm_text(action_items=[item(**{name: value})])
        error = the_error(text)
        assert error.line == line_of(text, f"  {name}:")
        assert error.message.startswith(f"`action_items[0].{name}`")
        assert hint in error.hint


@pytest.mark.parametrize(
    "ticket",
    [
        "https://tracker.example.com/browse/SRE-881",
        "http://jira.internal/browse/OPS-1",
        "acme/payments#42",
        "my.org/my_repo-2#7",
    ],
)
def test_ticket_accepted(ticket: str) -> None:
    assert valid(pm_text(action_items=[item(ticket=ticket)])).action_items[0].ticket == ticket


@pytest.mark.parametrize(
    "ticket",
    [
        "javascript:alert(1)",
        "ftp://files.example.com/ticket",
        "SRE-881",
        "see the ticket",
        "acme/payments",
        "acme/payments#",
        "https://example.com/a b",
        'https://example.com/"><script>',
    ],
)
def test_ticket_rejected(ticket: str) -> None:
    text = pm_text(action_items=[item(ticket=ticket)])
    error = the_error(text)
    assert error.line == line_of(text, "ticket:")
    assert error.message.startswith("`action_items[0].ticket`")
    assert "owner/repo#123" in error.hint


@pytest.mark.parametrize("name", ["due", "completed"])
def test_action_item_dates(name: str) -> None:
    text = pm_text(action_items=[item(**{name: "next week"})])
    error = the_error(text)
    assert error.line == line_of(text, f"{name}:")
    assert "YYYY-MM-DD" in error.hint


def test_addresses_a_factor_of_the_same_postmortem() -> None:
    meta = valid(pm_text(contributing_factors=["capacity"], action_items=[item(addresses="capacity")]))
    assert meta.action_items[0].addresses == "capacity"


@pytest.mark.parametrize("factors", [DROP, ["configuration"]])
def test_addresses_an_unknown_factor(factors: Any) -> None:
    text = pm_text(contributing_factors=factors, action_items=[item(), item(addresses="capacity")])
    error = the_error(text)
    assert error.line == line_of(text, "addresses:")
    assert "'capacity'" in error.message
    assert "contributing_factors" in error.hint


def test_addresses_a_factor_of_the_vocabulary_that_this_postmortem_does_not_name() -> None:
    text = pm_text(contributing_factors=["testing-gap"], action_items=[item(addresses="capacity")])
    assert the_error(text, VOCABULARY).line == line_of(text, "addresses:")


def test_action_items_must_be_a_list_of_mappings() -> None:
    text = pm_text(action_items=["Fix it"])
    error = the_error(text)
    assert error.line == line_of(text, "- Fix it")
    assert "action_items[0]" in error.message


# -- review ------------------------------------------------------------------------------------


def test_review_due_defaults_to_date_plus_30_days() -> None:
    meta = valid(pm_text(date=dt.date(2026, 3, 1)))
    assert meta.review_by is None
    assert meta.review_due == dt.date(2026, 3, 31)


def test_review_due_across_a_year_end() -> None:
    assert valid(pm_text(date=dt.date(2026, 12, 15))).review_due == dt.date(2027, 1, 14)


def test_review_by_overrides_the_default() -> None:
    meta = valid(pm_text(review_by=dt.date(2026, 5, 1), reviewed=dt.date(2026, 4, 28)))
    assert meta.review_due == dt.date(2026, 5, 1)
    assert meta.reviewed == dt.date(2026, 4, 28)


def test_review_by_must_be_a_date() -> None:
    text = pm_text(review_by="soon")
    assert the_error(text).line == line_of(text, "review_by:")


# -- overdue -------------------------------------------------------------------------------------

DUE = dt.date(2026, 4, 1)


@pytest.mark.parametrize(
    ("status", "today", "overdue"),
    [
        (ItemStatus.OPEN, DUE + dt.timedelta(days=1), True),
        (ItemStatus.IN_PROGRESS, DUE + dt.timedelta(days=1), True),
        (ItemStatus.DONE, DUE + dt.timedelta(days=1), False),
        (ItemStatus.WONT_DO, DUE + dt.timedelta(days=1), False),
        (ItemStatus.OPEN, DUE, False),  # due today is not late yet
        (ItemStatus.IN_PROGRESS, DUE, False),
        (ItemStatus.OPEN, DUE - dt.timedelta(days=1), False),
    ],
)
def test_is_overdue(status: ItemStatus, today: dt.date, overdue: bool) -> None:
    action = ActionItem(action="Add an alert on 5xx > 1% for 5 min", owner="@sre", due=DUE, status=status)
    assert action.is_overdue(today) is overdue


def test_an_item_without_due_date_is_never_overdue() -> None:
    assert ActionItem(action="Add an alert").is_overdue(dt.date(2099, 1, 1)) is False


def test_overdue_through_the_loader() -> None:
    meta = valid(pm_text(action_items=[item(status="in-progress"), item(status="done", completed=DUE)]))
    today = DUE + dt.timedelta(days=7)
    assert [a.is_overdue(today) for a in meta.action_items] == [True, False]


# -- extensions and unknown fields --------------------------------------------------------------


def test_extension_keys_are_accepted_and_ignored() -> None:
    text = pm_text(**{"x-jira": "OPS-1", "x_team": {"name": "payments"}, "x-anything": [1, 2]})
    meta = valid(text)
    dumped = meta.model_dump()
    assert not any(key.startswith("x") for key in dumped)


def test_unknown_field_rejected_with_a_suggestion() -> None:
    text = pm_text(serverity="SEV1")
    error = the_error(text)
    assert error.line == line_of(text, "serverity:")
    assert error.message == "unknown field `serverity`"
    assert "did you mean `severity`?" in error.hint


def test_unknown_field_without_a_close_match_lists_the_fields() -> None:
    error = the_error(pm_text(pager="ops"))
    assert "known fields here: id, title, date, severity" in error.hint


def test_unknown_field_in_an_action_item() -> None:
    text = pm_text(action_items=[item(owners="@sre")])
    error = the_error(text)
    assert error.line == line_of(text, "owners:")
    assert error.message == "unknown field `action_items[0].owners`"
    assert "did you mean `owner`?" in error.hint


def test_unknown_field_in_impact() -> None:
    text = pm_text(impact={"users": 10})
    error = the_error(text)
    assert error.line == line_of(text, "users:")
    assert error.message == "unknown field `impact.users`"
    assert "users_affected" in error.hint


def test_extension_key_inside_an_action_item_follows_the_hint() -> None:
    doc = load(pm_text(action_items=[item(**{"x-jira": "OPS-1"})]))
    # Either the x- key is accepted as the hint promises, or the hint does not promise it here.
    assert doc.meta is not None or all("x-" not in f.hint for f in doc.findings)


# -- several errors at once --------------------------------------------------------------------------


def test_every_error_is_reported_on_its_own_line() -> None:
    text = pm_text(severity="SEV9", status="closed", impact={"users_affected": -5})
    doc = load(text)
    assert doc.meta is None
    assert [(f.rule, f.line) for f in doc.findings] == [
        ("schema", line_of(text, "severity:")),
        ("schema", line_of(text, "status:")),
        ("schema", line_of(text, "users_affected:")),
    ]


def test_lines_count_from_the_top_of_the_file() -> None:
    # A BOM and Windows line endings do not move the lines.
    text = pm_text(severity="SEV9")
    crlf = "\ufeff" + text.replace("\n", "\r\n")
    assert the_error(crlf).line == line_of(text, "severity:") == 4


@pytest.mark.parametrize("ticket", ["../..#1", "./x#2", "owner/..#3", "-a/b#4"])
def test_ticket_references_cannot_climb_out_of_the_forge(ticket: str) -> None:
    doc = load(
        "---\ntitle: T\ndate: 2026-03-01\nseverity: SEV2\naction_items:\n"
        f"  - action: Add 2 alerts\n    owner: a\n    due: 2026-04-01\n    ticket: '{ticket}'\n---\n"
    )
    assert doc.meta is None
    assert [(f.rule, f.line) for f in doc.findings] == [("schema", 9)]
