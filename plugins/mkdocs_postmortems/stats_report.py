"""`postmortems stats` output: aligned tables, JSON for scripts, or Markdown for a quarterly
review issue. The figures are metrics.insights(), the same the insights page draws."""

from __future__ import annotations

import json
from typing import Any

from .load import Document
from .metrics import SERIES_FIELDS, Insights, Ranking, Series, Value
from .output import STATS_FORMATS
from .report import md_text

FORMATS = STATS_FORMATS
NO_DATA = "—"


def value_text(value: Value) -> str:
    if value is None:
        return NO_DATA
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def figures(result: Insights) -> list[Series]:
    return [
        result.incidents_by_month,
        result.incidents_by_year,
        result.ttd,
        result.ttm,
        result.ttr,
        result.items_created_done,
        result.on_time_rate,
        result.open_by_age,
        result.kinds,
        result.reviews,
    ]


def _line(text: str) -> str:
    return " ".join(text.split())


# -- JSON ----------------------------------------------------------------------------------
def _series_json(s: Series) -> dict[str, Any]:
    return {"title": s.title, "unit": s.unit, "note": s.note, "labels": s.labels, "series": s.series}


def _ranking_json(r: Ranking) -> dict[str, Any]:
    return {
        "title": r.title,
        "last_12_months": [{"name": n, "incidents": c} for n, c in r.last_12_months],
        "all_time": [{"name": n, "incidents": c} for n, c in r.all_time],
    }


def _doc_json(doc: Document) -> dict[str, str]:
    return {"id": doc.id, "title": doc.title, "date": doc.meta.date.isoformat() if doc.meta else ""}


def as_json(result: Insights) -> str:
    payload: dict[str, Any] = {
        "today": result.today.isoformat() if result.today else None,
        "since": result.since.isoformat() if result.since else None,
        "incidents": result.incidents,
        "window_days": result.window_days,
        **{name: _series_json(getattr(result, name)) for name in SERIES_FIELDS},
        "recurring": [_ranking_json(r) for r in result.recurring],
        "learned_not_fixed": [
            {"factor": factor, "incidents": [_doc_json(d) for d in docs]} for factor, docs in result.learned_not_fixed
        ],
        "recurrences": [
            {
                "earlier": _doc_json(r.earlier),
                "later": _doc_json(r.later),
                "services": list(r.services),
                "factors": list(r.factors),
                "days": r.days,
                "fixed_before": r.fixed_before,
            }
            for r in result.recurrences
        ],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False)


# -- tables for the terminal ---------------------------------------------------------------
def _aligned(header: list[str], rows: list[list[str]]) -> list[str]:
    table = [header, *rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip() for line in table]


def _series_rows(s: Series) -> tuple[list[str], list[list[str]]]:
    header = ["", *s.series]
    rows = [
        [_line(label), *(value_text(values[i]) for values in s.series.values())] for i, label in enumerate(s.labels)
    ]
    return header, rows


def _fixed_text(fixed: bool | None) -> str:
    return "no addressing items" if fixed is None else "yes" if fixed else "no"


def as_table(result: Insights) -> str:
    since = f" since {result.since.isoformat()}" if result.since else ""
    today = result.today.isoformat() if result.today else ""
    lines = [f"Insights as of {today}{since}: {result.incidents} incident(s)"]
    for s in figures(result):
        lines += ["", f"{s.title}" + (f" ({s.unit})" if s.unit else "")]
        header, rows = _series_rows(s)
        lines += _aligned(header, rows) if rows else ["  (none)"]
        if s.note:
            lines.append(f"note: {_line(s.note)}")
    for r in result.recurring:
        for period, entries in (("last 12 months", r.last_12_months), ("all time", r.all_time)):
            lines += ["", f"Most recurring {r.title.lower()}, {period}"]
            lines += _aligned(["", "incidents"], [[_line(n), str(c)] for n, c in entries]) if entries else ["  (none)"]
    lines += ["", "Learned but not fixed"]
    if result.learned_not_fixed:
        rows = [[_line(f), str(len(docs)), ", ".join(d.id for d in docs)] for f, docs in result.learned_not_fixed]
        lines += _aligned(["factor", "incidents", "ids"], rows)
    else:
        lines.append("  (none)")
    lines += ["", f"Recurrences (a shared service and contributing factor within {result.window_days} days)"]
    if result.recurrences:
        rows = [
            [
                r.later.id,
                r.earlier.id,
                str(r.days),
                _line(", ".join(r.services)),
                _line(", ".join(r.factors)),
                _fixed_text(r.fixed_before),
            ]
            for r in result.recurrences
        ]
        lines += _aligned(["later", "repeats", "days", "services", "factors", "fixed before"], rows)
    else:
        lines.append("  (none)")
    return "\n".join(lines)


# -- Markdown for an issue -----------------------------------------------------------------
def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def as_markdown(result: Insights) -> str:
    since = f" since {result.since.isoformat()}" if result.since else ""
    today = result.today.isoformat() if result.today else ""
    lines = [f"## Post-mortem insights as of {today}{since}", "", f"{result.incidents} incident(s) counted."]
    for s in figures(result):
        lines += ["", f"### {md_text(s.title)}" + (f" ({md_text(s.unit)})" if s.unit else ""), ""]
        if s.labels:
            header = ["", *(md_text(k) for k in s.series)]
            lines += _md_table(
                header,
                [[md_text(label), *(value_text(v[i]) for v in s.series.values())] for i, label in enumerate(s.labels)],
            )
        else:
            lines.append("None.")
        if s.note:
            lines += ["", f"_{md_text(s.note)}_"]
    for r in result.recurring:
        lines += ["", f"### Most recurring {md_text(r.title.lower())}", ""]
        width = max(len(r.last_12_months), len(r.all_time))
        rows = []
        for i in range(width):
            recent = r.last_12_months[i] if i < len(r.last_12_months) else ("", 0)
            always = r.all_time[i] if i < len(r.all_time) else ("", 0)
            rows.append(
                [
                    md_text(recent[0]),
                    str(recent[1]) if recent[0] else "",
                    md_text(always[0]),
                    str(always[1]) if always[0] else "",
                ]
            )
        lines += _md_table(["Last 12 months", "Incidents", "All time", "Incidents"], rows) if rows else ["None."]
    lines += ["", "### Learned but not fixed", ""]
    if result.learned_not_fixed:
        lines += _md_table(
            ["Factor", "Incidents", "Post-mortems"],
            [
                [md_text(f), str(len(docs)), ", ".join(md_text(d.id) for d in docs)]
                for f, docs in result.learned_not_fixed
            ],
        )
    else:
        lines.append("None.")
    lines += ["", f"### Recurrences (within {result.window_days} days)", ""]
    if result.recurrences:
        lines += _md_table(
            ["Later", "Repeats", "Days", "Services", "Factors", "Fixed before"],
            [
                [
                    md_text(r.later.id),
                    md_text(r.earlier.id),
                    str(r.days),
                    md_text(", ".join(r.services)),
                    md_text(", ".join(r.factors)),
                    _fixed_text(r.fixed_before),
                ]
                for r in result.recurrences
            ],
        )
    else:
        lines.append("None.")
    lines += ["", f"_Generated by `postmortems stats` on {today}._"]
    return "\n".join(lines)


def render(fmt: str, result: Insights) -> str:
    if fmt == "json":
        return as_json(result)
    if fmt == "md":
        return as_markdown(result)
    return as_table(result)
