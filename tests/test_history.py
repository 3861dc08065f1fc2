"""Post-mortem history from git (history.py), the `writeup-late` rule, and what the site shows.

Every repository here is real and made in a temporary folder, with fixed author and commit
dates, names and e-mails, and no global or system git configuration."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import subprocess
from pathlib import Path

import pytest

from mkdocs_postmortems.checks.deadline import deadline_findings
from mkdocs_postmortems.history import (
    HistoryCache,
    HistoryState,
    edit_url,
    history_url,
    parse_log,
    read_history,
)
from mkdocs_postmortems.load import load_file
from mkdocs_postmortems.settings import Settings
from sitebuild import article, build_site, incident, invoke, write_site

UTC = dt.timezone.utc
SHALLOW_WORDS = "shallow clone"


def git(root: Path, *args: str, when: str = "2026-05-01T12:00:00+00:00", who: str = "Ana Ops <ana@example.com>") -> str:
    name, _, email = who.partition(" <")
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email.rstrip(">"),
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email.rstrip(">"),
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
    }
    done = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True)
    return done.stdout


def commit_all(root: Path, message: str, **kwargs: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, **kwargs)


def init(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    return root


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """Three authors, a rename and a merge, on `postmortems/b.md` (first named a.md)."""
    root = init(tmp_path / "repo")
    docs = root / "postmortems"
    docs.mkdir()
    (docs / "a.md").write_text("one\ntwo\nthree\nfour\nfive\n")
    (docs / "other.md").write_text("other\n")
    commit_all(root, "first", when="2026-05-01T10:00:00+00:00")
    git(root, "mv", "postmortems/a.md", "postmortems/b.md")
    commit_all(root, "rename", when="2026-05-02T10:00:00+00:00", who="Bo Dev <BO@example.com>")
    git(root, "checkout", "-q", "-b", "fix")
    (docs / "b.md").write_text("one\ntwo\nthree\nfour\nfive\nsix\n")
    commit_all(root, "on a branch", when="2026-05-03T10:00:00+00:00", who="Bo Developer <bo@example.com>")
    git(root, "checkout", "-q", "main")
    (docs / "other.md").write_text("other, changed\n")
    commit_all(root, "meanwhile", when="2026-05-04T10:00:00+00:00")
    git(root, "merge", "-q", "--no-ff", "--no-commit", "fix", when="2026-05-05T10:00:00+00:00")
    (docs / "b.md").write_text("one\ntwo\nthree\nfour\nfive\nsix\nseven (in the merge)\n")
    commit_all(root, "merge fix", when="2026-05-05T10:00:00+00:00", who="Cy Lead <cy@example.com>")
    return root


def test_authors_rename_and_merge(repo: Path) -> None:
    history = read_history(repo)
    assert not history.shallow and history.root is not None
    b = history.of(repo / "postmortems" / "b.md")
    assert b.state is HistoryState.COMMITTED
    assert b.created == dt.datetime(2026, 5, 1, 10, tzinfo=UTC)  # followed through the rename
    assert b.last_change == dt.datetime(2026, 5, 5, 10, tzinfo=UTC)  # the change made in the merge
    assert b.revisions == 4  # first, rename, the branch's commit, the merge's own change
    # de-duplicated by e-mail (any case), named as in their latest commit, in order of arrival
    assert [(c.name, c.email, c.commits) for c in b.contributors] == [
        ("Ana Ops", "ana@example.com", 1),
        ("Bo Developer", "bo@example.com", 2),
        ("Cy Lead", "cy@example.com", 1),
    ]
    other = history.of("postmortems/other.md")
    assert other.revisions == 2 and [c.name for c in other.contributors] == ["Ana Ops"]
    assert history.of(repo / "postmortems" / "a.md").state is HistoryState.NOT_COMMITTED  # the old name


def test_a_merge_that_only_brings_a_branch_counts_the_branch_commit_once(tmp_path: Path) -> None:
    root = init(tmp_path / "r")
    (root / "f.md").write_text("1\n")
    commit_all(root, "one", when="2026-01-01T00:00:00+00:00")
    git(root, "checkout", "-q", "-b", "side")
    (root / "f.md").write_text("2\n")
    commit_all(root, "two", when="2026-01-02T00:00:00+00:00", who="Side Person <side@example.com>")
    git(root, "checkout", "-q", "main")
    (root / "g.md").write_text("g\n")
    commit_all(root, "g", when="2026-01-03T00:00:00+00:00")
    git(root, "merge", "-q", "--no-ff", "-m", "merge", "side", when="2026-01-04T00:00:00+00:00")
    f = read_history(root).of("f.md")
    assert f.revisions == 2 and f.last_change == dt.datetime(2026, 1, 2, tzinfo=UTC)
    assert [c.name for c in f.contributors] == ["Ana Ops", "Side Person"]


def test_one_log_call_for_all_files(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import git as gitpython

    calls: list[tuple[object, ...]] = []
    real = gitpython.cmd.Git._call_process

    def counting(self: gitpython.cmd.Git, method: str, *args: object, **kwargs: object) -> object:
        calls.append((method, *args))
        return real(self, method, *args, **kwargs)

    monkeypatch.setattr(gitpython.cmd.Git, "_call_process", counting)
    history = read_history(repo, ["postmortems"])
    assert len(history.files) == 2
    assert [c[0] for c in calls].count("log") == 1


def test_cache_by_head(repo: Path) -> None:
    cache = HistoryCache()
    first = cache.get(repo, ["postmortems"])
    assert cache.get(repo, ["postmortems"]) is first and cache.reads == 1
    (repo / "postmortems" / "new.md").write_text("new\n")
    commit_all(repo, "new", when="2026-06-01T00:00:00+00:00")
    assert cache.get(repo, ["postmortems"]).of("postmortems/new.md").revisions == 1
    assert cache.reads == 2


def test_no_repository_and_not_committed(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    assert read_history(plain).of(plain / "x.md").state is HistoryState.NO_REPOSITORY
    empty = init(tmp_path / "empty")  # a repository without a commit yet
    (empty / "x.md").write_text("x\n")
    assert read_history(empty).of(empty / "x.md").state is HistoryState.NOT_COMMITTED


def test_shallow_clone_gives_no_dates(repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    history = read_history(clone)
    assert history.shallow
    assert history.of(clone / "postmortems" / "b.md").state is HistoryState.SHALLOW
    assert history.message is not None and "fetch-depth: 0" in history.message


def test_quoted_paths_are_read() -> None:
    out = '\x1eabc\x1f\x1f2026-01-01T00:00:00+00:00\x1fa@x\x1fA\n\nA\t"caf\\303\\251 \\"q\\".md"\n'
    assert list(parse_log(out)) == ['café "q".md']


def test_forge_links() -> None:
    assert history_url("https://github.com/o/r", "edit/main/docs/", "docs/a.md") == (
        "https://github.com/o/r/commits/main/docs/a.md"
    )
    assert history_url("https://gitlab.com/o/r", "-/edit/dev/docs/", "docs/a.md") == (
        "https://gitlab.com/o/r/-/commits/dev/docs/a.md"
    )
    assert history_url("https://github.com/o/r", "?path=docs/", "a.md") is None
    assert edit_url("https://github.com/o/r", "edit/main/docs/", "2026/a b.md") == (
        "https://github.com/o/r/edit/main/docs/2026/a%20b.md"
    )
    assert edit_url("javascript:alert(1)//", "edit/main/docs/", "a.md") is None
    assert edit_url(None, "javascript:alert(1)//", "a.md") is None


# -- writeup-late ------------------------------------------------------------------------


def _late(tmp_path: Path, committed: str, severity: str = "SEV1", options: str = "") -> list[str]:
    config = write_site(tmp_path / "site", {"a.md": incident("A", date="2026-05-01", severity=severity)}, options)
    root = init(config.parent)
    commit_all(root, "first draft", when=committed)
    result = invoke(root, "check")
    return [line for line in result.output.splitlines() if "writeup-late" in line]


def test_writeup_exactly_at_the_deadline_passes(tmp_path: Path) -> None:
    assert _late(tmp_path, "2026-05-03T00:00:00+00:00") == []  # 48 hours after 2026-05-01 00:00 UTC


def test_writeup_one_minute_late_warns_at_the_date_line(tmp_path: Path) -> None:
    [line] = _late(tmp_path, "2026-05-03T00:01:00+00:00")
    assert "postmortems/a.md:3:" in line and "warning" in line and "SEV1 allows 48 hours" in line
    assert "1 min late" in line


def test_writeup_deadline_by_severity(tmp_path: Path) -> None:
    assert _late(tmp_path / "sev3", "2027-01-01T00:00:00+00:00", severity="SEV3") == []  # no deadline
    options = "      writeup_deadlines: {SEV3: 24}\n"
    assert len(_late(tmp_path / "set", "2026-05-02T00:01:00+00:00", "SEV3", options)) == 1


def test_writeup_rule_skips_drafts_and_uncommitted(tmp_path: Path) -> None:
    settings = Settings(docs_dir=tmp_path)
    root = init(tmp_path / "r")
    draft = root / "draft.md"
    draft.write_text(incident("D", date="2026-01-01", severity="SEV1", extra="status: draft\n"))
    commit_all(root, "late draft", when="2026-03-01T00:00:00+00:00")
    (root / "new.md").write_text(incident("N", date="2026-01-01", severity="SEV1"))
    settings = Settings(docs_dir=root)
    docs = [load_file(draft, settings, "draft.md"), load_file(root / "new.md", settings, "new.md")]
    assert deadline_findings(docs, read_history(root), settings) == []


# -- the site ----------------------------------------------------------------------------

SITE_EXTRA = "repo_url: https://github.com/acme/incidents\nedit_uri: edit/main/postmortems/\n"


def _site_repo(tmp_path: Path) -> Path:
    files = {
        "2026/a.md": incident("Alpha", date="2026-05-01", severity="SEV2"),
        "2026/b.md": incident("Beta", date="2026-04-01", severity="SEV1"),  # written a month late
    }
    config = write_site(tmp_path / "site", files, extra=SITE_EXTRA)
    root = init(config.parent)
    (root / ".gitignore").write_text("site/\n")
    commit_all(root, "alpha and beta", when="2026-05-02T09:00:00+00:00")
    (root / "postmortems" / "2026" / "a.md").write_text(
        incident("Alpha", date="2026-05-01", severity="SEV2", body="More.\n")
    )
    commit_all(root, "correct alpha", when="2026-05-06T08:30:00+00:00", who="Ren <ren@example.com>")
    return config


def test_incident_page_shows_history_and_links(tmp_path: Path) -> None:
    config = _site_repo(tmp_path)
    (config.parent / "postmortems" / "2026" / "c.md").write_text(incident("Gamma", date="2026-05-03"))
    site = build_site(config, strict=True)
    card = article(site, "2026/a").select_one("dl.pm-history")
    assert card is not None
    shown = {d.dt.get_text(): " ".join(d.dd.get_text(" ").split()) for d in card.select("div") if d.dt and d.dd}
    assert shown["Last change"] == "2026-05-06"
    assert shown["Revisions"] == "2"
    assert shown["Contributors"] == "Ana Ops, Ren"
    history = card.select_one("a.pm-history-link")
    edit = card.select_one("a.pm-edit-link")
    assert history is not None and edit is not None
    assert history["href"] == "https://github.com/acme/incidents/commits/main/postmortems/2026/a.md"
    assert edit["href"] == "https://github.com/acme/incidents/edit/main/postmortems/2026/a.md"
    assert edit.get_text() == "suggest a correction"
    assert "[writeup-late]" in invoke(config.parent, "check").output
    gamma = article(site, "2026/c").select_one("dl.pm-history .pm-history-none")
    assert gamma is not None and gamma.get_text() == "not yet committed"
    records = {r["title"]: r for r in json.loads((site / "api" / "postmortems.json").read_text())["postmortems"]}
    assert records["Alpha"]["created"] == "2026-05-02T09:00:00Z"
    assert records["Alpha"]["last_change"] == "2026-05-06T08:30:00Z"
    assert records["Alpha"]["revisions"] == 2
    assert records["Alpha"]["contributors"] == ["Ana Ops", "Ren"]
    assert [records["Gamma"][k] for k in ("created", "last_change", "revisions", "contributors")] == [None] * 4


def test_site_outside_git_says_so(tmp_path: Path) -> None:
    config = write_site(tmp_path / "plain", {"a.md": incident("A")})
    site = build_site(config, strict=True)
    none = article(site, "a").select_one(".pm-history-none")
    assert none is not None and none.get_text() == "no git history"
    assert article(site, "a").select_one("a.pm-edit-link") is None  # no repo_url, no edit link


def test_shallow_clone_build_says_it_once_and_passes_strict(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    config = _site_repo(tmp_path)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{config.parent}", str(clone))
    with caplog.at_level(logging.INFO):
        site = build_site(clone / "mkdocs.yml", strict=True)
    said = [r for r in caplog.records if SHALLOW_WORDS in r.getMessage()]
    assert len(said) == 1 and "fetch-depth: 0" in said[0].getMessage()
    note = article(site, "2026/a").select_one(".pm-history-none")
    assert note is not None and note.get_text() == "history incomplete (shallow clone)"
    late = invoke(clone, "check")
    assert "[writeup-late]" not in late.output and late.stderr.count(SHALLOW_WORDS) == 1
