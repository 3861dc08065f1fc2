"""Material's primary navigation, rendered once for all the pages that would get the same HTML.

Material renders the whole nav (`partials/nav.html`, and `partials/nav-item.html` for each item)
into every page: about a millisecond a page with the plugin's nine entries, for every incident
page and every generated page. For a page that is not itself in the nav, what Material writes
depends only on the nav as seen from that page: each link made relative by the `url` filter,
and which items are active. `nav_key` computes exactly that, and the template `install` puts
in front of Material's renders the nav once per key. An incident page and a tag page
share one key with every page at the same depth, so a site renders its nav a handful of times.

The cache is used only where it cannot change a byte: when both templates are Material's own
(an override of either in the repository's `custom_dir` is rendered on every page, as it may
read anything), and never for a page in the nav (Material writes its table of contents and
active state there). `tests/test_navcache.py` builds a site with and without it and compares
every page.
"""

from __future__ import annotations

import functools
import importlib.util
import os
from collections.abc import Callable, Hashable
from typing import Any

from jinja2 import BaseLoader, Environment, TemplateNotFound
from markupsafe import Markup
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import normalize_url

NAV = "partials/nav.html"
ITEM = "partials/nav-item.html"
# The name under which the wrapper includes Material's own nav.html (no theme file has it).
ORIGINAL = "postmortems:material/partials/nav.html"

# Whitespace is trimmed around every tag, so the wrapper writes exactly what Material's nav.html
# writes: its output is kept from the include, byte for byte.
WRAPPER = (
    "{%- set _postmortems_nav = postmortems_nav_cache.lookup(page, nav, base_url, config) -%}"
    "{%- if _postmortems_nav.html is not none -%}{{ _postmortems_nav.html }}"
    "{%- else -%}{%- set _postmortems_html -%}{% include '" + ORIGINAL + "' %}{%- endset -%}"
    "{{ _postmortems_nav.keep(_postmortems_html) }}{%- endif -%}"
)


class Entry:
    """One page's place in the cache: the HTML if another page rendered it, else where to keep it."""

    __slots__ = ("_cache", "_key", "html")

    def __init__(self, cache: dict[Hashable, Markup], key: Hashable | None) -> None:
        self._cache, self._key = cache, key
        self.html = cache.get(key) if key is not None else None

    def keep(self, html: str) -> Markup:
        rendered = Markup(html)
        if self._key is not None:
            self._cache[self._key] = rendered
        return rendered


class NavCache:
    """Rendered navs by key, for one build (a fresh cache comes with each build's environment)."""

    def __init__(self) -> None:
        self.rendered: dict[Hashable, Markup] = {}
        self.lookups = 0

    def lookup(self, page: Any, nav: Any, base_url: str, config: Any) -> Entry:
        self.lookups += 1
        key = None
        if isinstance(page, Page) and isinstance(nav, Navigation):
            # Besides the nav's own links, Material makes these two relative to the page.
            extra = (config.extra.get("homepage"), config.theme.get("logo")) if config is not None else (None, None)
            key = nav_key(page, nav, base_url, extra)
        return Entry(self.rendered, key)


def nav_key(page: Page, nav: Navigation, base_url: str, urls: tuple[Any, ...] = ()) -> Hashable | None:
    """All the nav's HTML depends on for this page, or None when the page is in the nav."""

    def url(value: Any) -> str:  # what Material's `url` filter writes on this page
        return normalize_url(str(value), page=page, base=base_url)

    parts: list[Hashable] = [id(nav), url(nav.homepage.url) if nav.homepage else None]
    parts += [url(value) if value else None for value in urls]
    stack = list(reversed(nav.items))
    while stack:
        item = stack.pop()
        if item is page or page in (getattr(item, "pages", None) or ()):
            return None  # Material renders this item with the page's table of contents
        meta = getattr(item, "meta", None) or {}
        typeset = getattr(item, "typeset", None)
        parts.append(
            (
                type(item).__name__,
                item.title,
                url(item.url) if getattr(item, "url", None) is not None else None,
                bool(item.active),
                bool(getattr(item, "is_index", False)),
                len(item.children or ()),
                repr([meta.get(name) for name in ("icon", "subtitle", "status")]),
                bool(getattr(item, "encrypted", False)),
                repr(typeset) if typeset is not None else None,
            )
        )
        stack.extend(reversed(item.children or ()))
    return tuple(parts)


class _WrappingLoader(BaseLoader):
    """The environment's loader, with Material's nav.html behind the caching wrapper."""

    def __init__(self, inner: BaseLoader) -> None:
        self.inner = inner

    def get_source(self, environment: Environment, template: str) -> tuple[str, str | None, Callable[[], bool] | None]:
        if template == NAV:
            return WRAPPER, None, lambda: True
        if template == ORIGINAL:
            return self.inner.get_source(environment, NAV)
        return self.inner.get_source(environment, template)

    def list_templates(self) -> list[str]:
        return self.inner.list_templates()


@functools.cache
def _material_templates() -> str | None:
    """Material's own templates folder (the theme the plugin is built for), if it is installed."""
    spec = importlib.util.find_spec("material")
    if spec is None or spec.origin is None:
        return None
    return os.path.join(os.path.dirname(os.path.abspath(spec.origin)), "templates")


def _from_material(env: Environment, name: str) -> bool:
    root = _material_templates()
    if root is None:
        return False
    try:
        _, filename, _ = env.loader.get_source(env, name) if env.loader else (None, None, None)
    except TemplateNotFound:
        return False
    return filename is not None and os.path.dirname(os.path.dirname(os.path.abspath(filename))) == root


def install(env: Environment) -> NavCache | None:
    """Put the cache in front of Material's nav in this build's environment, where it is safe."""
    if env.loader is None or isinstance(env.loader, _WrappingLoader):
        return None
    if not (_from_material(env, NAV) and _from_material(env, ITEM)):
        return None
    cache = NavCache()
    env.loader = _WrappingLoader(env.loader)
    env.globals["postmortems_nav_cache"] = cache
    if env.cache is not None:
        env.cache.clear()  # a nav.html compiled before would bypass the wrapper
    return cache
