"""The site the plugin builds: incident pages, indexes, home, related incidents, drafts, search.

Every test builds a real site with MkDocs into a temporary folder and reads the HTML inside
<article> (the nav is on every page, so text found there proves nothing).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import Tag

from sitebuild import ROOT, article, build_example, build_site, incident, page, write_site

CHECKOUT = "2026/2026-03-04-checkout-timeouts-after-pool-resize"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_example(tmp_path_factory.mktemp("example") / "site")


def texts(elements: list[Tag]) -> list[str]:
    return [" ".join(e.get_text(" ").split()) for e in elements]


def facts(card: Tag) -> dict[str, str]:
    pairs = [(div.select_one("dt"), div.select_one("dd")) for div in card.select("dl.pm-facts > div")]
    return {" ".join(k.get_text(" ").split()): " ".join(v.get_text(" ").split()) for k, v in pairs if k and v}


def resolve(site: Path, page_url: str, href: object) -> Path:
    target = (site / page_url / str(href)).resolve()
    return target / "index.html" if target.is_dir() else target


def test_incident_header_card(site: Path) -> None:
    card = article(site, CHECKOUT).select_one(".pm-header")
    assert card is not None
    assert card.h1 is not None and card.h1.get_text() == "Checkout timeouts after a connection-pool resize"
    assert facts(card) == {
        "Severity": "SEV1",
        "Status": "published",
        "Date": "2026-03-04",
        "Duration": "2 h 08 min",
        "TTD": "17 min",
        "TTM": "49 min",
        "TTR": "2 h 08 min",
        "Services": "checkout payments-db",
        "Tags": "database deploy latency",
        "Contributing factors": "configuration change-management monitoring-gap",
        "Authors": "Priya Raman, Tomás Ortega",
        "Impact": "18,400 users affected, customer-facing, revenue impact 62,000",
        "Effectiveness review": "due 2026-04-03 overdue",
    }
    links = {a.get_text(): a["href"] for a in card.select("a")}
    assert resolve(site, CHECKOUT, links["checkout"]) == (site / "services/checkout/index.html").resolve()
    assert resolve(site, CHECKOUT, links["database"]) == (site / "tags/database/index.html").resolve()
    assert resolve(site, CHECKOUT, links["SEV1"]) == (site / "severities/sev1/index.html").resolve()
    for href in links.values():
        assert resolve(site, CHECKOUT, href).is_file(), href


def test_action_items_table_sits_under_its_heading(site: Path) -> None:
    body = article(site, CHECKOUT)
    heading = body.find("h2", id="action-items")
    assert isinstance(heading, Tag)
    table = heading.find_next("table")
    assert table is not None and table.find_previous("h2") is heading
    rows = [texts(tr.find_all("td")) for tr in table.select("tbody tr")]
    assert rows[0][:5] == [
        "Reject pool-size changes above 40 connections per pod in the config linter, with a test",
        "@platform-team",
        "2026-03-25",
        "P1",
        "done 2026-03-20",
    ]
    assert rows[2][2] == "2026-04-30 overdue"  # in progress and past due on 2026-11-25
    overdue = table.select("tr.pm-overdue")
    assert len(overdue) == 1 and "in-progress" in overdue[0].get_text()
    tickets = [a["href"] for a in table.select("a")]
    assert tickets == ["https://tracker.example.com/browse/SRE-881"]  # owner/repo#N needs forge_url


def test_action_items_without_a_heading_follow_the_body(tmp_path: Path) -> None:
    config = write_site(
        tmp_path,
        {"2026/a.md": incident("A", extra="action_items:\n  - {action: Add 2 alerts, owner: ops, due: 2026-12-01}\n")},
        options="      forge_url: https://github.example\n",
    )
    body = article(build_site(config), "2026/a")
    last_h2 = body.find_all("h2")[-1]
    assert last_h2.get_text(strip=True).startswith("Action items")
    table = last_h2.find_next("table")
    assert isinstance(table, Tag)
    assert texts(table.select("tbody td"))[:3] == ["Add 2 alerts", "ops", "2026-12-01"]


def test_nav_is_small_and_lists_no_incident(site: Path) -> None:
    for url in ("", CHECKOUT, "tags/database"):
        nav = page(site, url).select_one("nav.md-nav--primary")
        assert nav is not None
        labels = texts(nav.select("a.md-nav__link"))
        assert labels == [
            "Home",
            "Incidents",
            "Action items",
            "Insights",
            "Tags",
            "Services",
            "Severities",
            "Years",
            "Contributing factors",
        ]


def example_items() -> list[dict[str, Any]]:
    """Action items of the published example post-mortems, read straight from the files."""
    items = []
    for path in (ROOT / "postmortems").rglob("*.md"):
        if path.name == "index.md":
            continue
        meta = yaml.safe_load(path.read_text().split("---")[1])
        if meta.get("status", "published") == "published":
            items += meta.get("action_items", [])
    return items


def test_home_shows_latest_incidents_and_counts(site: Path) -> None:
    home = article(site, "")
    counts = texts(home.select(".pm-counts li"))
    items = example_items()
    open_items = [i for i in items if i.get("status", "open") in ("open", "in-progress")]
    overdue = [i for i in open_items if i["due"] < dt.date(2026, 11, 25)]
    assert counts == ["5 incidents", f"{len(open_items)} open action items", f"{len(overdue)} overdue action items"]
    assert len(overdue) > 0 and len(open_items) > len(overdue)
    latest = texts(home.select(".pm-home tbody tr td:nth-of-type(2)"))
    assert latest[0] == "Slow checkout from replica lag during a payments-db schema migration"
    assert len(latest) == 5
    assert "Blameless reviews of our production incidents" in home.get_text()  # the repository's own text


def test_incident_index_lists_every_published_post_mortem(site: Path) -> None:
    index = article(site, "incidents")
    rows = index.select("[data-pm-table] tbody tr")
    assert [r["data-date"] for r in rows] == sorted((r["data-date"] for r in rows), reverse=True)
    assert len(rows) == 5
    first = rows[0]
    assert first["data-service"] == "checkout|payments-db"
    assert first["data-tag"] == "database|latency|deploy"
    assert {o.get_text() for o in index.select("select[data-pm-filter=tag] option")} >= {"all", "database", "dns"} - {
        "dns"
    }
    assert "1 draft or in-review post-mortem is not shown" in index.get_text()
    assert "near-miss" not in index.get_text().lower()


def test_tag_pages_merge_case_and_list_newest_first(site: Path) -> None:
    tag = article(site, "tags/database")
    titles = texts(tag.select("tbody tr td:nth-of-type(2)"))
    assert titles == [
        "Slow checkout from replica lag during a payments-db schema migration",
        "Checkout timeouts after a connection-pool resize",
        "Checkout outage after payments-db failed over to an undersized replica",  # tagged `Database`
    ]
    assert [h.get_text() for h in tag.find_all("h2")] == ["2026", "2025"]
    assert not (site / "tags" / "Database").exists()
    index = texts(article(site, "tags").select("tbody tr"))
    assert index[0].startswith("database 3 2026-06-09 2025-09-23")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("services/checkout", 3),
        ("severities/sev1", 2),
        ("years/2025", 2),
        ("factors/configuration", 4),
    ],
)
def test_every_index_kind_has_term_pages(site: Path, url: str, expected: int) -> None:
    assert len(article(site, url).select("tbody tr")) == expected


def test_severity_index_follows_configured_order(site: Path) -> None:
    assert texts(article(site, "severities").select("tbody tr td:first-child")) == ["SEV1", "SEV2", "SEV3"]


def test_related_incidents_declared_both_ways_and_inferred(site: Path) -> None:
    items = article(site, CHECKOUT).select("ul.pm-related li")
    text = texts(items)
    # Declared by the 2026-06-09 post-mortem only, shown here too.
    assert text[0].startswith("Slow checkout from replica lag") and "linked" in text[0]
    assert any("similar: service: checkout" in t for t in text[1:])


def test_related_inferred_ranking(tmp_path: Path) -> None:
    files = {
        "2026/a.md": incident("A", extra="services: [api]\ntags: [x]\ncontributing_factors: [capacity]\n"),
        "2026/b.md": incident("B", extra="services: [api]\n"),  # 3
        "2026/c.md": incident("C", extra="tags: [X]\ncontributing_factors: [capacity]\n"),  # 2 + 1
        "2026/d.md": incident("D", extra="tags: [x]\n"),  # 1
        "2026/e.md": incident("E", extra="tags: [other]\n"),  # nothing shared
    }
    body = article(build_site(write_site(tmp_path, files)), "2026/a")
    assert texts(body.select("ul.pm-related li a")) == ["B", "C", "D"]


def test_search_index_covers_title_body_tags_services_and_actions(site: Path) -> None:
    index = json.loads((site / "search" / "search_index.json").read_text())
    text = " ".join(d["title"] + " " + d["text"] for d in index["docs"] if d["location"].startswith(CHECKOUT))
    for phrase in (
        "Checkout timeouts after a connection-pool resize",
        "ran out of connection slots",
        "payments-db",
        "latency",
        "Reject pool-size changes above 40 connections",
    ):
        assert phrase in text, phrase


def test_drafts_are_left_out_by_default_and_shown_with_a_banner(tmp_path: Path) -> None:
    files = {"2026/a.md": incident("Published one"), "2026/d.md": incident("Draft one", extra="status: draft\n")}
    site = build_site(write_site(tmp_path / "out", files))
    assert not (site / "2026" / "d").exists()
    assert "Draft one" not in (site / "incidents" / "index.html").read_text()
    site = build_site(write_site(tmp_path / "in", files, options="      show_drafts: true\n"))
    banner = article(site, "2026/d").select_one(".pm-banner")
    assert banner is not None and "Draft" in banner.get_text()
    assert article(site, "2026/a").select_one(".pm-banner") is None


def test_invalid_post_mortem_is_listed_with_its_errors(tmp_path: Path) -> None:
    files = {
        "2026/good.md": incident("Good"),
        "2026/bad.md": "---\ntitle: Broken one\ndate: 2026-01-01\nseverity: SEV9\n---\n\nBody text.\n",
        "2026/worse.md": "---\ntitle: [unclosed\n---\n\nOther text.\n",
    }
    site = build_site(write_site(tmp_path, files))
    listing = article(site, "incidents").select_one(".pm-invalid-list")
    assert listing is not None
    text = " ".join(listing.get_text(" ").split())
    assert "2 invalid post-mortems" in text
    assert "Broken one ( postmortems/2026/bad.md ) line 4: `severity`: unknown severity 'SEV9'" in text
    assert "postmortems/2026/worse.md" in text
    bad = article(site, "2026/bad")
    assert bad.h1 is not None and bad.h1.get_text() == "Broken one"
    errors = bad.select_one(".pm-invalid")
    assert errors is not None and "unknown severity" in errors.get_text()
    assert "Body text." in bad.get_text()
    assert "title:" not in article(site, "2026/worse").get_text()  # the raw front matter is not shown


def test_hostile_tags_get_safe_distinct_slugs(tmp_path: Path) -> None:
    hostile = ["../../../etc/passwd", "a/b", "..", "CON", "🔥", "日本", "Database", "data base", "data-base"]
    files = {"2026/a.md": incident("A", extra=f"tags: {json.dumps(hostile, ensure_ascii=False)}\n")}
    site = build_site(write_site(tmp_path, files))
    written = {p.resolve() for p in tmp_path.rglob("*")} - {p.resolve() for p in site.rglob("*")}
    assert all(p.is_relative_to(tmp_path / "postmortems") or p.name in ("mkdocs.yml", "site") for p in written)
    slugs = [p.name for p in (site / "tags").iterdir() if p.is_dir()]
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9-]*", s) for s in slugs)
    assert len(slugs) == len(set(slugs)) == len(hostile)  # `data base` and `data-base` do not collide
    names = texts(article(site, "tags").select("tbody td:first-child"))
    assert sorted(names) == sorted(hostile)


def test_broken_evidence_link_is_a_located_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "postmortems/2026").mkdir(parents=True)
    (tmp_path / "postmortems/2026/graph.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    body = "## Evidence\n\n![graph](graph.png)\n\nSee [the log](logs/missing.txt).\n"
    config = write_site(tmp_path, {"2026/a.md": incident("A", body=body)})
    from mkdocs.exceptions import Abort

    with pytest.raises(Abort):
        build_site(config, strict=True)
    assert "postmortems/2026/a.md:37: error[broken-link]: the link 'logs/missing.txt' does not exist" in caplog.text
    caplog.clear()
    (tmp_path / "postmortems/2026/logs").mkdir()
    (tmp_path / "postmortems/2026/logs/missing.txt").write_text("log")
    site = build_site(config, strict=True)
    image = article(site, "2026/a").find("img")
    assert image is not None and resolve(site, "2026/a", image["src"]) == (site / "2026/graph.png").resolve()
    assert (site / "2026/logs/missing.txt").is_file()


def test_example_evidence_is_published(site: Path) -> None:
    image = article(site, CHECKOUT).find("img")
    assert image is not None
    assert resolve(site, CHECKOUT, image["src"]).name == "2026-03-04-checkout-error-rate.svg"
    assert resolve(site, CHECKOUT, image["src"]).is_file()


def test_generated_pages_never_touch_the_source_folder(site: Path) -> None:
    sources = sorted(p.relative_to(ROOT) for p in (ROOT / "postmortems").rglob("*"))
    assert not any(p.parts[1] in ("tags", "services", "incidents", "years", "factors", "severities") for p in sources)


def test_templates_can_be_overridden_from_the_theme_custom_dir(tmp_path: Path) -> None:
    override = tmp_path / "overrides" / "postmortems" / "header.html"
    override.parent.mkdir(parents=True)
    override.write_text('<div class="our-card"><h1>{{ meta.title }}</h1><p>Sev {{ meta.severity }}</p></div>\n')
    config = write_site(tmp_path, {"2026/a.md": incident("<b>Alpha</b>")})
    config.write_text(config.read_text().replace("  font: false\n", "  font: false\n  custom_dir: overrides\n"))
    body = article(build_site(config), "2026/a")
    card = body.select_one(".our-card")
    assert card is not None and card.get_text(" ", strip=True) == "<b>Alpha</b> Sev SEV2"  # still escaped
    assert body.select_one(".pm-header") is None
    assert body.select_one("ul.pm-related") is None and body.find("h2", id="summary") is not None


def test_links_work_without_directory_urls(tmp_path: Path) -> None:
    files = {
        "2026/a.md": incident(
            "Alpha", extra="tags: [db]\naction_items:\n  - {action: Add 2 alerts, owner: o, due: 2027-01-01}\n"
        ),
        "2026/b.md": incident("Beta", extra="tags: [db]\n"),
    }
    config = write_site(tmp_path, files)
    config.write_text(config.read_text() + "use_directory_urls: false\n")
    site = build_site(config)
    checked = 0
    for page_path in ("incidents/index.html", "tags/db.html", "2026/a.html", "actions/index.html", "index.html"):
        body = article(site, page_path)
        for link in body.select("a[href]"):
            href = str(link["href"]).split("?")[0].split("#")[0]
            if href and not href.startswith(("http://", "https://")):
                target = (site / page_path).parent / href
                assert target.is_file() or (target / "index.html").is_file(), (page_path, href)
                checked += 1
    assert checked > 10
    data = json.loads((site / "api/actions.json").read_text())
    assert [item["url"] for item in data["items"]] == ["2026/a.html"]
    dashboard = article(site, "actions/index.html").select_one("[data-pm-dashboard]")
    assert dashboard is not None and dashboard["data-root"] == "../"


def test_the_card_shows_the_summary_field_only(tmp_path: Path) -> None:
    files = {
        "2026/a.md": incident("Alpha", extra="summary: Written in the front matter.\n"),
        "2026/b.md": incident("Beta"),  # its summary is the first paragraph of ## Summary, shown there
    }
    site = build_site(write_site(tmp_path, files))
    card = article(site, "2026/a").select_one(".pm-header .pm-summary")
    assert card is not None and card.get_text() == "Written in the front matter."
    assert article(site, "2026/b").select_one(".pm-header .pm-summary") is None
    assert article(site, "2026/b").get_text().count("A short summary.") == 1


def test_an_ascii_post_mortem_gets_a_page_of_ascii_with_its_empty_cells_dashed(tmp_path: Path) -> None:
    """The plugin's blocks write their dashes as `&mdash;`: Python keeps a string of ASCII (or
    Latin-1) in one byte a character and any other in two, and MkDocs holds every page's HTML
    until the build ends, so one dash would double the memory of an ASCII page's content."""
    extra = "action_items:\n  - action: Add a canary stage\n    status: open\nimpact: {}\n"
    site = build_site(write_site(tmp_path, {"2026/plain.md": incident("Plain words", extra=extra)}))
    written = (site / "2026/plain/index.html").read_text(encoding="utf-8")
    html = written[written.index("<article") : written.index("</article>")]  # as written, not parsed
    assert max(map(ord, html)) < 0x100, sorted({c for c in html if ord(c) >= 0x100})
    card = article(site, "2026/plain")
    row = card.select_one("div.pm-actions tbody tr")
    assert row is not None
    assert texts(row.select("td")) == ["Add a canary stage", "—", "—", "P2", "open", "—"]
    assert facts(card.select_one(".pm-header") or card)["Impact"] == "—"
