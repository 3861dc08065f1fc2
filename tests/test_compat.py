"""The plugin among others: material's tags and search, git-revision-date-localized, ProperDocs,
and `mkdocs serve` rebuilds that keep no state from the last build."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from hostile import dead_links
from sitebuild import ROOT, TODAY_EPOCH, article, build_site, incident, write_site

BIN = Path(sys.executable).parent
CHECKOUT = "2026/2026-03-04-checkout-timeouts-after-pool-resize"


def git(repo: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_AUTHOR_DATE": "2026-05-01T12:00:00Z",
        "GIT_COMMITTER_DATE": "2026-05-01T12:00:00Z",
    }
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def test_builds_with_material_tags_and_git_revision_date(tmp_path: Path) -> None:
    files = {
        "2026/a.md": incident("Alpha", extra="tags: [database, Deploy]\nservices: [api]\n"),
        "2026/b.md": incident("Beta", extra="tags: [Database]\n"),
        "tag-index.md": "# Tag index\n\n<!-- material/tags -->\n",
    }
    config = write_site(
        tmp_path,
        files,
        options="      exclude: [tag-index.md]\n",
        plugins_before="  - search\n  - tags\n  - git-revision-date-localized:\n      enable_creation_date: true\n",
    )
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "post-mortems")
    site = build_site(config, strict=True)
    page = article(site, "2026/a")
    assert page.select_one(".pm-header") is not None
    assert page.h1 is not None and page.h1.get_text() == "Alpha"
    html = (site / "2026/a/index.html").read_text()
    assert "git-revision-date-localized-plugin" in html  # the other plugin did its part
    assert "May 1, 2026" in html
    assert "Alpha" in article(site, "tag-index").get_text()  # material's tag listing sees our pages
    assert len(article(site, "tags/database").select("tbody tr")) == 2  # ours merge Database/database


def test_properdocs_builds_the_example_site(tmp_path: Path) -> None:
    properdocs = BIN / "properdocs"
    if not properdocs.exists():
        pytest.fail("properdocs is not installed: it is a test dependency in pyproject.toml")
    env = {**os.environ, "SOURCE_DATE_EPOCH": TODAY_EPOCH, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run(
        [str(properdocs), "build", "--strict", "-f", str(ROOT / "mkdocs.yml"), "-d", str(tmp_path / "site")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "properdocs" in proc.stderr.lower() or "Documentation built" in proc.stderr
    card = article(tmp_path / "site", CHECKOUT).select_one(".pm-header")
    assert card is not None and "SEV1" in card.get_text()
    assert len(article(tmp_path / "site", "tags/database").select("tbody tr")) == 3


def test_rebuilds_with_one_plugin_instance_follow_edits(tmp_path: Path) -> None:
    config_file = write_site(tmp_path, {"2026/a.md": incident("Alpha", extra="tags: [one]\n")})
    config = load_config(str(config_file), site_dir=str(tmp_path / "site"))
    config.plugins["postmortems"].on_startup(command="serve", dirty=False)
    build(config)
    site = tmp_path / "site"
    assert (site / "tags/one/index.html").is_file()
    (tmp_path / "postmortems/2026/a.md").write_text(incident("Alpha renamed", extra="tags: [two]\n"))
    (tmp_path / "postmortems/2026/b.md").write_text(incident("Beta", date="2026-06-01"))
    build(config)
    titles = [a.get_text() for a in article(site, "incidents").select("tbody a")]
    assert titles == ["Beta", "Alpha renamed"]
    assert not (site / "tags/one").exists() and (site / "tags/two/index.html").is_file()
    (tmp_path / "postmortems/2026/a.md").unlink()
    build(config)
    assert [a.get_text() for a in article(site, "incidents").select("tbody a")] == ["Beta"]
    assert sorted(p.name for p in (tmp_path / "postmortems").rglob("*")) == ["2026", "b.md"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode())
    except OSError:
        return ""


def wait_for(url: str, text: str, present: bool = True, attempts: int = 240) -> bool:
    """Poll a bounded number of times; the answer, not the time taken, is what is asserted."""
    for _ in range(attempts):
        if (text in fetch(url)) == present:
            return True
        time.sleep(0.25)
    return False


def test_mkdocs_serve_shows_added_edited_and_deleted_post_mortems(tmp_path: Path) -> None:
    config_file = write_site(tmp_path, {"2026/a.md": incident("Alpha first")})
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "mkdocs"), "serve", "-a", f"127.0.0.1:{port}", "-f", str(config_file)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    index = f"http://127.0.0.1:{port}/incidents/"
    try:
        assert wait_for(index, "Alpha first")
        (tmp_path / "postmortems/2026/a.md").write_text(incident("Alpha edited"))
        assert wait_for(index, "Alpha edited")
        assert "Alpha first" not in fetch(index)
        (tmp_path / "postmortems/2026/b.md").write_text(incident("Beta added"))
        assert wait_for(index, "Beta added")
        (tmp_path / "postmortems/2026/a.md").unlink()
        assert wait_for(index, "Alpha edited", present=False)
        assert "Beta added" in fetch(index)
    finally:
        server.terminate()
        server.wait(timeout=30)
    leftovers = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    assert leftovers == ["mkdocs.yml", "postmortems", "postmortems/2026", "postmortems/2026/b.md"]


def test_a_page_of_the_repository_wins_over_a_generated_one(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    files = {"2026/a.md": incident("Alpha", extra="tags: [x]\n"), "tags.md": "# Our own tags page\n"}
    site = build_site(write_site(tmp_path, files, options="      exclude: [tags.md]\n"))
    assert article(site, "tags").get_text().strip() == "Our own tags page"
    assert "the plugin's page tags/index.md would be published at /tags/, where the repository's tags.md is" in (
        caplog.text
    )
    assert (site / "tags/x/index.html").is_file()
    assert dead_links(site) == []
    # Links to the generated tags index go to the page that holds /tags/ now.
    back = next(a for a in article(site, "tags/x").select("a") if a.get_text() == "All tags")
    assert (site / "tags/x" / str(back["href"])).resolve() == (site / "tags").resolve()
