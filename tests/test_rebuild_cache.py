"""`mkdocs serve` rebuilds reuse the last build's work (reuse.py, load.ParseCache, the checks'
memo), and show every edit all the same: real builds with one plugin instance, as serve runs."""

from __future__ import annotations

from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig

from mkdocs_postmortems.plugin import PostmortemsPlugin
from mkdocs_postmortems.sanitize import BlockStore
from sitebuild import article, incident, write_site

SERVICES = "services: [payments]\ntags: [shared]\n"


def serve_config(config_file: Path, site: Path) -> MkDocsConfig:
    """The config as `mkdocs serve` loads it before every build (the plugin instance is kept)."""
    return load_config(str(config_file), site_dir=str(site))


def plugin_of(config: MkDocsConfig) -> PostmortemsPlugin:
    plugin = config.plugins["postmortems"]
    assert isinstance(plugin, PostmortemsPlugin)
    return plugin


def text_of(site: Path, url: str, selector: str) -> str:
    found = article(site, url).select_one(selector)
    assert found is not None, selector
    return found.get_text()


def site_pages(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*.html")}


def repository(tmp_path: Path) -> Path:
    return write_site(
        tmp_path,
        {
            "2026/a.md": incident("Alpha", date="2026-05-01", extra=SERVICES),
            "2026/b.md": incident("Beta", date="2026-05-10", extra=SERVICES),
            "2026/c.md": incident("Gamma", date="2026-06-01", extra=SERVICES),
        },
    )


def first_build(tmp_path: Path) -> tuple[Path, Path, MkDocsConfig]:
    config_file = repository(tmp_path)
    site = tmp_path / "site"
    config = serve_config(config_file, site)
    plugin_of(config).on_startup(command="serve", dirty=False)
    build(config)
    return config_file, site, config


def test_a_body_edit_renders_only_that_page_again(tmp_path: Path) -> None:
    config_file, site, _ = first_build(tmp_path)
    before = site_pages(site)
    source = tmp_path / "postmortems/2026/b.md"
    source.write_text(source.read_text().replace("Alerts.", "Alerts and a quick rollback."))
    config = serve_config(config_file, site)
    plugin = plugin_of(config)
    build(config)
    assert "Alerts and a quick rollback." in article(site, "2026/b").get_text()
    assert plugin.parse_cache.read == 1  # the two other files came from the cache
    # The edited page's Markdown and its sanitised HTML; every other page and export reused.
    assert plugin.render_cache.made == 2
    after = site_pages(site)
    changed = sorted(name for name in after if after[name] != before.get(name))
    assert changed == ["2026/b/index.html"]
    assert not any(b"PMBLOCK" in html for html in after.values())


def test_a_front_matter_edit_reaches_every_page_that_shows_it(tmp_path: Path) -> None:
    config_file, site, _ = first_build(tmp_path)
    source = tmp_path / "postmortems/2026/a.md"
    source.write_text(source.read_text().replace("title: Alpha", "title: Alpha renamed"))
    config = serve_config(config_file, site)
    build(config)
    assert "Alpha renamed" in [a.get_text() for a in article(site, "incidents").select("tbody a")]
    related = [a.get_text() for a in article(site, "2026/c").select("ul.pm-related a")]
    assert "Alpha renamed" in related and "Alpha" not in related
    assert "Alpha renamed" in article(site, "services/payments").get_text()
    assert "Alpha renamed" in (site / "api/postmortems.json").read_text()
    assert not any(b"PMBLOCK" in html for html in site_pages(site).values())


def test_an_edited_template_override_is_used_at_once(tmp_path: Path) -> None:
    config_file, site, _ = first_build(tmp_path)
    text = config_file.read_text().replace("  font: false\n", "  font: false\n  custom_dir: overrides\n")
    config_file.write_text(text)
    overrides = tmp_path / "overrides/postmortems"
    overrides.mkdir(parents=True)
    (overrides / "related.html").write_text('<p class="custom-related">first</p>\n')
    build(serve_config(config_file, site))
    assert text_of(site, "2026/c", "p.custom-related") == "first"
    (overrides / "related.html").write_text('<p class="custom-related">second</p>\n')
    build(serve_config(config_file, site))
    assert text_of(site, "2026/c", "p.custom-related") == "second"


def test_a_link_target_that_appears_clears_its_finding(tmp_path: Path) -> None:
    """Whether a link's target exists is not in the file: it is checked at every build."""
    config_file = write_site(tmp_path, {"2026/a.md": incident("Alpha", body="See [the log](logs/run.txt).\n")})
    site = tmp_path / "site"
    config = serve_config(config_file, site)
    plugin_of(config).on_startup(command="serve", dirty=False)
    build(config)
    plugin = plugin_of(config)
    assert any(f.rule == "broken-link" for f in plugin.findings)
    assert "logs/run.txt" in text_of(site, "2026/a", ".pm-invalid")
    (tmp_path / "postmortems/2026/logs").mkdir()
    (tmp_path / "postmortems/2026/logs/run.txt").write_text("log")
    config = serve_config(config_file, site)
    build(config)
    assert plugin.parse_cache.read == 0
    assert not any(f.rule == "broken-link" for f in plugin.findings)
    assert article(site, "2026/a").select_one(".pm-invalid") is None


def test_a_one_off_build_keeps_nothing(tmp_path: Path) -> None:
    config_file = repository(tmp_path)
    site = tmp_path / "site"
    config = serve_config(config_file, site)
    plugin_of(config).on_startup(command="build", dirty=False)
    build(config)
    build(serve_config(config_file, site))
    plugin = plugin_of(config)
    assert plugin.parse_cache.read == 3  # read again: nothing was kept
    assert plugin.render_cache.made > 3
    assert len(plugin.blocks) == 0  # every block was forgotten once its page had it back


def test_a_block_placed_twice_is_kept_until_both_are_back() -> None:
    store = BlockStore(keep=False)
    first, second = store.protect("<div>same</div>"), store.protect("<div>same</div>")
    late = store.protect_late("<ul>late</ul>")
    assert first == second
    assert store.restore(f"<p>{first}</p>") == "<div>same</div>"
    assert store.restore(f"<p>{second}</p>\n<p>{late}</p>").startswith("<div>same</div>")
    assert len(store) == 1  # the late block waits for the written page
    page = store.restore(f"<p>{late}</p>")
    assert store.finish(page) == "<ul>late</ul>"
    assert len(store) == 0
    kept = BlockStore(keep=True)  # `mkdocs serve`: the next build may reuse the page as it is
    block = kept.protect("<div>x</div>")
    kept.restore(block)
    assert kept.restore(block) == "<div>x</div>"


def test_the_insights_are_counted_again_after_a_front_matter_edit(tmp_path: Path) -> None:
    config_file, site, _ = first_build(tmp_path)
    before = article(site, "insights").get_text()
    source = tmp_path / "postmortems/2026/a.md"
    source.write_text(source.read_text().replace("severity: SEV2", "severity: SEV1"))
    build(serve_config(config_file, site))
    after = article(site, "insights").get_text()
    assert after != before
