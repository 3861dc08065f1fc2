"""The example repository end to end: `postmortems check` and a strict `mkdocs build`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

from mkdocs_postmortems.cli import main
from mkdocs_postmortems.plugin import PostmortemsPlugin

ROOT = Path(__file__).resolve().parents[1]


def test_check_on_the_example_site_exits_0(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["--today", "2026-11-25", "check"])
    assert result.exit_code == 0, result.output
    assert " 0 error(s)" in result.output or "no problems" in result.output


def test_example_site_builds_strictly(tmp_path: Path) -> None:
    config = load_config(str(ROOT / "mkdocs.yml"), site_dir=str(tmp_path / "site"), strict=True)
    build(config)
    assert (tmp_path / "site" / "index.html").is_file()


def make_site(tmp_path: Path, files: dict[str, str], options: str = "") -> Path:
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\ndocs_dir: postmortems\ntheme:\n  name: material\n  font: false\n"
        "plugins:\n  - postmortems:\n      today: 2026-06-01\n" + options
    )
    for name, text in files.items():
        path = tmp_path / "postmortems" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path / "mkdocs.yml"


def test_strict_build_fails_naming_file_and_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    config_file = make_site(tmp_path, {"2026/bad.md": "---\ntitle: Bad\ndate: 2026-01-01\nseverity: SEV0\n---\n"})
    config = load_config(str(config_file), site_dir=str(tmp_path / "site"), strict=True)
    with pytest.raises(Abort, match="Aborted with 1 warnings in strict mode"):
        build(config)
    assert "postmortems/2026/bad.md:4: error[schema]: `severity`: unknown severity 'SEV0'" in caplog.text


def test_non_strict_build_reports_and_continues(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    config_file = make_site(tmp_path, {"2026/bad.md": "---\ntitle: Bad\ndate: 2026-01-01\nseverity: SEV0\n---\n"})
    build(load_config(str(config_file), site_dir=str(tmp_path / "site")))
    assert "postmortems/2026/bad.md:4: error[schema]" in caplog.text
    assert (tmp_path / "site" / "2026" / "bad" / "index.html").is_file()


def test_invalid_plugin_options_are_a_clear_error(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    config_file = make_site(
        tmp_path, {"2026/a.md": "---\ntitle: A\n---\n"}, options="      rules:\n        no-such-rule: error\n"
    )
    with pytest.raises(Abort):  # MkDocs logs the PluginError's message, then aborts
        build(load_config(str(config_file), site_dir=str(tmp_path / "site")))
    assert "invalid `postmortems` plugin options: rules: unknown rule 'no-such-rule'" in caplog.text


def test_the_same_plugin_instance_builds_twice_without_leftovers(tmp_path: Path) -> None:
    """`mkdocs serve` keeps the plugin instance: the second build must not see the first's files."""
    example = ROOT / "postmortems" / "2026" / "2026-03-04-checkout-timeouts-after-pool-resize.md"
    config_file = make_site(tmp_path, {"2026/a.md": example.read_text()})
    config = load_config(str(config_file), site_dir=str(tmp_path / "site"))
    plugin = config.plugins["postmortems"]
    assert isinstance(plugin, PostmortemsPlugin)
    plugin.on_startup(command="serve", dirty=False)
    build(config)
    assert [d.path for d in plugin.documents] == ["postmortems/2026/a.md"]
    shutil.move(tmp_path / "postmortems/2026/a.md", tmp_path / "postmortems/2026/b.md")
    build(config)
    assert [d.path for d in plugin.documents] == ["postmortems/2026/b.md"]
