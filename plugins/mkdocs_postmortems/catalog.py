"""The catalog: every post-mortem of a build, the cross-incident indexes, related incidents and
action-item counts. Plain data for the front ends; "today" is a field, never a call to the clock.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

from .load import Document
from .model import ActionItem, Postmortem, Status, Visibility
from .settings import Settings
from .slugs import assign_slugs, term_key

# The cross-incident indexes: folder of the site, title, and how a post-mortem's terms are read.
INDEX_KINDS: dict[str, tuple[str, Callable[[Postmortem], list[str]]]] = {
    "tags": ("Tags", lambda m: m.tags),
    "services": ("Services", lambda m: m.services),
    "severities": ("Severities", lambda m: [m.severity]),
    "years": ("Years", lambda m: [str(m.date.year)]),
    "factors": ("Contributing factors", lambda m: m.contributing_factors),
}
# Inferred relations: how much one shared term of each kind counts.
RELATED_WEIGHTS = {"services": 3, "factors": 2, "tags": 1}
MAX_INFERRED = 5
# A term on more post-mortems than this says little about relatedness (and would make the
# ranking quadratic): it is left out of inference, like a stop word.
MAX_POSTING_FOR_INFERENCE = 200


@dataclass
class Term:
    """One entry of an index: a tag, service, severity, year or factor, and its incidents."""

    kind: str
    key: str
    name: str
    slug: str
    documents: list[Document] = field(default_factory=list)  # newest first


@dataclass(frozen=True)
class Related:
    document: Document
    declared: bool
    reasons: tuple[str, ...]


def newest_first(docs: Iterable[Document]) -> list[Document]:
    by_id = sorted(docs, key=lambda d: d.id)
    return sorted(by_id, key=lambda d: d.meta.date if d.meta else dt.date.min, reverse=True)


class Catalog:
    def __init__(self, documents: list[Document], settings: Settings, today: dt.date) -> None:
        self.settings = settings
        self.today = today
        self.documents = documents
        # Post-mortems sharing an id (a `duplicate-id` error) have no identity to be linked,
        # exported or indexed by: they are listed as invalid, each with its own page.
        ids = Counter(d.id for d in documents if d.meta is not None)
        loaded = [d for d in documents if d.meta is not None]
        self.hidden = [d for d in loaded if not self._shown(meta_of(d))]
        self.visible = newest_first(d for d in loaded if self._shown(meta_of(d)) and ids[d.id] == 1)
        self.invalid = [d for d in documents if d.meta is None or (ids[d.id] > 1 and self._shown(d.meta))]
        # The public subset: a post-mortem that cannot be read has no known visibility, so it is
        # withheld like an internal one (the build still reports its errors), and never listed.
        self.withheld: list[Document] = []
        if settings.public_only:
            self.withheld = [d for d in self.invalid if d.meta is None]
            self.invalid = [d for d in self.invalid if d.meta is not None]
        self._invalid_paths = {d.path for d in self.invalid}
        self.by_id = {d.id: d for d in self.visible}
        self.indexes = {kind: self._index(kind) for kind in INDEX_KINDS}

    def warm(self) -> Catalog:
        """Compute now what is otherwise computed when first asked for (`postmortems check`
        needs only the indexes), so processes forked later share it instead of each redoing it."""
        _ = self._terms_of, self._declared
        return self

    @cached_property
    def _terms_of(self) -> dict[tuple[str, str], dict[str, Term]]:
        """Each post-mortem's terms, in the order its front matter lists them."""
        found: dict[tuple[str, str], dict[str, Term]] = defaultdict(dict)
        for kind, terms in self.indexes.items():
            lookup = {t.key: t for t in terms}
            read = INDEX_KINDS[kind][1]
            for doc in self.visible:
                for name in read(meta_of(doc)):
                    found[(kind, doc.id)].setdefault(term_key(name), lookup[term_key(name)])
        return found

    @cached_property
    def _declared(self) -> dict[str, set[str]]:
        return self._declared_links()

    def is_invalid(self, doc: Document) -> bool:
        return doc.path in self._invalid_paths

    @property
    def left_out(self) -> list[Document]:
        """Every post-mortem the site has no page for: `hidden`, then `withheld`."""
        return [*self.hidden, *self.withheld]

    def _shown(self, meta: Postmortem) -> bool:
        """Published (or a draft with `show_drafts`) and, for the public subset, public: with
        `public_only` an internal post-mortem is left out of every page, index and export."""
        if self.settings.public_only and meta.visibility is not Visibility.PUBLIC:
            return False
        return meta.status is Status.PUBLISHED or self.settings.show_drafts

    def _index(self, kind: str) -> list[Term]:
        read = INDEX_KINDS[kind][1]
        members: dict[str, list[Document]] = defaultdict(list)
        spellings: dict[str, Counter[str]] = defaultdict(Counter)
        for doc in self.visible:
            seen: set[str] = set()  # `Database` and `database` on one post-mortem count once
            for name in read(meta_of(doc)):
                key = term_key(name)
                if key not in seen:
                    seen.add(key)
                    members[key].append(doc)
                    spellings[key][name.strip()] += 1
        # The most used spelling names the term; ties go to the first in sorted order.
        display = {k: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] for k, c in spellings.items()}
        slugs = assign_slugs(members, display)
        terms = [Term(kind, k, display[k], slugs[k], members[k]) for k in members]
        if kind == "severities":
            order = {term_key(s): i for i, s in enumerate(self.settings.severities)}
            return sorted(terms, key=lambda t: order.get(t.key, len(order)))
        if kind == "years":
            return sorted(terms, key=lambda t: t.name, reverse=True)
        return sorted(terms, key=lambda t: (-len(t.documents), t.key))

    def terms_of(self, kind: str, doc: Document) -> list[Term]:
        return list(self._terms_of.get((kind, doc.id), {}).values())

    def _declared_links(self) -> dict[str, set[str]]:
        links: dict[str, set[str]] = defaultdict(set)
        for doc in self.visible:
            for other in meta_of(doc).related:
                if other in self.by_id and other != doc.id:
                    links[doc.id].add(other)
                    links[other].add(doc.id)  # shown both ways
        return links

    def linked_ids(self, doc: Document) -> list[str]:
        """Ids of the post-mortems `related` links this one with, declared on either side."""
        return sorted(self._declared.get(doc.id, ()))

    def related(self, doc: Document) -> list[Related]:
        """Declared relations (both ways) first, then inferred ones ranked by shared terms."""
        declared = newest_first(self.by_id[i] for i in self._declared.get(doc.id, ()))
        result = [Related(d, True, self._reasons(doc, d)) for d in declared]
        scores: Counter[str] = Counter()
        for kind, weight in RELATED_WEIGHTS.items():
            for term in self.terms_of(kind, doc):
                if len(term.documents) > MAX_POSTING_FOR_INFERENCE:
                    continue
                for other in term.documents:
                    scores[other.id] += weight
        skip = {doc.id, *self._declared.get(doc.id, ())}
        ranked = sorted(
            (i for i in scores if i not in skip),
            key=lambda i: (-scores[i], -meta_of(self.by_id[i]).date.toordinal(), i),
        )
        result += [Related(self.by_id[i], False, self._reasons(doc, self.by_id[i])) for i in ranked[:MAX_INFERRED]]
        return result

    def _reasons(self, doc: Document, other: Document) -> tuple[str, ...]:
        reasons = []
        for kind in RELATED_WEIGHTS:
            mine = self._terms_of.get((kind, doc.id), {})
            theirs = self._terms_of.get((kind, other.id), {})
            reasons += [f"{kind.rstrip('s')}: {mine[k].name}" for k in sorted(mine.keys() & theirs.keys())]
        return tuple(reasons)

    # -- action items ---------------------------------------------------------------------
    def action_items(self) -> list[tuple[Document, ActionItem]]:
        return [(d, item) for d in self.visible for item in meta_of(d).action_items]

    def open_items(self) -> int:
        return sum(1 for _, item in self.action_items() if item.is_open)

    def overdue_items(self) -> int:
        return sum(1 for _, item in self.action_items() if item.is_overdue(self.today))


def meta_of(doc: Document) -> Postmortem:
    """The model of a document the catalog lists (only valid ones are listed)."""
    assert doc.meta is not None, doc.path
    return doc.meta
