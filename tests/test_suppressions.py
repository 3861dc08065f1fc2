"""Rule levels per path (`path_rules`) and inline suppressions (`<!-- postmortems: allow ... -->`),
through the real `postmortems check` and a real strict `mkdocs build`, which must agree."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from mkdocs.exceptions import Abort

from mkdocs_postmortems.cli import main
from sitebuild import build_site, incident, write_site

# Front matter that leaves `incident()` with no finding at all, so a summary can read "no problems".
CLEAN = (
    "reviewed: 2026-06-01\naction_items:\n  - action: Add a canary stage that halts the deploy at 1% errors\n"
    '    owner: "@sre-team"\n    due: 2026-06-01\n    status: done\n    completed: 2026-05-20\n'
)
QUOTE = (
    "## Vendor report\n\n"
    "<!-- postmortems: allow blame-language: quoted from the vendor's report -->\n"
    "> The vendor's report: human error during maintenance.\n"
)
OURS = "\nOur own words: human error was not the cause.\n"
ARCHIVE_RULES = '      path_rules: {"archive/*": {blame-language: off, blame-name: off}}\n'


def check(config: Path, *args: str) -> Result:
    cwd = os.getcwd()
    os.chdir(config.parent)
    try:
        return CliRunner().invoke(main, ["check", *args], catch_exceptions=False)
    finally:
        os.chdir(cwd)


def builds_strictly(config: Path) -> bool:
    try:
        build_site(config, strict=True)
    except Abort:
        return False
    return True


def agree(config: Path, passes: bool) -> Result:
    """`check` and a strict build both pass, or both fail; returns check's result."""
    result = check(config)
    assert result.exit_code == (0 if passes else 1), result.output
    assert builds_strictly(config) is passes
    return result


def findings(result: Result) -> list[tuple[str, int, str, str]]:
    data = json.loads(result.output)
    return [(f["path"], f["line"], f["rule"], f["level"]) for f in data["findings"]]


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """The file line of the nth occurrence of `needle` in `text`."""
    offset = -1
    for _ in range(nth):
        offset = text.index(needle, offset + 1)
    return text.count("\n", 0, offset) + 1


# Rule levels per path.


def test_archive_blame_language_off_by_path_while_elsewhere_it_still_fails(tmp_path: Path) -> None:
    quoted = incident("Vendor outage", extra=CLEAN, body="The vendor's report says: human error.\n")
    files = {"archive/2019/2019-03-01-vendor.md": quoted, "2026/2026-05-01-new.md": quoted}
    config = write_site(tmp_path, files, options=ARCHIVE_RULES)
    result = check(config, "--format", "json")
    assert result.exit_code == 1
    line = line_of(quoted, "human error")
    assert findings(result) == [("postmortems/2026/2026-05-01-new.md", line, "blame-language", "error")]
    assert not builds_strictly(config)

    (tmp_path / "postmortems/2026/2026-05-01-new.md").unlink()
    result = agree(config, passes=True)
    assert result.output.strip() == "1 post-mortem(s) checked: no problems"


def test_later_path_patterns_win_and_any_pattern_beats_global_rules(tmp_path: Path) -> None:
    text = incident("Vendor outage", extra=CLEAN, body="Their words: human error.\n")
    options = (
        "      rules: {blame-language: warning}\n"
        '      path_rules: {"archive/*": {blame-language: off}, "archive/kept/*": {blame-language: error}}\n'
    )
    files = {"archive/a.md": text, "archive/kept/b.md": text, "2026/c.md": text}
    config = write_site(tmp_path, files, options=options)
    result = check(config, "--format", "json")
    line = line_of(text, "human error")
    assert findings(result) == [
        ("postmortems/2026/c.md", line, "blame-language", "warning"),
        ("postmortems/archive/kept/b.md", line, "blame-language", "error"),
    ]
    assert not builds_strictly(config)
    (tmp_path / "postmortems/archive/kept/b.md").unlink()
    agree(config, passes=True)  # the warning is logged at info level


@pytest.mark.parametrize(
    ("path_rules", "message"),
    [
        ('{"archive/*": {blame-langauge: off}}', "unknown rule 'blame-langauge'"),
        ('{"archive/*": {schema: warning}}', "rule 'schema' cannot be turned down"),
        ('{"archive/*": {yaml: off}}', "rule 'yaml' cannot be turned down"),
        ('{"archive/*": {blame-language: loud}}', "Input should be 'error', 'warning' or 'off'"),
        ('{"/archive/*": {blame-language: off}}', "relative to docs_dir"),
    ],
)
def test_bad_path_rules_are_config_errors(tmp_path: Path, path_rules: str, message: str) -> None:
    config = write_site(tmp_path, {"a.md": incident("A")}, options=f"      path_rules: {path_rules}\n")
    result = check(config)
    assert result.exit_code == 2
    assert "path_rules" in result.output and message in result.output
    with pytest.raises(Abort):  # MkDocs logs the plugin's error, then aborts
        build_site(config, strict=True)


# Inline suppressions.


def test_a_suppression_silences_exactly_its_finding(tmp_path: Path) -> None:
    text = incident("Vendor outage", extra=CLEAN, body=QUOTE + OURS)
    config = write_site(tmp_path, {"a.md": text})
    result = agree(config, passes=False)
    assert result.output.splitlines()[0] == (
        f"postmortems/a.md:{line_of(text, 'human error', 2)}: error[blame-language]: blame language: 'human error'"
    )
    assert result.output.splitlines()[-1] == (
        "1 post-mortem(s) checked: 1 error(s), 0 warning(s) in 1 file(s); 1 suppressed"
    )
    assert "suppression-" not in result.output


def test_the_summary_counts_suppressions_when_nothing_else_is_found(tmp_path: Path) -> None:
    inline = "\nThe vendor wrote human error. <!-- postmortems: allow blame-language: the vendor's words -->\n"
    text = incident("Vendor outage", extra=CLEAN, body=QUOTE + inline)
    config = write_site(tmp_path, {"a.md": text})
    result = agree(config, passes=True)
    assert result.output.strip() == "1 post-mortem(s) checked: no problems; 2 suppressed"

    github = check(config, "--format", "github")
    assert github.output.strip() == "1 post-mortem(s) checked: no problems; 2 suppressed"

    data = json.loads(check(config, "--format", "json").output)
    assert data["findings"] == []
    assert data["suppressed"] == 2
    assert [
        (s["line"], s["rule"], s["level"], s["reason"], s["suppressed_at"]) for s in data["suppressed_findings"]
    ] == [
        (
            line_of(text, "human error"),
            "blame-language",
            "error",
            "quoted from the vendor's report",
            line_of(text, "<!-- postmortems"),
        ),
        (
            line_of(text, "human error", 2),
            "blame-language",
            "error",
            "the vendor's words",
            line_of(text, "<!-- postmortems", 2),
        ),
    ]


def test_a_suppression_covers_only_its_block_and_the_next(tmp_path: Path) -> None:
    body = (
        "<!-- postmortems: allow blame-language: quoted from the vendor's report -->\n\n"
        "The vendor: human error.\n\n"
        "Ours: human error.\n\n"  # a block further on is not covered
        "- first item <!-- postmortems: allow blame-language: the vendor's words --> human error\n"
        "- second item: human error\n"  # nor the next list item of an inline one
    )
    text = incident("Vendor outage", extra=CLEAN, body=body)
    config = write_site(tmp_path, {"a.md": text})
    result = check(config, "--format", "json")
    assert findings(result) == [
        ("postmortems/a.md", line_of(text, "Ours"), "blame-language", "error"),
        ("postmortems/a.md", line_of(text, "second item"), "blame-language", "error"),
    ]
    assert json.loads(result.output)["suppressed"] == 2


def test_one_suppression_may_name_several_rules(tmp_path: Path) -> None:
    body = (
        "<!-- postmortems: allow blame-language, blame-name: the vendor's report, quoted -->\n"
        "> Jordan made a human error.\n"
    )
    text = incident("Vendor outage", extra=CLEAN + "authors: [Jordan Lee]\n", body=body)
    # blame-name looks at Root causes only: the quote is elsewhere, so that half is unused.
    config = write_site(tmp_path, {"a.md": text})
    result = agree(config, passes=True)
    line = line_of(text, "<!-- postmortems")
    assert result.output.splitlines()[0] == (
        f"postmortems/a.md:{line}: warning[suppression-unused]: the suppression of blame-name suppresses nothing"
    )
    assert result.output.splitlines()[-1].endswith("; 1 suppressed")


@pytest.mark.parametrize(
    ("comment", "message"),
    [
        ("<!-- postmortems: allow blame-language -->", "the suppression of blame-language gives no reason"),
        ("<!-- postmortems: allow blame-language:   -->", "the suppression of blame-language gives no reason"),
        (
            "<!-- postmortems: allow blame-langauge: quoted -->",
            "the suppression names an unknown rule 'blame-langauge'",
        ),
        ("<!-- postmortems: allow schema: quoted -->", "rule 'schema' cannot be suppressed"),
        ("<!-- postmortems: allow suppression-unused: quoted -->", "rule 'suppression-unused' cannot be suppressed"),
        ("<!-- postmortems: ignore blame-language: quoted -->", "the suppression names no rule"),
        ("<!-- postmortems: allow section-missing: old format -->", "rule 'section-missing' concerns the whole file"),
    ],
)
def test_invalid_suppressions_are_errors_at_their_line_and_suppress_nothing(
    tmp_path: Path, comment: str, message: str
) -> None:
    text = incident("Vendor outage", extra=CLEAN, body=f"{comment}\n> The vendor's report: human error.\n")
    config = write_site(tmp_path, {"a.md": text})
    result = agree(config, passes=False)
    lines = result.output.splitlines()
    assert lines[0].startswith(f"postmortems/a.md:{line_of(text, '<!--')}: error[suppression-invalid]: {message}")
    assert f"postmortems/a.md:{line_of(text, 'human error')}: error[blame-language]" in result.output
    assert lines[-1] == "1 post-mortem(s) checked: 2 error(s), 0 warning(s) in 1 file(s)"


def test_an_unknown_rule_gets_a_suggestion(tmp_path: Path) -> None:
    text = incident("A", extra=CLEAN, body="<!-- postmortems: allow blame-langauge: quoted -->\nText.\n")
    result = check(write_site(tmp_path, {"a.md": text}))
    assert "= help: did you mean 'blame-language'?" in result.output


def test_an_unused_suppression_warns(tmp_path: Path) -> None:
    body = "<!-- postmortems: allow blame-language: quoted from the vendor's report -->\n> The vendor apologised.\n"
    text = incident("Vendor outage", extra=CLEAN, body=body)
    config = write_site(tmp_path, {"a.md": text})
    result = agree(config, passes=True)  # a warning: logged at info level, so strict builds pass
    assert result.output.splitlines() == [
        f"postmortems/a.md:{line_of(text, '<!--')}: warning[suppression-unused]: "
        "the suppression of blame-language suppresses nothing",
        "  = help: remove it, or move it into the block with the finding (a comment on a line of its own also "
        "covers the block right after it)",
        "1 post-mortem(s) checked: 0 error(s), 1 warning(s) in 1 file(s)",
    ]
    assert check(config, "--strict").exit_code == 1


def test_comments_in_code_do_not_suppress(tmp_path: Path) -> None:
    body = (
        "```html\n<!-- postmortems: allow blame-language: quoted from the vendor's report -->\n```\n"
        "The vendor: human error.\n\n"
        "Inline code `<!-- postmortems: allow blame-language: quoted -->` then human error.\n"
    )
    text = incident("Vendor outage", extra=CLEAN, body=body)
    config = write_site(tmp_path, {"a.md": text})
    result = agree(config, passes=False)
    lines = result.output.splitlines()
    assert [line.split(": error")[0] for line in lines if ": error[" in line] == [
        f"postmortems/a.md:{line_of(text, 'human error')}",
        f"postmortems/a.md:{line_of(text, 'human error', 2)}",
    ]
    assert "suppress" not in result.output  # neither used nor unused: not a suppression at all


def test_a_suppression_in_an_archive_turned_off_by_path_is_not_unused(tmp_path: Path) -> None:
    # The rule is off there, yet the quote still hits it: the comment stays valid if the file moves.
    text = incident("Vendor outage", extra=CLEAN, body=QUOTE)
    config = write_site(tmp_path, {"archive/a.md": text}, options=ARCHIVE_RULES)
    result = agree(config, passes=True)
    assert result.output.strip() == "1 post-mortem(s) checked: no problems"


def test_suppression_findings_follow_path_levels(tmp_path: Path) -> None:
    text = incident("Vendor outage", extra=CLEAN, body="<!-- postmortems: allow blame-language -->\nText.\n")
    options = '      path_rules: {"archive/*": {suppression-invalid: warning}}\n'
    config = write_site(tmp_path, {"archive/a.md": text, "b.md": text}, options=options)
    result = check(config, "--format", "json")
    line = line_of(text, "<!--")
    assert findings(result) == [
        ("postmortems/archive/a.md", line, "suppression-invalid", "warning"),
        ("postmortems/b.md", line, "suppression-invalid", "error"),
    ]


def test_stacked_comments_all_reach_the_block_under_them(tmp_path: Path) -> None:
    body = (
        "## Root causes\n\n"
        "<!-- postmortems: allow blame-language: the vendor's report, quoted -->\n"
        "<!-- postmortems: allow blame-name: Jordan is the vendor's engineer, not ours -->\n"
        "> Jordan made a human error.\n"
    )
    text = incident("Vendor outage", extra=CLEAN + "authors: [Jordan Lee]\n", body=body)
    config = write_site(tmp_path, {"a.md": text})
    result = agree(config, passes=True)
    assert result.output.strip() == "1 post-mortem(s) checked: no problems; 2 suppressed"
