"""Material's nav rendered once per distinct set of links (navcache.py) writes exactly what Material
writes on every page: whole sites built with and without the cache are the same byte for byte."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from mkdocs_postmortems import navcache
from sitebuild import fixed_today, incident, write_site

NAV = """nav:
  - Home: index.md
  - Guide:
      - _guide/index.md
      - Writing: _guide/writing.md
      - Deeper:
          - _guide/deep/review.md
  - Incidents: incidents/index.md
  - Tags: tags/index.md
  - Elsewhere: https://example.com/runbooks/
"""

PAGES = {
    "index.md": "# Welcome\n\nOur post-mortems.\n",
    "_guide/index.md": "# Guide\n\n## First\n\nText.\n\n## Second\n\nMore.\n",
    "_guide/writing.md": "# Writing\n\n## Blameless\n\nText.\n",
    "_guide/deep/review.md": "# Review\n\n## Who reviews\n\nResponders.\n",
    "_notes/unlisted.md": "# Unlisted\n\nA page of the repository outside the nav.\n",
}


def repository(root: Path, features: list[str], custom_dir: bool = False) -> Path:
    files = dict(PAGES)
    for n, (year, service) in enumerate([("2026", "api"), ("2025", "db"), ("2026/q2", "api"), ("2024", "cdn")]):
        files[f"{year}/incident-{n}.md"] = incident(
            f"Incident {n}", date=f"{year[:4]}-0{n + 1}-1{n}", extra=f"services: [{service}]\ntags: [t{n % 2}]\n"
        )
    theme = "".join(f"\n    - {feature}" for feature in features)
    extra = NAV + (f"extra:\n  homepage: {'./'}\n" if "navigation.tabs" in features else "")
    config = write_site(root, files, extra=extra)
    text = config.read_text().replace("  font: false\n", f"  font: false\n  features:{theme or ' []'}\n", 1)
    if custom_dir:
        text = text.replace("theme:\n", "theme:\n  custom_dir: overrides\n", 1)
        (root / "overrides" / "partials").mkdir(parents=True)
        (root / "overrides" / "partials" / "nav.html").write_text(
            '<nav class="our-own-nav">{{ page.title | e }}</nav>\n', encoding="utf-8"
        )
    config.write_text(text)
    return config


def built(config: Path, site: Path) -> dict[str, bytes]:
    with fixed_today():
        build(load_config(str(config), site_dir=str(site)))
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*.html")}


@pytest.mark.parametrize(
    "features",
    [
        [],
        ["navigation.tabs", "navigation.sections", "navigation.indexes", "navigation.expand"],
        ["toc.integrate", "navigation.prune"],
    ],
)
def test_the_site_is_the_same_with_and_without_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, features: list[str]
) -> None:
    config = repository(tmp_path / "repo", features)
    caches: list[navcache.NavCache | None] = []
    install = navcache.install

    def recording(env: Any) -> navcache.NavCache | None:
        caches.append(install(env))
        return caches[-1]

    monkeypatch.setattr(navcache, "install", recording)
    cached = built(config, tmp_path / "cached")
    monkeypatch.setattr(navcache, "install", lambda env: None)
    plain = built(config, tmp_path / "plain")

    assert cached.keys() == plain.keys()
    assert [name for name in cached if cached[name] != plain[name]] == []
    # Not vacuous: the nav is on the pages, and the cache did render it once for many pages.
    page = cached["2026/incident-0/index.html"].decode()
    assert "md-nav--primary" in page and "Elsewhere" in page and "https://example.com/runbooks/" in page
    cache = caches[0]
    assert cache is not None
    assert cache.lookups >= len(cached) - 1  # every page but 404.html has a page
    assert 1 < len(cache.rendered) < cache.lookups / 3
    # A page in the nav is rendered with its own table of contents and active state.
    guide = cached["_guide/writing/index.html"].decode()
    assert "md-nav__link--active" in guide
    if "toc.integrate" in features:
        primary = guide.split("md-nav--primary", 1)[1].split('<div class="md-content"', 1)[0]
        assert 'href="#blameless"' in primary


def test_an_override_of_the_nav_is_rendered_on_every_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = repository(tmp_path / "repo", [], custom_dir=True)
    caches: list[navcache.NavCache | None] = []
    install = navcache.install

    def recording(env: Any) -> navcache.NavCache | None:
        caches.append(install(env))
        return caches[-1]

    monkeypatch.setattr(navcache, "install", recording)
    site = built(config, tmp_path / "site")
    assert caches == [None]  # the repository's nav.html may read anything of the page
    assert '<nav class="our-own-nav">Incident 1</nav>' in site["2025/incident-1/index.html"].decode()
    assert '<nav class="our-own-nav">Writing</nav>' in site["_guide/writing/index.html"].decode()


def test_pages_share_a_key_only_where_every_link_is_written_the_same(tmp_path: Path) -> None:
    from mkdocs.structure.files import File
    from mkdocs.structure.nav import Link, Navigation
    from mkdocs.structure.pages import Page

    cfg = load_config(str(repository(tmp_path / "repo", [])))

    def page(uri: str) -> Page:
        return Page(None, File(uri, str(tmp_path), str(tmp_path / "site"), True), cfg)

    home, guide = page("index.md"), page("_guide/index.md")
    nav = Navigation([home, guide, Link("Out", "https://example.com/")], [home, guide])
    a, b, c, d = page("2026/a.md"), page("2025/b.md"), page("2026/q2/c.md"), page("_guide/x.md")
    assert navcache.nav_key(a, nav, "") == navcache.nav_key(b, nav, "")
    assert navcache.nav_key(a, nav, "") != navcache.nav_key(c, nav, "")  # one more ../ on every link
    assert navcache.nav_key(d, nav, "") != navcache.nav_key(a, nav, "")  # _guide/ is written ../ from _guide/x/
    assert navcache.nav_key(guide, nav, "") is None  # in the nav: Material writes its table of contents
    assert navcache.nav_key(a, nav, "", ("assets/logo.png",)) != navcache.nav_key(c, nav, "", ("assets/logo.png",))
