"""Every class of bad input, through the real `postmortems check` on a real temporary repository.

Each bad file must be reported, never crash the run: exit code 1, a line `path:LINE: error[rule]: ...`
naming the file, the line of the problem and the rule, and no traceback. The cases that could run
code or never finish (python tags, alias bombs) also go through a separate process, so a crash or
a side effect cannot hide inside the test runner.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from mkdocs_postmortems import yamlsafe
from mkdocs_postmortems.cli import main

TODAY = "2026-03-10"  # fixed, so nothing depends on the clock

# The smallest valid front matter (the id defaults to the file name).
MINIMAL = "title: Checkout timeouts\ndate: 2026-03-01\nseverity: SEV2\n"

# A post-mortem with no finding at all, warnings included, on TODAY.
CLEAN = """---
title: Checkout timeouts after pool resize
date: 2026-03-01
severity: SEV2
started: 2026-03-01T14:00:00Z
detected: 2026-03-01T14:07:00Z
resolved: 2026-03-01T15:00:00Z
contributing_factors: [capacity]
action_items:
  - action: Alert when the connection pool is over 90% busy for 5 minutes
    owner: "@sre-team"
    due: 2026-03-20
    addresses: capacity
reviewed: 2026-03-08
---

## Summary

Checkout requests timed out for 53 minutes.

## Timeline

| Time (UTC) | Event |
|---|---|
| 14:00 | Pool resized |
| 14:07 | Alert fired |

## Impact

Some users could not pay.

## Root causes

The pool was sized for last year's traffic.

## What went well

The alert fired within 7 minutes.

## What could be improved

The resize had no load test.
"""

FINDING = re.compile(r"^(?P<path>.+?):(?P<line>\d+): (?P<level>error|warning)\[(?P<rule>[a-z-]+)\]: (?P<message>.*)$")


@dataclass(frozen=True)
class Reported:
    """One finding as the text output prints it, with its `= help:` line."""

    path: str
    line: int
    level: str
    rule: str
    message: str
    hint: str


def parse_output(output: str) -> list[Reported]:
    found: list[Reported] = []
    for text in output.splitlines():
        match = FINDING.match(text)
        if match:
            found.append(
                Reported(match["path"], int(match["line"]), match["level"], match["rule"], match["message"], hint="")
            )
        elif text.startswith("  = help: ") and found:
            last = found[-1]
            found[-1] = Reported(last.path, last.line, last.level, last.rule, last.message, text[len("  = help: ") :])
    return found


@dataclass
class Checked:
    """What one `postmortems check` run printed and returned."""

    exit_code: int
    output: str

    @property
    def findings(self) -> list[Reported]:
        return parse_output(self.output)

    def errors_in(self, path: str) -> list[Reported]:
        return [f for f in self.findings if f.path == path and f.level == "error"]


class Repo:
    """A temporary repository: mkdocs.yml with the plugin, post-mortems in postmortems/."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        (root / "mkdocs.yml").write_text(
            "site_name: Test\ndocs_dir: postmortems\nplugins:\n  - postmortems\n", encoding="utf-8"
        )
        (root / "postmortems").mkdir()

    def write(self, name: str, content: str | bytes) -> str:
        """Write postmortems/`name` byte for byte; return the path the CLI shows for it."""
        path = self.root / "postmortems" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return f"postmortems/{name}"

    def check(self, *args: str) -> Checked:
        """`postmortems check` in this process, through click's test runner."""
        cwd = os.getcwd()
        os.chdir(self.root)
        try:
            result: Result = CliRunner().invoke(
                main,
                ["--config", str(self.root / "mkdocs.yml"), "--today", TODAY, "check", *args],
                catch_exceptions=False,
            )
        finally:
            os.chdir(cwd)
        return Checked(result.exit_code, result.output)

    def check_in_subprocess(self, *args: str) -> Checked:
        """`postmortems check` as a separate process: tracebacks and side effects show as they would in CI."""
        command = [*postmortems_command(), "--config", str(self.root / "mkdocs.yml"), "--today", TODAY, "check"]
        completed = subprocess.run(
            [*command, *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            env={**os.environ, "PYTHONIOENCODING": "utf-8"},
            timeout=300,  # a safety net against a hang, not a speed requirement
            check=False,
        )
        return Checked(completed.returncode, completed.stdout + completed.stderr)


def postmortems_command() -> list[str]:
    script = Path(sys.executable).with_name("postmortems")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from mkdocs_postmortems.cli import main; main()"]


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path)


def assert_reported(checked: Checked, path: str, line: int, rule: str, *fragments: str) -> Reported:
    """The run failed cleanly and reported `rule` for `path` at `line`; return that finding."""
    assert "Traceback" not in checked.output, checked.output
    assert checked.exit_code == 1, checked.output
    assert f"{path}:{line}: error[{rule}]: " in checked.output, checked.output
    matching = [f for f in checked.errors_in(path) if f.line == line and f.rule == rule]
    for fragment in fragments:
        matching = [f for f in matching if fragment in f.message + "\n" + f.hint]
    assert matching, f"no {rule} error at {path}:{line} mentioning {fragments}:\n{checked.output}"
    assert all(f.message.strip() for f in checked.findings), checked.output
    return matching[0]


def front(yaml_text: str, body: str = "\n## Summary\n\nText.\n") -> str:
    return f"---\n{yaml_text}---\n{body}"


# --- positive controls ----------------------------------------------------------------


def test_the_clean_post_mortem_has_no_finding(repo: Repo) -> None:
    repo.write("clean.md", CLEAN)
    checked = repo.check()
    assert checked.exit_code == 0, checked.output
    assert checked.findings == []
    assert "1 post-mortem(s) checked: no problems" in checked.output


def test_the_minimal_front_matter_is_valid(repo: Repo) -> None:
    repo.write("minimal.md", front(MINIMAL))
    checked = repo.check()
    assert checked.exit_code == 0, checked.output
    assert not [f for f in checked.findings if f.level == "error"]


# --- the file and its front-matter block ----------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param("# Checkout timeouts\n\nNo front matter here.\n", "no front matter", id="missing"),
        pytest.param("title: x\ndate: 2026-03-01\nseverity: SEV2\n", "no front matter", id="missing-dashes"),
        pytest.param("---\n---\n## Summary\n", "front matter is empty", id="empty-front-matter"),
        pytest.param("---\n\n   \n---\n", "front matter is empty", id="blank-front-matter"),
        pytest.param("", "the file is empty", id="empty-file"),
        pytest.param("\n  \n\t\n", "the file is empty", id="whitespace-file"),
        pytest.param("---\n" + MINIMAL + "\n## Summary\n\nText.\n", "not closed", id="unclosed"),
    ],
)
def test_front_matter_block_problems_are_reported_on_line_1(repo: Repo, content: str, message: str) -> None:
    path = repo.write("broken.md", content)
    assert_reported(repo.check(), path, 1, "front-matter", message)


@pytest.mark.parametrize(
    ("yaml_text", "kind"),
    [
        pytest.param("- title: x\n- date: 2026-03-01\n", "list", id="list"),
        pytest.param("Checkout timeouts on 2026-03-01\n", "not a piece of text", id="string"),
        pytest.param("42\n", "not a number", id="number"),
        pytest.param("~\n", "nothing", id="null"),
    ],
)
def test_front_matter_that_is_not_a_mapping(repo: Repo, yaml_text: str, kind: str) -> None:
    path = repo.write("not-a-mapping.md", front(yaml_text))
    assert_reported(repo.check(), path, 2, "front-matter", "must be a mapping", kind)


# --- YAML syntax ----------------------------------------------------------------------


def test_bad_indentation_is_reported_on_its_line(repo: Repo) -> None:
    path = repo.write("indent.md", front("title: x\ndate: 2026-03-01\n  severity: SEV2\n"))
    assert_reported(repo.check(), path, 4, "yaml", "invalid YAML")


def test_a_tab_indent_is_reported_on_its_line(repo: Repo) -> None:
    path = repo.write("tab.md", front(MINIMAL + "\ttags: [a]\n"))
    assert_reported(repo.check(), path, 5, "yaml", "invalid YAML", "spaces, not tabs")


def test_an_unclosed_flow_sequence_is_a_yaml_error(repo: Repo) -> None:
    path = repo.write("bracket.md", front("title: x\ntags: [a, b\ndate: 2026-03-01\nseverity: SEV2\n"))
    checked = repo.check()
    assert_reported(checked, path, 4, "yaml", "flow sequence")


def test_an_unclosed_quote_is_a_yaml_error_inside_the_file(repo: Repo) -> None:
    content = front('title: "Checkout timeouts\ndate: 2026-03-01\nseverity: SEV2\n')
    path = repo.write("quote.md", content)
    checked = repo.check()
    assert checked.exit_code == 1
    assert "Traceback" not in checked.output
    [finding] = checked.errors_in(path)
    assert finding.rule == "yaml"
    assert "quoted scalar" in finding.message
    assert 2 <= finding.line <= content.count("\n")


def test_an_unclosed_quote_is_reported_where_the_quote_opens(repo: Repo) -> None:
    path = repo.write("quote.md", front('title: "Checkout timeouts\ndate: 2026-03-01\nseverity: SEV2\n'))
    assert_reported(repo.check(), path, 2, "yaml", "quoted scalar")


def test_duplicate_keys_are_reported_on_the_second_one(repo: Repo) -> None:
    path = repo.write("dup-key.md", front(MINIMAL + "tags: [a]\ntitle: Another title\n"))
    assert_reported(repo.check(), path, 6, "yaml", "duplicate key 'title'", "first on line 2")


def test_duplicate_keys_inside_an_action_item(repo: Repo) -> None:
    items = "action_items:\n  - action: Add an alert at 90% pool use\n    owner: a\n    owner: b\n"
    path = repo.write("dup-item-key.md", front(MINIMAL + items))
    assert_reported(repo.check(), path, 8, "yaml", "duplicate key 'owner'", "first on line 7")


# --- dates and times --------------------------------------------------------------------


def test_an_impossible_date_is_a_yaml_error_on_its_line(repo: Repo) -> None:
    path = repo.write("feb-30.md", front("title: x\ndate: 2026-02-30\nseverity: SEV2\n"))
    assert_reported(repo.check(), path, 3, "yaml", "2026-02-30", "not a real date")


def test_an_impossible_due_date_in_an_action_item(repo: Repo) -> None:
    items = "action_items:\n  - action: Add an alert at 90% pool use\n    owner: sre\n    due: 2026-13-01\n"
    path = repo.write("month-13.md", front(MINIMAL + items))
    assert_reported(repo.check(), path, 8, "yaml", "2026-13-01", "not a real date")


def test_a_timestamp_without_time_zone(repo: Repo) -> None:
    path = repo.write("naive.md", front(MINIMAL + "started: 2026-03-01 14:00:00\n"))
    reported = assert_reported(repo.check(), path, 5, "schema", "started", "time zone")
    assert "2026-03-01T14:00:00Z" in reported.hint or "+00:00" in reported.hint


def test_timestamps_out_of_order_are_reported_on_the_later_field(repo: Repo) -> None:
    times = "started: 2026-03-01T14:00:00Z\ndetected: 2026-03-01T13:55:00Z\n"
    path = repo.write("order.md", front(MINIMAL + times))
    checked = repo.check()
    assert_reported(checked, path, 6, "schema", "`detected`", "before `started`")
    assert [f.line for f in checked.errors_in(path)] == [6]


def test_a_number_is_not_a_date(repo: Repo) -> None:
    path = repo.write("number-date.md", front("title: x\ndate: 20260301\nseverity: SEV2\n"))
    assert_reported(repo.check(), path, 3, "schema", "not a date")


# --- field types and values -------------------------------------------------------------


def test_wrong_types_are_all_reported_each_on_its_line(repo: Repo) -> None:
    yaml_text = (
        "title: [a, b]\n"  # line 2
        "date: 2026-03-01\n"
        "severity: SEV2\n"
        "tags: 5\n"  # line 5
        "impact:\n"
        "  users_affected: -3\n"  # line 7
        '  data_loss: "maybe"\n'  # line 8
    )
    path = repo.write("types.md", front(yaml_text))
    checked = repo.check()
    assert_reported(checked, path, 2, "schema", "`title`")
    assert_reported(checked, path, 5, "schema", "`tags`", "list")
    assert_reported(checked, path, 7, "schema", "users_affected", "greater than or equal to 0")
    assert_reported(checked, path, 8, "schema", "data_loss", "boolean")
    assert sorted(f.line for f in checked.errors_in(path)) == [2, 5, 7, 8]


def test_a_missing_required_field(repo: Repo) -> None:
    path = repo.write("no-severity.md", front("title: x\ndate: 2026-03-01\n"))
    assert_reported(repo.check(), path, 2, "schema", "missing required field `severity`")


def test_an_unknown_severity_lists_the_allowed_levels(repo: Repo) -> None:
    path = repo.write("sev9.md", front("title: x\ndate: 2026-03-01\nseverity: SEV9\n"))
    assert_reported(repo.check(), path, 4, "schema", "SEV9", "SEV1, SEV2, SEV3, SEV4")


def test_an_unknown_field_gets_a_did_you_mean_hint(repo: Repo) -> None:
    path = repo.write("typo.md", front("title: x\ndate: 2026-03-01\nserverity: SEV2\n"))
    checked = repo.check()
    reported = assert_reported(checked, path, 4, "schema", "unknown field `serverity`")
    assert "did you mean `severity`?" in reported.hint
    assert_reported(checked, path, 2, "schema", "missing required field `severity`")


def test_an_unknown_field_in_an_action_item_gets_a_hint(repo: Repo) -> None:
    items = "action_items:\n  - action: Add an alert at 90% pool use\n    onwer: sre\n"
    path = repo.write("item-typo.md", front(MINIMAL + items))
    reported = assert_reported(repo.check(), path, 7, "schema", "unknown field `action_items[0].onwer`")
    assert "did you mean `owner`?" in reported.hint


def test_an_action_item_addressing_a_factor_not_listed(repo: Repo) -> None:
    yaml_text = MINIMAL + (
        "contributing_factors: [capacity]\n"
        "action_items:\n"
        "  - action: Load test every pool resize at 2x peak traffic\n"
        "    owner: sre\n"
        "    due: 2026-04-01\n"
        "    addresses: testing-gap\n"  # line 10
    )
    path = repo.write("addresses.md", front(yaml_text))
    assert_reported(repo.check(), path, 10, "schema", "'testing-gap'", "not a contributing factor")


@pytest.mark.parametrize(
    "ticket",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "data:text/html,<script>alert(1)</script>",
        "https://example.com/<script>",
        "file:///etc/passwd",
    ],
)
def test_a_ticket_that_is_not_a_web_link_or_reference_is_rejected(repo: Repo, ticket: str) -> None:
    yaml_text = MINIMAL + (
        "action_items:\n"
        "  - action: Load test every pool resize at 2x peak traffic\n"
        "    owner: sre\n"
        "    due: 2026-04-01\n"
        f"    ticket: {ticket!r}\n"  # line 9
    )
    path = repo.write("ticket.md", front(yaml_text))
    assert_reported(repo.check(), path, 9, "schema", "ticket", "is not valid")


def test_a_file_name_that_is_not_a_slug_needs_an_id(repo: Repo) -> None:
    path = repo.write("Checkout Outage.md", front(MINIMAL))
    # A problem of the whole file, reported on the front matter's first line, where `id:` would go.
    assert_reported(repo.check(), path, 2, "schema", "'Checkout Outage'", "not a valid id")


def test_a_file_name_that_is_not_a_slug_is_fine_with_an_id(repo: Repo) -> None:
    repo.write("Checkout Outage.md", front("id: checkout-outage\n" + MINIMAL))
    checked = repo.check()
    assert checked.exit_code == 0, checked.output


def test_an_id_that_is_not_a_slug(repo: Repo) -> None:
    path = repo.write("bad-id.md", front(MINIMAL + "id: Checkout Outage\n"))
    assert_reported(repo.check(), path, 5, "schema", "`id`")


# --- encodings and line endings -----------------------------------------------------------


def test_non_utf8_bytes_are_reported_on_their_line(repo: Repo) -> None:
    path = repo.write("latin1.md", b"---\ntitle: x\n\xff\ndate: 2026-03-01\nseverity: SEV2\n---\n")
    assert_reported(repo.check(), path, 3, "encoding", "not valid UTF-8", "0xff")


def test_latin1_text_in_the_body_is_reported_on_its_line(repo: Repo) -> None:
    content = front(MINIMAL).encode() + "\n## Impact\n\nCaf\u00e9 orders failed.\n".encode("latin-1")
    path = repo.write("latin1-body.md", content)
    assert_reported(repo.check(), path, 13, "encoding", "not valid UTF-8", "0xe9")


def test_a_bom_and_crlf_line_endings_are_accepted(repo: Repo) -> None:
    repo.write("windows.md", b"\xef\xbb\xbf" + CLEAN.replace("\n", "\r\n").encode())
    checked = repo.check()
    assert checked.exit_code == 0, checked.output
    assert checked.findings == []


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["crlf", "bom-crlf"])
def test_a_crlf_file_with_an_error_reports_the_right_line(repo: Repo, bom: bytes) -> None:
    content = front(MINIMAL + "tags: [a]\nstarted: 2026-03-01 14:00:00\n").replace("\n", "\r\n")
    path = repo.write("windows.md", bom + content.encode())
    assert_reported(repo.check(), path, 6, "schema", "time zone")


def test_a_crlf_file_with_a_yaml_error_reports_the_right_line(repo: Repo) -> None:
    content = front("title: x\ndate: 2026-02-30\nseverity: SEV2\n").replace("\n", "\r\n")
    path = repo.write("windows.md", content.encode())
    assert_reported(repo.check(), path, 3, "yaml", "not a real date")


def test_a_crlf_file_with_bad_bytes_reports_the_right_line(repo: Repo) -> None:
    path = repo.write("windows.md", b"---\r\ntitle: x\r\n\xff\r\n---\r\n")
    assert_reported(repo.check(), path, 3, "encoding", "not valid UTF-8")


def test_a_cr_only_file_with_bad_bytes_reports_the_right_line(repo: Repo) -> None:
    path = repo.write("old-mac.md", b"---\rtitle: x\r\xff\r---\r")
    assert_reported(repo.check(), path, 3, "encoding", "not valid UTF-8")


def test_a_unicode_line_separator_in_a_value_does_not_shift_lines(repo: Repo) -> None:
    path = repo.write("ls.md", front("title: x\u2028\u2028\u2028\u2028\ndate: 2026-03-01\nseverity: SEV9\n"))
    assert_reported(repo.check(), path, 4, "schema", "SEV9")


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x9b", "\ufffe"], ids=ascii)
def test_a_control_character_in_the_front_matter_is_a_located_yaml_error(repo: Repo, char: str) -> None:
    path = repo.write("bell.md", front(MINIMAL + f"summary: Checkout{char} timed out\n"))
    other = repo.write("sev9.md", front("title: x\ndate: 2026-03-01\nseverity: SEV9\n"))
    checked = repo.check_in_subprocess()
    assert_reported(checked, path, 5, "yaml", f"#x{ord(char):04x}")
    assert_reported(checked, other, 4, "schema", "SEV9")


@pytest.mark.parametrize("value", ["!!int abc", "!!float ''", "!!bool maybe", "!!timestamp 2026-03-01T25"])
def test_an_explicit_tag_on_a_wrong_value_is_a_located_yaml_error(repo: Repo, value: str) -> None:
    path = repo.write("tagged.md", front(MINIMAL + f"x-count: {value}\n"))
    assert_reported(repo.check_in_subprocess(), path, 5, "yaml")


@pytest.mark.parametrize("key", ["true", "null", "0x10", "42", "2026-03-01"])
def test_a_non_string_key_is_reported_on_its_line(repo: Repo, key: str) -> None:
    path = repo.write("odd-key.md", front(MINIMAL + f"tags: [a]\n{key}: yes\n"))
    reported = assert_reported(repo.check(), path, 6, "yaml", f"the key '{key}' is not a field name")
    assert f'"{key}"' in reported.hint


def test_a_non_string_key_inside_an_action_item(repo: Repo) -> None:
    items = "action_items:\n  - action: Add an alert at 90% pool use\n    1: one\n"
    path = repo.write("odd-item-key.md", front(MINIMAL + items))
    assert_reported(repo.check(), path, 7, "yaml", "the key '1' is not a field name")


# --- unsafe YAML ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tag",
    [
        '!!python/object/apply:os.system ["touch {marker}"]',
        "!!python/object/apply:subprocess.check_call [[touch, {marker}]]",
        '!!python/object/new:subprocess.Popen [["touch", "{marker}"]]',
        "!!python/name:os.system",
        "!!python/module:os",
        '!custom "touch {marker}"',
    ],
)
def test_python_tags_are_rejected_and_never_run(tmp_path: Path, tag: str) -> None:
    repo = Repo(tmp_path / "repo")  # the marker sits outside the repository
    marker = tmp_path / "pwned"
    path = repo.write("tags.md", front(MINIMAL + "tags: [a]\nx-payload: " + tag.format(marker=marker) + "\n"))
    checked = repo.check_in_subprocess()
    reported = assert_reported(checked, path, 6, "yaml", "could not determine a constructor")
    assert "remove the tag" in reported.hint
    assert not marker.exists(), "a YAML tag ran a command"
    # In this process too.
    in_process = repo.check()
    assert_reported(in_process, path, 6, "yaml", "could not determine a constructor")
    assert not marker.exists(), "a YAML tag ran a command"


def alias_bomb(levels: int = 9, width: int = 9) -> tuple[str, int]:
    """A "billion laughs" front matter, and the file line of the first anchor whose expansion passes the bound."""
    lines = [MINIMAL.rstrip("\n")]
    lines.append("x-lol0: &lol0 [" + ", ".join(["lol"] * width) + "]")
    for level in range(1, levels):
        lines.append(f"x-lol{level}: &lol{level} [" + ", ".join([f"*lol{level - 1}"] * width) + "]")
    # Expanded size as yamlsafe counts it: the list node plus its items, aliases expanded.
    size, first_line = 1 + width, None
    for level in range(1, levels):
        size = 1 + width * size
        if size > yamlsafe.MAX_EXPANDED_NODES and first_line is None:
            first_line = 1 + 3 + 1 + level  # `---`, MINIMAL's 3 lines, x-lol0 (line 5), then one line a level
    assert first_line is not None, "the bomb must be bigger than the bound"
    return "\n".join(lines) + "\n", first_line


def test_an_alias_bomb_is_rejected_by_the_expansion_bound(repo: Repo) -> None:
    yaml_text, line = alias_bomb()
    path = repo.write("lol.md", front(yaml_text))
    checked = repo.check_in_subprocess()
    reported = assert_reported(checked, path, line, "yaml", "aliases", "expand to more than")
    assert "alias" in reported.hint


def test_an_alias_bomb_in_a_real_field_is_rejected_too(repo: Repo) -> None:
    yaml_text, line = alias_bomb()
    yaml_text += "tags: *lol8\n"
    path = repo.write("lol-tags.md", front(yaml_text))
    assert_reported(repo.check(), path, line, "yaml", "expand to more than")


def test_moderate_alias_use_is_fine(repo: Repo) -> None:
    yaml_text = MINIMAL + "services: &svc [checkout, payments]\nx-copy: *svc\n"
    repo.write("aliases.md", front(yaml_text))
    checked = repo.check()
    assert checked.exit_code == 0, checked.output


@pytest.mark.parametrize(
    "payload",
    ["&loop [*loop]", "&loop {self: *loop}", "&loop [a, [b, *loop]]"],
    ids=["list", "mapping", "nested"],
)
def test_a_recursive_alias_is_rejected(repo: Repo, payload: str) -> None:
    path = repo.write("loop.md", front(MINIMAL + "x-loop: " + payload + "\n"))
    assert_reported(repo.check(), path, 5, "yaml", "alias refers to itself")


# --- across files -----------------------------------------------------------------------------


def test_duplicate_ids_report_both_files(repo: Repo) -> None:
    first = repo.write("2026/first.md", front("id: checkout-outage\n" + MINIMAL))
    second = repo.write("2026/second.md", front(MINIMAL + "id: checkout-outage\n"))
    checked = repo.check()
    assert_reported(checked, first, 2, "duplicate-id", "'checkout-outage'", second)
    assert_reported(checked, second, 5, "duplicate-id", "'checkout-outage'", first)


def test_duplicate_ids_from_file_names_report_both_files(repo: Repo) -> None:
    first = repo.write("2025/outage.md", front(MINIMAL))
    second = repo.write("2026/outage.md", front(MINIMAL))
    checked = repo.check()
    assert_reported(checked, first, 2, "duplicate-id", "'outage'", second)
    assert_reported(checked, second, 2, "duplicate-id", "'outage'", first)


def test_an_unknown_related_id_is_reported_on_its_item(repo: Repo) -> None:
    repo.write("existing.md", front(MINIMAL))
    path = repo.write("relates.md", front(MINIMAL + "related:\n  - existing\n  - no-such-id\n"))
    checked = repo.check()
    assert_reported(checked, path, 7, "unknown-related", "'no-such-id'")
    assert [f.rule for f in checked.errors_in(path)] == ["unknown-related"]


def test_an_unknown_related_id_in_a_flow_list(repo: Repo) -> None:
    path = repo.write("relates.md", front(MINIMAL + "related: [no-such-id]\n"))
    assert_reported(repo.check(), path, 5, "unknown-related", "'no-such-id'")


# --- many bad files at once -------------------------------------------------------------------


def test_every_bad_file_is_reported_in_one_run_and_the_valid_one_is_not(repo: Repo) -> None:
    clean = repo.write("2026/clean.md", CLEAN)
    expected = {
        repo.write("2026/a-no-front-matter.md", "# Outage\n"): (1, "front-matter"),
        repo.write("2026/b-feb-30.md", front("title: x\ndate: 2026-02-30\nseverity: SEV2\n")): (3, "yaml"),
        repo.write("2026/c-sev9.md", front("title: x\ndate: 2026-03-01\nseverity: SEV9\n")): (4, "schema"),
        repo.write("2026/d-latin1.md", b"---\ntitle: caf\xe9\n---\n"): (2, "encoding"),
        repo.write("2026/e-python.md", front(MINIMAL + "x: !!python/name:os.system\n")): (5, "yaml"),
        repo.write("2026/f-related.md", front(MINIMAL + "related: [nowhere]\n")): (5, "unknown-related"),
        repo.write("2026/g-list.md", front("- a\n- b\n")): (2, "front-matter"),
    }
    for checked in (repo.check(), repo.check_in_subprocess()):
        for path, (line, rule) in expected.items():
            assert_reported(checked, path, line, rule)
        assert clean not in checked.output
        assert {f.path for f in checked.findings if f.level == "error"} == set(expected)
        assert f"{len(expected) + 1} post-mortem(s) checked:" in checked.output


def test_naming_one_file_reports_only_that_file(repo: Repo) -> None:
    repo.write("sev9.md", front("title: x\ndate: 2026-03-01\nseverity: SEV9\n"))
    path = repo.write("feb-30.md", front("title: x\ndate: 2026-02-30\nseverity: SEV2\n"))
    checked = repo.check(str(repo.root / path))
    assert_reported(checked, path, 3, "yaml")
    assert "sev9.md" not in checked.output


def test_the_json_format_carries_the_same_locations(repo: Repo) -> None:
    path = repo.write("sev9.md", front("title: x\ndate: 2026-03-01\nseverity: SEV9\n"))
    checked = repo.check("--format", "json")
    assert checked.exit_code == 1
    assert f'"path": "{path}"' in checked.output
    assert '"line": 4' in checked.output
    assert '"rule": "schema"' in checked.output
