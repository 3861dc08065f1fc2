"""The public subset (`public_only: true`): only `visibility: public` post-mortems are published,
and nothing of the internal ones reaches any file of the site.

Every internal post-mortem of the corpus carries a marker in every field (title, id, tags,
services, authors, factors, summary, impact, action text and owner, body), and so do its
evidence files' names and contents; a public one declares it `related`. A real strict build
with `public_only` must contain the marker in no byte of site/ (sitemap.xml.gz decompressed).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort

from mkdocs_postmortems.catalog import Catalog
from mkdocs_postmortems.findings import Finding, Level
from mkdocs_postmortems.load import Document
from mkdocs_postmortems.model import Postmortem
from mkdocs_postmortems.public import NOT_PUBLISHED, public_findings, withheld_files
from mkdocs_postmortems.settings import ConfigError, Settings
from sitebuild import build_site, fixed_today, incident, invoke, write_site

MARKER = "zqxmark"  # lower case: slugs and search terms are lowered, and so is what is searched


def internal(n: int, extra: str = "") -> str:
    """An internal post-mortem with the marker in every field it has."""
    m = f"{MARKER}{n}"
    return (
        "---\n"
        f"title: {m} title of the internal incident\n"
        f"id: {m}-id\n"
        "date: 2026-06-01\n"
        "severity: SEV2\n"
        f"{extra}"
        f"services: [{m}-service, checkout]\n"
        f"tags: [{m}-tag, database]\n"
        f"authors: [{m} Author]\n"
        f"contributing_factors: [{m}-factor, configuration]\n"
        f"summary: The {m} summary of what happened.\n"
        f"impact: {{users_affected: 12, description: The {m} impact in words}}\n"
        "action_items:\n"
        f"  - action: Alert when {m} connections exceed 85% for 3 minutes\n"
        f'    owner: "@{m}-owner"\n'
        "    due: 2027-01-15\n"
        f"    ticket: https://tickets.example.com/{m}\n"
        "---\n\n"
        f"## Summary\n\nThe {m} body summary.\n\n"
        f"## Timeline\n\n| Time | Event |\n|---|---|\n| 10:00 | The {m} alert fired |\n\n"
        f"## Impact\n\nThe {m} impact.\n\n"
        "## Root causes\n\nA gap in the deploy checks.\n\n"
        f"## What went well\n\nThe {m} alerts.\n\n"
        f"## What could be improved\n\nThe {m} runbooks.\n\n"
        f"![graph](2026-06-0{n}-{m}-internal-graph.png)\n\n"
        f"[the {m} log]({m}-evidence/log.txt) and [shared notes](../assets/{m}-shared.txt)\n"
    )


def public(title: str, pm_id: str, extra: str = "", body: str = "") -> str:
    return incident(
        title,
        date="2026-05-01",
        extra=(
            f"id: {pm_id}\nvisibility: public\nservices: [checkout, {pm_id}-service]\ntags: [database]\n"
            f"contributing_factors: [configuration]\n"
            "action_items:\n"
            f"  - action: Cap {pm_id} pool at 400 connections\n    owner: '@public-team'\n    due: 2027-02-01\n"
            f"{extra}"
        ),
        body=body,
    )


CORPUS: dict[str, str] = {
    # Internal: explicitly, by default (no `visibility`), and an internal draft.
    f"2026/2026-06-01-{MARKER}1-internal.md": internal(1, "visibility: internal\n"),
    f"2026/2026-06-02-{MARKER}2-internal.md": internal(2),
    f"2026/2026-06-03-{MARKER}3-internal.md": internal(3, "status: draft\n"),
    # Their evidence: named after the file, in a folder beside it, and in a folder of the repository.
    f"2026/2026-06-01-{MARKER}1-internal-graph.png": f"{MARKER} graph bytes",
    f"2026/2026-06-02-{MARKER}2-internal-graph.png": f"{MARKER} graph bytes",
    f"2026/2026-06-03-{MARKER}3-internal-graph.png": f"{MARKER} graph bytes",
    f"2026/{MARKER}1-evidence/log.txt": f"{MARKER} log line",
    f"2026/{MARKER}2-evidence/log.txt": f"{MARKER} log line",
    f"2026/{MARKER}3-evidence/log.txt": f"{MARKER} log line",
    f"assets/{MARKER}1-shared.txt": f"{MARKER} shared notes",
    f"assets/{MARKER}2-shared.txt": f"{MARKER} shared notes",
    f"assets/{MARKER}3-shared.txt": f"{MARKER} shared notes",
    # Unlinked, in the post-mortems' folder: evidence of nobody known, so not public either.
    "2026/stray-notes.txt": f"{MARKER} stray notes",
    # Public ones: one relates itself to an internal one and links its own evidence.
    "2026/2026-05-01-public-one.md": public(
        "Public one, checkout slowdown",
        "public-one",
        extra=f"related: [{MARKER}1-id, public-two]\n",
        body="![latency](2026-05-01-public-one-graph.png)\n\n[the log](public-one-evidence/log.txt)\n",
    ),
    "2026/2026-05-01-public-one-graph.png": "public graph bytes",
    "2026/public-one-evidence/log.txt": "public log line",
    "2026/2026-05-02-public-two.md": public("Public two, search outage", "public-two"),
    "2026/2026-05-03-public-three.md": public("Public three, login errors", "public-three", extra="status: draft\n"),
    # The repository's own page and asset, outside the post-mortems' folders.
    "index.md": "# About us\n\nOur public engineering notes.\n",
    "assets/site-note.txt": "a file of the repository",
}
SITE_URL = "site_url: https://status.example.com/\n"  # so the sitemap and the feed list every page
PUBLIC_TITLES = ("Public one, checkout slowdown", "Public two, search outage")


def all_bytes(site: Path) -> dict[str, bytes]:
    """Every file of the site, sitemap.xml.gz decompressed."""
    found = {}
    for path in sorted(site.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            found[path.relative_to(site).as_posix()] = data
    return found


def leaks(site: Path) -> list[str]:
    marker = MARKER.encode()
    return [name for name, data in all_bytes(site).items() if marker in data.lower() or MARKER in name.lower()]


def build(
    tmp_path: Path, options: str = "      public_only: true\n", strict: bool = True, files: dict[str, str] | None = None
) -> Path:
    config = write_site(tmp_path, {**CORPUS, **(files or {})}, options=options, extra=SITE_URL)
    with fixed_today():
        return build_site(config, strict=strict)


@pytest.fixture(scope="module")
def public_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("public"))


def test_the_public_site_holds_no_trace_of_internal_post_mortems(public_site: Path) -> None:
    files = all_bytes(public_site)
    # What must be looked at is there (so the search below reads them all).
    for name in (
        "search/search_index.json",
        "sitemap.xml",
        "sitemap.xml.gz",
        "api/postmortems.json",
        "api/actions.json",
        "feed.xml",
        "actions.ics",
        "incidents/index.html",
        "index.html",
        "services/index.html",
        "tags/index.html",
        "factors/index.html",
    ):
        assert name in files, name
    assert leaks(public_site) == []


def test_the_public_ones_are_all_there(public_site: Path) -> None:
    files = all_bytes(public_site)
    exported = json.loads(files["api/postmortems.json"])["postmortems"]
    assert sorted(p["id"] for p in exported) == ["public-one", "public-two"]
    assert {p["id"]: p["related"] for p in exported}["public-one"] == ["public-two"]
    actions = json.loads(files["api/actions.json"])["items"]
    assert sorted(i["postmortem"] for i in actions) == ["public-one", "public-two"]
    for name in ("2026/2026-05-01-public-one/index.html", "2026/2026-05-02-public-two/index.html"):
        assert name in files
    # A public post-mortem's evidence and the repository's own page and files are published.
    assert files["2026/2026-05-01-public-one-graph.png"] == b"public graph bytes"
    assert files["2026/public-one-evidence/log.txt"] == b"public log line"
    assert "Our public engineering notes." in files["index.html"].decode()
    assert files["assets/site-note.txt"] == b"a file of the repository"
    # The public draft is a draft: not shown, and not counted on the public site either.
    assert not any("public-three" in name for name in files)
    for name in ("search/search_index.json", "feed.xml", "incidents/index.html", "sitemap.xml"):
        text = files[name].decode()
        for title in PUBLIC_TITLES:
            assert (title if name != "sitemap.xml" else "/2026/2026-05-0") in text, (name, title)
    assert files["sitemap.xml.gz"] == files["sitemap.xml"]
    incidents = files["incidents/index.html"].decode()
    assert "not shown on this site" not in incidents
    assert "invalid post-mortem" not in incidents
    home = files["index.html"].decode()
    assert "<strong>2</strong> incidents" in home
    assert "<strong>2</strong> open action items" in home
    services = files["services/checkout/index.html"].decode()
    assert all(title in services for title in PUBLIC_TITLES)
    assert "public-one" in files["actions.ics"].decode()


def test_without_public_only_the_internal_ones_are_published_as_before(tmp_path: Path) -> None:
    site = build(tmp_path, options="")
    files = all_bytes(site)
    exported = {p["id"] for p in json.loads(files["api/postmortems.json"])["postmortems"]}
    assert exported == {f"{MARKER}1-id", f"{MARKER}2-id", "public-one", "public-two"}
    assert f"2026/2026-06-01-{MARKER}1-internal/index.html" in files
    assert f"2026/2026-06-01-{MARKER}1-internal-graph.png" in files
    assert f"assets/{MARKER}1-shared.txt" in files
    assert "2026/stray-notes.txt" in files
    assert MARKER.encode() in files["search/search_index.json"]
    # The draft stays out as before, and is counted.
    assert f"2026/2026-06-03-{MARKER}3-internal/index.html" not in files
    assert "not shown on this site" in files["incidents/index.html"].decode()


def test_an_invalid_post_mortem_is_reported_but_not_published(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    bad = {
        # A schema error: its visibility (here claimed public) cannot be trusted.
        f"2026/2026-06-09-{MARKER}9-invalid.md": internal(9, "visibility: public\n").replace(
            "severity: SEV2", "severity: SEV9"
        ),
        f"2026/2026-06-09-{MARKER}9-internal-graph.png": f"{MARKER} graph",
        # Unreadable YAML.
        f"2026/2026-06-08-{MARKER}8-broken.md": f"---\ntitle: {MARKER} broken\ndate: [\n---\n\nThe {MARKER} body.\n",
    }
    site = build(tmp_path, strict=False, files=bad)
    assert f"postmortems/2026/2026-06-09-{MARKER}9-invalid.md:5: error[schema]" in caplog.text
    assert f"postmortems/2026/2026-06-08-{MARKER}8-broken.md" in caplog.text
    assert leaks(site) == []
    assert "invalid post-mortem" not in (site / "incidents" / "index.html").read_text()
    # And the strict build fails on it, as without public_only.
    with pytest.raises(Abort):
        build(tmp_path / "strict", strict=True, files=bad)


def test_a_duplicate_id_with_an_internal_one_does_not_name_it(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    files = {
        "2026/2026-06-01-secretfile.md": incident("Secret", extra="id: shared-id\n"),
        "2026/2026-05-04-public-dup.md": public("Public dup", "shared-id"),
    }
    config = write_site(tmp_path, files, options="      public_only: true\n")
    with fixed_today():
        site = build_site(config)
    assert "id 'shared-id' is also used by postmortems/2026/2026-06-01-secretfile.md" in caplog.text
    assert [name for name, data in all_bytes(site).items() if b"secret" in data.lower()] == []
    page = (site / "2026" / "2026-05-04-public-dup" / "index.html").read_text()
    assert f"also used by {NOT_PUBLISHED}" in page


def test_a_public_page_linking_an_internal_one_fails_the_strict_build(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The link is the public author's text: MkDocs reports its target as missing (the page is
    not published), so a strict build stops instead of publishing a dead link."""
    linking = {
        "2026/2026-05-05-public-link.md": public(
            "Public link", "public-link", body=f"See [the details](2026-06-01-{MARKER}1-internal.md).\n"
        )
    }
    with pytest.raises(Abort):
        build(tmp_path, files=linking)
    assert "2026/2026-05-05-public-link.md" in caplog.text and "not found among documentation files" in caplog.text


def test_postmortems_actions_honours_public_only(tmp_path: Path) -> None:
    write_site(tmp_path, CORPUS, options="      public_only: true\n")
    result = invoke(tmp_path, "--today", "2026-11-25", "actions", "--format", "json")
    assert result.exit_code == 0, result.output
    assert MARKER not in result.output
    assert "public-one" in result.output and "public-two" in result.output
    write_site(tmp_path, {}, options="")
    assert MARKER in invoke(tmp_path, "--today", "2026-11-25", "actions", "--format", "json").output


def test_public_only_is_a_strict_boolean(tmp_path: Path) -> None:
    assert Settings.build({"public_only": True}, tmp_path, tmp_path).public_only
    with pytest.raises(ConfigError, match="public_only"):
        Settings.build({"public_only": "yes"}, tmp_path, tmp_path)


# -- the rules, without a build ----------------------------------------------------------------
def doc(path: str, visibility: str = "public", links: tuple[str, ...] = (), valid: bool = True) -> Document:
    from mkdocs_postmortems.body import Link

    d = Document(f"postmortems/{path}", Path("/docs") / path)
    if valid:
        d.meta = Postmortem.model_validate(
            {"title": path, "date": "2026-01-01", "severity": "SEV1", "visibility": visibility},
            context={"severities": ["SEV1"], "contributing_factors": []},
        )
    d.body.links = [Link(1, target, image=False) for target in links]
    return d


def test_catalog_withholds_internal_and_invalid_post_mortems(tmp_path: Path) -> None:
    docs = [doc("a/pub.md"), doc("a/int.md", "internal"), doc("a/bad.md", valid=False)]
    settings = Settings(docs_dir=tmp_path, severities=["SEV1"], public_only=True)
    catalog = Catalog(docs, settings, dt.date(2026, 1, 2))
    assert [d.path for d in catalog.visible] == ["postmortems/a/pub.md"]
    assert [d.path for d in catalog.hidden] == ["postmortems/a/int.md"]
    assert [d.path for d in catalog.withheld] == ["postmortems/a/bad.md"]
    assert catalog.invalid == []
    everything = Catalog(docs, settings.model_copy(update={"public_only": False}), dt.date(2026, 1, 2))
    assert len(everything.visible) == 2 and [d.path for d in everything.invalid] == ["postmortems/a/bad.md"]


def test_which_files_beside_post_mortems_are_withheld() -> None:
    published = {"2026/pub.md": doc("2026/pub.md", links=("pub.png", "shared/x.png#frag", "../top.png"))}
    withheld = {"2026/int.md": doc("2026/int.md", "internal", links=("../assets/notes.txt",))}
    others = [
        "2026/pub.png",  # linked by the public one
        "2026/shared/x.png",  # linked by the public one, in a folder below
        "top.png",  # linked by the public one, outside
        "2026/other.png",  # beside post-mortems, linked by nobody public
        "2026/int/graph.png",  # in a folder below
        "2026/index.md",  # a page of the repository
        "assets/notes.txt",  # linked by the internal one
        "assets/int-timeline.csv",  # named after it
        "img/int/a.png",  # in a folder named after it
        "assets/logo.png",  # the repository's own
        "about.md",
    ]
    left_out = withheld_files(published, withheld, others, lambda name: name.endswith(".md"))
    assert left_out == {
        "2026/other.png",
        "2026/int/graph.png",
        "assets/notes.txt",
        "assets/int-timeline.csv",
        "img/int/a.png",
    }


def test_findings_on_public_pages_do_not_name_withheld_files() -> None:
    pub, int_ = "postmortems/2026/pub.md", "postmortems/2026/int.md"
    findings = [
        Finding(pub, 1, "duplicate-id", Level.ERROR, f"id 'x' is also used by {int_}", ""),
        Finding(int_, 1, "duplicate-id", Level.ERROR, f"id 'x' is also used by {pub}", ""),
        Finding(pub, 1, "url-clash", Level.ERROR, "2026/int.md/ and 2026/pub.md want one path", "rename 2026/int.md"),
    ]
    shown = public_findings(findings, {pub}, {int_: "2026/int.md"})
    assert [(f.path, f.message, f.hint) for f in shown] == [
        (pub, f"id 'x' is also used by {NOT_PUBLISHED}", ""),
        (pub, f"{NOT_PUBLISHED}/ and 2026/pub.md want one path", f"rename {NOT_PUBLISHED}"),
    ]
