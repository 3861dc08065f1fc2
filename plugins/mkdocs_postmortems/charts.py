"""Pictures of the site: SVG drawn at build time with pygal, embedded inline, needing no network.

pygal's default output loads its tooltip script from a CDN and carries comments with its home
page and the day of the build. Here no script is referenced (`js=[]`), no web font is named (the
fonts are the page's own), every comment is dropped (so the SVG holds no URL but its XML
namespaces, and two builds of the same data give the same bytes) and the chart id is fixed
by the caller rather than random. Labels come from post-mortems (service and tag names): pygal
writes them through lxml or ElementTree, which escape text and attributes, and nothing after it
un-escapes them. Each picture is followed by its numbers in a table (see theme chart.html).

No MkDocs import: this is the site layer's drawing, usable by any front end.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import pygal
from markupsafe import Markup
from pygal.style import Style

from .load import Document

Value = int | float | None  # None: no data for that point (a gap, shown as "—")
Kind = Literal["bar", "stacked", "line"]

# Readable on white and on Material's slate (dark) scheme, and told apart by more than hue
# where it matters: the table below each picture carries the numbers.
COLORS = ("#d9480f", "#1c7ed6", "#2b8a3e", "#ae3ec9", "#e67700", "#0b7285", "#c2255c", "#5c940d")
_STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="currentColor",  # the text colour of the page, light or dark
    foreground_strong="currentColor",
    foreground_subtle="currentColor",
    guide_stroke_color="currentColor",
    major_guide_stroke_color="currentColor",
    opacity=".9",
    opacity_hover=".9",
    transition="0s",
    font_family="inherit",  # the page's font: never a web font
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
    title_font_size=16,
    value_font_size=12,
    colors=COLORS,
)
_ID = re.compile(r"[^a-z0-9-]+")


class ChartData(Protocol):
    """What a picture is drawn from: metrics.Series, or a Timeline below."""

    @property
    def title(self) -> str: ...
    @property
    def labels(self) -> Sequence[str]: ...
    @property
    def series(self) -> Mapping[str, Sequence[Value]]: ...
    @property
    def unit(self) -> str: ...
    @property
    def note(self) -> str: ...


@dataclass(frozen=True)
class Timeline:
    """Incidents per month, from the month of the first to the month of the last."""

    title: str
    labels: list[str]
    series: dict[str, list[Value]]
    unit: str = "incidents"
    note: str = ""
    first: dt.date | None = None
    last: dt.date | None = None
    months: int = field(default=0)


def timeline(title: str, documents: Sequence[Document]) -> Timeline:
    """`documents`' incidents counted by month, every month between the first and last shown."""
    dates = sorted(d.meta.date for d in documents if d.meta is not None)
    if not dates:
        return Timeline(title, [], {"incidents": []})
    first, last = dates[0], dates[-1]
    counts: dict[tuple[int, int], int] = {}
    for day in dates:
        counts[(day.year, day.month)] = counts.get((day.year, day.month), 0) + 1
    labels: list[str] = []
    values: list[Value] = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        labels.append(f"{year:04d}-{month:02d}")
        values.append(counts.get((year, month), 0))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return Timeline(title, labels, {"incidents": values}, first=first, last=last, months=len(labels))


def has_data(data: ChartData) -> bool:
    return bool(data.labels) and any(v is not None for values in data.series.values() for v in values)


def chart_id(name: str) -> str:
    """The SVG's id: fixed, from a name of ours (pygal's own is a random uuid)."""
    return "chart-pm-" + (_ID.sub("-", name.lower()).strip("-") or "x")


def svg(data: ChartData, name: str, kind: Kind = "bar", small: bool = False) -> Markup:
    """`data` as an inline SVG element (role="img", named by its title), or "" without data."""
    if not has_data(data):
        return Markup("")
    many = len(data.labels) > 12
    options: dict[str, Any] = {
        "js": [],  # pygal's default is a script on a CDN: nothing may load from another host
        "disable_xml_declaration": True,
        "style": _STYLE,
        "width": 800 if not small else 640,
        "height": 320 if not small else 160,
        "explicit_size": False,
        "show_legend": len(data.series) > 1 and not small,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": min(len(data.series), 6) or 1,
        "title": None,  # the caption of the figure is HTML, next to it
        "x_label_rotation": 45 if many else 0,
        "show_minor_x_labels": not many,
        "x_labels_major_every": max(1, len(data.labels) // 12) if many else None,
        "truncate_label": 24,
        "truncate_legend": 24,
        "print_values": False,
        "show_y_guides": not small,
        "allow_interruptions": True,  # None is a gap in a line
        "include_x_axis": True,
        "min_scale": 2 if small else 4,
        "max_scale": 4 if small else 8,
        "margin": 8,
    }
    if kind == "line":
        chart: Any = pygal.Line(**options, dots_size=3)
    elif kind == "stacked":
        chart = pygal.StackedBar(**options)
    else:
        chart = pygal.Bar(**options)
    chart.uuid = chart_id(name)[len("chart-") :]  # pygal writes id="chart-{uuid}"
    ticks = _whole_ticks(data, stacked=kind == "stacked")
    if ticks:
        chart.y_labels = ticks  # counts: no 0.2 of an incident on the axis
    chart.add_xml_filter(_clean(data))
    chart.x_labels = list(data.labels)
    for series_name, values in data.series.items():
        chart.add(series_name, [None if v is None else v for v in values])
    rendered = chart.render()
    text = rendered.decode("utf-8") if isinstance(rendered, bytes) else str(rendered)
    return Markup(text)  # lxml/ElementTree wrote it: text and attributes are escaped


ChartArgs = tuple[ChartData, str, Kind, bool]  # svg's arguments: data, name, kind, small


def drawn(args: ChartArgs) -> str:
    """svg(*args) as text: what a process that draws charts for another sends back."""
    return str(svg(*args))


def chart_key(args: ChartArgs) -> str:
    """What names a chart before it is drawn: its arguments, written out (dataclasses of
    lists, numbers, text and dates: the same arguments always give the same text)."""
    return repr(args)


def _whole_ticks(data: ChartData, stacked: bool) -> list[int]:
    """Whole-number ticks from 0 when every value is a whole number, [] otherwise."""
    columns = list(zip(*data.series.values(), strict=True)) if data.series else []
    values = [v for column in columns for v in column if v is not None]
    if not values or any(isinstance(v, float) and not v.is_integer() for v in values):
        return []
    top = max((sum(v or 0 for v in column) for column in columns), default=0) if stacked else max(values)
    top = max(int(top), 1)
    step = max(1, -(-top // 5))
    return list(range(0, top + step, step))


def label(data: ChartData) -> str:
    return f"{data.title} ({data.unit})" if data.unit else data.title


def _clean(data: ChartData) -> Any:
    """An xml filter: no comments (pygal's home page and build date), no script (pygal writes
    its config, labels included, into one even with `js=[]`), and an accessible name."""

    def clean(root: Any) -> Any:
        for element in list(root.iter()):
            for child in list(element):
                tag = child.tag
                if not isinstance(tag, str) or tag.rpartition("}")[2] == "script":  # comments too
                    element.remove(child)
        root.attrib["role"] = "img"
        root.attrib["aria-label"] = label(data)
        root.attrib["focusable"] = "false"
        classes = root.attrib.get("class", "")
        root.attrib["class"] = f"{classes} pm-svg".strip()
        for title in root.iter("{http://www.w3.org/2000/svg}title", "title"):
            title.text = label(data)
        return root

    return clean


def cell(value: Value) -> str:
    """A table cell's text: "—" for no data, whole numbers without decimals, others to one."""
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return str(int(value))
