"""Hardening of front-matter values, through the real `postmortems check` and real builds.

Far dates and day counts (no date arithmetic may overflow), the alias bound (aliases, not long
documents), line breaks in one-line fields and in rendered findings, invisible text, text fields
taking a plain YAML scalar as written, and team handles in the blame-name check.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from click.testing import Result
from mkdocs.exceptions import Abort

from mkdocs_postmortems.findings import Finding, Level
from sitebuild import build_site, fixed_today, incident, invoke, write_site

TODAY = "2026-11-25"
HEAD = "title: Checkout timeouts\ndate: 2026-03-01\nseverity: SEV2\n"
ITEM = "action_items:\n  - action: Alert when the pool is 90% busy for 5 minutes\n    owner: '@sre'\n"
# A workflow command: printed at the start of a line in a GitHub Actions log, it is executed.
INJECTION = "a\n::error file=README.md,line=1::pwned"


def repo(tmp_path: Path, files: dict[str, str], options: str = "") -> Path:
    """mkdocs.yml with the plugin (and `options`), the files under postmortems/."""
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\ndocs_dir: postmortems\nplugins:\n  - postmortems:\n      people: []\n" + options,
        encoding="utf-8",
    )
    (tmp_path / "postmortems").mkdir(exist_ok=True)
    for name, text in files.items():
        path = tmp_path / "postmortems" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def run(root: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return invoke(root, *args, env=env)


def check(root: Path, *args: str) -> Result:
    return run(root, "--today", TODAY, "check", *args)


def front(yaml_text: str, body: str = "\n## Summary\n\nText.\n") -> str:
    return f"---\n{yaml_text}---\n{body}"


def line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


def no_injected_lines(output: str) -> None:
    assert "Traceback" not in output, output
    assert not [line for line in output.splitlines() if line.startswith("::")], output


# -- 1. dates and day counts are bounded --------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        ("", "date: 9999-12-31"),  # date + 30 days (review_due) overflowed in `check`
        (ITEM + "    due: 9999-12-31\n", "due: 9999-12-31"),  # due + 1 day overflowed in actions.ics
        (ITEM + "    due: 2026-04-01\n    status: done\n    completed: 9999-12-31\n", "completed: 9999"),
        ("review_by: 9999-12-31\n", "review_by: 9999"),
        ("reviewed: 1066-10-14\n", "reviewed: 1066"),
        ("started: 9999-12-31T23:00:00Z\n", "started: 9999"),
        ("started: 2999-12-31T23:00:00-05:00\n", "started: 2999"),  # already year 3000 in UTC
    ],
    ids=["date", "due", "completed", "review_by", "reviewed", "started", "started-utc"],
)
def test_a_far_date_is_a_located_schema_error(tmp_path: Path, extra: str, fragment: str) -> None:
    yaml_text = HEAD.replace("date: 2026-03-01", "date: 9999-12-31") if not extra else HEAD + extra
    text = front(yaml_text)
    root = repo(tmp_path, {"2026/far.md": text})
    result = check(root)
    assert "Traceback" not in result.output
    assert result.exit_code == 1, result.output
    assert f"postmortems/2026/far.md:{line_of(text, fragment)}: error[schema]: " in result.output, result.output
    assert "outside 1900..2999" in result.output


def test_a_far_due_date_does_not_crash_the_build(tmp_path: Path) -> None:
    extra = "action_items:\n  - action: Alert on 90% pool use\n    owner: '@sre'\n    due: 9999-12-31\n"
    config = write_site(tmp_path, {"2026/2026-05-01-far.md": incident("Far", extra=extra)})
    site = build_site(config)  # not strict: the invalid post-mortem is published with its errors
    assert (site / "actions.ics").is_file()
    with pytest.raises(Abort):
        build_site(config, strict=True)


def plain_site(root: Path, options: str = "") -> Path:
    """A site whose plugin options do not fix `today`."""
    (root / "postmortems" / "2026").mkdir(parents=True)
    (root / "postmortems" / "2026" / "2026-05-01-a.md").write_text(incident("A"), encoding="utf-8")
    config = root / "mkdocs.yml"
    config.write_text(
        "site_name: t\ndocs_dir: postmortems\ntheme:\n  name: material\n  font: false\n"
        f"plugins:\n  - postmortems{':' if options else ''}\n{options}",
        encoding="utf-8",
    )
    return config


def test_a_far_source_date_epoch_is_a_config_error(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    config = plain_site(tmp_path)
    result = run(tmp_path, "check", env={"SOURCE_DATE_EPOCH": "253402214400"})
    assert result.exit_code == 2, result.output
    assert "SOURCE_DATE_EPOCH" in result.output and "outside 1900..2999" in result.output
    assert "Traceback" not in result.output
    with fixed_today("253402214400"), pytest.raises(Abort):
        build_site(config)
    assert "SOURCE_DATE_EPOCH" in caplog.text


def test_a_far_today_is_refused_in_the_cli_and_in_the_build(tmp_path: Path) -> None:
    config = plain_site(tmp_path, "      today: 9999-12-31\n")
    result = run(tmp_path, "check")
    assert result.exit_code == 2, result.output
    assert "today" in result.output and "outside 1900..2999" in result.output
    with pytest.raises(Abort):
        build_site(config)
    plain_site(tmp_path / "other")
    option = run(tmp_path / "other", "--today", "9999-12-31", "check")
    assert option.exit_code == 2, option.output
    assert "--today" in option.output and "outside 1900..2999" in option.output


@pytest.mark.parametrize("option", ["review_window_days", "due_soon_days"])
def test_day_counts_are_bounded(tmp_path: Path, option: str, caplog: pytest.LogCaptureFixture) -> None:
    config = plain_site(tmp_path, f"      today: 2026-11-25\n      {option}: 99999999999\n")
    result = run(tmp_path, "check")
    assert result.exit_code == 2, result.output
    assert f"{option}: Input should be less than or equal to 3660" in result.output
    with pytest.raises(Abort):
        build_site(config)
    assert f"{option}: Input should be less than or equal to 3660" in caplog.text


# -- 2. the alias bound counts what aliases add -------------------------------------------------


def test_a_long_list_written_out_is_not_an_alias_bomb(tmp_path: Path) -> None:
    items = "".join(
        f"  - action: Add check {n} with a 5 minute window\n    owner: '@sre'\n    due: 2026-12-01\n"
        "    priority: P1\n    kind: detect\n"
        for n in range(1900)
    )  # about 21,000 nodes, no alias
    text = front(HEAD + "action_items:\n" + items)
    root = repo(tmp_path, {"2026/long.md": text})
    result = check(root, "--format", "json")
    report = json.loads(result.stdout)
    assert [f["rule"] for f in report["findings"] if f["level"] == "error"] == [], result.output
    assert "actions-too-many" in {f["rule"] for f in report["findings"]}


def test_aliases_adding_more_than_the_bound_are_refused(tmp_path: Path) -> None:
    values = ", ".join(str(n) for n in range(100))
    aliases = ", ".join(["*many"] * 250)  # 250 copies of 101 nodes: about 25,000 added
    text = front(HEAD + f"x-many: &many [{values}]\nx-copies: [{aliases}]\n")
    root = repo(tmp_path, {"2026/aliases.md": text})
    result = check(root)
    assert result.exit_code == 1, result.output
    assert f"postmortems/2026/aliases.md:{line_of(text, 'x-copies')}: error[yaml]: " in result.output
    assert "expand to more than 20,000 values" in result.output


# -- 3. line breaks -----------------------------------------------------------------------------

ONE_LINE_FIELDS = {
    "title": ("title: Checkout timeouts\n", "title: {value}\n"),
    "severity": ("severity: SEV2\n", "severity: {value}\n"),
    "owner": ("    owner: '@sre'\n", "    owner: {value}\n"),
    "addresses": ("    owner: '@sre'\n", "    owner: '@sre'\n    addresses: {value}\n"),
    "tags": ("", "tags: [{value}]\n"),
    "services": ("", "services: [{value}]\n"),
    "authors": ("", "authors: [{value}]\n"),
    "contributing_factors": ("", "contributing_factors: [{value}]\n"),
}


@pytest.mark.parametrize("field", sorted(ONE_LINE_FIELDS))
@pytest.mark.parametrize("brk", ["\\n", "\\r", "\\u2028", "\\u2029", "\\x85"], ids=["LF", "CR", "LS", "PS", "NEL"])
def test_a_line_break_in_a_one_line_field_is_a_located_error(tmp_path: Path, field: str, brk: str) -> None:
    value = f'"a{brk}::error file=README.md,line=1::pwned"'
    old, new = ONE_LINE_FIELDS[field]
    yaml_text = HEAD + ITEM
    yaml_text = yaml_text.replace(old, new.format(value=value)) if old else yaml_text + new.format(value=value)
    text = front(yaml_text)
    root = repo(tmp_path, {"2026/broken.md": text})
    result = check(root)
    no_injected_lines(result.output)
    assert result.exit_code == 1, result.output
    line = line_of(text, value)
    assert f"postmortems/2026/broken.md:{line}: error[schema]: " in result.output, result.output
    assert "line break" in result.output or "control character" in result.output


@pytest.mark.parametrize(
    "extra",
    [
        'summary: "Two lines\\nof summary"\n',
        'action_items:\n  - action: "Alert on 90% pool use,\\nthen page"\n    owner: x\n    due: 2026-12-01\n',
        'impact: {description: "Users\\nwaited 5 minutes"}\n',
    ],
    ids=["summary", "action", "impact.description"],
)
def test_multi_line_fields_keep_their_line_breaks(tmp_path: Path, extra: str) -> None:
    root = repo(tmp_path, {"2026/ok.md": front(HEAD + extra)})
    result = check(root, "--format", "json")
    report = json.loads(result.stdout)
    assert [f for f in report["findings"] if f["rule"] in ("schema", "yaml")] == [], result.output


def test_a_message_with_a_line_break_prints_on_one_line(tmp_path: Path) -> None:
    # An unknown key is quoted in its message as written: a line break in it must stay escaped.
    text = front(HEAD + '"x\\n::error file=x::pwned": 1\n')
    root = repo(tmp_path, {"2026/key.md": text})
    result = check(root)
    assert result.exit_code == 1, result.output
    no_injected_lines(result.output)
    (line,) = [line for line in result.output.splitlines() if "unknown field" in line]
    assert line.startswith("postmortems/2026/key.md:5: error[schema]: ")
    assert "x\\n::error file=x::pwned" in line


def test_a_file_name_with_a_line_break_prints_on_one_line(tmp_path: Path) -> None:
    root = repo(tmp_path, {"2026/a\n::error file=x::b.md": front(HEAD)})
    result = check(root)
    assert result.exit_code == 1, result.output
    no_injected_lines(result.output)
    assert "postmortems/2026/a\\n::error file=x::b.md:1: error[" in result.output


def test_finding_as_text_escapes_every_part() -> None:
    finding = Finding("p\rq.md", 3, "schema", Level.ERROR, "m\u2028::error::x\x1b[31m", "h\n::warning::y")
    text = finding.as_text()
    assert text == "p\\rq.md:3: error[schema]: m\\u2028::error::x\\x1b[31m\n  = help: h\\n::warning::y"
    assert len(text.splitlines()) == 2  # the help line is the only other line


def test_the_build_log_prints_each_finding_on_one_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    extra = '"x\\n::error file=x::pwned": 1\n'
    config = write_site(tmp_path, {"2026/2026-05-01-key.md": incident("Key", extra=extra)})
    with caplog.at_level(logging.INFO):
        build_site(config)
    messages = [r.getMessage() for r in caplog.records if "unknown field" in r.getMessage()]
    assert messages, caplog.text
    for message in messages:
        assert len(message.splitlines()) == 1, message
        assert "x\\n::error file=x::pwned" in message


# -- 4. visible text ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        ('tags: ["\\u200b"]\n', "tags"),
        ('services: [checkout, "\\u200b\\u2060"]\n', "services"),
        ('authors: [" \\u200b "]\n', "authors"),
        ('summary: "\\ufeff"\n', "summary"),
        ('contributing_factors: ["\\u3000\\u200b"]\n', "contributing_factors"),
    ],
    ids=["zero-width-space", "word-joiner", "spaced", "bom", "ideographic-space"],
)
def test_invisible_text_is_a_located_error(tmp_path: Path, extra: str, fragment: str) -> None:
    text = front(HEAD + extra)
    root = repo(tmp_path, {"2026/invisible.md": text})
    result = check(root)
    assert result.exit_code == 1, result.output
    assert f"postmortems/2026/invisible.md:{line_of(text, fragment)}: error[schema]: " in result.output
    assert "no visible character" in result.output


def test_text_with_a_visible_character_is_fine(tmp_path: Path) -> None:
    root = repo(tmp_path, {"2026/ok.md": front(HEAD + 'tags: ["\\u200bdb", "—", "日本"]\nservices: ["€"]\n')})
    report = json.loads(check(root, "--format", "json").stdout)
    assert [f for f in report["findings"] if f["rule"] == "schema"] == []


# -- 5. text fields take plain scalars as written -------------------------------------------------


def test_text_fields_take_plain_scalars_as_written(tmp_path: Path) -> None:
    extra = (
        "tags: [2147483647, 2024, 1.10, 0x1F, 2026-03-01]\n"
        "services: [no, on]\n"
        "authors: [1_000]\n"
        "action_items:\n"
        "  - action: 2026\n"
        "    owner: 007\n"
        "    due: 2026-12-01\n"
        "  - action: Page on 5xx rate above 1% for 5 minutes\n"
        "    owner:\n"
        "    due: 2026-12-02\n"
    )
    source = incident("Plain scalars", extra=extra).replace("title: Plain scalars", "title: 404")
    config = write_site(tmp_path, {"2026/2026-05-01-plain.md": source})
    site = build_site(config)
    (record,) = json.loads((site / "api" / "postmortems.json").read_text())["postmortems"]
    assert record["title"] == "404"
    assert record["tags"] == ["2147483647", "2024", "1.10", "0x1F", "2026-03-01"]
    assert record["services"] == ["no", "on"]
    assert record["authors"] == ["1_000"]
    assert record["date"] == "2026-05-01"  # a date field keeps its date
    items = json.loads((site / "api" / "actions.json").read_text())["items"]
    assert [(i["action"], i["owner"]) for i in items] == [
        ("2026", "007"),
        ("Page on 5xx rate above 1% for 5 minutes", None),  # an empty owner is still no owner
    ]
    result = check(tmp_path)
    errors = [line for line in result.output.splitlines() if ": error[" in line]
    assert [line.split(": error[")[1].split("]")[0] for line in errors] == ["action-owner"], result.output


def test_a_null_in_a_list_of_text_stays_null(tmp_path: Path) -> None:
    text = front(HEAD + "services: [checkout, ~]\n")
    result = check(repo(tmp_path, {"2026/null.md": text}))
    assert result.exit_code == 1, result.output
    assert f"postmortems/2026/null.md:{line_of(text, 'services')}: error[schema]: `services[1]`" in result.output


# -- 6. team handles are not first names ----------------------------------------------------------


def root_causes_repo(tmp_path: Path, authors: str, sentence: str) -> Path:
    body = incident("Names", extra=f"authors: {authors}\n").replace("A gap in the deploy checks.", sentence)
    return repo(tmp_path, {"2026/2026-05-01-names.md": body})


@pytest.mark.parametrize(
    ("authors", "sentence"),
    [
        ("[network-engineering]", "Recovery tools depended on the network."),
        ("[payments-team]", "The payments queue had no back-pressure."),
        ('["@sre-team"]', "The sre runbook was out of date."),
        ("[priya.raman]", "The priya service was rebuilt by Priya's script."),
    ],
)
def test_a_team_handle_is_not_taken_as_a_first_name(tmp_path: Path, authors: str, sentence: str) -> None:
    result = check(root_causes_repo(tmp_path, authors, sentence))
    assert "blame-name" not in result.output, result.output


@pytest.mark.parametrize(
    ("authors", "sentence", "name"),
    [
        ("[network-engineering]", "The network-engineering rota was empty.", "network-engineering"),
        ('["@sre-team"]', "The change was approved by @sre-team.", "@sre-team"),
        ('["@sre-team"]', "The change was approved by sre-team.", "sre-team"),
        ("[priya.raman]", "The restart was run by priya.raman at 10:00.", "priya.raman"),
        ("[Priya Raman]", "The restart was run by Priya at 10:00.", "Priya"),
    ],
)
def test_handles_match_whole_and_personal_names_by_first_name(
    tmp_path: Path, authors: str, sentence: str, name: str
) -> None:
    result = check(root_causes_repo(tmp_path, authors, sentence))
    assert result.exit_code == 1, result.output
    assert f"error[blame-name]: a person is named in Root causes: {name!r}" in result.output
