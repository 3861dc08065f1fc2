"""The insights page, the term pages' timelines and the incident pages' "Repeats" block, in a real
`mkdocs build --strict` of a small corpus.

The pictures must be valid SVG that needs no network (no script, no URL but XML namespaces),
every picture's table must hold the figures of `metrics.insights()`, and a hostile service name
must stay text in both the SVG and the tables.

    id                     date        sev   services               factors       items
    2025-03-10-search-lag  2025-03-10  SEV3  search                 -             -
    2026-06-01-pay-a       2026-06-01  SEV1  payments, <script>…    retry storm   done 2026-06-10 (addresses it)
    2026-08-15-pay-b       2026-08-15  SEV2  payments               retry storm   open, due 2026-09-01 (overdue)
    2026-09-01-draft       draft: counted nowhere

pay-b repeats pay-a (75 days apart, shared payments and retry storm), fixed before: yes.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag

from mkdocs_postmortems.catalog import Catalog
from mkdocs_postmortems.charts import Timeline, cell, svg, timeline
from mkdocs_postmortems.load import discover, load_all
from mkdocs_postmortems.metrics import Insights, Series, insights
from mkdocs_postmortems.settings import Settings
from sitebuild import ROOT, article, build_example, build_site, invoke, page, write_site
from test_dashboard import postmortem

D = dt.date
TODAY = D(2026, 11, 25)
EVIL = '<script>alert("svc")</script>&amp;'
SVG_NS = "http://www.w3.org/2000/svg"
NAMESPACES = {SVG_NS, "http://www.w3.org/1999/xlink"}


def corpus() -> dict[str, str]:
    def front(pm_id: str, **meta: Any) -> tuple[str, str]:
        return f"{pm_id[:4]}/{pm_id}.md", postmortem({"title": meta.pop("title"), **meta})

    return dict(
        [
            front(
                "2025-03-10-search-lag", title="Search lag", date=D(2025, 3, 10), severity="SEV3", services=["search"]
            ),
            front(
                "2026-06-01-pay-a",
                title="Payments retry storm",
                date=D(2026, 6, 1),
                severity="SEV1",
                services=["payments", EVIL],
                tags=["database"],
                contributing_factors=["retry storm"],
                started="2026-06-01T10:00:00Z",
                detected="2026-06-01T10:30:00Z",
                mitigated="2026-06-01T12:00:00Z",
                resolved="2026-06-01T16:00:00Z",
                action_items=[
                    {
                        "action": "Cap retries at 3 per request",
                        "owner": "@pay",
                        "due": D(2026, 6, 20),
                        "status": "done",
                        "completed": D(2026, 6, 10),
                        "kind": "prevent",
                        "addresses": "retry storm",
                    }
                ],
            ),
            front(
                "2026-08-15-pay-b",
                title="Payments retry storm again",
                date=D(2026, 8, 15),
                severity="SEV2",
                services=["payments"],
                tags=["database"],
                contributing_factors=["retry storm"],
                action_items=[
                    {
                        "action": "Add 1 circuit breaker per client",
                        "owner": "@pay",
                        "due": D(2026, 9, 1),
                        "kind": "mitigate",
                        "addresses": "retry storm",
                    }
                ],
            ),
            front(
                "2026-09-01-draft",
                title="Draft not counted",
                date=D(2026, 9, 1),
                severity="SEV1",
                status="draft",
                services=["payments"],
            ),
        ]
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Insights]:
    root = tmp_path_factory.mktemp("insights")
    config = write_site(root, corpus())
    site = build_site(config, strict=True)
    settings = Settings.model_validate({"docs_dir": root / "postmortems", "today": TODAY})
    docs = load_all(discover(settings), settings, root)
    return site, insights(Catalog(docs, settings, TODAY), settings)


def svgs(site: Path, url: str) -> list[str]:
    """The charts' SVG elements of a page, as written in its HTML."""
    text = (site / url / "index.html").read_text(encoding="utf-8")
    return re.findall(r'<svg xmlns="http://www.w3.org/2000/svg"[^>]*class="pygal-chart pm-svg".*?</svg>', text, re.S)


def assert_offline_svg(markup: str) -> ET.Element:
    root = ET.fromstring(markup)  # valid XML
    assert root.tag == f"{{{SVG_NS}}}svg"
    assert root.get("role") == "img" and root.get("aria-label")
    assert not [e for e in root.iter() if e.tag.rpartition("}")[2] in ("script", "foreignObject", "image", "a")]
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", markup))
    assert urls <= NAMESPACES, urls
    for element in root.iter():
        for name, value in element.attrib.items():
            assert not name.endswith("href"), (name, value)
            assert "url(" not in value or "url(#" in value, value
    assert "@import" not in markup
    return root


def table_of(soup: Tag, figure_id: str) -> list[list[str]]:
    table = soup.select_one(f'table[data-pm-figure="{figure_id}"]')
    assert table is not None, figure_id
    assert table.caption is not None and table.caption.get_text(strip=True)
    assert all(th.get("scope") in ("col", "row") for th in table.select("th"))
    return [[c.get_text(strip=True) for c in tr.find_all(["th", "td"])] for tr in table.select("tbody tr")]


def expected_rows(series: Series) -> list[list[str]]:
    return [[label, *(cell(values[i]) for values in series.series.values())] for i, label in enumerate(series.labels)]


FIGURES = [
    "incidents_by_month",
    "ttd",
    "ttm",
    "ttr",
    "items_created_done",
    "on_time_rate",
    "open_by_age",
    "kinds",
    "reviews",
]


def test_insights_page_is_in_the_nav_after_action_items(built: tuple[Path, Insights]) -> None:
    site, _ = built
    nav = [a.get_text(strip=True) for a in page(site, "").select("nav.md-nav--primary > ul > li > a")]
    assert "Insights" in nav, nav
    assert nav.index("Insights") == nav.index("Action items") + 1, nav
    assert (site / "insights" / "index.html").is_file()


@pytest.mark.parametrize("name", FIGURES)
def test_each_table_holds_the_figures_of_insights(built: tuple[Path, Insights], name: str) -> None:
    site, result = built
    series: Series = getattr(result, name)
    figure_id = name.replace("_", "-")
    soup = article(site, "insights")
    assert table_of(soup, figure_id) == expected_rows(series)
    figure = soup.select_one(f"figure#{figure_id}")
    assert figure is not None and series.title in figure.get_text()
    if series.note:
        assert series.note in figure.get_text()


def test_counts_are_those_of_the_corpus(built: tuple[Path, Insights]) -> None:
    """By hand: three published incidents, the draft counted nowhere."""
    site, result = built
    assert result.incidents == 3
    rows = {r[0]: r[1:] for r in table_of(article(site, "insights"), "incidents-by-month")}
    names = list(result.incidents_by_month.series)
    assert rows["2026-06"][names.index("SEV1")] == "1"
    assert rows["2026-08"][names.index("SEV2")] == "1"
    assert rows["2026-09"] == ["0"] * len(names), "the draft must not count"


def test_every_picture_is_valid_svg_needing_no_network(built: tuple[Path, Insights]) -> None:
    site, _ = built
    pictures = svgs(site, "insights")
    assert len(pictures) >= 8
    ids = [assert_offline_svg(p).get("id") for p in pictures]
    assert len(set(ids)) == len(ids), "chart ids must be unique in a page"
    html = (site / "insights" / "index.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.select("article script")


def test_rankings_and_recurrences_link_to_their_pages(built: tuple[Path, Insights]) -> None:
    site, result = built
    soup = article(site, "insights")
    services = soup.select_one("#recurring-services + .pm-rankings")
    assert services is not None
    first = services.select_one("ol li a")
    assert first is not None and first.get_text() == "payments" and "services/payments/" in str(first["href"])
    assert [(r.earlier.id, r.later.id, r.days, r.fixed_before) for r in result.recurrences] == [
        ("2026-06-01-pay-a", "2026-08-15-pay-b", 75, True)
    ]
    row = soup.select_one("table.pm-recurrences tbody tr")
    assert row is not None
    cells = [c.get_text(" ", strip=True) for c in row.find_all("td")]
    assert cells[0].startswith("Payments retry storm") and cells[1].startswith("Payments retry storm again")
    assert cells[2:] == ["payments", "retry storm", "75", "yes"]
    learned = soup.select_one("ul.pm-learned")
    assert learned is not None and "retry storm" in learned.get_text() and "again" in learned.get_text()


def test_incident_page_names_what_it_repeats(built: tuple[Path, Insights]) -> None:
    site, _ = built
    later = article(site, "2026/2026-08-15-pay-b")
    heading = later.find("h2", string="Repeats")
    assert heading is not None
    block = later.select_one("ul.pm-repeats")
    assert block is not None
    link = block.select_one("a")
    assert link is not None and link.get_text() == "Payments retry storm"
    assert "2026-06-01-pay-a" in str(link["href"])
    assert "Fixed before: yes" in block.get_text(" ", strip=True)
    earlier = article(site, "2026/2026-06-01-pay-a")
    assert earlier.find("h2", string="Repeats") is None and earlier.select_one("ul.pm-repeats") is None


@pytest.mark.parametrize(
    ("url", "months"),
    [("services/payments", 3), ("tags/database", 3), ("factors/retry-storm", 3), ("services/search", 1)],
)
def test_term_pages_have_their_timeline(built: tuple[Path, Insights], url: str, months: int) -> None:
    site, _ = built
    pictures = svgs(site, url)
    assert len(pictures) == 1, url
    assert_offline_svg(pictures[0])
    text = article(site, url).select_one('p.pm-chart-text[data-pm-figure="timeline"]')
    assert text is not None, "the timeline's text alternative"
    counts = [int(n) for n in re.findall(r"\d{4}-\d{2}: (\d+)", text.get_text())]
    assert sum(counts) == len(article(site, url).select(".pm-term tbody tr"))
    labels = ET.fromstring(pictures[0]).iter(f"{{{SVG_NS}}}text")
    assert len({t.text for t in labels if t.text and re.fullmatch(r"\d{4}-\d{2}", t.text)}) <= months


def test_severity_and_year_pages_have_no_timeline(built: tuple[Path, Insights]) -> None:
    site, _ = built
    assert svgs(site, "severities/sev1") == [] and svgs(site, "years/2026") == []


def test_a_hostile_service_name_stays_text(built: tuple[Path, Insights]) -> None:
    site, result = built
    ranking = next(r for r in result.recurring if r.title == "Services")
    assert EVIL in [name for name, _ in ranking.all_time]
    for url in ("insights", *[p.parent.relative_to(site).as_posix() for p in (site / "services").glob("*/index.html")]):
        html = (site / url / "index.html").read_text(encoding="utf-8")
        assert "<script>alert" not in html, url
    soup = article(site, "insights")
    names = [a.get_text() for a in soup.select("#recurring-services + .pm-rankings a")]
    assert EVIL in names, "the name is shown as text"


def test_svg_escapes_labels_and_draws_no_script() -> None:
    data = Timeline("Per <b>service</b>", ["<script>x</script>", "a & b"], {"x</text><script>": [1, None]})
    for kind in ("bar", "stacked", "line"):
        markup = str(svg(data, "t", kind))
        root = assert_offline_svg(markup)
        texts = [t.text for t in root.iter(f"{{{SVG_NS}}}text")]
        assert "<script>x</script>" in texts and "a & b" in texts
        assert "<script" not in markup
        assert svg(data, "t", kind) == markup, "two drawings of the same data are the same bytes"


def test_no_incidents_draw_no_picture() -> None:
    assert timeline("t", []).labels == []
    assert svg(timeline("t", []), "t") == ""


def test_the_example_sites_page_agrees_with_postmortems_stats(tmp_path: Path) -> None:
    """The example repository: every table of its insights page equals `postmortems stats --format json`."""
    site = build_example(tmp_path / "site")
    result = invoke(ROOT, "--today", "2026-11-25", "stats", "--format", "json")
    assert result.exit_code == 0, result.output
    stats = json.loads(result.stdout)
    soup = article(site, "insights")
    for name in FIGURES:
        figure = stats[name]
        rows = [
            [label, *(cell(values[i]) for values in figure["series"].values())]
            for i, label in enumerate(figure["labels"])
        ]
        assert table_of(soup, name.replace("_", "-")) == rows, name
