"""The front-matter model: every field, its default and its rules, in one place.

Pydantic v2 was chosen because one class definition gives validation with precise error
locations (which the loader maps to file lines), defaults, and the JSON Schema printed by
`postmortems schema`. Rules that need the repository's configuration (severity levels, the
factor vocabulary) read it from the validation context instead of being hard-coded.
"""

from __future__ import annotations

import datetime as dt
import re
import types
import unicodedata
from collections.abc import Iterator
from enum import Enum
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
# A ticket is a web link or a GitHub-style reference; nothing else (no javascript: URLs).
TICKET_PATTERN = r"^(https?://[^\s<>\"']+|[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*#[0-9]+)$"
# Keys starting with x- or x_ are the repository's own extensions and are not validated.
EXTENSION_PREFIXES = ("x-", "x_")
DEFAULT_SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4")
REVIEW_AFTER = dt.timedelta(days=30)


# Dates far from now are typos (9999-12-31, 0201-03-01) and would overflow date arithmetic
# (due + 1 day, date + 30 days); every date and "today" stays within these years.
MIN_YEAR = 1900
MAX_YEAR = 2999


def _no_numbers(value: Any) -> Any:
    # Pydantic would read 20260301 as seconds since 1970; a post-mortem author never means that.
    if isinstance(value, bool | int | float):
        raise ValueError("a number is not a date; write it as YYYY-MM-DD")
    return value


def check_year(value: dt.date) -> None:
    """Raise ValueError for a date (or timestamp) outside MIN_YEAR..MAX_YEAR."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"the year {value.year} is outside {MIN_YEAR}..{MAX_YEAR}; check the date for a typo")


def _sane_date(value: dt.date) -> dt.date:
    check_year(value)
    return value


def _sane_timestamp(value: dt.datetime) -> dt.datetime:
    check_year(value)
    check_year(value.astimezone(dt.timezone.utc))  # 2999-12-31T23:00-05:00 is already 3000 in UTC
    return value


# Control characters (written as YAML escapes such as "\e") would reach terminals, XML and HTML.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# Everything a terminal, log or editor may take as the end of a line.
LINE_BREAKS = re.compile("[\n\r\x85\u2028\u2029]")
# Letters, marks, numbers, punctuation and symbols are visible; spaces (Z*) and format
# characters such as U+200B (Cf) are not.
_VISIBLE = ("L", "M", "N", "P", "S")


def _no_control_characters(value: str) -> str:
    found = _CONTROL.search(value)
    if found:
        raise ValueError(f"the text contains the control character U+{ord(found.group()):04X}; remove it")
    return value


def _visible(value: str) -> str:
    if not any(unicodedata.category(char).startswith(_VISIBLE) for char in value):
        raise ValueError("the text has no visible character (only spaces or invisible ones such as U+200B)")
    return value


def _single_line(value: str) -> str:
    # A line break in a one-line field would start a new line in logs and terminal output.
    found = LINE_BREAKS.search(value)
    if found:
        raise ValueError(f"the text contains a line break (U+{ord(found.group()):04X}); write this field on one line")
    return value


_STRIPPED = StringConstraints(strip_whitespace=True, min_length=1)
# Text may span lines (summary, action, impact.description); Line may not.
Text = Annotated[str, _STRIPPED, AfterValidator(_no_control_characters), AfterValidator(_visible)]
Line = Annotated[
    str, _STRIPPED, AfterValidator(_single_line), AfterValidator(_no_control_characters), AfterValidator(_visible)
]
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Date = Annotated[dt.date, BeforeValidator(_no_numbers), AfterValidator(_sane_date)]
Timestamp = Annotated[AwareDatetime, BeforeValidator(_no_numbers), AfterValidator(_sane_timestamp)]


class Status(str, Enum):
    DRAFT = "draft"
    IN_REVIEW = "in-review"
    PUBLISHED = "published"


class ItemStatus(str, Enum):
    OPEN = "open"
    IN_PROGRESS = "in-progress"
    DONE = "done"
    WONT_DO = "wont-do"


class Priority(str, Enum):
    P0 = "P0"
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"


class Kind(str, Enum):
    PREVENT = "prevent"
    DETECT = "detect"
    MITIGATE = "mitigate"
    PROCESS = "process"


class Visibility(str, Enum):
    INTERNAL = "internal"
    PUBLIC = "public"


class _Strict(BaseModel):
    # Unknown keys are errors (a typo like `serverity` must not pass silently).
    model_config = ConfigDict(extra="forbid", frozen=True)


class Impact(_Strict):
    users_affected: Annotated[StrictInt, Field(ge=0)] | None = Field(
        None, description="how many users were affected", examples=[1200]
    )
    revenue: StrictFloat | StrictInt | None = Field(
        None, description="estimated revenue lost, a number", examples=[4500.0]
    )
    data_loss: StrictBool | None = Field(None, description="whether data was lost", examples=[False])
    customer_facing: StrictBool | None = Field(None, description="whether customers saw the impact", examples=[True])
    description: Text | None = Field(None, description="the impact in words")


class ActionItem(_Strict):
    action: Text = Field(description="what will be done, specific and measurable")
    owner: Line | None = Field(None, description="who owns it", examples=["@sre-team"])
    due: Date | None = Field(None, description="due date", examples=["2026-03-15"])
    priority: Priority = Field(Priority.P2, description="P0 (most urgent) to P3")
    status: ItemStatus = Field(ItemStatus.OPEN, description="open, in-progress, done or wont-do")
    completed: Date | None = Field(None, description="the day it was done", examples=["2026-03-10"])
    ticket: Annotated[str, StringConstraints(pattern=TICKET_PATTERN)] | None = Field(
        None,
        description="an http(s) URL or a reference like owner/repo#123",
        examples=["acme/payments#42"],
    )
    kind: Kind | None = Field(None, description="prevent, detect, mitigate or process")
    addresses: Line | None = Field(
        None, description="the contributing factor of this post-mortem that the item addresses"
    )

    @property
    def is_open(self) -> bool:
        return self.status in (ItemStatus.OPEN, ItemStatus.IN_PROGRESS)

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_open and self.due is not None and self.due < today


TIMESTAMP_FIELDS = ("started", "detected", "mitigated", "resolved")


class Postmortem(_Strict):
    """The front matter of one post-mortem."""

    id: Slug | None = Field(
        None,
        description="unique id; defaults to the file name without .md",
        examples=["2026-03-01-checkout-timeouts"],
    )
    title: Line = Field(description="the incident's title", examples=["Checkout timeouts"])
    date: Date = Field(description="the day the incident began", examples=["2026-03-01"])
    severity: str = Field(description="one of the configured severity levels", examples=["SEV2"])
    status: Status = Field(Status.PUBLISHED, description="draft, in-review or published")
    summary: Text | None = Field(None, description="two or three sentences; else taken from ## Summary")
    services: list[Line] = Field(default_factory=list, description="affected services")
    tags: list[Line] = Field(default_factory=list, description="free tags, compared case-insensitively")
    authors: list[Line] = Field(default_factory=list, description="who wrote the post-mortem")
    contributing_factors: list[Line] = Field(
        default_factory=list,
        description="contributing factors, from the configured vocabulary when one is set",
        examples=[["change-management", "monitoring-gap"]],
    )
    started: Timestamp | None = Field(
        None, description="when impact began, with a time zone", examples=["2026-03-01T14:00:00Z"]
    )
    detected: Timestamp | None = Field(
        None, description="when it was detected, with a time zone", examples=["2026-03-01T14:07:00Z"]
    )
    mitigated: Timestamp | None = Field(
        None, description="when impact was mitigated, with a time zone", examples=["2026-03-01T14:30:00Z"]
    )
    resolved: Timestamp | None = Field(
        None, description="when it was fully resolved, with a time zone", examples=["2026-03-01T16:00:00Z"]
    )
    impact: Impact | None = Field(None, description="users_affected, revenue, data_loss, customer_facing, description")
    action_items: list[ActionItem] = Field(default_factory=list, description="the follow-up work")
    review_by: Date | None = Field(
        None, description="the effectiveness review; defaults to date + 30 days", examples=["2026-03-31"]
    )
    reviewed: Date | None = Field(
        None, description="the day the effectiveness review took place", examples=["2026-03-28"]
    )
    related: list[Slug] = Field(default_factory=list, description="ids of related post-mortems")
    visibility: Visibility = Field(Visibility.INTERNAL, description="internal or public")

    @field_validator("severity")
    @classmethod
    def _known_severity(cls, value: str, info: ValidationInfo) -> str:
        levels = severities_from(info.context)
        _single_line(value)
        if value not in levels:
            raise ValueError(f"unknown severity {value!r}; use one of {', '.join(levels)}")
        return value

    # -- computed ------------------------------------------------------------------------
    @property
    def review_due(self) -> dt.date:
        return self.review_by or self.date + REVIEW_AFTER

    @property
    def ttd(self) -> dt.timedelta | None:
        return _between(self.started, self.detected)

    @property
    def ttm(self) -> dt.timedelta | None:
        return _between(self.started, self.mitigated)

    @property
    def ttr(self) -> dt.timedelta | None:
        return _between(self.started, self.resolved)

    @property
    def duration(self) -> dt.timedelta | None:
        """From the start of impact to resolution (or mitigation when not yet resolved)."""
        return _between(self.started, self.resolved or self.mitigated)

    def cross_field_problems(self, context: dict[str, Any] | None = None) -> Iterator[Problem]:
        """Rules that relate several fields; each problem names the field it belongs to."""
        previous: tuple[str, dt.datetime] | None = None
        for name in TIMESTAMP_FIELDS:
            value = getattr(self, name)
            if value is None:
                continue
            if previous is not None and value < previous[1]:
                yield Problem(
                    (name,),
                    f"`{name}` ({value.isoformat()}) is before `{previous[0]}` ({previous[1].isoformat()})",
                    "the timestamps must run in the order started, detected, mitigated, resolved",
                )
            previous = (name, value)
        vocabulary = (context or {}).get("contributing_factors") or []
        if vocabulary:
            for index, factor in enumerate(self.contributing_factors):
                if factor not in vocabulary:
                    yield Problem(
                        ("contributing_factors", index),
                        f"contributing factor {factor!r} is not in the configured vocabulary",
                        f"use one of: {', '.join(vocabulary)}",
                    )
        for index, item in enumerate(self.action_items):
            if item.addresses is not None and item.addresses not in self.contributing_factors:
                yield Problem(
                    ("action_items", index, "addresses"),
                    f"action item addresses {item.addresses!r}, which is not a contributing factor of this post-mortem",
                    "name one of `contributing_factors`, or add the factor there",
                )


class Problem:
    """A cross-field rule broken: where (a field path, as pydantic reports it) and why."""

    __slots__ = ("hint", "loc", "message")

    def __init__(self, loc: tuple[str | int, ...], message: str, hint: str) -> None:
        self.loc = loc
        self.message = message
        self.hint = hint


def _between(start: dt.datetime | None, end: dt.datetime | None) -> dt.timedelta | None:
    if start is None or end is None:
        return None
    return end - start


def severities_from(context: dict[str, Any] | None) -> tuple[str, ...]:
    return tuple((context or {}).get("severities") or DEFAULT_SEVERITIES)


def json_schema(severities: tuple[str, ...] = DEFAULT_SEVERITIES, factors: tuple[str, ...] = ()) -> dict[str, Any]:
    """The JSON Schema of the front matter, for editors and other tools."""
    schema = Postmortem.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "mkdocs-postmortems front matter"
    props = schema["properties"]
    props["severity"]["enum"] = list(severities)
    if factors:
        props["contributing_factors"]["items"]["enum"] = list(factors)
    # The repository's own keys (x-...) are allowed in every mapping.
    for definition in (schema, *schema.get("$defs", {}).values()):
        if definition.get("additionalProperties") is False:
            definition["patternProperties"] = {"^x[-_]": {}}
    return schema


def clean_loc(loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """A pydantic error location without union member tags (('impact', 'revenue', 'float'))."""
    model: type[BaseModel] | None = Postmortem
    clean: list[str | int] = []
    for part in loc:
        if isinstance(part, int):
            clean.append(part)
        elif model is not None:  # a field, or an unknown key the author wrote
            clean.append(part)
            info = model.model_fields.get(part)
            model = _submodel(info.annotation) if info is not None else None
    return tuple(clean)


def field_doc(loc: tuple[str | int, ...]) -> tuple[str, list[Any]]:
    """Description and examples of the field at `loc`, for hints in error messages."""
    model: type[BaseModel] | None = Postmortem
    info = None
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        info = model.model_fields.get(part)
        if info is None:
            return "", []
        model = _submodel(info.annotation)
    if info is None:
        return "", []
    return info.description or "", list(info.examples or [])


def _submodel(annotation: Any) -> type[BaseModel] | None:
    for candidate in _walk_annotation(annotation):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _walk_annotation(annotation: Any) -> Iterator[Any]:
    yield annotation
    for arg in getattr(annotation, "__args__", ()):
        yield from _walk_annotation(arg)


FIELD_NAMES = tuple(Postmortem.model_fields)
ITEM_FIELD_NAMES = tuple(ActionItem.model_fields)
IMPACT_FIELD_NAMES = tuple(Impact.model_fields)


StringPath = tuple[str, ...]  # field names, "*" for any list position


def string_paths() -> frozenset[StringPath]:
    """Where the front matter holds text: (('title',), ('tags', '*'), ('action_items', '*', 'owner'), ...).

    Derived from the annotations, so a new text field is covered without a second list; the loader
    gives these fields a plain YAML scalar's text as written (`tags: [2024]`, `services: [no]`)."""
    return frozenset(_string_paths(Postmortem, ()))


def _string_paths(model: type[BaseModel], prefix: StringPath) -> Iterator[StringPath]:
    for name, info in model.model_fields.items():
        yield from _paths_of(info.annotation, (*prefix, name))


def _paths_of(annotation: Any, path: StringPath) -> Iterator[StringPath]:
    origin = get_origin(annotation)
    if annotation is str:  # exactly str: str-valued enums (Status, Priority) keep their own rules
        yield path
    elif origin is Annotated:
        yield from _paths_of(get_args(annotation)[0], path)
    elif origin is Union or origin is types.UnionType:
        for member in get_args(annotation):
            yield from _paths_of(member, path)
    elif origin is list:
        yield from _paths_of(get_args(annotation)[0], (*path, "*"))
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield from _string_paths(annotation, path)
