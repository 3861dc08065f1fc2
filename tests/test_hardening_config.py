"""Hardening of the configuration and of the command line, with the real CLI and real builds.

mkdocs.yml is read once, the same way, by `postmortems` and by `mkdocs build` (INHERIT, !ENV,
!relative; Settings the one validator of the options), so both give the same answer; bad values
are clear errors (exit 2), files named on the command line are checked only when they are
post-mortems, and `postmortems new` renders templates in a sandbox and writes only inside the
docs folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import Result
from mkdocs.exceptions import Abort

from mkdocs_postmortems.config import PostmortemsConfig
from mkdocs_postmortems.settings import Settings
from sitebuild import build_site, incident, invoke

TODAY = "2026-11-25"
VALID = incident(
    "Search latency",
    extra="contributing_factors: [capacity]\nauthors: [Ana Lima]\naction_items:\n"
    "  - action: Add request coalescing, tested with 500 concurrent misses\n"
    "    owner: '@search'\n    due: 2026-12-20\n    addresses: capacity\nreviewed: 2026-06-01\n",
)
# Three findings at error level in one file: a blame phrase, and two action items without owner.
BAD = incident(
    "Careless deploy",
    extra="action_items:\n  - action: Add a canary stage of 10 minutes\n"
    "  - action: Alert when errors pass 1% for 5 minutes\n",
    body="## Action items\n\nHuman error.\n",
)
THEME = "theme:\n  name: material\n  font: false\n"


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def site(root: Path, options: str = "      today: 2026-11-25\n", posts: dict[str, str] | None = None) -> Path:
    """A repository: mkdocs.yml (the plugin with `options`) and post-mortems under postmortems/."""
    posts = {"2026/2026-05-01-a.md": VALID} if posts is None else posts
    write(root, {f"postmortems/{k}": v for k, v in posts.items()})
    (root / "postmortems").mkdir(exist_ok=True)
    config = root / "mkdocs.yml"
    config.write_text(f"site_name: t\ndocs_dir: postmortems\n{THEME}plugins:\n  - postmortems:\n{options}")
    return config


def run(root: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return invoke(root, *args, env=env)


def usage_error(result: Result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output, result.output


def build_fails(config: Path, caplog: pytest.LogCaptureFixture, *fragments: str) -> None:
    with pytest.raises(Abort):
        build_site(config, strict=True)
    for fragment in fragments:
        assert fragment in caplog.text, caplog.text


# -- 7. every failure reading mkdocs.yml is a located ConfigError -------------------------------


@pytest.mark.parametrize(
    ("options", "line", "fragment"),
    [
        ("      today: 2026-02-30\n", 8, "'2026-02-30' is not a real date"),
        ("      rules: {a: b\n", 9, "invalid YAML"),
        ("      people: [!!int abc]\n", 8, "'abc' cannot be read as int"),
        ("      today: !relative $nowhere/x\n", 8, "unknown prefix '$nowhere'"),
    ],
    ids=["impossible-date", "syntax", "bad-int-tag", "bad-relative"],
)
def test_an_unreadable_mkdocs_yml_is_a_usage_error_with_its_line(
    tmp_path: Path, options: str, line: int, fragment: str
) -> None:
    config = site(tmp_path, options)
    usage_error(run(tmp_path, "check"), f"{config}:{line}: ", fragment)


def test_an_unreadable_parent_config_is_named(tmp_path: Path) -> None:
    write(tmp_path, {"base.yml": "site_name: [\n", "mkdocs.yml": "INHERIT: base.yml\n"})
    usage_error(run(tmp_path, "check"), f"{tmp_path / 'base.yml'}:2: ", "invalid YAML")
    write(tmp_path, {"mkdocs.yml": "INHERIT: missing.yml\n"})
    usage_error(run(tmp_path, "check"), "inherited config file 'missing.yml' does not exist")
    write(tmp_path, {"mkdocs.yml": "INHERIT: base.yml\n", "base.yml": "INHERIT: mkdocs.yml\n"})
    usage_error(run(tmp_path, "check"), "inherits from this file again")


# -- 8. source_dir --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source_dir", "fragment"),
    [("/etc", "is an absolute path"), ("../elsewhere", "leaves docs_dir"), ("2026/../..", "leaves docs_dir")],
)
def test_a_source_dir_outside_docs_dir_is_a_config_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, source_dir: str, fragment: str
) -> None:
    (tmp_path / "elsewhere").mkdir()
    config = site(tmp_path, f"      today: 2026-11-25\n      source_dir: '{source_dir}'\n")
    usage_error(run(tmp_path, "check"), "source_dir", fragment)
    build_fails(config, caplog, "source_dir", fragment)


def test_a_source_dir_is_normalised(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    posts = {"2026/2026-05-01-a.md": BAD, "other/2026-05-02-b.md": BAD}
    config = site(tmp_path, "      today: 2026-11-25\n      source_dir: ./2026/\n", posts)
    result = run(tmp_path, "check")
    assert result.exit_code == 1, result.output
    assert "postmortems/2026/2026-05-01-a.md" in result.output
    assert "postmortems/other" not in result.output
    # The build finds the same post-mortems ('./2026/' is the folder 2026).
    build_fails(config, caplog, "postmortems/2026/2026-05-01-a.md:")
    assert "postmortems/other" not in caplog.text


def test_a_missing_source_folder_is_a_usage_error(tmp_path: Path) -> None:
    site(tmp_path, "      source_dir: incidents\n")
    missing = tmp_path / "postmortems" / "incidents"
    for command in ("check", "actions"):
        usage_error(run(tmp_path, "--today", TODAY, command), f"the `source_dir` folder {missing} does not exist")
    settings = Settings(docs_dir=tmp_path / "postmortems", source_dir="incidents")
    assert settings.missing_source_folder() == (
        f"the `source_dir` folder {missing} does not exist: create it, or set `source_dir` in the "
        "`postmortems` plugin options to a folder inside docs_dir ('' for all of it)"
    )
    missing.mkdir()
    assert settings.missing_source_folder() is None
    assert Settings(docs_dir=tmp_path / "nowhere").missing_source_folder() is None  # not configured


# -- 9. one reading of mkdocs.yml -----------------------------------------------------------------


def test_inherit_is_read_as_mkdocs_reads_it(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # The parent sits in a folder of its own and inherits in turn, relative to its own folder;
    # the docs folder stays relative to the top file, as MkDocs resolves it.
    write(
        tmp_path,
        {
            "config/base.yml": f"docs_dir: postmortems\n{THEME}plugins:\n  - postmortems:\n"
            "      today: 2026-11-25\n      rules: {blame-language: warning}\n",
            "config/mid.yml": "INHERIT: base.yml\nplugins:\n  - postmortems:\n      today: 2026-11-25\n",
            "mkdocs.yml": "INHERIT: config/mid.yml\nsite_name: child\n",
            "postmortems/2026/2026-05-01-bad.md": BAD,
            "postmortems/2026/2026-05-02-ok.md": VALID,
        },
    )
    result = run(tmp_path, "check")
    assert result.exit_code == 1, result.output
    assert "2 post-mortem(s) checked" in result.output
    # mid.yml's plugins list replaces base.yml's (mergedeep replaces lists): blame-language is an error.
    assert "error[blame-language]" in result.output and "error[action-owner]" in result.output
    build_fails(tmp_path / "mkdocs.yml", caplog, "error[blame-language]", "error[action-owner]")


def test_inherit_merges_mappings(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "base.yml": "docs_dir: postmortems\nplugins:\n  search: {}\n  postmortems:\n      today: 2026-11-25\n",
            "mkdocs.yml": "INHERIT: base.yml\nsite_name: c\nplugins:\n  postmortems:\n"
            "    rules: {blame-language: warning, action-owner: warning, action-due: warning}\n",
            "postmortems/2026/2026-05-01-bad.md": BAD,
        },
    )
    result = run(tmp_path, "check")
    assert result.exit_code == 0, result.output  # both plugin mappings merged: the rules apply
    assert "warning[blame-language]" in result.output and "warning[action-owner]" in result.output


@pytest.mark.parametrize(
    ("options", "fragments"),
    [
        ("      max_action_items: '5'\n", ("max_action_items: Input should be a valid integer (got '5')",)),
        ("      max_action_items: true\n", ("max_action_items: Input should be a valid integer (got True)",)),
        ("      show_drafts: 'yes'\n", ("show_drafts: Input should be a valid boolean",)),
        ("      people: [1]\n", ("people.0: Input should be a valid string",)),
        ("      today: 2026-05-01T10:00:00Z\n", ("today: expected a date written YYYY-MM-DD",)),
        ("      today: '2026-02-30'\n", ("today: '2026-02-30' is not a real date",)),
        ("      blame_phrases: ['']\n", ("blame_phrases.0: an entry is empty",)),
        ("      vague_phrases: [' ']\n", ("vague_phrases.0: an entry is empty",)),
        ("      people: ['']\n", ("people.0: an entry is empty",)),
        ("      exclude: ['']\n", ("exclude.0: an entry is empty",)),
        ("      contributing_factors: [capacity, '']\n", ("contributing_factors.1: an entry is empty",)),
        ("      severities: []\n", ("severities: List should have at least 1 item",)),
        ("      severities: [SEV1, '']\n", ("severities.1: an entry is empty",)),
        ("      severities: [SEV1, SEV2, SEV1]\n", ("severities: 'SEV1' is listed twice",)),
        ('      severities: ["SEV1\\nSEV2"]\n', ("severities.0: 'SEV1\\nSEV2' contains a line break",)),
    ],
)
def test_the_cli_and_the_build_refuse_the_same_options_with_the_same_message(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, options: str, fragments: tuple[str, ...]
) -> None:
    config = site(tmp_path, options)
    message = ("invalid `postmortems` plugin options: ", *fragments)
    usage_error(run(tmp_path, "--today", TODAY, "check"), *message)
    build_fails(config, caplog, *message)


@pytest.mark.parametrize("options", ["[1, 2]", "not-a-mapping", "7"])
def test_plugin_options_that_are_not_a_mapping_fail_both(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, options: str
) -> None:
    config = site(tmp_path)
    config.write_text(config.read_text().split("  - postmortems:")[0] + f"  - postmortems: {options}\n")
    usage_error(run(tmp_path, "--today", TODAY, "check"), "the `postmortems` options must be a mapping")
    build_fails(config, caplog, "Invalid config options for the 'postmortems' plugin")


def test_a_today_string_is_a_date_for_both(tmp_path: Path) -> None:
    config = site(tmp_path, "      today: '2026-11-25'\n")
    assert run(tmp_path, "check").exit_code == 0
    assert (build_site(config, strict=True) / "index.html").is_file()


def test_env_tags_are_read_as_mkdocs_reads_them(tmp_path: Path) -> None:
    posts = {"2026/2026-05-01-a.md": VALID.replace("contributing_factors: [capacity]", "contributing_factors: [x]")}
    site(tmp_path, "      today: 2026-11-25\n      contributing_factors: !ENV [PM_FACTORS, [capacity]]\n", posts)
    result = run(tmp_path, "check")  # the default of !ENV applies: x is not in the vocabulary
    assert result.exit_code == 1, result.output
    assert "contributing factor 'x' is not in the configured vocabulary" in result.output
    # The variable's value is read as YAML reads a plain scalar: a string, not a list.
    usage_error(run(tmp_path, "check", env={"PM_FACTORS": "x"}), "contributing_factors: Input should be a valid list")
    site(tmp_path / "b", "      today: !ENV PM_TODAY\n")
    assert "action-overdue" not in run(tmp_path / "b", "check", env={"PM_TODAY": "2026-11-25"}).output
    later = run(tmp_path / "b", "check", env={"PM_TODAY": "2026-12-25"})  # the item is due 2026-12-20
    assert "warning[action-overdue]" in later.output, later.output


def test_relative_tags_are_paths(tmp_path: Path) -> None:
    site(tmp_path, "      template: !relative $config_dir/templates/pm.md\n")
    write(tmp_path, {"templates/pm.md": "---\nstatus: draft\n---\n\n## Summary\n\nOurs: {{ id }}.\n"})
    result = run(tmp_path, "--today", TODAY, "new", "Queue lag")
    assert result.exit_code == 0, result.output
    assert "Ours: 2026-11-25-queue-lag." in (tmp_path / result.output.strip()).read_text()


def test_a_bare_relative_tag_in_the_options_fails_both(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    config = site(tmp_path, "      template: !relative\n")
    usage_error(run(tmp_path, "check"), "template: '!relative' ")
    build_fails(config, caplog, "template: ")


def test_mkdocs_declares_exactly_the_settings_options() -> None:
    not_options = {"docs_dir", "config_dir", "site_name", "site_url", "use_directory_urls", "repo_url", "edit_uri"}
    assert {name for name, _ in PostmortemsConfig._schema} == set(Settings.model_fields) - not_options


# -- 11. named files that are not post-mortems ---------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("postmortems/index.md", "index.md and README.md are pages"),
        ("postmortems/2026/README.md", "index.md and README.md are pages"),
        ("postmortems/2026/_template.md", "a file or folder name starting with `_` or `.` marks a page"),
        ("postmortems/_drafts/2026-05-03-c.md", "a file or folder name starting with `_` or `.` marks a page"),
        ("postmortems/archive/2026-05-04-d.md", "it matches an `exclude` pattern"),
        ("postmortems/2026/notes.txt", "only .md files are post-mortems"),
        ("CHANGELOG.md", "it is outside the source folder postmortems"),
    ],
)
def test_a_named_file_that_is_not_a_post_mortem_is_skipped_with_a_note(tmp_path: Path, name: str, reason: str) -> None:
    site(tmp_path, "      today: 2026-11-25\n      exclude: ['archive/*']\n", {"2026/2026-05-01-a.md": VALID})
    write(tmp_path, {name: BAD})
    result = run(tmp_path, "check", name, "postmortems/2026/2026-05-01-a.md")
    assert result.exit_code == 0, result.output
    assert result.stderr == f"{name} is not a post-mortem: {reason}; skipped\n"
    assert "1 post-mortem(s) checked: no problems" in result.stdout


def test_a_named_folder_yields_only_its_post_mortems(tmp_path: Path) -> None:
    site(tmp_path, posts={"2026/2026-05-01-a.md": VALID, "2026/index.md": BAD, "2026/_x/2026-05-02-b.md": BAD})
    write(tmp_path, {"CONTRIBUTING.md": BAD})
    for folder in ("postmortems/2026", "."):
        result = run(tmp_path, "check", folder)
        assert result.exit_code == 0, result.output
        assert "1 post-mortem(s) checked: no problems" in result.stdout


# -- 12. `postmortems new`: a sandboxed template, a file created inside the docs folder ----------


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ('{{ cycler.__init__.__globals__.os.popen("touch MARKER").read() }}', "is refused"),
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "is refused"),
        ("{% if %}", "line 7 is not valid Jinja"),
        ("{{ titel }}", "uses an unknown value: 'titel' is undefined"),
        ("{{ 1 // 0 }}", "cannot be rendered"),
    ],
    ids=["popen", "subclasses", "syntax", "undefined", "runtime"],
)
def test_a_bad_template_is_a_clear_error_and_runs_nothing(tmp_path: Path, body: str, fragment: str) -> None:
    site(tmp_path, "      template: pm.md\n", posts={})
    marker = tmp_path / "MARKER"
    write(tmp_path, {"pm.md": f"---\nstatus: draft\n---\n\n## Summary\n\n{body}\n"})
    result = run(tmp_path, "--today", TODAY, "new", "Queue lag")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert f"error: the template {tmp_path / 'pm.md'}" in result.output and fragment in result.output, result.output
    assert not marker.exists(), "the template ran a command"
    assert not list((tmp_path / "postmortems").rglob("*.md")), "nothing is written"


def test_new_does_not_write_through_a_dangling_symlink(tmp_path: Path) -> None:
    site(tmp_path, posts={})
    outside = tmp_path / "outside" / "pwned.md"
    outside.parent.mkdir()
    target = tmp_path / "postmortems" / "2026" / "2026-11-25-queue-lag.md"
    target.parent.mkdir(parents=True)
    target.symlink_to(outside)
    result = run(tmp_path, "--today", TODAY, "new", "Queue lag")
    assert result.exit_code == 1, result.output
    assert "already exists (a symbolic link)" in result.output
    assert not outside.exists()


def test_new_refuses_a_year_folder_that_leads_outside_the_docs_folder(tmp_path: Path) -> None:
    site(tmp_path, posts={})
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "postmortems" / "2026").symlink_to(outside, target_is_directory=True)
    result = run(tmp_path, "--today", TODAY, "new", "Queue lag")
    assert result.exit_code == 1, result.output
    assert f"resolves to {outside}, outside the docs folder" in result.output
    assert list(outside.iterdir()) == []


def test_new_still_writes_inside_a_linked_folder_of_the_docs_folder(tmp_path: Path) -> None:
    site(tmp_path, posts={})
    real = tmp_path / "postmortems" / "years" / "2026"
    real.mkdir(parents=True)
    (tmp_path / "postmortems" / "2026").symlink_to(real, target_is_directory=True)
    result = run(tmp_path, "--today", TODAY, "new", "Queue lag")
    assert result.exit_code == 0, result.output
    assert (real / "2026-11-25-queue-lag.md").is_file()


def test_new_refuses_a_far_date(tmp_path: Path) -> None:
    site(tmp_path, posts={})
    result = run(tmp_path, "new", "Queue lag", "--date", "9999-01-01")
    assert result.exit_code == 1, result.output
    assert "error: the date 9999-01-01: the year 9999 is outside 1900..2999" in result.output
    assert not (tmp_path / "postmortems" / "9999").exists()
