"""The check rules (rules.py), run through run_checks with a fixed today, and the Markdown body parser."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from mkdocs_postmortems.body import parse_body, parse_time
from mkdocs_postmortems.checks import run_checks
from mkdocs_postmortems.findings import Finding, Level
from mkdocs_postmortems.load import Document, load_bytes
from mkdocs_postmortems.rules import FIXED_RULES, RULES, Drafts
from mkdocs_postmortems.settings import ConfigError, Settings

TODAY = dt.date(2026, 11, 25)
UTC = dt.timezone.utc
DROP = object()  # an override that removes a field or a section

BASE: dict[str, Any] = {
    "title": "Search latency after an index rebuild",
    "date": dt.date(2026, 11, 20),  # its review is due 2026-12-20, after TODAY
    "severity": "SEV2",
    "authors": ["Priya Raman", "@tortega"],
    "summary": "Search answered slowly for 40 minutes while an index was rebuilt on every node at once.",
    "contributing_factors": ["change-management", "capacity"],
}

TIMELINE = """\
| Time (UTC) | Event | Actor or system |
|---|---|---|
| 09:58 | Index rebuild starts on all nodes | Scheduler |
| 10:05 | p99 latency alert fires | Monitoring |
| 10:38 | Rebuild paused; latency back to normal | On-call engineer |"""

SECTIONS: dict[str, Any] = {
    "Summary": "Search answered slowly for 40 minutes while an index was rebuilt.",
    "Timeline": TIMELINE,
    "Impact": "- Users affected: about 3,000 searches timed out.",
    "Root causes": "The scheduler started the rebuild on every node at the same time.",
    "What went well": "The latency alert fired within five minutes.",
    "What could be improved": "Nothing limited how many nodes rebuild at once.",
}


def action(**overrides: Any) -> dict[str, Any]:
    """A specific, owned, dated, open action item; keywords set or (DROP) remove its fields."""
    fields = {
        "action": "Rebuild at most 2 nodes at a time, enforced by the scheduler config",
        "owner": "@search-team",
        "due": dt.date(2026, 12, 15),
    }
    fields.update(overrides)
    return {key: value for key, value in fields.items() if value is not DROP}


def pm_text(sections: dict[str, Any] | None = None, body: str | None = None, **overrides: Any) -> str:
    """A post-mortem with no findings at TODAY; keywords override front-matter fields (DROP removes
    one), `sections` overrides section texts by title (DROP removes one), `body` replaces the body."""
    fields = {**BASE, "action_items": [action()], **overrides}
    data = {key: value for key, value in fields.items() if value is not DROP}
    front = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1000)
    if body is None:
        merged = {**SECTIONS, **(sections or {})}
        body = "".join(f"\n## {title}\n\n{text}\n" for title, text in merged.items() if text is not DROP)
    return f"---\n{front}---\n{body}"


def load(text: str, settings: Settings | None = None, path: str = "pm/search.md") -> Document:
    return load_bytes(text.encode(), Document(path, Path(path)), settings or Settings())


def check(*texts: str, settings: Settings | None = None, today: dt.date = TODAY) -> list[Finding]:
    """run_checks over `texts`, loaded as pm/doc0.md, pm/doc1.md, ..."""
    settings = settings or Settings()
    docs = [load(text, settings, f"pm/doc{index}.md") for index, text in enumerate(texts)]
    return run_checks(docs, settings, today)


def hits(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]


def the_hit(findings: list[Finding], rule: str) -> Finding:
    """The one finding of `rule`, and no finding of any other rule."""
    assert [f.rule for f in findings] == [rule], findings
    assert findings[0].hint
    return findings[0]


def line_of(text: str, needle: str, start: int = 1) -> int:
    """The 1-based line of the first line of `text` at or after `start` containing `needle`."""
    for number, line in enumerate(text.splitlines(), 1):
        if number >= start and needle in line:
            return number
    raise AssertionError(f"{needle!r} not in the fixture")


def test_the_helper_text_is_clean() -> None:
    assert check(pm_text()) == []
    assert check(pm_text(status="draft"), pm_text(status="in-review")) == []


# -- action items ---------------------------------------------------------------------------------


def test_action_owner() -> None:
    text = pm_text(action_items=[action(), action(owner=DROP)])
    hit = the_hit(check(text), "action-owner")
    assert hit.level is Level.ERROR
    assert hit.line == line_of(text, "- action:", start=line_of(text, "due:") + 1)
    assert hit.message == "action item 2 has no owner"
    assert "owner:" in hit.hint


@pytest.mark.parametrize(("status", "level"), [("published", Level.ERROR), ("in-review", Level.WARNING)])
def test_action_owner_is_a_warning_on_drafts(status: str, level: Level) -> None:
    assert the_hit(check(pm_text(status=status, action_items=[action(owner=DROP)])), "action-owner").level is level


@pytest.mark.parametrize(
    ("status", "level"),
    [("published", Level.ERROR), ("draft", Level.WARNING), ("in-review", Level.WARNING)],
)
def test_action_due(status: str, level: Level) -> None:
    text = pm_text(status=status, action_items=[action(due=DROP)])
    hit = the_hit(check(text), "action-due")
    assert hit.level is level
    assert hit.line == line_of(text, "- action:")
    assert hit.message == "action item 1 has no due date"
    assert "due: YYYY-MM-DD" in hit.hint


def test_action_completed() -> None:
    text = pm_text(action_items=[action(status="done")])
    hit = the_hit(check(text), "action-completed")
    assert hit.level is Level.WARNING
    assert hit.line == line_of(text, "status: done")
    assert "completed:" in hit.hint
    assert check(pm_text(action_items=[action(status="done", completed=dt.date(2026, 11, 24))])) == []


@pytest.mark.parametrize("status", ["open", "in-progress", "wont-do"])
def test_action_completed_only_for_done_items(status: str) -> None:
    assert check(pm_text(action_items=[action(status=status)])) == []


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("Be more careful with deploys", "Be more careful"),
        ("Look into the alerts", "Look into"),
        ("Improve monitoring", "Improve monitoring"),
        ("We should improve monitoring of search", "improve monitoring"),
        ("Investigate why the scheduler did this", "Investigate"),
    ],
)
def test_action_vague(text: str, phrase: str) -> None:
    fixture = pm_text(action_items=[action(action=text)])
    hit = the_hit(check(fixture), "action-vague")
    assert hit.level is Level.WARNING
    assert hit.line == line_of(fixture, f"action: {text}")
    assert f"({phrase!r})" in hit.message
    assert "500 ms" in hit.hint


@pytest.mark.parametrize(
    "text",
    [
        "Alert when p99 latency > 500 ms for 5 minutes",
        "Improve monitoring: page when p99 latency > 500 ms for 5 minutes",  # measurable, so not vague
        "Add a runbook for index rebuilds, linked from the alert",
        "Overlook nothing",  # 'look into' must be a whole phrase
    ],
)
def test_action_not_vague(text: str) -> None:
    assert check(pm_text(action_items=[action(action=text)])) == []


def test_vague_phrases_are_configurable() -> None:
    text = pm_text(action_items=[action(action="Add a runbook for index rebuilds")])
    assert the_hit(check(text, settings=Settings(vague_phrases=["runbook"])), "action-vague")
    assert check(pm_text(action_items=[action(action="Improve monitoring")]), settings=Settings(vague_phrases=[])) == []


@pytest.mark.parametrize("items", [DROP, []])
def test_actions_none(items: Any) -> None:
    text = pm_text(action_items=items)
    hit = the_hit(check(text), "actions-none")
    assert hit.level is Level.WARNING
    assert hit.line == (line_of(text, "action_items:") if items == [] else 2)
    assert "action_items:" in hit.hint


def test_actions_too_many() -> None:
    assert check(pm_text(action_items=[action()] * 5)) == []
    text = pm_text(action_items=[action()] * 6)
    hit = the_hit(check(text), "actions-too-many")
    assert hit.level is Level.WARNING
    assert hit.line == line_of(text, "action_items:")
    assert hit.message.startswith("6 action items; more than 5")


def test_max_action_items_is_configurable() -> None:
    settings = Settings(max_action_items=2)
    assert check(pm_text(action_items=[action()] * 2), settings=settings) == []
    hit = the_hit(check(pm_text(action_items=[action()] * 3), settings=settings), "actions-too-many")
    assert "more than 2" in hit.message


@pytest.mark.parametrize("status", ["open", "in-progress"])
def test_action_overdue(status: str) -> None:
    text = pm_text(action_items=[action(), action(status=status, due=dt.date(2026, 11, 15), owner="@db-team")])
    hit = the_hit(check(text), "action-overdue")
    assert hit.level is Level.WARNING
    assert hit.line == line_of(text, "due: 2026-11-15")
    assert hit.message == (f"action item 2 was due 2026-11-15 (10 days ago) and is still {status} (owner @db-team)")
    assert "wont-do" in hit.hint


@pytest.mark.parametrize(
    "overrides",
    [
        {"status": "done", "completed": dt.date(2026, 11, 20), "due": dt.date(2026, 11, 1)},
        {"status": "wont-do", "due": dt.date(2026, 11, 1)},
        {"status": "open", "due": TODAY},  # due today is not late yet
        {"status": "in-progress", "due": TODAY},
    ],
)
def test_action_not_overdue(overrides: dict[str, Any]) -> None:
    assert check(pm_text(action_items=[action(**overrides)])) == []


def test_action_overdue_depends_on_today() -> None:
    text = pm_text(action_items=[action(due=TODAY)])
    assert check(text, today=TODAY) == []
    assert [f.rule for f in check(text, today=TODAY + dt.timedelta(days=1))] == ["action-overdue"]


# -- review ----------------------------------------------------------------------------------------


def test_review_overdue_from_the_date() -> None:
    text = pm_text(date=dt.date(2026, 10, 1))  # the review was due 2026-10-31
    hit = the_hit(check(text), "review-overdue")
    assert hit.level is Level.WARNING
    assert hit.line == line_of(text, "date:")
    assert "2026-10-31" in hit.message
    assert "reviewed:" in hit.hint


def test_review_overdue_from_review_by() -> None:
    text = pm_text(review_by=dt.date(2026, 11, 24))
    hit = the_hit(check(text), "review-overdue")
    assert hit.line == line_of(text, "review_by:")
    assert check(pm_text(review_by=TODAY)) == []


def test_review_not_due_yet() -> None:
    assert check(pm_text(date=dt.date(2026, 10, 26))) == []  # due 2026-11-25, today


def test_reviewed_silences_review_overdue() -> None:
    assert check(pm_text(date=dt.date(2026, 10, 1), reviewed=dt.date(2026, 11, 2))) == []


# -- blameless writing -----------------------------------------------------------------------------


@pytest.mark.parametrize("phrase", ["human error", "should have", "careless", "Human Error", "SHOULD HAVE"])
def test_blame_language_in_the_body(phrase: str) -> None:
    text = pm_text(sections={"What could be improved": f"Nothing limited the rebuild.\nIt was {phrase} again."})
    hit = the_hit(check(text), "blame-language")
    assert hit.level is Level.ERROR
    assert hit.line == line_of(text, f"It was {phrase}")
    assert hit.message == f"blame language: {phrase!r}"
    assert "conditions" in hit.hint


@pytest.mark.parametrize("section", list(SECTIONS))
def test_blame_language_in_every_section(section: str) -> None:
    if section == "Timeline":
        content = TIMELINE + "\n| 10:40 | The operator was careless | Review |"
    else:
        content = "The operator was careless."
    text = pm_text(sections={section: content})
    assert the_hit(check(text), "blame-language").line == line_of(text, "was careless")


def test_blame_language_in_the_front_matter_summary() -> None:
    text = pm_text(summary="Search was slow after a careless index rebuild.")
    hit = the_hit(check(text), "blame-language")
    assert hit.line == line_of(text, "summary:")
    assert hit.message == "blame language: 'careless'"


def test_blame_language_twice_on_a_line() -> None:
    text = pm_text(sections={"Root causes": "Human error: the operator should have waited."})
    found = check(text)
    assert [f.message for f in found] == ["blame language: 'Human error'", "blame language: 'should have'"]
    assert {f.line for f in found} == {line_of(text, "Human error")}


@pytest.mark.parametrize(
    "content",
    [
        "The flag was named `human_error` and `should have` is quoted in code.",
        "The log said:\n\n```\nERROR: human error detected, operator should have confirmed\n```",
        "The log said:\n\n    careless mode enabled",
        "<!-- careless: this comment is not prose -->",
        "The rebuild was carefully planned; the shovel had a handle.",  # no whole-word match
    ],
)
def test_no_blame_language_in_code_or_partial_words(content: str) -> None:
    assert check(pm_text(sections={"Root causes": content})) == []


def test_blame_phrases_are_configurable() -> None:
    text = pm_text(sections={"Root causes": "The operator forgot the flag."})
    assert the_hit(check(text, settings=Settings(blame_phrases=["forgot"])), "blame-language")
    assert check(pm_text(summary="human error"), settings=Settings(blame_phrases=[])) == []


def test_blame_language_wrapped_across_lines() -> None:
    text = pm_text(sections={"Root causes": "The outage was caused by human\nerror during the rebuild."})
    assert [f.rule for f in check(text)] == ["blame-language"]


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ("Priya Raman started the rebuild.", "Priya Raman"),
        ("The rebuild was started by Priya.", "Priya"),
        ("@tortega started the rebuild.", "@tortega"),
        ("The rebuild was started by tortega.", "tortega"),
    ],
)
def test_blame_name_of_an_author_in_root_causes(sentence: str, name: str) -> None:
    text = pm_text(sections={"Root causes": f"The scheduler allowed it.\n{sentence}"})
    hit = the_hit(check(text), "blame-name")
    assert hit.level is Level.ERROR
    assert hit.line == line_of(text, sentence)
    assert hit.message == f"a person is named in Root causes: {name!r}"
    assert "system, process or condition" in hit.hint


def test_blame_name_from_the_people_setting() -> None:
    text = pm_text(sections={"Root causes": "Marcus Webb ran the rebuild."})
    assert check(text) == []
    settings = Settings(people=["Marcus Webb"])
    hit = the_hit(check(text, settings=settings), "blame-name")
    assert hit.line == line_of(text, "Marcus Webb ran")
    # The first name alone is a name too.
    assert the_hit(check(pm_text(sections={"Root causes": "Marcus ran it."}), settings=settings), "blame-name")


@pytest.mark.parametrize("section", ["Timeline", "What went well", "Summary"])
def test_names_outside_root_causes_are_fine(section: str) -> None:
    content = TIMELINE + "\n| 10:40 | Priya Raman confirms recovery | Marcus |" if section == "Timeline" else "Priya"
    assert check(pm_text(sections={section: content}), settings=Settings(people=["Marcus Webb"])) == []


@pytest.mark.parametrize(
    "content",
    [
        "The rebuild ran `priya-raman.sh` on every node.",  # code spans are not prose
        "Priyanka's scheduler and the tortegas cache allowed it.",  # whole words only
        "The priya service was rebuilt.",  # names are matched with their capitals
    ],
)
def test_no_blame_name(content: str) -> None:
    assert check(pm_text(sections={"Root causes": content})) == []


def test_blame_name_under_a_root_cause_heading_variant() -> None:
    text = pm_text(sections={"Root causes": DROP, "Root cause analysis": "Priya ran the rebuild."})
    assert the_hit(check(text), "blame-name").line == line_of(text, "Priya ran")


# -- sections --------------------------------------------------------------------------------------


@pytest.mark.parametrize("title", ["Summary", "Timeline", "Impact", "Root causes", "What could be improved"])
def test_section_missing(title: str) -> None:
    text = pm_text(sections={title: DROP})
    hit = the_hit(check(text), "section-missing")
    assert hit.level is Level.WARNING
    assert hit.line == line_of(text, "## ")  # the body's first line
    assert hit.message == f"no `## {title}` section"
    assert f"## {title}" in hit.hint


def test_what_went_well_missing() -> None:
    text = pm_text(sections={"What went well": DROP})
    hit = the_hit(check(text), "what-went-well-missing")
    assert hit.level is Level.WARNING
    assert hit.line == line_of(text, "## Summary")
    assert "worth repeating" in hit.hint


def test_section_variants_count() -> None:
    text = pm_text(
        sections={
            "What went well": DROP,
            "What could be improved": DROP,
            "Things that went well": "x",
            "Lessons learned": "y",
        }
    )
    assert check(text) == []


def test_empty_body_misses_every_section() -> None:
    found = check(pm_text(body=""))
    assert sorted(f.rule for f in found) == ["section-missing"] * 5 + ["what-went-well-missing"]


# -- timeline --------------------------------------------------------------------------------------


def test_timeline_order() -> None:
    table = TIMELINE + "\n| 10:20 | Out of order | On-call engineer |"
    text = pm_text(sections={"Timeline": table})
    hit = the_hit(check(text), "timeline-order")
    assert hit.level is Level.ERROR
    assert hit.line == line_of(text, "| 10:20 |")
    assert hit.message == f"timeline row '10:20' comes after '10:38' (line {line_of(text, '| 10:38 |')})"
    assert "full date" in hit.hint


def test_timeline_past_midnight_with_a_full_date_is_in_order() -> None:
    table = TIMELINE + "\n| 2026-11-21 00:15 | Rebuild resumes | Scheduler |\n| 00:30 | Done | Scheduler |"
    assert check(pm_text(sections={"Timeline": table})) == []


def test_timeline_past_midnight_without_a_date_is_out_of_order() -> None:
    table = TIMELINE + "\n| 00:15 | Rebuild resumes | Scheduler |"
    text = pm_text(sections={"Timeline": table})
    assert the_hit(check(text), "timeline-order").line == line_of(text, "| 00:15 |")


def test_timeline_equal_times_are_in_order() -> None:
    assert check(pm_text(sections={"Timeline": TIMELINE + "\n| 10:38 | Status page updated | Comms |"})) == []


def test_timeline_order_across_time_zones() -> None:
    table = TIMELINE + "\n| 2026-11-20 12:00+02:00 | 10:00 UTC, before 10:38 | Comms |"
    assert the_hit(check(pm_text(sections={"Timeline": table})), "timeline-order")
    table = TIMELINE + "\n| 2026-11-20 12:45+02:00 | 10:45 UTC | Comms |"
    assert check(pm_text(sections={"Timeline": table})) == []


@pytest.mark.parametrize("first", ["Later", "", "about ten", "25:00"])
def test_timeline_time(first: str) -> None:
    table = TIMELINE + f"\n| {first} | Rebuild paused | On-call engineer |\n| 10:40 | Still in order | Scheduler |"
    text = pm_text(sections={"Timeline": table})
    hit = the_hit(check(text), "timeline-time")
    assert hit.level is Level.WARNING
    assert hit.line == line_of(text, "| Rebuild paused |")
    assert hit.message == f"timeline row starts with {first!r}, not a time"
    assert "HH:MM" in hit.hint


def test_timeline_time_on_drafts_too() -> None:
    table = TIMELINE + "\n| Later | Rebuild paused | On-call engineer |"
    hit = the_hit(check(pm_text(status="draft", sections={"Timeline": table})), "timeline-time")
    assert hit.level is Level.WARNING


def test_only_the_timeline_table_is_a_timeline() -> None:
    other = "| Service | Effect |\n|---|---|\n| search | slow |"
    assert check(pm_text(sections={"Impact": other})) == []


# -- across post-mortems -----------------------------------------------------------------------


def test_duplicate_id() -> None:
    first = pm_text(id="search-latency")
    second = pm_text(id="search-latency", title="Another incident")
    found = check(first, second, pm_text(id="other"))
    assert [(f.path, f.rule, f.line) for f in found] == [
        ("pm/doc0.md", "duplicate-id", line_of(first, "id:")),
        ("pm/doc1.md", "duplicate-id", line_of(second, "id:")),
    ]
    assert all(f.level is Level.ERROR for f in found)
    assert found[0].message == "id 'search-latency' is also used by pm/doc1.md"
    assert "id:" in found[0].hint


def test_duplicate_id_from_a_file_name() -> None:
    settings = Settings()
    docs = [load(pm_text(), settings, "pm/2026/search.md"), load(pm_text(id="search"), settings, "pm/other.md")]
    found = run_checks(docs, settings, TODAY)
    assert [(f.path, f.rule) for f in found] == [("pm/2026/search.md", "duplicate-id"), ("pm/other.md", "duplicate-id")]


def test_unknown_related() -> None:
    text = pm_text(related=["doc1", "no-such-incident"])
    found = check(text, pm_text())
    hit = the_hit(found, "unknown-related")
    assert hit.path == "pm/doc0.md"
    assert hit.level is Level.ERROR
    assert hit.line == line_of(text, "- no-such-incident")
    assert "'no-such-incident'" in hit.message
    assert "existing post-mortem" in hit.hint


def test_related_to_an_invalid_postmortem_still_exists() -> None:
    broken = pm_text(severity="SEV9")
    found = check(pm_text(related=["doc1"]), broken)
    assert [(f.path, f.rule) for f in found] == [("pm/doc1.md", "schema")]


# -- configuration ---------------------------------------------------------------------------------

OVERDUE = pm_text(action_items=[action(due=dt.date(2026, 11, 1))])


def test_rule_level_can_be_raised() -> None:
    found = check(OVERDUE, settings=Settings(rules={"action-overdue": "error"}))
    assert the_hit(found, "action-overdue").level is Level.ERROR


def test_rule_can_be_turned_off() -> None:
    assert check(OVERDUE, settings=Settings(rules={"action-overdue": "off"})) == []


def test_rule_level_can_be_lowered() -> None:
    text = pm_text(summary="It was human error.")
    assert the_hit(check(text, settings=Settings(rules={"blame-language": "warning"})), "blame-language").level is (
        Level.WARNING
    )


def test_configured_level_only_changes_its_rule() -> None:
    text = pm_text(action_items=[action(due=dt.date(2026, 11, 1), owner=DROP)])
    found = check(text, settings=Settings(rules={"action-overdue": "off"}))
    assert [f.rule for f in found] == ["action-owner"]


def test_unknown_rule_id_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown rule 'action-overdu'"):
        Settings(rules={"action-overdu": "error"})


def test_unknown_level_is_refused() -> None:
    with pytest.raises(ValidationError):
        Settings(rules={"action-overdue": "fatal"})


@pytest.mark.parametrize("rule", sorted(FIXED_RULES))
@pytest.mark.parametrize("level", ["warning", "off"])
def test_fixed_rules_cannot_be_turned_down(rule: str, level: str) -> None:
    with pytest.raises(ValidationError, match="cannot be turned down"):
        Settings(rules={rule: level})


@pytest.mark.parametrize("rule", sorted(FIXED_RULES))
def test_fixed_rules_may_be_named_at_error(rule: str) -> None:
    assert Settings(rules={rule: "error"}).level_of(rule) is Level.ERROR


def test_fixed_rules_are_the_file_reading_ones() -> None:
    # What makes a file unreadable or unpublishable: turning these down would publish it broken.
    assert {"schema", "yaml", "encoding", "front-matter", "unsafe-file", "body-nesting", "file-name"} == FIXED_RULES


def test_settings_build_reports_a_bad_rule_as_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown rule"):
        Settings.build({"rules": {"no-such-rule": "warning"}}, tmp_path / "docs", tmp_path)


# -- drafts ------------------------------------------------------------------------------------------

SKIPPED_ON_DRAFTS = {
    "actions-none": pm_text(action_items=[]),
    "actions-too-many": pm_text(action_items=[action()] * 6),
    "action-overdue": OVERDUE,
    "review-overdue": pm_text(date=dt.date(2026, 10, 1)),
    "section-missing": pm_text(sections={"Impact": DROP}),
    "what-went-well-missing": pm_text(sections={"What went well": DROP}),
}


def test_the_skip_list_covers_every_skip_rule() -> None:
    needs_history = {"writeup-late"}  # tested on real repositories in test_history.py
    assert set(SKIPPED_ON_DRAFTS) == {rule.id for rule in RULES.values() if rule.drafts is Drafts.SKIP} - needs_history


@pytest.mark.parametrize("rule", sorted(SKIPPED_ON_DRAFTS))
def test_drafts_skip_rules_with_the_skip_policy(rule: str) -> None:
    published = SKIPPED_ON_DRAFTS[rule]
    assert [f.rule for f in check(published)] == [rule]
    for status in ("draft", "in-review"):
        assert check(published.replace("severity: SEV2\n", f"severity: SEV2\nstatus: {status}\n")) == []


@pytest.mark.parametrize("status", ["draft", "in-review"])
def test_drafts_warn_instead_of_erring(status: str) -> None:
    text = pm_text(
        status=status,
        summary="It was human error.",
        sections={"Root causes": "Priya started it.", "Timeline": TIMELINE + "\n| 09:00 | Early |  |"},
        action_items=[action(owner=DROP, due=DROP)],
    )
    found = check(text)
    assert sorted(f.rule for f in found) == [
        "action-due",
        "action-owner",
        "blame-language",
        "blame-name",
        "timeline-order",
    ]
    assert {f.level for f in found} == {Level.WARNING}
    # The same post-mortem published: every one of them is an error.
    published = check(text.replace(f"status: {status}", "status: published"))
    assert [(f.rule, f.line) for f in published] == [(f.rule, f.line) for f in found]
    assert {f.level for f in published} == {Level.ERROR}


def test_drafts_keep_off_rules_off() -> None:
    text = pm_text(status="draft", action_items=[action(owner=DROP)])
    assert check(text, settings=Settings(rules={"action-owner": "off"})) == []


def test_drafts_are_held_to_same_rules() -> None:
    text = pm_text(status="draft", action_items=[action(action="Look into the alerts", status="done")])
    found = check(text)
    assert sorted((f.rule, f.level) for f in found) == [
        ("action-completed", Level.WARNING),
        ("action-vague", Level.WARNING),
    ]
    raised = check(text, settings=Settings(rules={"action-vague": "error"}))
    assert ("action-vague", Level.ERROR) in [(f.rule, f.level) for f in raised]


# -- lines --------------------------------------------------------------------------------------------

# Every rule that points into a document, with its line counted by hand (numbers on the right).
FIXTURE = """\
---
title: Search outage
date: 2026-10-01
severity: SEV2
authors: [Jane Doe]
summary: The deploy was careless.
action_items:
  - action: Be more careful with deploys
    due: 2026-11-10
    status: open
  - action: Add a canary stage that blocks rollout when 5xx > 1%
    owner: "@search-team"
    status: done
related: [no-such-incident]
---

## Summary

Search returned errors for 40 minutes. Someone said it was human error.

## Timeline

| Time (UTC) | Event |
|---|---|
| 10:00 | Deploy starts |
| 09:50 | Errors begin |
| later | Rollback |

## Root causes

The rollout had no canary, and Jane pushed it.

```
human error in a code block is not prose
```

## What could be improved

Canary coverage.
"""

EXPECTED_LINES = [
    (3, "review-overdue"),
    (6, "blame-language"),
    (8, "action-owner"),
    (8, "action-vague"),
    (9, "action-overdue"),
    (11, "action-due"),
    (13, "action-completed"),
    (14, "unknown-related"),
    (17, "section-missing"),  # Impact: reported at the body's first line
    (17, "what-went-well-missing"),
    (19, "blame-language"),
    (26, "timeline-order"),
    (27, "timeline-time"),
    (31, "blame-name"),
]


def test_every_finding_points_at_its_line() -> None:
    lines = FIXTURE.splitlines()
    assert lines[16] == "## Summary" and lines[30].startswith("The rollout")  # the count above is right
    found = check(FIXTURE)
    assert [(f.line, f.rule) for f in found] == EXPECTED_LINES
    assert {f.path for f in found} == {"pm/doc0.md"}


def test_lines_are_the_same_with_a_bom_and_windows_line_endings() -> None:
    found = check("\ufeff" + FIXTURE.replace("\n", "\r\n"))
    assert [(f.line, f.rule) for f in found] == EXPECTED_LINES


def test_lines_without_a_blank_line_after_the_front_matter() -> None:
    text = FIXTURE.replace("---\n\n## Summary", "---\n## Summary")
    found = check(text)
    expected = [(line - 1 if line >= 17 else line, rule) for line, rule in EXPECTED_LINES]
    assert [(f.line, f.rule) for f in found] == expected


def test_findings_are_sorted_by_path_and_line() -> None:
    found = check(FIXTURE, FIXTURE.replace("date: 2026-10-01", "date: 2026-11-20"))
    assert found == sorted(found, key=lambda f: (f.path, f.line, f.rule, f.message))
    assert found[0].path == "pm/doc0.md"


def test_invalid_documents_keep_their_loading_findings_and_skip_the_checks() -> None:
    text = FIXTURE.replace("severity: SEV2", "severity: SEV9")
    assert [(f.line, f.rule) for f in check(text)] == [(4, "schema")]


# -- body.parse_body -------------------------------------------------------------------------------

BODY = """\
Preamble before any heading.

## Summary

Search was slow for *40 minutes* while an
index was rebuilt (`reindex --all`).

Second paragraph of the summary.

## Timeline

All times UTC.

| Time (UTC) | Event |
|---|---|
| 23:50 | Rebuild starts |
| **23:58** | Alert fires |
| 2026-11-21 00:10 | Rebuild paused |
| 00:20 | Latency normal |
| 2026-11-21 02:30+02:00 | Status page closed |
| 2026-11-21T01:00Z | Review booked |
| soon | No time |

## Root Cause(s)

The scheduler had `no limit`:

```
should have been ignored
```

    indented code is ignored too
"""
INCIDENT = dt.date(2026, 11, 20)


def test_sections_by_heading_with_lines() -> None:
    body = parse_body(BODY, 10, INCIDENT)
    assert [(s.title, s.key, s.line) for s in body.sections] == [
        ("Summary", "summary", 13),
        ("Timeline", "timeline", 20),
        ("Root Cause(s)", "root causes", 34),
    ]
    assert body.section("timeline") is body.sections[1]
    assert body.section("impact") is None


@pytest.mark.parametrize(
    ("heading", "key"),
    [
        ("# Summary", "summary"),
        ("### What went well?", "what went well"),
        ("## Root cause", "root causes"),
        ("## Things that went well", "what went well"),
        ("## What went wrong", "what could be improved"),
        ("## Lessons learned", "what could be improved"),
        ("## Follow-up actions", "action items"),
        ("Root causes\n-----------", "root causes"),
    ],
)
def test_section_keys(heading: str, key: str) -> None:
    (section,) = parse_body(f"{heading}\n\ntext\n", 0, None).sections
    assert (section.key, section.line) == (key, 1)


def test_summary_from_the_first_paragraph_of_summary() -> None:
    body = parse_body(BODY, 0, INCIDENT)
    assert body.summary == "Search was slow for 40 minutes while an index was rebuilt (reindex --all)."


def test_no_summary_without_a_summary_section() -> None:
    assert parse_body("Intro paragraph.\n\n## Timeline\n\nA paragraph.\n", 0, None).summary == ""
    assert parse_body("## Summary\n\n## Impact\n\nNot the summary.\n", 0, None).summary == ""


def test_timeline_entries() -> None:
    body = parse_body(BODY, 10, INCIDENT)
    day2 = dt.date(2026, 11, 21)

    def utc(day: dt.date, hour: int, minute: int) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)

    assert [(e.line, e.time_text, e.when) for e in body.timeline] == [
        (26, "23:50", utc(INCIDENT, 23, 50)),
        (27, "23:58", utc(INCIDENT, 23, 58)),
        (28, "2026-11-21 00:10", utc(day2, 0, 10)),
        (29, "00:20", utc(day2, 0, 20)),  # a clock time after a full date is on that date
        (30, "2026-11-21 02:30+02:00", utc(day2, 0, 30)),
        (31, "2026-11-21T01:00Z", utc(day2, 1, 0)),
        (32, "soon", None),
    ]
    assert body.timeline[0].cells == ("23:50", "Rebuild starts")
    offset = body.timeline[4].when
    assert offset is not None and offset.utcoffset() == dt.timedelta(hours=2)


def test_timeline_clock_times_need_the_incident_date() -> None:
    body = parse_body("## Timeline\n\n| Time | Event |\n|---|---|\n| 10:00 | a |\n| 2026-11-20 10:05 | b |\n", 0, None)
    assert [e.when for e in body.timeline] == [None, dt.datetime(2026, 11, 20, 10, 5, tzinfo=UTC)]


def test_timeline_is_only_read_in_the_timeline_section() -> None:
    table = "| Time | Event |\n|---|---|\n| 10:00 | a |\n"
    assert parse_body(f"## Impact\n\n{table}", 0, INCIDENT).timeline == []
    assert len(parse_body(f"## Timeline\n\n{table}", 0, INCIDENT).timeline) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14:05", dt.datetime(2026, 11, 20, 14, 5, tzinfo=UTC)),
        ("9:05", dt.datetime(2026, 11, 20, 9, 5, tzinfo=UTC)),
        ("14:05:30", dt.datetime(2026, 11, 20, 14, 5, 30, tzinfo=UTC)),
        ("14:05 UTC", dt.datetime(2026, 11, 20, 14, 5, tzinfo=UTC)),
        ("14:05Z", dt.datetime(2026, 11, 20, 14, 5, tzinfo=UTC)),
        ("`14:05`", dt.datetime(2026, 11, 20, 14, 5, tzinfo=UTC)),
        ("2026-11-21 9:05", dt.datetime(2026, 11, 21, 9, 5, tzinfo=UTC)),
        ("2026-11-21 14:05 UTC", dt.datetime(2026, 11, 21, 14, 5, tzinfo=UTC)),
        ("2026-11-21 14:05 -0500", dt.datetime(2026, 11, 21, 19, 5, tzinfo=UTC)),
        ("24:00", None),
        ("14:60", None),
        ("2026-02-30 10:00", None),
        ("yesterday", None),
    ],
)
def test_parse_time(text: str, expected: dt.datetime | None) -> None:
    assert parse_time(text, INCIDENT) == expected


def test_parse_time_one_digit_hour_with_seconds() -> None:
    assert parse_time("2026-11-21 9:05:30", INCIDENT) == dt.datetime(2026, 11, 21, 9, 5, 30, tzinfo=UTC)


def test_text_lines_exclude_code() -> None:
    body = parse_body(BODY, 10, INCIDENT)
    everything = " ".join(t.text for t in body.text)
    assert "reindex" not in everything
    assert "no limit" not in everything
    assert "should have been ignored" not in everything
    assert "indented code" not in everything
    root = body.text_in("root causes")
    # A code span leaves a space, so the words around it stay apart.
    assert [(t.line, t.text) for t in root] == [(34, "Root Cause(s)"), (36, "The scheduler had  :")]


def test_text_lines_keep_their_lines_and_sections() -> None:
    body = parse_body(BODY, 10, INCIDENT)
    assert (body.text[0].line, body.text[0].text, body.text[0].section) == (11, "Preamble before any heading.", "")
    summary = [(t.line, t.text) for t in body.text_in("summary")]
    # One entry per block; its soft line breaks are kept, so line_at finds the line of any offset.
    assert summary == [
        (13, "Summary"),
        (15, "Search was slow for 40 minutes while an\nindex was rebuilt ( )."),
        (18, "Second paragraph of the summary."),
    ]
    paragraph = body.text_in("summary")[1]
    assert paragraph.line_at(0) == 15
    assert paragraph.line_at(paragraph.text.index("rebuilt")) == 16
    timeline = body.text_in("timeline")
    assert (timeline[2].line, timeline[2].text) == (24, "Time (UTC)")
    assert ("Alert fires", 27) in [(t.text, t.line) for t in timeline]
