"""`postmortems review` on real git repositories (review_corpus.py), through the real command."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from markdown_it import MarkdownIt

from review_corpus import (
    HOSTILE_ACTION,
    HOSTILE_EVENT,
    HOSTILE_OWNER,
    HOSTILE_TITLE,
    base_repo,
    feature_branch,
    git,
    write,
)
from sitebuild import ROOT, invoke

CHECKOUT = "postmortems/2026/2026-03-04-checkout.md"
SAMPLE = ROOT / "docs" / "review-sample.md"


@pytest.fixture(scope="module")
def feature(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return feature_branch(tmp_path_factory.mktemp("review") / "repo")


def review_json(root: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = invoke(root, "review", "--base", "main", "--format", "json", *args)
    return result.exit_code, json.loads(result.output)


def by_path(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["path"]: entry for entry in data["postmortems"]}


def test_files_added_changed_renamed_removed(feature: Path) -> None:
    code, data = review_json(feature)
    assert code == 0
    files = by_path(data)
    assert {p: f["change"] for p, f in files.items()} == {
        "postmortems/2026/2026-05-10-dns.md": "removed",
        CHECKOUT: "changed",
        "postmortems/2026/2026-07-01-cache-eviction.md": "renamed",
        "postmortems/2026/2026-08-02-hostile.md": "added",
    }
    assert files["postmortems/2026/2026-05-10-dns.md"]["title"] == "Internal DNS outage"  # its title at REF
    renamed = files["postmortems/2026/2026-07-01-cache-eviction.md"]
    assert renamed["old_path"] == "postmortems/2026/2026-07-01-cache.md"
    assert renamed["timeline"] == [
        {
            "change": "corrected",
            "old_time": "10:20",
            "old_event": "Limit raised",
            "new_time": "10:20",
            "new_event": "Limit raised to 500 per second",
        },
        {"change": "added", "old_time": None, "old_event": None, "new_time": "10:30", "new_event": HOSTILE_EVENT},
    ]
    assert data["summary"] == {"added": 1, "changed": 1, "renamed": 1, "removed": 1, "errors": 0, "warnings": 1}
    assert data["base_commit"] == git(feature, "rev-parse", "main").strip()


def test_metadata_changes(feature: Path) -> None:
    changes = {c["field"]: (c["old"], c["new"]) for c in by_path(review_json(feature)[1])[CHECKOUT]["metadata"]}
    assert changes == {
        "title": ("Checkout timeouts", "Checkout timeouts after a connection-pool resize"),
        "severity": ("SEV2", "SEV1"),
        "status": ("in-review", "published"),
        "visibility": ("internal", "public"),
        "detected": ("2026-03-04T14:19:00Z", "2026-03-04T14:17:00Z"),
        "resolved": ("2026-03-04T16:10:00Z", "2026-03-04T16:40:00Z"),
        "services": (["checkout"], ["checkout", "payments-db"]),
        "tags": (["database"], ["database", "deploy"]),
        "impact.users_affected": (100, 18400),
        "impact.revenue": (None, 62000),
    }


def test_timeline_rows_corrected_added_removed(feature: Path) -> None:
    rows = by_path(review_json(feature)[1])[CHECKOUT]["timeline"]
    assert [(r["change"], r["old_time"], r["old_event"], r["new_time"], r["new_event"]) for r in rows] == [
        ("corrected", "14:19", "Alert fired for checkout latency", "14:17", "Alert fired for checkout latency"),
        ("removed", "14:30", "Paged the database team", None, None),
        ("corrected", "14:51", "Rolled back", "14:51", "Rolled back the pool resize"),
        ("added", None, None, "16:40", "Declared resolved"),
    ]


def test_action_items(feature: Path) -> None:
    items = by_path(review_json(feature)[1])[CHECKOUT]["action_items"]
    seen = [
        (i["change"], i["position"], i["old_position"], [(c["field"], c["old"], c["new"]) for c in i["changes"]])
        for i in items
    ]
    assert seen == [
        ("changed", 1, 1, [("closed", "open", "done"), ("completed", None, "2026-08-28")]),
        ("changed", 2, 2, [("re-dated", "2026-10-25", "2026-11-08")]),
        ("changed", 3, 3, [("re-assigned", "@payments", "@platform")]),
        (
            "changed",
            4,
            4,
            [
                (
                    "re-worded",
                    "Review pool defaults in 4 services",
                    "Review the connection-pool defaults of all 4 services",
                )
            ],
        ),
        ("removed", None, 5, []),
        ("changed", 5, 6, [("reopened", "done", "open"), ("completed", "2026-08-30", None)]),
        ("added", 6, None, []),
    ]
    assert items[4]["action"] == "Remove the 2 old dashboards"
    assert items[6]["action"] == "Alert on 5 failed checkouts per minute"


def test_text_changes_named_by_section(feature: Path) -> None:
    assert by_path(review_json(feature)[1])[CHECKOUT]["text_changed"] == ["Root causes"]


def test_markdown_comment(feature: Path) -> None:
    result = invoke(feature, "review", "--base", "main")
    assert result.exit_code == 0
    text = result.output
    assert text.startswith("<!-- postmortems-review -->\n")
    assert "### Removed: Internal DNS outage" in text
    assert "| 14:19 | Alert fired for checkout latency | 14:17 | Alert fired for checkout latency |" in text
    assert "| 3 | re-assigned | Write a runbook for 1 pool resize | @payments | @platform |" in text
    assert "| 2 | re-dated | Add a load test for 2 pool sizes | 2026-10-25 | 2026-11-08 |" in text
    assert "Preview" not in text


def test_preview_url(feature: Path) -> None:
    assert invoke(feature, "review", "--base", "main", "--preview-url", "https://example.com/a b").exit_code == 2
    result = invoke(feature, "review", "--base", "main", "--preview-url", "https://example.com/pr-7/(site)")
    assert "**[Preview the site](https://example.com/pr-7/%28site%29)**" in result.output
    assert review_json(feature, "--preview-url", "https://example.com/p")[1]["preview_url"] == "https://example.com/p"
    bad = invoke(feature, "review", "--base", "main", "--preview-url", "javascript:alert(1)")
    assert bad.exit_code == 2
    assert "http(s) URL" in bad.output


def test_hostile_strings_are_escaped(feature: Path) -> None:
    text = invoke(feature, "review", "--base", "main").output
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.find_all(["script", "img", "iframe", "b"])
    labels = {"Metadata", "Timeline", "Action items", "Findings", "warning"}
    assert {tag.get_text() for tag in soup.find_all("strong")} <= labels  # no **bold** from a title
    assert [tag.get_text() for tag in soup.find_all("code")] == ["postmortems review"]  # nor `tick`
    assert not [a for a in soup.find_all("a") if "javascript" in str(a.get("href", ""))]
    shown = soup.get_text()
    for hostile in (HOSTILE_TITLE, HOSTILE_OWNER, HOSTILE_ACTION, "<b>tag</b>", HOSTILE_EVENT):
        assert hostile in shown  # escaped, so readers see exactly what was written
    rows = [tr for tr in soup.find_all("tr") if "Paged" in tr.get_text()]
    assert len(rows[0].find_all("td")) == 5  # the `|` in the event did not add a cell


def test_errors_in_untouched_files_are_not_blamed(feature: Path) -> None:
    data = review_json(feature)[1]
    assert "postmortems/2026/2026-06-01-untouched.md" not in by_path(data)
    check = invoke(feature, "check", "--format", "json")
    assert "2026-06-01-untouched.md" in check.output  # the error is there, just not the branch's


def test_error_in_a_changed_file_exits_1(tmp_path: Path) -> None:
    root = base_repo(tmp_path / "repo")
    git(root, "checkout", "-q", "-b", "broken")
    path = root / CHECKOUT
    write(
        root,
        {
            CHECKOUT: path.read_text()
            .replace('    owner: "@dba"\n    due: 2026-11-15\n', "    due: 2026-11-15\n")
            .replace("in-review", "published")
        },
    )
    result = invoke(root, "review", "--base", "main")  # not even committed: the working tree counts
    assert result.exit_code == 1
    assert "**1 error**" in result.output
    assert "**error** action-owner, line" in result.output
    assert "untouched" not in result.output
    item = by_path(review_json(root)[1])[CHECKOUT]["action_items"][0]
    assert item["changes"][0] == {"field": "re-assigned", "old": "@dba", "new": None}


def test_nothing_changed(tmp_path: Path) -> None:
    root = base_repo(tmp_path / "repo")
    write(root, {"postmortems/index.md": "# Incidents, a page and not a post-mortem\n"})
    result = invoke(root, "review", "--base", "HEAD")
    assert result.exit_code == 0
    assert "no post-mortem changed" in result.output
    assert review_json(root)[1]["postmortems"] == []


def test_line_endings_alone_are_no_change(tmp_path: Path) -> None:
    root = base_repo(tmp_path / "repo")
    path = root / CHECKOUT
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert review_json(root)[1]["postmortems"] == []


def test_unstaged_move_is_a_rename(tmp_path: Path) -> None:
    root = base_repo(tmp_path / "repo")
    old = root / "postmortems/2026/2026-07-01-cache.md"
    old.rename(root / "postmortems/2026/2026-07-01-cache-storm.md")  # untracked: git's diff cannot see it
    (entry,) = review_json(root)[1]["postmortems"]
    assert (entry["change"], entry["old_path"]) == ("renamed", "postmortems/2026/2026-07-01-cache.md")


def test_a_post_mortem_made_invalid(tmp_path: Path) -> None:
    root = base_repo(tmp_path / "repo")
    path = root / CHECKOUT
    write(root, {CHECKOUT: path.read_text().replace("severity: SEV2", "severity: SEV9")})
    code, data = review_json(root)
    assert code == 1
    (entry,) = data["postmortems"]
    assert (entry["valid"], entry["was_valid"], entry["metadata"]) == (False, True, [])
    assert [f["rule"] for f in entry["findings"]] == ["schema"]
    assert "is not valid now" in invoke(root, "review", "--base", "main").output


@pytest.mark.parametrize("ref", ["no-such-branch", "--exec=boom", "main..feature"])
def test_bad_ref_is_a_usage_error(feature: Path, ref: str) -> None:
    result = invoke(feature, "review", "--base", ref)
    assert result.exit_code == 2
    assert "is not a commit of this repository" in result.output
    assert "Traceback" not in result.output


def test_not_a_git_repository(tmp_path: Path) -> None:
    write(tmp_path, {"mkdocs.yml": "site_name: x\ndocs_dir: postmortems\nplugins:\n  - postmortems\n"})
    write(tmp_path, {"postmortems/2026/2026-01-01-a.md": "---\ntitle: A\ndate: 2026-01-01\nseverity: SEV1\n---\n"})
    result = invoke(tmp_path, "review", "--base", "main")
    assert result.exit_code == 2
    assert "not inside a git repository" in result.output


def test_help() -> None:
    result = invoke(ROOT, "review", "--help")
    assert result.exit_code == 0
    assert "--base REF" in result.output
    assert "--preview-url URL" in result.output


def test_sample_comment_is_what_the_command_prints(feature: Path) -> None:
    """docs/review-sample.md holds the comment for review_corpus's feature branch; set
    REGENERATE_REVIEW_SAMPLE=1 to write it again."""
    comment = invoke(feature, "review", "--base", "main", "--preview-url", "https://example.com/previews/pr-42/").output
    sha = git(feature, "rev-parse", "main").strip()[:12]
    note = (
        "# A sample review comment\n\n"
        "What `postmortems review --base main --preview-url https://example.com/previews/pr-42/` printed on the\n"
        "`feature` branch of the test repository that `tests/review_corpus.py` builds (a post-mortem corrected,\n"
        "one removed, one renamed, one added with hostile text), exactly as a workflow posts it. The test\n"
        "`test_sample_comment_is_what_the_command_prints` checks this file against the command's output;\n"
        "`REGENERATE_REVIEW_SAMPLE=1 pytest tests/test_review.py` writes it again.\n\n"
        "---\n\n"
    )
    expected = note + comment
    assert sha in comment
    if os.environ.get("REGENERATE_REVIEW_SAMPLE"):
        SAMPLE.write_text(expected, encoding="utf-8")
    assert SAMPLE.read_text(encoding="utf-8") == expected
