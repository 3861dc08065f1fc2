"""What the site shows: generated pages (as Markdown) and the decoration of incident pages.

Dynamic parts are HTML blocks rendered by Jinja with autoescape on, so every string from a
post-mortem is escaped by the template engine, never by hand; Markdown around them gives each
page its title, table of contents and search entry. Templates are looked up in the theme's
folders (the repository's `overrides/` first), so any of them can be overridden.
"""

from __future__ import annotations

import datetime as dt
import html
import importlib.util
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, partial
from typing import TYPE_CHECKING

import jinja2
import markupsafe
import yaml

from ..actions import (
    ActionRow,
    action_rows,
    by_owner,
    by_priority,
    by_service,
    owners_and_services,
    reviews_due,
    stats,
    unassigned,
)
from ..catalog import INDEX_KINDS, Catalog, Term, meta_of
from ..findings import Finding, Level
from ..formatting import duration, ticket_url
from ..history import RepositoryHistory, edit_url, history_url
from ..load import Document
from ..model import ItemStatus, Priority, Status
from ..parallel import Arg, Later, Out, Stream, fork_stream, processes
from ..sanitize import search_words
from ..settings import Settings
from ..slugs import term_key

if TYPE_CHECKING:
    from markupsafe import Markup

    from ..charts import ChartArgs, ChartData, Kind
    from ..metrics import Insights, Recurrence, RecurrenceIndex

INCIDENTS = "incidents/index.md"
DASHBOARD = "actions/index.md"
INSIGHTS = "insights/index.md"
MIN_RENDERS = 64  # pages to render before a pool of processes pays for itself
RENDER_CHUNK = 16
# The workers that render ahead yield to MkDocs' own process, whose work they must not slow:
# they take the CPU it leaves, and all of both CPUs only while it waits for them.
AHEAD_NICENESS = 10


def _recorder(into: list[str], protect: Callable[[str], str]) -> Callable[[str], str]:
    """`protect`, noting each block it is given."""

    def record(block: str) -> str:
        into.append(block)
        return protect(block)

    return record


def _word_recorder(into: list[tuple[str, str]], protect: ProtectIndexed) -> ProtectIndexed:
    """`protect_indexed`, noting each block it is given with its words (worked out here, in
    the process that renders ahead, rather than in the one that waits for them)."""

    def record(block: str, words: str | None = None) -> str:
        words = search_words(block) if words is None else words
        into.append((block, words))
        return protect(block, words)

    return record


TIMELINE_KINDS = ("services", "tags", "factors")  # term pages with a timeline of their incidents
HOME = "index.md"
# Machine-readable exports, beside the pages (see exports.py).
ACTIONS_JSON = "api/actions.json"
ACTIONS_SCHEMA = "api/actions.schema.json"
POSTMORTEMS_JSON = "api/postmortems.json"
POSTMORTEMS_SCHEMA = "api/postmortems.schema.json"
ACTIONS_ICS = "actions.ics"
FEED = "feed.xml"
EXPORTS = (POSTMORTEMS_JSON, POSTMORTEMS_SCHEMA, ACTIONS_JSON, ACTIONS_SCHEMA, ACTIONS_ICS, FEED)
VIEW_LIMIT = 200  # rows of a build-time view; the live table shows the rest
# A page or export to render ahead: ("page", src_uri, None), ("incident", src_uri, document) or
# ("export", path, None).
Ahead = tuple[str, str, "Document | None"]
# Text, and the blocks a worker protected: placed, late, indexed with their words, and the
# charts it left to be drawn.
_Rendered = tuple["str | bytes", list[str], list[str], list[tuple[str, str]], list["ChartArgs"]]
ProtectIndexed = Callable[[str, "str | None"], str]  # (block, its words if known) -> placeholder
RelativeUrl = Callable[[str, str], str]  # (target url, url of the page linking) -> relative url


def kind_uri(kind: str) -> str:
    return f"{kind}/index.md"


def term_uri(term: Term) -> str:
    return f"{term.kind}/{term.slug}.md"


def has_insights() -> bool:
    """Whether the figures (metrics.py) are part of this installation."""
    return importlib.util.find_spec("mkdocs_postmortems.metrics") is not None


@dataclass(frozen=True)
class GeneratedPage:
    src_uri: str
    in_nav: bool


def generated_pages(catalog: Catalog, has_home: bool) -> list[GeneratedPage]:
    """Every page the plugin generates for `catalog` (the exports are EXPORTS)."""
    pages = [] if has_home else [GeneratedPage(HOME, True)]
    pages += [GeneratedPage(INCIDENTS, True), GeneratedPage(DASHBOARD, True)]
    if has_insights():
        pages.append(GeneratedPage(INSIGHTS, True))
    for kind, terms in catalog.indexes.items():
        pages.append(GeneratedPage(kind_uri(kind), True))
        pages += [GeneratedPage(term_uri(t), False) for t in terms]
    return pages


def html_duration(value: dt.timedelta | None) -> str:
    """formatting.duration for a page: the dash of an unknown value as `&mdash;`, so a page of
    ASCII stays ASCII (Python holds it in one byte a character, any other text in two, and
    MkDocs keeps every page's HTML until the build ends)."""
    return markupsafe.Markup("&mdash;") if value is None else duration(value)


def make_env(template_dirs: list[str]) -> jinja2.Environment:
    # Charts (pygal) and exports (icalendar, feedgen) are imported when a site is built, so
    # `postmortems check`, which only needs this module's names, starts without them.
    from ..charts import cell, svg

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_dirs),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        # One environment per build: templates never change during it, so no stat() of the
        # file at every include (thousands of rows include list.html).
        auto_reload=False,
    )
    env.filters["duration"] = html_duration
    env.globals.update(svg=svg, cell=cell)  # pictures (charts.py) and their tables' cells
    return env


class SitePages:
    def __init__(
        self,
        env: jinja2.Environment,
        catalog: Catalog,
        findings: list[Finding],
        relative: RelativeUrl,
        settings: Settings,
    ) -> None:
        self.env = env
        self.catalog = catalog
        self.relative = relative
        self.settings = settings
        self.forge_url = settings.forge_url
        self.errors: dict[str, list[Finding]] = {}
        for finding in findings:
            if finding.level is Level.ERROR:
                self.errors.setdefault(finding.path, []).append(finding)
        self._terms_by_uri = {term_uri(t): t for terms in catalog.indexes.values() for t in terms}
        self.urls: dict[str, str] = {}  # src_uri -> url, filled by the front end
        self.doc_uris: dict[str, str] = {}  # document path -> src_uri
        self.left_out: set[str] = set()  # exports whose path a page of the repository holds
        # The front end's way of keeping a block of ours apart from the author's HTML, which it
        # sanitises (see sanitize.BlockStore); identity when nothing is sanitised.
        self.protect: Callable[[str], str] = lambda block: block
        # The same for blocks put in only once the page is written, out of the search index
        # (related incidents, repeats: other incidents' titles would match every search).
        self.protect_late: Callable[[str], str] = lambda block: block
        # The same for blocks whose words alone the search index reads (header card, action
        # items); None: they are protected as any other.
        self.protect_indexed: ProtectIndexed | None = None
        # The same for a block another process is still making, by its name and how to get it
        # (sanitize.BlockStore.protect_pending); None: every chart is drawn where it is placed.
        self.protect_pending: Callable[[str, Callable[[], str]], str] | None = None
        self._charts_later = False  # start_ahead's workers draw the charts, after the pages
        # In a worker: how it places a chart (noted for this process); None: _chart_later.
        self._placing_chart: Callable[[ChartArgs], str] | None = None
        # Each post-mortem's git history (history.py), set by the front end once it has read it;
        # None: not read, and the pages say nothing about history.
        self.history: RepositoryHistory | None = None
        self.computed_insights: Insights | None = None
        self._stream: Stream[_Rendered] | None = None  # start_ahead's workers
        self._ahead: dict[tuple[str, str], int] = {}  # (kind, name) -> its index in the stream

    @cached_property
    def actions(self) -> list[ActionRow]:
        """Every action item's row (actions.py), worked out where first asked for: by the
        workers that render ahead, in a one-off build."""
        return action_rows(self.catalog, self.settings.due_soon_days)

    @property
    def insights(self) -> Insights | None:
        """Every figure across incidents, computed once per build (None without metrics.py)."""
        if self.computed_insights is None and has_insights():
            from ..metrics import insights

            self.computed_insights = insights(self.catalog, self.settings)
        return self.computed_insights

    def recurrences_of(self, doc: Document) -> list[Recurrence]:
        """The earlier incidents `doc` repeats: from the figures when they are worked out
        already, else found for `doc` alone (the same list), so an incident page does not wait
        for every figure of the insights page."""
        if not has_insights():
            return []
        from ..metrics import recurrences_of

        if self.computed_insights is not None:
            return recurrences_of(self.computed_insights, doc)
        return self._recurrences.of(doc)

    @cached_property
    def _recurrences(self) -> RecurrenceIndex:
        from ..metrics import recurrence_index

        return recurrence_index(self.catalog, self.settings)

    # -- what to generate ----------------------------------------------------------------
    def generated(self, has_home: bool) -> list[GeneratedPage]:
        return generated_pages(self.catalog, has_home)

    def nav(self) -> list[dict[str, str]]:
        """The small nav: home, incidents and one entry per index, whatever the number of incidents."""
        entries = [{"Home": HOME}, {"Incidents": INCIDENTS}, {"Action items": DASHBOARD}]
        if has_insights():
            entries.append({"Insights": INSIGHTS})
        entries += [{title: kind_uri(kind)} for kind, (title, _) in INDEX_KINDS.items()]
        return entries

    # -- rendering -----------------------------------------------------------------------
    def start_ahead(self, tasks: list[Ahead], jobs: int) -> int:
        """Start rendering `tasks` in forked processes (parallel.py), in the order given, which
        should be the order the front end asks for them in: render(), decorate() and export()
        then hand out the same text as without them, only sooner, while this process does the
        generator's own work. Each block a worker protected is protected here again when its
        page is handed out (the same HTML gives the same placeholder). Returns the processes
        used besides this one (one per CPU, niced); 0: none, and every page is rendered when
        asked for."""
        self.stop_ahead()
        count = processes(jobs, len(tasks), RENDER_CHUNK, MIN_RENDERS)
        if count < 2:
            return 0
        # Unlike before_fork, the figures and the catalog's links are left to the workers: this
        # process has MkDocs' work to do, and the workers have time to spare (they are niced).
        protect, protect_late, protect_indexed = self.protect, self.protect_late, self.protect_indexed
        here = os.getpid()
        # A chart (pygal: 10-20 ms each, one per tag, service and factor page) is drawn by the
        # workers once they are done with the pages, while MkDocs writes the pages before it:
        # the page holds its placeholder until then.
        self._charts_later = self.protect_pending is not None

        def work(index: int) -> _Rendered:
            kind, name, doc = tasks[index]
            placed: list[str] = []
            late: list[str] = []
            indexed: list[tuple[str, str]] = []
            charts: list[ChartArgs] = []
            if os.getpid() != here:  # in a worker: its blocks are noted, to be protected here again
                self.protect, self.protect_late = _recorder(placed, protect), _recorder(late, protect_late)
                if protect_indexed is not None:
                    self.protect_indexed = _word_recorder(indexed, protect_indexed)
                if self.protect_pending is not None:
                    self._placing_chart = partial(_chart_noted, charts, self.protect_pending)
            # Here (a worker died, or a page asked for twice) the blocks go straight in.
            if kind == "export":
                return self.export(name), placed, late, indexed, charts
            text = self.render(name) if doc is None else self.decorate(doc, name)
            return text, placed, late, indexed, charts

        stream = fork_stream(work, len(tasks), count, RENDER_CHUNK, nice=AHEAD_NICENESS)
        if stream is None:
            self._charts_later = False
            return 0
        self._stream = stream
        self._ahead = {(kind, name): index for index, (kind, name, _) in enumerate(tasks)}
        return count

    def _take(self, kind: str, name: str) -> str | bytes | None:
        """What the workers rendered for (kind, name), its blocks protected here; None: not
        rendered ahead (or already handed out)."""
        index = self._ahead.pop((kind, name), None)
        if index is None or self._stream is None:
            return None
        text, placed, late, indexed, charts = self._stream.take(index)
        for args in charts:
            self._chart_later(args)
        for block in placed:
            self.protect(block)
        for block in late:
            self.protect_late(block)
        for block, words in indexed:
            assert self.protect_indexed is not None  # only then were they recorded
            self.protect_indexed(block, words)
        return text

    @property
    def rendering_ahead(self) -> bool:
        """Whether start_ahead's workers are there to be sent work `later`."""
        return self._stream is not None

    def later(self, fn: Callable[[Arg], Out], arg: Arg) -> Later[Out] | None:
        """fn(arg) by the workers of start_ahead once they are done with the pages (Stream.later);
        None without them."""
        return None if self._stream is None else self._stream.later(fn, arg)

    def _svg(self, data: ChartData, name: str, kind: Kind = "bar", small: bool = False) -> Markup:
        """The templates' `svg` (charts.svg) while the workers of start_ahead draw the charts:
        a placeholder now, the picture once the page is written."""
        from markupsafe import Markup

        from ..charts import has_data, svg

        if not self._charts_later:
            return svg(data, name, kind, small)
        if not has_data(data):
            return Markup("")
        place = self._placing_chart or self._chart_later  # not kept: a bound method would be a cycle
        return Markup(place((data, name, kind, small)))  # our own comment: no text of a post-mortem

    def _chart_later(self, args: ChartArgs) -> str:
        """The placeholder of a chart sent to the workers (drawn here if they are gone)."""
        from ..charts import chart_key, drawn

        assert self.protect_pending is not None  # charts are drawn later only then
        later = self.later(drawn, args)
        return self.protect_pending(chart_key(args), later.result if later is not None else partial(drawn, args))

    def stop_ahead(self) -> float:
        """Stop the workers of start_ahead; what they have not handed out is rendered when asked
        for, charts included. Returns the seconds this process waited for them."""
        self._charts_later = False
        waited = 0.0
        if self._stream is not None:
            self._stream.close()
            waited = self._stream.waited
            self._stream = None
        self._ahead.clear()
        return waited

    def before_fork(self) -> None:
        """Compute here, once, what every page may ask for (the figures, for repeats; the
        catalog's terms and links), so processes forked next inherit it instead of each redoing it."""
        _ = self.insights
        self.catalog.warm()

    def render(self, src_uri: str) -> str:
        """The Markdown of a generated page."""
        ahead = self._take("page", src_uri)
        if isinstance(ahead, str):
            return ahead
        if src_uri == HOME:
            return _page("Post-mortems", self.home_block(HOME))
        if src_uri == INCIDENTS:
            return _page("Incidents", self.protect(self._incidents(src_uri)), wide=True, listing=True)
        if src_uri == DASHBOARD:
            return _page("Action items", self.protect(self._dashboard(src_uri)), wide=True, listing=True)
        if src_uri == INSIGHTS:
            return _page("Insights", self.protect(self._insights_block(src_uri)), listing=True)
        kind, _, name = src_uri.partition("/")
        title = INDEX_KINDS[kind][0]
        if name == "index.md":
            html_block = self._render(
                src_uri, "terms.html", kind=kind, kind_title=title, terms=self.catalog.indexes[kind]
            )
            return _page(title, self.protect(html_block), listing=True)
        term = self._terms_by_uri[src_uri]
        from ..charts import timeline

        pictured = timeline(f"Incidents per month: {term.name}", term.documents) if kind in TIMELINE_KINDS else None
        html_block = self._render(src_uri, "term.html", kind=kind, kind_title=title, term=term, timeline=pictured)
        return _page(f"{title}: {term.name}", self.protect(html_block), listing=True)

    def home_block(self, src_uri: str) -> str:
        return self._render_protected(
            src_uri,
            "home.html",
            documents=self.catalog.visible[:10],
            total=len(self.catalog.visible),
            open=self.catalog.open_items(),
            overdue=self.catalog.overdue_items(),
            kinds=[(k, t) for k, (t, _) in INDEX_KINDS.items()],
        )

    def _incidents(self, src_uri: str) -> str:
        order = {t.key: i for i, t in enumerate(self.catalog.indexes["severities"])}
        rank = {d.id: order.get(self.catalog.terms_of("severities", d)[0].key, 99) for d in self.catalog.visible}
        return self._render(
            src_uri,
            "incidents.html",
            documents=self.catalog.visible,
            indexes=self.catalog.indexes,
            statuses=[s.value for s in Status],
            terms=self.catalog.terms_of,
            rank=rank,
            invalid=[(d, self.errors.get(d.path, [])) for d in self.catalog.invalid],
            has_page=lambda d: d.path in self.doc_uris,  # a refused file is listed without a page
            hidden=0 if self.settings.public_only else len(self.catalog.hidden),  # no count of what is withheld
        )

    def _insights_block(self, src_uri: str) -> str:
        result = self.insights
        assert result is not None, "the insights page is generated only with metrics.py"
        lookup = {(kind, t.key): t for kind in TIMELINE_KINDS for t in self.catalog.indexes[kind]}
        return self._render(
            src_uri,
            "insights.html",
            result=result,
            kinds={title: kind for kind, (title, _) in INDEX_KINDS.items()},
            term=lambda kind, name: lookup.get((kind, term_key(name))),
        )

    def _dashboard(self, src_uri: str) -> str:
        rows = self.actions
        owners, services = owners_and_services(self.catalog, rows)
        page_url = self.urls.get(src_uri, "")
        return self._render(
            src_uri,
            "dashboard.html",
            counts=stats(rows),
            due_soon_days=self.settings.due_soon_days,
            review_window_days=self.settings.review_window_days,
            statuses=[s.value for s in ItemStatus],
            priorities=[p.value for p in Priority],
            owners=owners,
            services=services,
            by_owner=by_owner(rows),
            by_priority=by_priority(rows),
            by_service=by_service(self.catalog, rows),
            unassigned=unassigned(rows),
            reviews=reviews_due(self.catalog, self.settings.review_window_days),
            limit=VIEW_LIMIT,
            root=(self.relative("", page_url) or ".").rstrip("/") + "/",  # the script appends item URLs
            data_src=self.relative(ACTIONS_JSON, page_url),
            ics=self.relative(ACTIONS_ICS, page_url),
        )

    def exports(self) -> dict[str, str | bytes]:
        """The machine-readable files, by their path in the site."""
        return {path: write() for path, write in self.export_writers().items()}

    def export(self, path: str) -> str | bytes:
        """One machine-readable file (a path of export_writers)."""
        ahead = self._take("export", path)
        return self.export_writers()[path]() if ahead is None else ahead

    def export_writers(self) -> dict[str, Callable[[], str | bytes]]:
        """What writes each machine-readable file, by its path in the site."""
        from ..exports import (
            ActionsExport,
            PostmortemsExport,
            actions_ics,
            actions_json,
            feed_xml,
            json_schema_of,
            postmortems_json,
        )

        url_of = self.url_of
        name, site_url = self.settings.site_name, self.settings.site_url
        writers: dict[str, Callable[[], str | bytes]] = {
            POSTMORTEMS_JSON: lambda: postmortems_json(self.catalog, url_of, self.history),
            POSTMORTEMS_SCHEMA: lambda: json_schema_of(PostmortemsExport, "api/postmortems.json"),
            ACTIONS_JSON: lambda: actions_json(self.actions, self.catalog, url_of, self.forge_url),
            ACTIONS_SCHEMA: lambda: json_schema_of(ActionsExport, "api/actions.json"),
            ACTIONS_ICS: lambda: actions_ics(self.actions, self.catalog.today, name, site_url, url_of),
            FEED: lambda: feed_xml(self.catalog, name, site_url, url_of),
        }
        return {path: write for path, write in writers.items() if path not in self.left_out}

    def url_of(self, doc: Document) -> str:
        """A post-mortem page's URL, relative to the site root."""
        return self.urls.get(self.doc_uris.get(doc.path, ""), "")

    def decorate(self, doc: Document, src_uri: str) -> str:
        """An incident page's Markdown: header card, body, action items in place, related."""
        ahead = self._take("incident", src_uri)
        if isinstance(ahead, str):
            return ahead
        markdown = doc.markdown
        errors = self.errors.get(doc.path, [])
        if doc.meta is None or self.catalog.is_invalid(doc):
            header = self._render_protected(src_uri, "invalid.html", doc=doc, errors=errors, meta=None)
            if any(f.rule == "body-nesting" for f in errors):
                # MkDocs' Markdown would crash or hang on it: the source is shown as text.
                markdown = self.protect(f'<pre class="pm-source"><code>{html.escape(markdown)}</code></pre>')
            return f"{header}\n\n{markdown}\n"
        meta = doc.meta
        terms = {kind: self.catalog.terms_of(kind, doc) for kind in INDEX_KINDS}
        # The card shows `summary` only when it is set: otherwise the Summary section says it below.
        header = self._indexed(
            self._render(
                src_uri,
                "header.html",
                doc=doc,
                meta=meta,
                terms=terms,
                errors=errors,
                summary=meta.summary,
                **self.history_context(doc, src_uri),
            )
        )
        parts = [header, ""]
        actions = ""
        if meta.action_items:
            actions = self._indexed(
                self._render(
                    src_uri,
                    "actions.html",
                    items=meta.action_items,
                    ticket=lambda t: ticket_url(t, self.forge_url),
                )
            )
        heading = doc.body.section("action items")  # read when the file was loaded
        if heading is not None:
            lines = markdown.split("\n")
            # Right after the heading (a setext heading's underline included).
            at = heading.end_line - doc.body_offset
            lines[at:at] = ["", actions or "*No action items.*", ""]
            parts.append("\n".join(lines))
        else:
            parts.append(markdown)
            if actions:
                parts += ["", "## Action items", "", actions]
        related = self.catalog.related(doc)
        if related:
            parts += [
                "",
                "## Related incidents",
                "",
                self.protect_late(self._render(src_uri, "related.html", related=related)),
            ]
        repeats = self.recurrences_of(doc)
        if repeats:
            parts += [
                "",
                "## Repeats",
                "",
                self.protect_late(self._render(src_uri, "repeats.html", recurrences=repeats)),
            ]
        return "\n".join(parts) + "\n"

    def history_context(self, doc: Document, src_uri: str) -> dict[str, object]:
        """header.html's `history` (a FileHistory, or None when history was not read), its
        `history_url` on the forge and `edit_url` ("suggest a correction"), None when unknown."""
        settings, history = self.settings, self.history
        repo_path = history.relative(os.path.abspath(doc.source)) if history is not None else None
        return {
            "history": history.of(os.path.abspath(doc.source)) if history is not None else None,
            "history_url": history_url(settings.repo_url, settings.effective_edit_uri, repo_path)
            if repo_path
            else None,
            "edit_url": edit_url(settings.repo_url, settings.effective_edit_uri, src_uri),
        }

    def _indexed(self, block: str) -> str:
        return self.protect(block) if self.protect_indexed is None else self.protect_indexed(block, None)

    def _render_protected(self, src_uri: str, template: str, **context: object) -> str:
        """A block that goes into an author's page, kept apart from the author's HTML."""
        return self.protect(self._render(src_uri, template, **context))

    def _render(self, src_uri: str, template: str, **context: object) -> str:
        page_url = self.urls.get(src_uri, "")

        def link(target: Document | Term | str) -> str:
            if isinstance(target, Document):
                uri = self.doc_uris.get(target.path, "")
            elif isinstance(target, Term):
                uri = term_uri(target)
            elif target == "incidents":
                uri = INCIDENTS
            elif target == "actions":
                uri = DASHBOARD
            elif target == "insights":
                uri = INSIGHTS
            else:
                uri = kind_uri(target)
            # A page left out of the site (a refused file) has no URL: link to the index instead.
            url = self.urls.get(uri)
            if url is None:
                url = self.urls.get(INCIDENTS, "incidents/")
            return self.relative(url, page_url)

        if self._charts_later:
            context["svg"] = self._svg
        result = self.env.get_template(f"postmortems/{template}").render(link=link, today=self.catalog.today, **context)
        # Python-Markdown ends a raw HTML block at a blank line: keep the block in one piece.
        return "\n".join(line for line in result.split("\n") if line.strip())


def _chart_noted(into: list[ChartArgs], pending: Callable[[str, Callable[[], str]], str], args: ChartArgs) -> str:
    """In a worker that renders ahead: the chart is noted, for the process that hands the page
    out to send to the workers again, and its placeholder placed (the same there: it is named
    by the arguments)."""
    from ..charts import chart_key

    into.append(args)
    return pending(chart_key(args), str)  # never made here: the page is written there


def theme_meta(doc: Document, catalog: Catalog) -> dict[str, object]:
    """All the theme and other plugins see of a post-mortem's front matter: what the model
    validated, HTML-escaped (themes print `page.title`, descriptions and tags raw). An
    invalid post-mortem gives its escaped title and nothing else."""
    meta: dict[str, object] = {"title": html.escape(doc.title)}
    if doc.meta is not None and not catalog.is_invalid(doc):
        valid = meta_of(doc)
        summary = valid.summary or doc.body.summary
        if summary:
            meta["description"] = html.escape(" ".join(summary.split()))
        if valid.tags:
            meta["tags"] = [html.escape(tag) for tag in valid.tags]
    return meta


def _page(title: str, block: str, wide: bool = False, listing: bool = False) -> str:
    """A generated page: an escaped title for the theme (which prints it raw), then the block
    (protected: Markdown has nothing to do in our HTML, and its raw-HTML pass is slow on big
    blocks). Wide pages (big tables) ask Material to hide the table of contents. Listings
    (indexes, dashboard, insights) stay out of the search index: they repeat the titles of the
    post-mortems, which search finds on their own pages, and indexing them grows with N."""
    meta: dict[str, object] = {"title": html.escape(title)}
    if wide:
        meta["hide"] = ["toc"]
    if listing:
        meta["search"] = {"exclude": True}
    front = yaml.safe_dump(meta, allow_unicode=True).strip()
    return f"---\n{front}\n---\n\n{block}\n"
