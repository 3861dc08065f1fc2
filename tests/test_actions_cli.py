"""`postmortems actions` through click's CliRunner in real temporary repositories.

The repository is actions_corpus.py's (TODAY = 2026-11-25); expected rows are read off its table.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup
from click.testing import CliRunner, Result
from jsonschema import Draft202012Validator, FormatChecker
from markdown_it import MarkdownIt

from actions_corpus import (
    ACTIONS,
    CLOSED,
    FILES,
    HOSTILE,
    HOSTILE_ID,
    HOSTILE_LINE,
    ID_A,
    ID_B,
    ID_E,
    LABELS,
    ORDER_OPEN,
    PUBLISHED,
    TODAY_EPOCH,
    hostile_postmortem,
    write_repo,
)
from mkdocs_postmortems.cli import main
from mkdocs_postmortems.exports import ActionRecord, ActionsExport, json_schema_of

TODAY_ARGS = ("--today", "2026-11-25")


def run(repo: Path, *args: str, env: dict[str, str | None] | None = None, color: bool = False) -> Result:
    cwd = os.getcwd()
    os.chdir(repo)
    try:
        # SOURCE_DATE_EPOCH is unset unless a test sets it: the outer environment must not decide "today".
        return CliRunner().invoke(main, list(args), env={"SOURCE_DATE_EPOCH": None, **(env or {})}, color=color)
    finally:
        os.chdir(cwd)


def actions(repo: Path, *args: str) -> Result:
    return run(repo, *TODAY_ARGS, "actions", *args)


def json_labels(result: Result) -> list[str]:
    assert result.exit_code == 0, result.output
    return [LABELS[item["key"]] for item in json.loads(result.stdout)["items"]]


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_repo(tmp_path_factory.mktemp("repo"))


CSV_TITLE = '=HYPERLINK("http://evil.example/","click")'
CSV_ACTION = "@SUM(1+1)*cmd|' /C calc'!A0"
CSV_OWNER = "+1-2"
CSV_SERVICE = "-2+3"


@pytest.fixture(scope="module")
def hostile_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    formulas = hostile_postmortem(
        id="2026-11-02-formulas",
        title=CSV_TITLE,
        date=dt.date(2026, 11, 2),
        services=[CSV_SERVICE],
        action_items=[{"action": CSV_ACTION, "owner": CSV_OWNER, "due": dt.date(2026, 12, 1)}],
    )
    files = {"2026/2026-11-01-hostile.md": hostile_postmortem(), "2026/2026-11-02-formulas.md": formulas}
    return write_repo(tmp_path_factory.mktemp("hostile"), files)


# -- basics -------------------------------------------------------------------------------------


def test_help(repo: Path) -> None:
    result = run(repo, "actions", "--help")
    assert result.exit_code == 0
    assert result.output.startswith("Usage: ")
    for option in ("--status", "--owner", "--priority", "--service", "--overdue", "--due-within", "--format"):
        assert option in result.output
    assert "--fail-on-overdue" in result.output
    assert "actions" in run(repo, "--help").output


def test_table(repo: Path) -> None:
    result = actions(repo)
    assert result.exit_code == 0, result.output
    header, *rows, summary = result.stdout.rstrip("\n").split("\n")
    columns = ("due", "days overdue", "priority", "status", "owner", "action", "post-mortem")
    starts = [header.index(name) for name in columns]
    assert starts == sorted(starts)
    assert header.split("  ")[0] == "due"

    def cells(line: str) -> tuple[str, ...]:
        ends = [*starts[1:], None]
        return tuple(line[a:b].strip() for a, b in zip(starts, ends, strict=True))

    assert cells(header) == columns
    assert len(rows) == 17
    found = {next(label for label, text in ACTIONS.items() if text in line): cells(line) for line in rows}
    assert [next(label for label, text in ACTIONS.items() if text in line) for line in rows][:10] == ORDER_OPEN
    assert found["A1"] == ("2026-10-01", "55", "P0", "open", "@dba-team", ACTIONS["A1"], ID_A)
    assert found["A2"] == ("2026-11-24", "1", "P1", "in-progress", "@DBA-Team", ACTIONS["A2"], ID_A)
    assert found["B2"] == ("2026-12-09", "", "P1", "open", "(no owner)", ACTIONS["B2"], ID_B)
    assert found["B4"] == ("-", "", "P2", "open", "@payments", ACTIONS["B4"], ID_B)
    assert found["E2"] == ("2026-01-15", "", "P1", "done", "@edge", ACTIONS["E2"], ID_E)
    # 2 overdue (A1 A2); open = 8 open + 2 in progress.
    assert summary == "17 item(s): 2 overdue, 10 open"


def test_table_summary_of_a_selection(repo: Path) -> None:
    result = actions(repo, "--owner", "@payments")
    assert result.stdout.rstrip("\n").split("\n")[-1] == "3 item(s): 0 overdue, 3 open"  # B1 B3 B4
    result = actions(repo, "--status", "done")
    assert result.stdout.rstrip("\n").split("\n")[-1] == "5 item(s): 0 overdue, 0 open"


def test_nothing_matches(repo: Path, tmp_path: Path) -> None:
    result = actions(repo, "--owner", "@nobody")
    assert result.exit_code == 0
    assert result.stdout.strip() == "no action items match"
    empty = actions(tmp_path)  # no mkdocs.yml, no postmortems/ folder
    assert empty.exit_code == 0 and empty.stdout.strip() == "no action items match"
    md = actions(repo, "--owner", "@nobody", "--format", "md")
    assert "Nothing matches" in md.stdout and "|" not in md.stdout


def test_drafts_and_in_review_never_listed(repo: Path, tmp_path: Path) -> None:
    assert sorted(json_labels(actions(repo, "--format", "json"))) == sorted(PUBLISHED)
    # Even where the site is configured to show drafts.
    shown = write_repo(tmp_path)
    config = shown / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - postmortems\n", "  - postmortems:\n      show_drafts: true\n"))
    assert sorted(json_labels(actions(shown, "--format", "json"))) == sorted(PUBLISHED)


def test_invalid_post_mortem_is_reported_and_skipped(tmp_path: Path) -> None:
    broken = {**FILES, "2026/2026-11-23-broken.md": "---\ntitle: Broken\ndate: 2026-11-23\nseverity: SEV9\n---\n"}
    result = actions(write_repo(tmp_path, broken), "--format", "json")
    assert result.exit_code == 0
    assert "warning: skipped, not valid: postmortems/2026/2026-11-23-broken.md:4:" in result.stderr
    assert len(json.loads(result.stdout)["items"]) == 17


# -- today ---------------------------------------------------------------------------------------


def test_source_date_epoch_instead_of_today(repo: Path) -> None:
    assert str(calendar.timegm((2026, 11, 25, 0, 0, 0))) == TODAY_EPOCH
    by_epoch = run(repo, "actions", "--format", "json", env={"SOURCE_DATE_EPOCH": TODAY_EPOCH})
    assert by_epoch.exit_code == 0, by_epoch.output
    assert by_epoch.stdout == actions(repo, "--format", "json").stdout
    assert json.loads(by_epoch.stdout)["today"] == "2026-11-25"
    table = run(repo, "actions", env={"SOURCE_DATE_EPOCH": TODAY_EPOCH})
    assert table.stdout == actions(repo).stdout


def test_source_date_epoch_decides_what_is_overdue(repo: Path) -> None:
    # 2026-10-02: only A1 (due 2026-10-01) is overdue, by 1 day; A2 is due 2026-11-24.
    epoch = str(calendar.timegm((2026, 10, 2, 12, 0, 0)))
    result = run(repo, "actions", "--overdue", "--format", "json", env={"SOURCE_DATE_EPOCH": epoch})
    payload = json.loads(result.stdout)
    assert payload["today"] == "2026-10-02"
    assert [(LABELS[i["key"]], i["days_overdue"]) for i in payload["items"]] == [("A1", 1)]
    # --today wins over SOURCE_DATE_EPOCH.
    result = run(repo, *TODAY_ARGS, "actions", "--overdue", "--format", "json", env={"SOURCE_DATE_EPOCH": epoch})
    assert json_labels(result) == ["A1", "A2"]


def test_today_and_due_soon_from_the_plugin_options(tmp_path: Path) -> None:
    repo = write_repo(tmp_path)
    config = repo / "mkdocs.yml"
    config.write_text(
        config.read_text().replace(
            "  - postmortems\n", "  - postmortems:\n      today: 2026-11-25\n      due_soon_days: 15\n"
        )
    )
    result = run(repo, "actions", "--format", "json", env={"SOURCE_DATE_EPOCH": "0"})
    payload = json.loads(result.stdout)
    assert payload["today"] == "2026-11-25"
    assert {LABELS[i["key"]] for i in payload["items"] if i["due_soon"]} == {"B1", "B2", "B3", "D1", "E1"}


# -- filters -------------------------------------------------------------------------------------

OPEN_ITEMS = {"A1", "B1", "B2", "B4", "C2", "C3", "D1", "E1"}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), set(PUBLISHED)),
        (("--status", "open"), OPEN_ITEMS),
        (("--status", "in-progress", "--status", "wont-do"), {"A2", "B3", "A4", "D2"}),
        (("--status", "done"), {"A3", "B5", "C1", "C4", "E2"}),
        (("--owner", "@DBA-TEAM"), {"A1", "A2"}),
        (("--owner", "@net", "--owner", "@Edge"), {"A4", "C1", "C3", "C4", "E1", "E2"}),
        (("--priority", "P0"), {"A1", "B1", "C3"}),
        (("--priority", "P3", "--priority", "P1"), {"A4", "C4", "A2", "B2", "C1", "D1", "E2"}),
        (("--service", "PAYMENTS"), {"A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4", "B5"}),
        (("--service", "dns", "--service", "Queue"), {"C1", "C2", "C3", "C4", "D1", "D2"}),
        (("--service", "nothing"), set()),
        (("--overdue",), {"A1", "A2"}),
        (("--due-within", "0"), {"A1", "A2", "B1"}),
        (("--due-within", "14"), {"A1", "A2", "B1", "E1", "D1", "B2"}),
        (("--status", "open", "--service", "payments", "--priority", "P1"), {"B2"}),
        (("--owner", "@payments", "--status", "in-progress"), {"B3"}),
        (("--overdue", "--priority", "P0"), {"A1"}),
        (("--overdue", "--owner", "@nobody"), set()),
        (("--due-within", "6", "--service", "cdn"), {"E1"}),
    ],
)
def test_filters(repo: Path, args: tuple[str, ...], expected: set[str]) -> None:
    found = json_labels(actions(repo, "--format", "json", *args))
    assert set(found) == expected
    everything = json_labels(actions(repo, "--format", "json"))  # its order: test_order_overdue_first
    assert found == [label for label in everything if label in expected]


def test_order_overdue_first(repo: Path) -> None:
    found = json_labels(actions(repo, "--format", "json"))
    assert found[:10] == ORDER_OPEN
    assert set(found[10:]) == CLOSED


# -- formats -------------------------------------------------------------------------------------


def test_json_format(repo: Path) -> None:
    result = actions(repo, "--format", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    schema = json.loads(json_schema_of(ActionsExport, "postmortems actions --format json"))
    Draft202012Validator.check_schema(schema)
    Draft202012Validator(schema, format_checker=FormatChecker()).validate(payload)
    assert payload["today"] == "2026-11-25"
    items = {LABELS[i["key"]]: i for i in payload["items"]}
    assert {label: i["overdue"] for label, i in items.items()} == {label: label in ("A1", "A2") for label in PUBLISHED}
    assert (items["A1"]["days_overdue"], items["A2"]["days_overdue"], items["B1"]["days_overdue"]) == (55, 1, None)
    assert items["B1"]["due_soon"] is True and items["B3"]["due_soon"] is False
    assert items["C3"]["owner"] == "@NET" and items["C3"]["services"] == ["DNS"]
    assert items["A1"]["postmortem_title"] == "Database failover took 40 minutes"


def read_csv(text: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def test_csv_format(repo: Path) -> None:
    result = actions(repo, "--format", "csv")
    assert result.exit_code == 0, result.output
    header, rows = read_csv(result.stdout)
    assert header == list(ActionRecord.model_fields)
    assert len(rows) == 17
    by_label = {LABELS[row["key"]]: row for row in rows}
    assert [LABELS[row["key"]] for row in rows][:10] == ORDER_OPEN
    a1 = by_label["A1"]
    assert (a1["postmortem"], a1["due"], a1["priority"], a1["status"]) == (ID_A, "2026-10-01", "P0", "open")
    assert (a1["overdue"], a1["days_overdue"], a1["age_days"]) == ("True", "55", "76")
    assert a1["services"] == "Database|Payments"
    assert a1["action"] == ACTIONS["A1"]
    assert a1["owner"] == "'@dba-team"  # a cell starting with @ is a formula to some spreadsheets
    assert by_label["B4"]["due"] == "" and by_label["B2"]["owner"] == ""


def test_csv_neutralises_formulas(hostile_repo: Path) -> None:
    result = actions(hostile_repo, "--format", "csv")
    assert result.exit_code == 0, result.output
    _, rows = read_csv(result.stdout)
    for row in rows:
        for name, cell in row.items():
            assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), (name, cell)
    (formula,) = (row for row in rows if row["postmortem"] == "2026-11-02-formulas")
    assert formula["postmortem_title"] == "'" + CSV_TITLE
    assert formula["action"] == "'" + CSV_ACTION
    assert formula["owner"] == "'" + CSV_OWNER
    assert formula["services"] == "'" + CSV_SERVICE
    hostile = next(row for row in rows if row["key"] == f"{HOSTILE_ID}#1")
    assert hostile["action"] == HOSTILE  # quotes, commas and the line break survive the CSV quoting
    assert hostile["postmortem_title"] == HOSTILE_LINE


def render_md(text: str) -> BeautifulSoup:
    html = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(text)
    return BeautifulSoup(html, "html.parser")


def test_md_format(repo: Path) -> None:
    result = actions(repo, "--format", "md")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("## Action items as of 2026-11-25\n")
    # 17 items; overdue A1 A2; due soon B1 B2 D1 E1; open 8 + in progress 2.
    assert "\n17 item(s): **2 overdue**, 4 due soon, 10 open in all.\n" in result.stdout
    soup = render_md(result.stdout)
    heading = soup.find("h2")
    assert heading is not None and heading.get_text() == "Action items as of 2026-11-25"
    (table,) = soup.find_all("table")
    assert [th.get_text() for th in table.find_all("th")] == [
        "Due",
        "Overdue by",
        "Priority",
        "Owner",
        "Action",
        "Post-mortem",
    ]
    body_rows = table.find("tbody").find_all("tr")  # type: ignore[union-attr]
    assert len(body_rows) == 17
    cells = {}
    for tr in body_rows:
        texts = [td.get_text() for td in tr.find_all("td")]
        label = next(label for label, text in ACTIONS.items() if text == texts[4])
        cells[label] = (texts, tr.find_all("td")[5].find("a"))
    texts, link = cells["A1"]
    assert texts[:5] == ["2026-10-01", "55 days", "P0", "@dba-team", ACTIONS["A1"]]
    assert link is not None and link.get_text() == "Database failover took 40 minutes"
    # The page URL is the file's path under docs_dir without .md, plus "/".
    assert link["href"] == f"https://pm.example.com/2026/{ID_A}/"
    e1_link = cells["E1"][1]
    assert e1_link is not None and e1_link["href"] == f"https://pm.example.com/2025/{ID_E}/"
    assert cells["B4"][0][:4] == ["none", "", "P2", "@payments"]
    assert cells["B2"][0][3] == "(no owner)"


def test_md_without_site_url_has_no_links(tmp_path: Path) -> None:
    result = actions(write_repo(tmp_path, site_url=None), "--format", "md")
    soup = render_md(result.stdout)
    assert soup.find("a") is None
    assert "Database failover took 40 minutes" in soup.get_text()


def test_md_escapes_hostile_text(hostile_repo: Path) -> None:
    result = actions(hostile_repo, "--format", "md", "--owner", HOSTILE_LINE)
    assert result.exit_code == 0, result.output
    soup = render_md(result.stdout)
    (table,) = soup.find_all("table")
    (tr,) = table.find("tbody").find_all("tr")  # type: ignore[union-attr]
    tds = tr.find_all("td")
    assert len(tds) == 6  # the pipes did not split the row
    one_line = " ".join(HOSTILE.split())
    assert [td.get_text() for td in tds[3:]] == [one_line, one_line, one_line]
    # No HTML and no markup from the text: the only element is the post-mortem's own link.
    assert soup.find("script") is None
    for tag in ("em", "strong", "code", "del", "s", "img", "h1"):
        assert table.find(tag) is None, tag
    links = table.find_all("a")
    assert [a["href"] for a in links] == [f"https://pm.example.com/2026/{HOSTILE_ID}/"]
    assert [a["href"] for a in soup.find_all(href=True)] == [f"https://pm.example.com/2026/{HOSTILE_ID}/"]
    assert "<script>" not in result.stdout


# -- exit codes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ((), 0),
        (("--fail-on-overdue",), 1),  # A1 and A2
        (("--fail-on-overdue", "--format", "md"), 1),
        (("--fail-on-overdue", "--overdue", "--format", "json"), 1),
        (("--fail-on-overdue", "--owner", "@payments"), 0),  # B1 B3 B4: none overdue
        (("--fail-on-overdue", "--status", "done"), 0),
        (("--fail-on-overdue", "--service", "cdn"), 0),
        (("--fail-on-overdue", "--owner", "@nobody"), 0),
        (("--overdue",), 0),  # listing overdue items is no failure without the flag
    ],
)
def test_exit_codes(repo: Path, args: tuple[str, ...], code: int) -> None:
    result = actions(repo, *args)
    assert result.exit_code == code, result.output
    assert result.stdout  # the report is printed either way


def test_fail_on_overdue_still_prints_the_report(repo: Path) -> None:
    result = actions(repo, "--fail-on-overdue", "--format", "json")
    assert result.exit_code == 1
    assert json_labels_of(result.stdout)[:2] == ["A1", "A2"]


def json_labels_of(text: str) -> list[str]:
    payload: dict[str, Any] = json.loads(text)
    return [LABELS[item["key"]] for item in payload["items"]]


@pytest.mark.parametrize(
    "args",
    [
        ("--status", "closed"),
        ("--status", "OPEN"),
        ("--priority", "P5"),
        ("--due-within", "-1"),
        ("--due-within", "soon"),
        ("--format", "xml"),
        ("--unknown",),
    ],
)
def test_usage_errors_exit_2(repo: Path, args: tuple[str, ...]) -> None:
    result = actions(repo, *args)
    assert result.exit_code == 2, result.output
    assert "Usage:" in result.output and "Error" in result.output
    assert "Traceback" not in result.output


def test_bad_today_exits_2(repo: Path) -> None:
    result = run(repo, "--today", "2026-13-01", "actions")
    assert result.exit_code == 2 and "--today" in result.output


def test_bad_plugin_options_exit_2(tmp_path: Path) -> None:
    repo = write_repo(tmp_path)
    config = repo / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - postmortems\n", "  - postmortems:\n      due_soon_days: -1\n"))
    result = actions(repo)
    assert result.exit_code == 2, result.output
    assert "due_soon_days" in result.output


def test_md_links_without_directory_urls(tmp_path: Path) -> None:
    repo = write_repo(tmp_path)
    config = repo / "mkdocs.yml"
    config.write_text(config.read_text() + "use_directory_urls: false\n")
    result = actions(repo, "--format", "md", "--owner", "@edge")
    hrefs = {a["href"] for a in render_md(result.stdout).find_all("a")}
    assert hrefs == {f"https://pm.example.com/2025/{ID_E}.html"}


def test_bad_source_date_epoch_is_a_usage_error(repo: Path) -> None:
    result = run(repo, "actions", env={"SOURCE_DATE_EPOCH": "yesterday"})
    assert result.exit_code == 2, repr(result.exception)
    assert "SOURCE_DATE_EPOCH" in result.output


# -- bugs ----------------------------------------------------------------------------------------


def _one_item_repo(tmp_path: Path, action: str) -> Path:
    front = yaml.safe_dump(
        {
            "title": "Terminal",
            "date": dt.date(2026, 11, 1),
            "severity": "SEV3",
            "action_items": [
                {"action": action, "owner": "@team", "due": dt.date(2026, 12, 1)},
                {"action": "A plain second item", "owner": "@team", "due": dt.date(2026, 12, 2)},
            ],
        },
        sort_keys=False,
    )
    return write_repo(tmp_path, {"2026/2026-11-01-terminal.md": f"---\n{front}---\n"})


def test_table_keeps_each_item_on_one_line(tmp_path: Path) -> None:
    result = actions(_one_item_repo(tmp_path, "Add a rate limit\nof 10 rps to the purge API"))
    lines = result.stdout.rstrip("\n").split("\n")
    assert len(lines) == 4  # header, 2 items, summary
    assert lines[1].endswith("2026-11-01-terminal")


def test_table_writes_no_control_characters(tmp_path: Path) -> None:
    repo = _one_item_repo(tmp_path, "placeholder")
    path = repo / "postmortems/2026/2026-11-01-terminal.md"
    path.write_text(path.read_text().replace("action: placeholder", 'action: "Fix \\e[2J it\\b\\b\\bnow\\rX"'))
    result = run(repo, *TODAY_ARGS, "actions", color=True)  # as on a terminal: ANSI codes kept
    assert result.exit_code == 0
    assert not any(ord(c) < 32 and c != "\n" for c in result.stdout), repr(result.stdout)


def test_md_shows_entities_as_written(tmp_path: Path) -> None:
    text = "Rename AT&amp;T &copy; in the runbook"
    result = actions(_one_item_repo(tmp_path, text), "--format", "md")
    cells = [td.get_text() for td in render_md(result.stdout).find_all("td")]
    assert text in cells
