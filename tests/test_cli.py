"""The `postmortems` command on real temporary repositories: new, check, schema, rules."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import Result

from sitebuild import invoke

VALID = """---
title: Cache stampede on search
date: 2026-05-02
severity: SEV2
contributing_factors: [capacity]
action_items:
  - action: Add request coalescing to the search cache, tested with 500 concurrent misses
    owner: "@search-team"
    due: 2026-06-01
    addresses: capacity
---

## Summary

Search latency rose for 20 minutes.

## Timeline

| Time (UTC) | Event |
|---|---|
| 10:00 | Cache flushed |
| 10:20 | Latency normal |

## Impact

Slow searches.

## Root causes

The cache had no request coalescing.

## What went well

Alerting.

## What could be improved

Load tests.
"""


def make_repo(tmp_path: Path, files: dict[str, str], options: str = "") -> Path:
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\ndocs_dir: postmortems\nplugins:\n  - postmortems:\n      people: []\n" + options
    )
    for name, text in files.items():
        path = tmp_path / "postmortems" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def run(repo: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return invoke(repo, *args, env=env)


def test_help_on_every_command(tmp_path: Path) -> None:
    for command in ([], ["new"], ["check"], ["actions"], ["schema"], ["rules"]):
        result = run(tmp_path, *command, "--help")
        assert result.exit_code == 0, command
        assert "Usage: " in result.output


def test_check_clean_repository_exits_0(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"2026/search.md": VALID})
    result = run(repo, "--today", "2026-05-10", "check")
    assert result.exit_code == 0, result.output
    assert "1 post-mortem(s) checked: no problems" in result.output


def test_check_text_output_reads_like_a_compiler(tmp_path: Path) -> None:
    bad = VALID.replace("severity: SEV2", "severity: SEV7")
    repo = make_repo(tmp_path, {"2026/search.md": bad})
    result = run(repo, "check")
    assert result.exit_code == 1
    first, help_line = result.output.splitlines()[:2]
    assert first.startswith("postmortems/2026/search.md:4: error[schema]: `severity`: unknown severity 'SEV7'")
    assert help_line.startswith("  = help: ")
    assert "Traceback" not in result.output


def test_check_json_format(tmp_path: Path) -> None:
    bad = VALID.replace('    owner: "@search-team"\n', "")
    repo = make_repo(tmp_path, {"2026/search.md": bad})
    result = run(repo, "--today", "2026-05-10", "check", "--format", "json")
    assert result.exit_code == 1
    payload = json.loads(result.output)
    assert payload["checked"] == 1 and payload["errors"] == 1
    (finding,) = payload["findings"]
    assert finding == {
        "path": "postmortems/2026/search.md",
        "line": 7,
        "rule": "action-owner",
        "level": "error",
        "message": "action item 1 has no owner",
        "hint": "add `owner:` with the one person or team responsible",
    }


def test_check_github_annotations(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"2026/search.md": VALID.replace("The cache had", "Human error: the cache had")})
    result = run(repo, "--today", "2026-05-10", "check", "--format", "github")
    assert result.exit_code == 1
    line = result.output.splitlines()[0]
    assert line.startswith("::error file=postmortems/2026/search.md,line=30,title=blame-language::")
    assert "%0A" in line  # the hint is on a second line of the annotation, escaped


def test_check_paths_limit_the_report_but_not_cross_file_rules(tmp_path: Path) -> None:
    other = VALID.replace("title: Cache", "related: [search]\ntitle: Cache")
    broken = VALID.replace("related", "x").replace("title: Cache", "related: [nope]\ntitle: Cache")
    repo = make_repo(tmp_path, {"2026/search.md": VALID, "2026/other.md": other, "2026/broken.md": broken})
    result = run(repo, "--today", "2026-05-10", "check", "postmortems/2026/other.md")
    assert result.exit_code == 0, result.output  # `search` exists although it was not named
    assert "1 post-mortem(s) checked" in result.output
    result = run(repo, "--today", "2026-05-10", "check", "postmortems/2026")
    assert result.exit_code == 1
    assert "postmortems/2026/broken.md:2: error[unknown-related]" in result.output
    assert "3 post-mortem(s) checked" in result.output


def test_overdue_is_a_warning_unless_asked_and_today_is_an_input(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"2026/search.md": VALID})
    before = run(repo, "--today", "2026-05-31", "check")
    assert "action-overdue" not in before.output
    after = run(repo, "--today", "2026-06-02", "check")
    assert after.exit_code == 0
    assert "postmortems/2026/search.md:9: warning[action-overdue]" in after.output
    failing = run(repo, "--today", "2026-06-02", "check", "--level", "action-overdue=error")
    assert failing.exit_code == 1
    assert "error[action-overdue]" in failing.output
    strict = run(repo, "--today", "2026-06-02", "check", "--strict")
    assert strict.exit_code == 1


def test_today_from_source_date_epoch(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"2026/search.md": VALID})
    june_2 = "1780387200"  # 2026-06-02T08:00:00Z
    result = run(repo, "check", env={"SOURCE_DATE_EPOCH": june_2})
    assert "warning[action-overdue]: action item 1 was due 2026-06-01 (1 days ago)" in result.output
    result = run(repo, "check", env={"SOURCE_DATE_EPOCH": "1780000000"})  # 2026-05-28
    assert "action-overdue" not in result.output


def test_today_from_plugin_config(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"2026/search.md": VALID}, options="      today: 2026-07-01\n")
    assert "action-overdue" in run(repo, "check").output


def test_rule_levels_from_mkdocs_yml(tmp_path: Path) -> None:
    bad = VALID.replace("Human", "").replace("The cache had", "Careless config: the cache had")
    repo = make_repo(tmp_path, {"2026/search.md": bad}, options="      rules:\n        blame-language: warning\n")
    result = run(repo, "--today", "2026-05-10", "check")
    assert result.exit_code == 0
    assert "warning[blame-language]" in result.output


@pytest.mark.parametrize(
    ("args", "options", "message"),
    [
        (["check", "--format", "xml"], "", "Invalid value for '--format'"),
        (["check", "no/such/path.md"], "", "does not exist"),
        (["check", "--level", "nope=error"], "", "unknown rule 'nope'"),
        (["check", "--level", "schema=off"], "", "cannot be turned down"),
        (["check"], "      rules:\n        nope: error\n", "unknown rule 'nope'"),
        (["check"], "      max_action_items: many\n", "max_action_items"),
        (["new", "X", "--date", "2026-02-30"], "", "Invalid value for '--date'"),
        (["frobnicate"], "", "No such command"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str], options: str, message: str) -> None:
    repo = make_repo(tmp_path, {"2026/search.md": VALID}, options=options)
    result = run(repo, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_mkdocs_yml_with_python_tags_is_read_without_running_them(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    repo = make_repo(tmp_path, {"2026/search.md": VALID})
    config = repo / "mkdocs.yml"
    config.write_text(
        config.read_text()
        + "markdown_extensions:\n  - pymdownx.emoji:\n"
        + "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        + f"extra:\n  x: !!python/object/apply:os.system ['touch {marker}']\n  y: !ENV [HOME, x]\n"
    )
    result = run(repo, "--today", "2026-05-10", "check")
    assert result.exit_code == 0, result.output
    assert not marker.exists()


def test_new_writes_a_draft_from_the_template(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {})
    title = 'Outage: "DNS" & <script>alert(1)</script> — façade'
    result = run(repo, "new", title, "--severity", "SEV2", "--date", "2026-04-01")
    assert result.exit_code == 0, result.output
    path = result.output.strip()
    assert path == "postmortems/2026/2026-04-01-outage-dns-script-alert-1-script-facade.md"
    text = (repo / path).read_text()
    for section in ("Summary", "Timeline", "Impact", "Root causes", "What went well", "What could be improved"):
        assert f"## {section}\n" in text
    assert "All times UTC on 2026-04-01" in text
    check = run(repo, "--today", "2026-04-02", "check", "--format", "json")
    assert check.exit_code == 0, check.output  # a fresh draft passes: drafts are held to fewer rules
    from mkdocs_postmortems.load import load_file
    from mkdocs_postmortems.settings import Settings

    doc = load_file(repo / path, Settings(docs_dir=repo / "postmortems", config_dir=repo), path)
    assert doc.meta is not None
    assert doc.meta.title == title  # quotes, colons and markup survive the YAML round trip
    assert doc.meta.status.value == "draft" and doc.meta.severity == "SEV2"
    assert doc.meta.id == "2026-04-01-outage-dns-script-alert-1-script-facade"


def test_new_defaults_and_refuses_to_overwrite(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {})
    first = run(repo, "--today", "2026-09-09", "new", "Queue backlog")
    assert first.exit_code == 0
    assert first.output.strip() == "postmortems/2026/2026-09-09-queue-backlog.md"
    assert "severity: SEV4" in (repo / first.output.strip()).read_text()
    again = run(repo, "--today", "2026-09-09", "new", "Queue backlog")
    assert again.exit_code == 1
    assert "already exists" in again.output
    bad = run(repo, "new", "Queue", "--severity", "SEV9")
    assert bad.exit_code == 1
    assert "unknown severity 'SEV9'; use one of SEV1, SEV2, SEV3, SEV4" in bad.output


def test_new_uses_the_repository_template(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {}, options="      template: pm-template.md\n")
    (repo / "pm-template.md").write_text(
        "---\nstatus: draft\nservices: [billing]\n---\n\n## Summary\n\nOur own {{ id }}.\n"
    )
    result = run(repo, "new", "Billing lag", "--date", "2026-01-02", "--severity", "SEV3")
    assert result.exit_code == 0, result.output
    text = (repo / result.output.strip()).read_text()
    assert "services:\n- billing" in text
    assert "Our own 2026-01-02-billing-lag." in text


def test_schema_command_prints_configured_levels(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {}, options="      severities: [P-high, P-low]\n")
    schema = json.loads(run(repo, "schema").output)
    assert schema["properties"]["severity"]["enum"] == ["P-high", "P-low"]


def test_rules_lists_every_rule(tmp_path: Path) -> None:
    from mkdocs_postmortems.rules import RULES

    output = run(tmp_path, "rules").output
    assert [line.split()[0] for line in output.splitlines()] == list(RULES)


def test_console_script_never_prints_a_traceback(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"2026/a.md": "---\ntitle: [unclosed\n---\n", "2026/b.md": "\xff"})
    script = Path(sys.executable).with_name("postmortems")
    proc = subprocess.run([str(script), "check"], cwd=repo, capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "postmortems/2026/a.md:" in proc.stdout and "postmortems/2026/b.md:" in proc.stdout


def test_a_finding_as_json_is_every_field_in_order() -> None:
    """Finding.as_dict is written by hand for speed: it must stay the dataclass's fields."""
    import dataclasses

    from mkdocs_postmortems.findings import Finding, Level

    finding = Finding("postmortems/a.md", 3, "schema", Level.ERROR, "bad", "fix it")
    expected = {**dataclasses.asdict(finding), "level": "error"}
    assert finding.as_dict() == expected and list(finding.as_dict()) == list(expected)
