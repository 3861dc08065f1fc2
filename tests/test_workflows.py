"""This repository's workflows, its composite action and its pre-commit hook, checked offline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from mkdocs_postmortems import init
from mkdocs_postmortems.review import MARKER
from mkdocs_postmortems.settings import from_mkdocs_yml
from sitebuild import ROOT
from workflowlint import assert_valid, scripts, tool, uses

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ACTION = ROOT / "action.yml"
EVERYTHING = [*WORKFLOWS, ACTION]
PINNED = re.compile(r"[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}")


def test_the_three_workflows_exist() -> None:
    assert [p.name for p in WORKFLOWS] == ["overdue-report.yml", "publish.yml", "pull-request.yml"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_matches_the_published_schema(path: Path) -> None:
    done = tool("check-jsonschema", "--builtin-schema", "vendor.github-workflows", path, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_action_matches_the_published_schema() -> None:
    done = tool("check-jsonschema", "--builtin-schema", "vendor.github-actions", ACTION, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_passes() -> None:
    # Run from the root, so `uses: ./` is checked against action.yml's inputs.
    done = tool("actionlint", "-no-color", *WORKFLOWS, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOWS[0].read_text().replace("runs-on:", "needs: nothing\n    runs-on:", 1))
    assert tool("actionlint", "-no-color", broken, cwd=tmp_path).returncode != 0


def test_zizmor_passes_with_the_checked_in_policy() -> None:
    done = tool("zizmor", "--offline", "--no-progress", *EVERYTHING, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    # The one relaxed audit says why, and pinning keeps zizmor's default policy.
    policy = (ROOT / ".github" / "zizmor.yml").read_text()
    assert set(yaml.safe_load(policy)["rules"]) == {"self-repository"}
    assert "#" in policy


def test_zizmor_catches_an_injection(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    text = WORKFLOWS[-1].read_text()
    bad.write_text(text + '      - run: echo "${{ github.event.pull_request.title }}"\n')
    assert tool("zizmor", "--offline", "--no-progress", bad, cwd=tmp_path).returncode != 0


def test_all_three_tools_together() -> None:
    assert_valid(WORKFLOWS, [ACTION], ROOT)


@pytest.mark.parametrize("path", EVERYTHING, ids=lambda p: p.name)
def test_no_expression_inside_scripts(path: Path) -> None:
    """Untrusted text (titles, branch names, file contents) reaches a script only through env:."""
    for script in scripts(path):
        assert "${{" not in script, script


def test_untrusted_event_fields_only_in_env_or_conditions() -> None:
    for path in EVERYTHING:
        for step in yaml.safe_load(path.read_text()).get("runs", {}).get("steps", []):
            assert "github.event" not in step.get("run", "")
        assert not re.search(r"run:[^\n]*\$\{\{\s*github\.(event|head_ref)", path.read_text())


@pytest.mark.parametrize("path", EVERYTHING, ids=lambda p: p.name)
def test_actions_pinned_to_commits(path: Path) -> None:
    for used in uses(path):
        assert used == "./" or PINNED.fullmatch(used), used


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_privilege(path: Path) -> None:
    data = yaml.safe_load(path.read_text())
    assert data["permissions"] == {}
    for name, job in data["jobs"].items():
        assert "permissions" in job, name
        assert "write-all" not in str(job["permissions"]) and "read-all" not in str(job["permissions"])
        assert set(job["permissions"].values()) <= {"read", "write"}


def test_every_checkout_drops_its_credentials_and_builds_fetch_history() -> None:
    for path in WORKFLOWS:
        for job_name, job in yaml.safe_load(path.read_text())["jobs"].items():
            for step in job.get("steps", []):
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False
                    if path.name != "overdue-report.yml":
                        assert step["with"]["fetch-depth"] == 0, (path.name, job_name)


def test_publish_uses_the_pages_actions_v5() -> None:
    text = (ROOT / ".github" / "workflows" / "publish.yml").read_text()
    assert re.search(r"actions/upload-pages-artifact@[0-9a-f]{40} # v5\b", text)
    assert re.search(r"actions/deploy-pages@[0-9a-f]{40} # v5\b", text)
    assert 'public-only: "true"' in text


def test_the_pull_request_check_runs_before_the_build() -> None:
    names = [step.get("name", "") for step in yaml.safe_load(ACTION.read_text())["runs"]["steps"]]
    assert names.index("Check the post-mortems") < names.index("Build the site strictly")
    assert names.index("Build the site strictly") < names.index("Upload the preview")


def test_the_comment_is_found_by_the_review_marker() -> None:
    assert MARKER == "<!-- postmortems-review -->"
    assert f"const marker = '{MARKER}';" in ACTION.read_text()


def test_the_overdue_report_follows_the_exit_code() -> None:
    text = ACTION.read_text()
    assert "actions --overdue --format md --fail-on-overdue" in text
    assert "state: 'closed'" in text


def test_init_templates_pin_the_same_actions() -> None:
    """The workflows `postmortems init` writes use the same commits as this repository's."""
    ours = {u for p in EVERYTHING for u in uses(p) if u != "./"}
    for name, text in init.render().items():
        if name.startswith(".github/workflows/"):
            for used in re.findall(r"uses: (\S+)", text):
                assert used == init.PLACEHOLDER or used in ours, (name, used)


def test_mkdocs_yml_reads_drafts_and_public_only_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = from_mkdocs_yml(ROOT / "mkdocs.yml")
    assert (settings.show_drafts, settings.public_only) == (False, False)
    monkeypatch.setenv("POSTMORTEMS_SHOW_DRAFTS", "true")
    monkeypatch.setenv("POSTMORTEMS_PUBLIC_ONLY", "true")
    settings = from_mkdocs_yml(ROOT / "mkdocs.yml")
    assert (settings.show_drafts, settings.public_only) == (True, True)


def test_pre_commit_hook_checks_changed_postmortems() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "postmortems-check"
    assert hook["entry"] == "postmortems check"
    assert hook["language"] == "python"
    files = re.compile(hook["files"])
    assert files.search("postmortems/2026/2026-03-04-checkout.md")
    assert not files.search("docs/getting-started.md")
    assert not files.search("postmortems/2026/graph.svg")
