"""`postmortems init`: a new post-mortem repository that passes its own checks, never overwriting."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from mkdocs_postmortems import init
from sitebuild import fixed_today, invoke
from workflowlint import assert_valid, scripts

EXPECTED = {
    "mkdocs.yml",
    "README.md",
    ".gitignore",
    "postmortems/index.md",
    "postmortems/2026/2026-01-20-example-search-stale-after-cache-ttl.md",
    ".github/workflows/pull-request.yml",
    ".github/workflows/publish.yml",
    ".github/workflows/overdue-report.yml",
    ".pre-commit-config.yaml",
}
SHA = "0123456789abcdef0123456789abcdef01234567"


def tree(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() or p.is_symlink()}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("init") / "new-repo"  # missing: init creates it
    result = invoke(root.parent, "init", "new-repo")
    assert result.exit_code == 0, result.output
    return root


def test_writes_every_file_into_a_missing_folder(repo: Path) -> None:
    assert tree(repo) == EXPECTED


def test_its_check_passes(repo: Path) -> None:
    result = invoke(repo, "check")
    assert result.exit_code == 0, result.output
    assert "1 post-mortem(s) checked: no problems" in result.output


def test_its_strict_build_passes(repo: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    with fixed_today():
        build(load_config(str(repo / "mkdocs.yml"), site_dir=str(site), strict=True))
    assert (site / "2026" / "2026-01-20-example-search-stale-after-cache-ttl" / "index.html").is_file()
    assert (site / "actions" / "index.html").is_file()


@pytest.mark.parametrize("variable", ["POSTMORTEMS_SHOW_DRAFTS", "POSTMORTEMS_PUBLIC_ONLY"])
def test_its_preview_and_public_builds_pass(
    repo: Path, tmp_path: Path, variable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, "true")
    site = tmp_path / "site"
    with fixed_today():
        build(load_config(str(repo / "mkdocs.yml"), site_dir=str(site), strict=True))
    assert (site / "2026" / "2026-01-20-example-search-stale-after-cache-ttl" / "index.html").is_file()


def test_its_workflows_validate_with_the_three_tools(repo: Path) -> None:
    workflows = sorted((repo / ".github" / "workflows").glob("*.yml"))
    assert len(workflows) == 3
    assert_valid(workflows, [], repo)
    for path in workflows:
        assert f"uses: {init.PLACEHOLDER} # see README.md" in path.read_text()
        assert all("${{" not in script for script in scripts(path))


def test_the_placeholder_is_documented(repo: Path) -> None:
    readme = (repo / "README.md").read_text()
    assert "Pin the action" in readme and init.PLACEHOLDER_REPO in readme and init.PLACEHOLDER_REF in readme
    assert "These are placeholders" in readme
    assert f"rev: {init.PLACEHOLDER_REF}" in (repo / ".pre-commit-config.yaml").read_text()
    mkdocs_yml = (repo / "mkdocs.yml").read_text()
    assert "show_drafts: !ENV [POSTMORTEMS_SHOW_DRAFTS, false]" in mkdocs_yml
    assert "public_only: !ENV [POSTMORTEMS_PUBLIC_ONLY, false]" in mkdocs_yml
    assert "font: false" in mkdocs_yml and "name: material" in mkdocs_yml


def test_a_given_action_is_used_everywhere(tmp_path: Path) -> None:
    result = invoke(tmp_path, "init", "--action", f"acme/mkdocs-postmortems@{SHA}", "--site-name", 'Acme: "ops"', "r")
    assert result.exit_code == 0, result.output
    root = tmp_path / "r"
    assert init.PLACEHOLDER_REF not in "".join(p.read_text() for p in root.rglob("*") if p.is_file())
    assert f"uses: acme/mkdocs-postmortems@{SHA}" in (root / ".github/workflows/publish.yml").read_text()
    assert "repo: https://github.com/acme/mkdocs-postmortems" in (root / ".pre-commit-config.yaml").read_text()
    assert "These are placeholders" not in (root / "README.md").read_text()
    with fixed_today():
        config = load_config(str(root / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    assert config["site_name"] == 'Acme: "ops"'


@pytest.mark.parametrize("bad", ["acme", "acme/repo", "acme/repo@", "acme/repo@../x", "a b/repo@v1", "-x/r@v1"])
def test_a_malformed_action_is_a_usage_error(tmp_path: Path, bad: str) -> None:
    result = invoke(tmp_path, "init", "--action", bad, "r")
    assert result.exit_code == 2
    assert not (tmp_path / "r").exists()


def test_a_multi_line_site_name_is_a_usage_error(tmp_path: Path) -> None:
    assert invoke(tmp_path, "init", "--site-name", "a\nb", "r").exit_code == 2
    assert not (tmp_path / "r").exists()


def test_an_existing_git_folder_is_fine(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "LICENSE").write_text("MIT\n")
    result = invoke(tmp_path, "init")
    assert result.exit_code == 0, result.output
    assert tree(tmp_path) == EXPECTED | {"LICENSE"}


@pytest.mark.parametrize("existing", ["README.md", "postmortems/index.md", ".github/workflows/publish.yml"])
def test_refuses_to_overwrite_and_writes_nothing(tmp_path: Path, existing: str) -> None:
    path = tmp_path / existing
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("mine\n")
    before = tree(tmp_path)
    result = invoke(tmp_path, "init", ".")
    assert result.exit_code == 1
    assert existing in result.output and "nothing was written" in result.output
    assert tree(tmp_path) == before
    assert path.read_text() == "mine\n"


def test_refuses_every_conflict_at_once(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text("site_name: mine\n")
    (tmp_path / "README.md").write_text("mine\n")
    result = invoke(tmp_path, "init")
    assert result.exit_code == 1
    assert "README.md, mkdocs.yml" in result.output
    assert tree(tmp_path) == {"README.md", "mkdocs.yml"}


def test_refuses_a_symlink_in_the_way(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "repo").mkdir()
    os.symlink(elsewhere, tmp_path / "repo" / "postmortems")
    result = invoke(tmp_path, "init", "repo")
    assert result.exit_code == 1
    assert "postmortems" in result.output
    assert list(elsewhere.iterdir()) == []
    assert tree(tmp_path / "repo") == {"postmortems"}


def test_refuses_a_dangling_symlink_where_a_file_goes(tmp_path: Path) -> None:
    os.symlink(tmp_path / "nowhere", tmp_path / "mkdocs.yml")
    assert invoke(tmp_path, "init").exit_code == 1
    assert not (tmp_path / "nowhere").exists()


def test_refuses_a_file_as_the_target(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    result = invoke(tmp_path, "init", "file")
    assert result.exit_code != 0


def test_a_file_appearing_meanwhile_is_not_overwritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Exclusive creation: a race that slips past the check still overwrites nothing."""
    monkeypatch.setattr(init, "_conflicts", lambda target, paths: [])
    (tmp_path / ".pre-commit-config.yaml").write_text("mine\n")
    with pytest.raises(init.Conflict) as caught:
        init.scaffold(tmp_path)
    assert caught.value.paths == (".pre-commit-config.yaml",)
    assert (tmp_path / ".pre-commit-config.yaml").read_text() == "mine\n"
    assert tree(tmp_path) == {".pre-commit-config.yaml"}
