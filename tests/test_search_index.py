"""What Material's search index holds: the post-mortems' own text (body, header card, action
items), not the lists of other incidents (related, repeats) nor the generated listings, which
would match every search and grow the index with the square of the incidents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sitebuild import article, build_example

CHECKOUT = "2026/2026-03-04-checkout-timeouts-after-pool-resize"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_example(tmp_path_factory.mktemp("search-index") / "site")


def entries(site: Path) -> list[dict[str, str]]:
    docs: list[dict[str, str]] = json.loads((site / "search/search_index.json").read_text())["docs"]
    return docs


def test_related_incidents_are_on_the_page_but_not_in_the_index(site: Path) -> None:
    related = article(site, CHECKOUT).select("ul.pm-related a")
    assert related, "the example's checkout incident has related incidents"
    titles = {a.get_text() for a in related}
    own = [e for e in entries(site) if e["location"].startswith(f"{CHECKOUT}/")]
    assert own, "the incident page is indexed"
    text = " ".join(e["title"] + " " + e["text"] for e in own)
    assert not [t for t in titles if t in text]
    assert any(e["location"].endswith("#related-incidents") for e in own)  # the heading stays


def test_action_items_and_the_header_card_are_indexed(site: Path) -> None:
    items = [td.get_text() for td in article(site, CHECKOUT).select(".pm-actions tbody tr td:first-child")]
    assert items
    text = " ".join(e["text"] for e in entries(site) if e["location"].startswith(f"{CHECKOUT}/"))
    assert all(item in text for item in items)
    assert "Severity" in text


def test_listings_are_not_indexed(site: Path) -> None:
    locations = {e["location"].split("#")[0] for e in entries(site)}
    for listing in ("incidents/", "actions/", "insights/", "tags/", "services/"):
        assert listing not in locations
    assert not any(loc.startswith(("tags/", "services/", "factors/", "years/", "severities/")) for loc in locations)


def test_the_header_card_and_action_items_are_indexed_by_their_words_and_shown_whole(site: Path) -> None:
    """Search reads the card and the action table as their words (with their headings) while
    it indexes the page; the page itself gets them whole, once, with one title."""
    page_article = article(site, CHECKOUT)
    card, table = page_article.select_one(".pm-header"), page_article.select_one(".pm-actions")
    assert card is not None and table is not None
    assert len(page_article.find_all("h1")) == 1  # the theme added no title of its own
    words = set(
        " ".join(e["title"] + " " + e["text"] for e in entries(site) if e["location"].startswith(CHECKOUT)).split()
    )
    for block in (card, table):
        assert set(block.get_text(" ").split()) <= words
    # Neighbouring cells are separate words in the index, as on the page.
    owner, due = (td.get_text(strip=True) for td in table.select("tbody tr")[0].select("td")[1:3])
    assert f"{owner} {due}" in " ".join(e["text"] for e in entries(site) if e["location"].startswith(CHECKOUT))
    stray = [
        p
        for p in site.rglob("*")
        if p.is_file() and p.suffix in {".html", ".json", ".xml"} and b"PMBLOCK" in p.read_bytes()
    ]
    assert stray == []
