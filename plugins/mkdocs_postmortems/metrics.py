"""Figures across incidents, and recurrence: what keeps happening, how fast it is detected and
recovered from, and whether follow-up closes the loop. Core: no MkDocs, no CLI.

Every figure reads the catalog's visible post-mortems (published; drafts only when the site
shows them) dated on or before the catalog's `today` (never the clock), and on or after `since`
when one is given. The formulas are written down in docs/insights.md.
"""

from __future__ import annotations

import datetime as dt
import statistics
from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .catalog import Catalog, meta_of, newest_first
from .load import Document
from .model import ItemStatus, Kind, Postmortem
from .settings import Settings
from .slugs import term_key

Value = int | float | None  # None: no data for that point (drawn as a gap, shown as "—")

MONTHS = 24  # the monthly figures cover this many months, ending at today's month
RECENT_MONTHS = 12  # "last 12 months" of the rankings
TOP = 10  # entries per ranking
# Open items by age: (label, last day of the band); the last band has no end.
AGE_BANDS: tuple[tuple[str, int | None], ...] = (
    ("0–30 days", 30),
    ("31–90 days", 90),
    ("91–180 days", 180),
    ("181–365 days", 365),
    ("over 365 days", None),
)
NO_KIND = "none"
REVIEW_LABELS = ("held on time", "held late", "overdue")
DURATIONS: dict[str, tuple[str, str]] = {  # figure -> (title, the timestamp it runs to from `started`)
    "ttd": ("Time to detect (started → detected)", "detected"),
    "ttm": ("Time to mitigate (started → mitigated)", "mitigated"),
    "ttr": ("Time to resolve (started → resolved)", "resolved"),
}


@dataclass(frozen=True)
class Series:
    """One figure's data: labels along x, one list of values per named series (same length)."""

    title: str
    labels: list[str]
    series: dict[str, list[Value]]
    unit: str = ""  # "incidents", "hours", "%", "items"
    note: str = ""  # e.g. "3 incidents without started/detected are left out"


@dataclass(frozen=True)
class Recurrence:
    """`later` repeats `earlier`: a shared service and contributing factor within the window."""

    earlier: Document
    later: Document
    services: tuple[str, ...]
    factors: tuple[str, ...]
    days: int
    # earlier's items addressing those factors all done before later's date; None: it had none
    fixed_before: bool | None


@dataclass(frozen=True)
class Ranking:
    title: str  # "Services"
    last_12_months: list[tuple[str, int]]
    all_time: list[tuple[str, int]]


# The Insights fields that are figures (a Series each), in the order the page and `stats` show them.
SERIES_FIELDS = (
    "incidents_by_month",
    "incidents_by_year",
    "ttd",
    "ttm",
    "ttr",
    "items_created_done",
    "on_time_rate",
    "open_by_age",
    "kinds",
    "reviews",
)


@dataclass
class Insights:
    incidents_by_month: Series  # last 24 months, one series per severity
    incidents_by_year: Series  # years before those 24 months, per severity
    ttd: Series  # per quarter: "median" and "p90", in hours
    ttm: Series
    ttr: Series
    items_created_done: Series  # per month: "created", "done"
    on_time_rate: Series  # per quarter: "on time" in %
    open_by_age: Series  # age bands: "open"
    kinds: Series  # one label per kind (+ "none"): "items"
    reviews: Series  # labels "held on time", "held late", "overdue": "reviews"
    recurring: list[Ranking]  # services, tags, factors
    # factor -> incidents naming it whose addressing items are all open/overdue/wont-do
    learned_not_fixed: list[tuple[str, list[Document]]]
    recurrences: list[Recurrence]  # newest later first
    window_days: int = 90
    today: dt.date | None = None
    since: dt.date | None = None
    incidents: int = 0  # how many post-mortems the figures count
    by_later: dict[str, list[Recurrence]] = field(default_factory=dict, repr=False)  # later's id -> recurrences


# -- periods -------------------------------------------------------------------------------
def month_label(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def quarter_label(day: dt.date) -> str:
    return f"{day.year:04d} Q{(day.month - 1) // 3 + 1}"


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _month_start(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def _quarter_index(day: dt.date) -> int:
    return day.year * 4 + (day.month - 1) // 3


def _quarter_of(index: int) -> str:
    return f"{index // 4:04d} Q{index % 4 + 1}"


# -- statistics ----------------------------------------------------------------------------
def median(values: list[float]) -> float:
    return float(statistics.median(values))


def p90(values: list[float]) -> float:
    """The 90th percentile, `statistics.quantiles(values, n=10, method="inclusive")[8]`: linear
    interpolation between the closest ranks (what spreadsheets' PERCENTILE.INC does); with one
    value, that value."""
    if len(values) == 1:
        return float(values[0])
    return float(statistics.quantiles(values, n=10, method="inclusive")[8])


def _hours(delta: dt.timedelta) -> float:
    return delta.total_seconds() / 3600


def _round(value: float) -> float:
    return round(value, 2)


# -- the figures ---------------------------------------------------------------------------
def insights(catalog: Catalog, settings: Settings, since: dt.date | None = None) -> Insights:
    """Every figure of the insights page and `postmortems stats`, from the catalog's visible
    post-mortems dated from `since` (when given) to the catalog's today."""
    today = catalog.today
    docs = counted(catalog, since)
    window = settings.recurrence_window_days
    last_month = _month_index(today)
    first_month = last_month - MONTHS + 1
    months = list(range(first_month, last_month + 1))
    quarters = _quarters(docs, today)

    recurrences = find_recurrences(catalog, docs, window)
    by_later: dict[str, list[Recurrence]] = defaultdict(list)
    for rec in recurrences:
        by_later[rec.later.id].append(rec)
    return Insights(
        incidents_by_month=_incidents_by_month(docs, settings, months, since),
        incidents_by_year=_incidents_by_year(docs, settings, first_month, since),
        ttd=_durations(docs, quarters, "ttd"),
        ttm=_durations(docs, quarters, "ttm"),
        ttr=_durations(docs, quarters, "ttr"),
        items_created_done=_items_created_done(docs, months, since),
        on_time_rate=_on_time_rate(docs, quarters),
        open_by_age=_open_by_age(docs, today),
        kinds=_kinds(docs),
        reviews=_reviews(docs, today),
        recurring=_rankings(catalog, docs, _month_start(last_month - RECENT_MONTHS + 1)),
        learned_not_fixed=learned_not_fixed(catalog, docs),
        recurrences=recurrences,
        window_days=window,
        today=today,
        since=since,
        incidents=len(docs),
        by_later=dict(by_later),
    )


def counted(catalog: Catalog, since: dt.date | None = None) -> list[Document]:
    """The post-mortems the figures count: visible, dated up to today (and from `since`)."""
    today = catalog.today
    return [d for d in catalog.visible if meta_of(d).date <= today and (since is None or meta_of(d).date >= since)]


def recurrence_index(catalog: Catalog, settings: Settings) -> RecurrenceIndex:
    """Each incident's recurrences, as insights() finds them, one incident at a time."""
    return RecurrenceIndex(catalog, counted(catalog), settings.recurrence_window_days)


def recurrences_of(result: Insights, doc: Document) -> list[Recurrence]:
    """The recurrences whose `later` is `doc`: the earlier incidents it repeats, newest first."""
    if not result.by_later and result.recurrences:
        for rec in result.recurrences:
            result.by_later.setdefault(rec.later.id, []).append(rec)
    return list(result.by_later.get(doc.id, ()))


def _quarters(docs: list[Document], today: dt.date) -> list[int]:
    """Every quarter from the first counted incident's to today's (none without incidents)."""
    if not docs:
        return []
    first = min(_quarter_index(meta_of(d).date) for d in docs)
    return list(range(first, _quarter_index(today) + 1))


def _before_since(end: dt.date, since: dt.date | None) -> bool:
    """A period that ends before `since` has no data (a gap), not zero incidents."""
    return since is not None and end < since


def _incidents_by_month(docs: list[Document], settings: Settings, months: list[int], since: dt.date | None) -> Series:
    counts: Counter[tuple[str, int]] = Counter((meta_of(d).severity, _month_index(meta_of(d).date)) for d in docs)
    gaps = {m for m in months if _before_since(_month_start(m + 1) - dt.timedelta(days=1), since)}
    series: dict[str, list[Value]] = {
        sev: [None if m in gaps else counts[(sev, m)] for m in months] for sev in settings.severities
    }
    return Series(
        "Incidents per month by severity",
        [month_label(_month_start(m)) for m in months],
        series,
        unit="incidents",
    )


def _incidents_by_year(docs: list[Document], settings: Settings, first_month: int, since: dt.date | None) -> Series:
    start = _month_start(first_month)
    older = [d for d in docs if meta_of(d).date < start]
    if not older:
        return Series(f"Incidents per year before {month_label(start)}", [], {s: [] for s in settings.severities})
    years = list(range(min(meta_of(d).date.year for d in older), (start - dt.timedelta(days=1)).year + 1))
    counts: Counter[tuple[str, int]] = Counter((meta_of(d).severity, meta_of(d).date.year) for d in older)
    series: dict[str, list[Value]] = {
        sev: [None if _before_since(dt.date(y, 12, 31), since) else counts[(sev, y)] for y in years]
        for sev in settings.severities
    }
    return Series(
        f"Incidents per year before {month_label(start)}",
        [str(y) for y in years],
        series,
        unit="incidents",
        note=f"{len(older)} incident(s) before {month_label(start)}",
    )


def _durations(docs: list[Document], quarters: list[int], name: str) -> Series:
    title, end = DURATIONS[name]
    values: dict[int, list[float]] = defaultdict(list)
    missing = 0
    for doc in docs:
        delta: dt.timedelta | None = getattr(meta_of(doc), name)
        if delta is None:
            missing += 1
        else:
            values[_quarter_index(meta_of(doc).date)].append(_hours(delta))
    medians: list[Value] = [_round(median(values[q])) if values[q] else None for q in quarters]
    p90s: list[Value] = [_round(p90(values[q])) if values[q] else None for q in quarters]
    note = f"{missing} incident(s) without started/{end} are left out" if missing else ""
    return Series(title, [_quarter_of(q) for q in quarters], {"median": medians, "p90": p90s}, "hours", note)


def _items_created_done(docs: list[Document], months: list[int], since: dt.date | None) -> Series:
    created: Counter[int] = Counter()
    done: Counter[int] = Counter()
    done_without_date = 0
    for doc in docs:
        meta = meta_of(doc)
        for item in meta.action_items:
            created[_month_index(meta.date)] += 1
            if item.status is ItemStatus.DONE:
                if item.completed is None:
                    done_without_date += 1
                else:
                    done[_month_index(item.completed)] += 1
    gaps = {m for m in months if _before_since(_month_start(m + 1) - dt.timedelta(days=1), since)}
    note = (
        f"{done_without_date} done item(s) without a `completed` date are not counted as done"
        if done_without_date
        else ""
    )
    return Series(
        "Action items created and done per month",
        [month_label(_month_start(m)) for m in months],
        {
            "created": [None if m in gaps else created[m] for m in months],
            "done": [None if m in gaps else done[m] for m in months],
        },
        unit="items",
        note=note,
    )


def _on_time_rate(docs: list[Document], quarters: list[int]) -> Series:
    judged: Counter[int] = Counter()
    on_time: Counter[int] = Counter()
    for doc in docs:
        for item in meta_of(doc).action_items:
            if item.status is ItemStatus.DONE and item.due is not None and item.completed is not None:
                q = _quarter_index(item.completed)
                judged[q] += 1
                on_time[q] += item.completed <= item.due
    rates: list[Value] = [round(100 * on_time[q] / judged[q], 1) if judged[q] else None for q in quarters]
    return Series(
        "On-time completion rate per quarter (by quarter completed)",
        [_quarter_of(q) for q in quarters],
        {"on time": rates},
        unit="%",
        note="done items with a due and a completed date; on time when completed on or before due",
    )


def age_band(days: int) -> str:
    for label, last in AGE_BANDS:
        if last is None or days <= last:
            return label
    return AGE_BANDS[-1][0]  # pragma: no cover - the last band has no end


def _open_by_age(docs: list[Document], today: dt.date) -> Series:
    counts: Counter[str] = Counter()
    for doc in docs:
        meta = meta_of(doc)
        for item in meta.action_items:
            if item.is_open:
                counts[age_band(max((today - meta.date).days, 0))] += 1
    labels = [label for label, _ in AGE_BANDS]
    return Series(
        "Open action items by age (days since the incident)",
        labels,
        {"open": [counts[label] for label in labels]},
        unit="items",
    )


def _kinds(docs: list[Document]) -> Series:
    counts: Counter[str] = Counter(
        item.kind.value if item.kind else NO_KIND for doc in docs for item in meta_of(doc).action_items
    )
    labels = [k.value for k in Kind] + [NO_KIND]
    total = sum(counts.values())
    shares = ", ".join(f"{label} {100 * counts[label] / total:.0f}%" for label in labels) if total else ""
    return Series("Action items by kind", labels, {"items": [counts[label] for label in labels]}, "items", shares)


def _reviews(docs: list[Document], today: dt.date) -> Series:
    counts: Counter[str] = Counter()
    not_due = 0
    for doc in docs:
        meta = meta_of(doc)
        if meta.reviewed is not None:
            counts["held on time" if meta.reviewed <= meta.review_due else "held late"] += 1
        elif meta.review_due < today:
            counts["overdue"] += 1
        else:
            not_due += 1
    return Series(
        "Effectiveness reviews",
        list(REVIEW_LABELS),
        {"reviews": [counts[label] for label in REVIEW_LABELS]},
        unit="reviews",
        note=f"{not_due} not yet due" if not_due else "",
    )


# -- rankings ------------------------------------------------------------------------------
RANKED = (("services", "Services"), ("tags", "Tags"), ("factors", "Contributing factors"))


def _top(counts: Counter[str], names: dict[str, str]) -> list[tuple[str, int]]:
    ranked = sorted(counts, key=lambda k: (-counts[k], names[k].casefold(), k))
    return [(names[k], counts[k]) for k in ranked[:TOP]]


def _rankings(catalog: Catalog, docs: list[Document], recent_from: dt.date) -> list[Ranking]:
    rankings = []
    for kind, title in RANKED:
        names: dict[str, str] = {}
        recent: Counter[str] = Counter()
        always: Counter[str] = Counter()
        for doc in docs:
            for term in catalog.terms_of(kind, doc):
                names[term.key] = term.name
                always[term.key] += 1
                if meta_of(doc).date >= recent_from:
                    recent[term.key] += 1
        rankings.append(Ranking(title, _top(recent, names), _top(always, names)))
    return rankings


# -- follow-up -----------------------------------------------------------------------------
def learned_not_fixed(catalog: Catalog, docs: list[Document]) -> list[tuple[str, list[Document]]]:
    """Factors named by incidents whose items addressing that factor are all still open, in
    progress (so also overdue) or won't-do: none of them done. An incident with no item
    addressing the factor is not counted (nothing claims to fix it: a different gap)."""
    found: dict[str, list[Document]] = defaultdict(list)
    names: dict[str, str] = {}
    for doc in docs:
        items = meta_of(doc).action_items
        for term in catalog.terms_of("factors", doc):
            addressing = [i for i in items if i.addresses is not None and term_key(i.addresses) == term.key]
            if addressing and not any(i.status is ItemStatus.DONE for i in addressing):
                names[term.key] = term.name
                found[term.key].append(doc)
    ranked = sorted(found, key=lambda k: (-len(found[k]), names[k].casefold(), k))
    return [(names[k], newest_first(found[k])) for k in ranked]


# -- recurrence ----------------------------------------------------------------------------
MAX_REPEATS = 10  # earlier incidents one incident is said to repeat, most recent first


def find_recurrences(catalog: Catalog, docs: list[Document], window_days: int) -> list[Recurrence]:
    """Pairs of incidents sharing at least one service and one contributing factor, the later
    dated at most `window_days` after the earlier (same day: the smaller id is the earlier).
    An incident repeats at most the MAX_REPEATS most recent earlier ones that qualify."""
    index = RecurrenceIndex(catalog, docs, window_days)
    return sorted((rec for doc in docs for rec in index.of(doc)), key=_newest)


class RecurrenceIndex:
    """The recurrences one incident repeats, found for that incident alone: a page can show its
    repeats without the figures of every incident being worked out first.

    Incidents are grouped by service and each group sorted by date; an incident's group is
    scanned back from it until MAX_REPEATS earlier ones are found, so the work and the output
    grow with the incidents, not with the pairs a busy service makes (thousands of incidents a
    year would pair each with dozens)."""

    def __init__(self, catalog: Catalog, docs: list[Document], window_days: int) -> None:
        self.window_days = window_days
        self._groups: dict[str, list[Document]] = defaultdict(list)
        self._names: dict[str, str] = {}
        self._factors: dict[str, dict[str, str]] = {}  # document id -> its factors, by key
        self._services: dict[str, list[str]] = defaultdict(list)  # document id -> its groups' keys
        for doc in docs:
            factors = {t.key: t.name for t in catalog.terms_of("factors", doc)}
            if not factors:
                continue
            self._factors[doc.id] = factors
            for term in catalog.terms_of("services", doc):
                self._groups[term.key].append(doc)
                self._names[term.key] = term.name
        self._dates: dict[str, list[int]] = {}
        self._sets: dict[str, list[frozenset[str]]] = {}  # each group's factor keys, in its order
        self._at: dict[tuple[str, str], int] = {}  # (service key, document id) -> its place
        for key, group in self._groups.items():
            group.sort(key=lambda d: (meta_of(d).date, d.id))
            self._dates[key] = [meta_of(d).date.toordinal() for d in group]
            self._sets[key] = [frozenset(self._factors[d.id]) for d in group]
            for place, doc in enumerate(group):
                self._at[(key, doc.id)] = place
                self._services[doc.id].append(key)

    def of(self, later: Document) -> list[Recurrence]:
        """The recurrences whose `later` is `later`: the earlier incidents it repeats, newest first."""
        shared_services: dict[str, list[str]] = defaultdict(list)  # earlier id -> the services shared
        earlier_of: dict[str, Document] = {}
        for key in self._services.get(later.id, ()):
            group, dates, sets = self._groups[key], self._dates[key], self._sets[key]
            j = self._at[(key, later.id)]
            start = bisect_left(dates, dates[j] - self.window_days)
            mine = sets[j]
            matched = 0
            for i in range(j - 1, start - 1, -1):  # most recent first, at most MAX_REPEATS of them
                if not mine.isdisjoint(sets[i]):
                    earlier = group[i]
                    earlier_of[earlier.id] = earlier
                    shared_services[earlier.id].append(key)
                    matched += 1
                    if matched == MAX_REPEATS:
                        break
        # Across services, the most recent again.
        kept = sorted(((meta_of(e).date.isoformat(), i) for i, e in earlier_of.items()), reverse=True)[:MAX_REPEATS]
        found = []
        mine_factors = self._factors.get(later.id, {})
        for _, earlier_id in kept:
            earlier = earlier_of[earlier_id]
            shared = sorted(self._factors[earlier_id].keys() & mine_factors.keys())
            found.append(
                Recurrence(
                    earlier=earlier,
                    later=later,
                    services=tuple(sorted((self._names[k] for k in shared_services[earlier_id]), key=str.casefold)),
                    factors=tuple(sorted((mine_factors[k] for k in shared), key=str.casefold)),
                    days=(meta_of(later).date - meta_of(earlier).date).days,
                    fixed_before=fixed_before(meta_of(earlier), set(shared), meta_of(later).date),
                )
            )
        return sorted(found, key=_newest)


def _newest(rec: Recurrence) -> tuple[int, str, int, str]:
    later, earlier = meta_of(rec.later).date, meta_of(rec.earlier).date
    return (-later.toordinal(), rec.later.id, -earlier.toordinal(), rec.earlier.id)


def fixed_before(earlier: Postmortem, factor_keys: set[str], day: dt.date) -> bool | None:
    """Whether every item of `earlier` addressing one of the factors was done, with a `completed`
    date before `day`; None when no item addresses them."""
    items = [i for i in earlier.action_items if i.addresses is not None and term_key(i.addresses) in factor_keys]
    if not items:
        return None
    return all(i.status is ItemStatus.DONE and i.completed is not None and i.completed < day for i in items)
