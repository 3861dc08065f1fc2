"""Insights across incidents (metrics.py) and `postmortems stats`, on a corpus with a fixed today.

Every expected number below is worked out by hand from the corpus (TODAY = 2026-11-25; the
month window is 2024-12 .. 2026-11), never computed a second way by the code under test.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from mkdocs_postmortems import stats_report
from mkdocs_postmortems.catalog import Catalog
from mkdocs_postmortems.load import discover, load_all
from mkdocs_postmortems.metrics import Insights, insights, p90, recurrence_index, recurrences_of
from mkdocs_postmortems.settings import Settings
from sitebuild import incident, invoke, write_site

TODAY = dt.date(2026, 11, 25)
D = dt.date


def pm(title: str, date: dt.date, severity: str, **fields: Any) -> str:
    extra = yaml.safe_dump(fields, sort_keys=False, allow_unicode=True) if fields else ""
    return incident(title, date.isoformat(), severity, extra=extra)


def item(status: str = "open", **fields: Any) -> dict[str, Any]:
    return {"action": "Add a check with a 5 minute timeout", "owner": "@sre", "status": status, **fields}


FILES = {
    # ttd 0.5 h, ttm 1 h, ttr 4 h; review not yet due (2026-12-10)
    "a.md": pm(
        "A",
        D(2026, 11, 10),
        "SEV1",
        services=["api"],
        contributing_factors=["deploy"],
        started="2026-11-10T10:00:00Z",
        detected="2026-11-10T10:30:00Z",
        mitigated="2026-11-10T11:00:00Z",
        resolved="2026-11-10T14:00:00Z",
        action_items=[item(due=D(2026, 12, 1), kind="prevent", addresses="deploy")],
    ),
    # ttd 1 h, ttm 3 h, ttr 6 h; reviewed on time; spelled `Deploy`
    "b.md": pm(
        "B",
        D(2026, 10, 1),
        "SEV2",
        services=["api"],
        tags=["db", "network"],
        contributing_factors=["Deploy"],
        started="2026-10-01T00:00:00Z",
        detected="2026-10-01T01:00:00Z",
        mitigated="2026-10-01T03:00:00Z",
        resolved="2026-10-01T06:00:00Z",
        reviewed=D(2026, 10, 20),
        action_items=[
            item("done", due=D(2026, 10, 10), completed=D(2026, 10, 5), kind="detect", addresses="Deploy"),
            item("done", due=D(2026, 10, 10), completed=D(2026, 10, 15), kind="process"),
            item(due=D(2026, 12, 20)),
        ],
    ),
    # only `started`: left out of TTD/TTM/TTR; review overdue; 90 days before A, other factor
    "c.md": pm(
        "C",
        D(2026, 8, 12),
        "SEV2",
        services=["API"],
        contributing_factors=["capacity"],
        started="2026-08-12T09:00:00Z",
        action_items=[
            item("in-progress", due=D(2026, 9, 1), kind="mitigate", addresses="capacity"),
            item("wont-do", addresses="capacity"),
        ],
    ),
    # reviewed late (due 2026-08-02); a done item without `completed`
    "d.md": pm(
        "D",
        D(2026, 7, 3),
        "SEV3",
        services=["web"],
        contributing_factors=["deploy"],
        reviewed=D(2026, 8, 20),
        action_items=[item("done", due=D(2026, 8, 1), kind="detect", addresses="deploy")],
    ),
    # the window's edges: g2 is day 90 after g1 (in), g3 day 91 (out); g2/g3 share no factor
    "g1.md": pm(
        "G1",
        D(2025, 6, 1),
        "SEV3",
        services=["queue"],
        contributing_factors=["config", "timeouts"],
        action_items=[item(due=D(2025, 7, 1), addresses="config")],
    ),
    "g2.md": pm(
        "G2",
        D(2025, 8, 30),
        "SEV3",
        services=["queue"],
        contributing_factors=["config"],
        action_items=[item("wont-do", addresses="config")],
    ),
    "g3.md": pm("G3", D(2025, 8, 31), "SEV3", services=["queue"], contributing_factors=["timeouts"]),
    "i.md": pm("I", D(2023, 5, 5), "SEV4", services=["web"], tags=["db"], action_items=[item()]),
    "j.md": pm("J", D(2024, 3, 3), "SEV1"),
    # the day before the month window: per year; ttd 3 h, ttm 3 h, ttr 12 h
    "k.md": pm(
        "K",
        D(2024, 11, 30),
        "SEV2",
        started="2024-11-30T12:00:00Z",
        detected="2024-11-30T15:00:00Z",
        mitigated="2024-11-30T15:00:00Z",
        resolved="2024-12-01T00:00:00Z",
        action_items=[item("done", due=D(2024, 12, 31), completed=D(2024, 12, 20), kind="prevent")],
    ),
    # ttd 2 h, ttm 2 h, no `resolved`
    "m.md": pm(
        "M",
        D(2026, 10, 20),
        "SEV4",
        services=["db"],
        contributing_factors=["disk"],
        started="2026-10-20T00:00:00Z",
        detected="2026-10-20T02:00:00Z",
        mitigated="2026-10-20T02:00:00Z",
    ),
    # reviewed on its due day (2026-04-09): on time
    "n.md": pm("N", D(2026, 3, 10), "SEV4", reviewed=D(2026, 4, 9), action_items=[item()]),
    # repeats M after 31 days; M had no item addressing `disk`
    "o.md": pm("O", D(2026, 11, 20), "SEV4", services=["db"], contributing_factors=["disk"]),
    # a draft: counts nowhere (it would repeat B and be repeated by A)
    "h.md": pm(
        "H",
        D(2026, 11, 1),
        "SEV1",
        status="draft",
        services=["api"],
        contributing_factors=["deploy"],
        started="2026-11-01T00:00:00Z",
        detected="2026-11-01T05:00:00Z",
        action_items=[item()],
    ),
}
MONTHS = [
    f"{y}-{m:02d}" for y, m in [(2024, 12), *((2025, m) for m in range(1, 13)), *((2026, m) for m in range(1, 12))]
]
QUARTERS = [f"{y} Q{q}" for y in range(2023, 2027) for q in range(1, 5)][1:]  # 2023 Q2 .. 2026 Q4


def at(month: str, **values: int) -> dict[str, int]:
    return {month: 1, **values}


def monthly(counts: dict[str, int]) -> list[int]:
    return [counts.get(m, 0) for m in MONTHS]


def quarterly(values: dict[str, float]) -> list[float | None]:
    return [values.get(q) for q in QUARTERS]


def load(root: Path, **options: Any) -> tuple[Catalog, Settings]:
    settings = Settings.model_validate(
        {"docs_dir": root / "postmortems", "config_dir": root, "today": TODAY, **options}
    )
    docs = load_all(discover(settings), settings, root)
    assert all(d.meta is not None for d in docs), [f.as_text() for d in docs for f in d.findings]
    return Catalog(docs, settings, settings.resolve_today()), settings


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("metrics")
    write_site(root, FILES)
    return root


@pytest.fixture(scope="module")
def result(root: Path) -> Insights:
    catalog, settings = load(root)
    return insights(catalog, settings)


def test_counts_published_incidents_only(result: Insights) -> None:
    assert result.incidents == 13  # 14 files, the draft H left out
    assert result.today == TODAY
    assert result.window_days == 90


def test_incidents_per_month_by_severity(result: Insights) -> None:
    s = result.incidents_by_month
    assert s.labels == MONTHS
    assert s.unit == "incidents"
    assert s.series == {
        "SEV1": monthly({"2026-11": 1}),  # A (the draft H is not counted)
        "SEV2": monthly({"2026-10": 1, "2026-08": 1}),  # B, C
        "SEV3": monthly({"2026-07": 1, "2025-06": 1, "2025-08": 2}),  # D, G1, G2 + G3
        "SEV4": monthly({"2026-10": 1, "2026-11": 1, "2026-03": 1}),  # M, O, N
    }


def test_incidents_per_year_before_the_window(result: Insights) -> None:
    s = result.incidents_by_year
    assert s.labels == ["2023", "2024"]  # I; J and K (2024-11-30, the day before the window)
    assert s.series == {"SEV1": [0, 1], "SEV2": [0, 1], "SEV3": [0, 0], "SEV4": [1, 0]}


def test_time_to_detect_mitigate_resolve_per_quarter(result: Insights) -> None:
    # 2026 Q4: TTD A 0.5, B 1, M 2 -> median 1; p90 at rank 1 + 0.9 * 2 = 2.8 of 3 -> 1 + 0.8 * 1 = 1.8
    assert result.ttd.labels == QUARTERS
    assert result.ttd.unit == "hours"
    assert result.ttd.series == {
        "median": quarterly({"2026 Q4": 1.0, "2024 Q4": 3.0}),
        "p90": quarterly({"2026 Q4": 1.8, "2024 Q4": 3.0}),  # one value: p90 is that value
    }
    # TTM: A 1, B 3, M 2 -> median 2, p90 2 + 0.8 * 1 = 2.8
    assert result.ttm.series == {
        "median": quarterly({"2026 Q4": 2.0, "2024 Q4": 3.0}),
        "p90": quarterly({"2026 Q4": 2.8, "2024 Q4": 3.0}),
    }
    # TTR: A 4, B 6 (M has no `resolved`) -> median 5, p90 4 + 0.9 * 2 = 5.8; K 12
    assert result.ttr.series == {
        "median": quarterly({"2026 Q4": 5.0, "2024 Q4": 12.0}),
        "p90": quarterly({"2026 Q4": 5.8, "2024 Q4": 12.0}),
    }
    # C (started only), D, G1, G2, G3, I, J, N, O have no started/detected; M also no resolved
    assert result.ttd.note == "9 incident(s) without started/detected are left out"
    assert result.ttm.note == "9 incident(s) without started/mitigated are left out"
    assert result.ttr.note == "10 incident(s) without started/resolved are left out"


def test_p90_rule() -> None:
    assert p90([7.0]) == 7.0
    assert p90([1.0, 2.0]) == pytest.approx(1.9)
    assert p90([float(v) for v in range(1, 11)]) == pytest.approx(9.1)  # 1 + 0.9 * 9 = 9.1


def test_items_created_and_done_per_month(result: Insights) -> None:
    s = result.items_created_done
    assert s.labels == MONTHS
    assert s.series == {
        # by the incident's month: A 1, B 3, C 2, D 1, N 1, G1 1, G2 1 (K and I are before the window)
        "created": monthly(
            {"2026-11": 1, "2026-10": 3, "2026-08": 2, "2026-07": 1, "2026-03": 1, "2025-06": 1, "2025-08": 1}
        ),
        # by `completed`: B's two in 2026-10, K's in 2024-12; D's has no date
        "done": monthly({"2026-10": 2, "2024-12": 1}),
    }
    assert s.note == "1 done item(s) without a `completed` date are not counted as done"


def test_on_time_rate_per_quarter_of_completion(result: Insights) -> None:
    # 2026 Q4: B's first on time, its second late -> 50 %; 2024 Q4: K's on time -> 100 %
    assert result.on_time_rate.series == {"on time": quarterly({"2026 Q4": 50.0, "2024 Q4": 100.0})}
    assert result.on_time_rate.unit == "%"


def test_open_items_by_age_band(result: Insights) -> None:
    s = result.open_by_age
    assert s.labels == ["0–30 days", "31–90 days", "91–180 days", "181–365 days", "over 365 days"]
    # A 15 days, B 55, C (in progress) 105, N 260, G1 542 and I 1300: wont-do and done not open
    assert s.series == {"open": [1, 1, 1, 1, 2]}


def test_kinds(result: Insights) -> None:
    s = result.kinds
    assert s.labels == ["prevent", "detect", "mitigate", "process", "none"]
    # prevent A, K; detect B, D; mitigate C; process B; none B, C, G1, G2, I, N
    assert s.series == {"items": [2, 2, 1, 1, 6]}
    assert s.note == "prevent 17%, detect 17%, mitigate 8%, process 8%, none 50%"


def test_effectiveness_reviews(result: Insights) -> None:
    s = result.reviews
    assert s.labels == ["held on time", "held late", "overdue"]
    # on time B, N (on its due day); late D; overdue C, M, G1, G2, G3, I, J, K; not due A, O
    assert s.series == {"reviews": [2, 1, 8]}
    assert s.note == "2 not yet due"


def test_most_recurring_terms(result: Insights) -> None:
    services, tags, factors = result.recurring
    assert (services.title, tags.title, factors.title) == ("Services", "Tags", "Contributing factors")
    # `API` (C) is `api`; the last 12 months start 2025-12-01; ties by name
    assert services.all_time == [("api", 3), ("queue", 3), ("db", 2), ("web", 2)]
    assert services.last_12_months == [("api", 3), ("db", 2), ("web", 1)]
    assert tags.all_time == [("db", 2), ("network", 1)]
    assert tags.last_12_months == [("db", 1), ("network", 1)]
    # `Deploy` (B) is `deploy`, shown in its most used spelling
    assert factors.all_time == [("deploy", 3), ("config", 2), ("disk", 2), ("timeouts", 2), ("capacity", 1)]
    assert factors.last_12_months == [("deploy", 3), ("disk", 2), ("capacity", 1)]


def test_rankings_keep_the_top_ten(tmp_path: Path) -> None:
    files = {f"s{n:02d}.md": pm(f"S{n}", D(2026, 1, 1 + n), "SEV2", services=[f"svc-{n:02d}"]) for n in range(12)}
    files["extra.md"] = pm("Extra", D(2026, 2, 1), "SEV2", services=["svc-11"])
    write_site(tmp_path, files)
    services = insights(*load(tmp_path)).recurring[0]
    assert services.all_time == [("svc-11", 2)] + [(f"svc-{n:02d}", 1) for n in range(9)]


def test_learned_but_not_fixed(result: Insights) -> None:
    found = [(factor, [d.id for d in docs]) for factor, docs in result.learned_not_fixed]
    # config: G1 (open) and G2 (wont-do); capacity: C (in progress, overdue, and wont-do);
    # deploy: A (open). B and D addressed theirs (done); G3, M, O have no addressing item.
    assert found == [("config", ["g2", "g1"]), ("capacity", ["c"]), ("deploy", ["a"])]


def test_recurrences(result: Insights) -> None:
    found = [(r.earlier.id, r.later.id, r.services, r.factors, r.days, r.fixed_before) for r in result.recurrences]
    assert found == [
        # O repeats M after 31 days; M had no item addressing `disk`
        ("m", "o", ("db",), ("disk",), 31, None),
        # A repeats B (`Deploy` is `deploy`); B's item was done on 10-05, before A's date
        ("b", "a", ("api",), ("deploy",), 40, True),
        # G2 is day 90 after G1: in; G1's item addressing `config` is still open
        ("g1", "g2", ("queue",), ("config",), 90, False),
    ]
    # not recurrences: C -> A (day 90, same service, other factor), G1 -> G3 (day 91),
    # G2 -> G3 (no shared factor), and anything with the draft H
    catalog_ids = {r.later.id for r in result.recurrences} | {r.earlier.id for r in result.recurrences}
    assert "h" not in catalog_ids and "c" not in catalog_ids and "g3" not in catalog_ids


def test_recurrences_of(result: Insights) -> None:
    a = next(r.later for r in result.recurrences if r.later.id == "a")
    assert [r.earlier.id for r in recurrences_of(result, a)] == ["b"]
    b = next(r.earlier for r in result.recurrences if r.earlier.id == "b")
    assert recurrences_of(result, b) == []
    rebuilt = Insights(**{**result.__dict__, "by_later": {}})
    assert recurrences_of(rebuilt, a) == recurrences_of(result, a)


def test_an_incident_alone_gets_the_repeats_the_figures_give_it(root: Path) -> None:
    """Incident pages find their repeats one incident at a time (RecurrenceIndex), without the
    figures of the insights page: the same lists, in the same order, for every incident."""
    catalog, settings = load(root)
    result = insights(catalog, settings)
    index = recurrence_index(catalog, settings)
    assert [r.earlier.id for r in index.of(catalog.by_id["a"])] == ["b"]  # worked out by hand above
    assert {d.id: index.of(d) for d in catalog.visible} == {d.id: recurrences_of(result, d) for d in catalog.visible}
    narrow, settings = load(root, recurrence_window_days=1)
    assert all(recurrence_index(narrow, settings).of(d) == [] for d in narrow.visible)


def test_window_edges(tmp_path: Path) -> None:
    base = D(2025, 1, 1)  # day 391 is 2026-01-27, before today

    def at(days: int, factor: str = "deploy", service: str = "api") -> str:
        return pm(
            f"At {days}", base + dt.timedelta(days=days), "SEV2", services=[service], contributing_factors=[factor]
        )

    write_site(tmp_path, {"e0.md": at(0), "e90.md": at(90), "e300.md": at(300), "e391.md": at(391)})
    catalog, settings = load(tmp_path)
    pairs = [(r.earlier.id, r.later.id, r.days) for r in insights(catalog, settings).recurrences]
    assert pairs == [("e0", "e90", 90)]  # day 90 in; e300 -> e391 is day 91: out

    narrow, settings = load(tmp_path, recurrence_window_days=89)
    assert insights(narrow, settings).recurrences == []
    wide, settings = load(tmp_path, recurrence_window_days=91)
    assert [(r.earlier.id, r.later.id) for r in insights(wide, settings).recurrences] == [
        ("e300", "e391"),
        ("e0", "e90"),
    ]


def test_same_service_other_factor_is_no_recurrence(tmp_path: Path) -> None:
    write_site(
        tmp_path,
        {
            "x.md": pm("X", D(2026, 1, 1), "SEV2", services=["api"], contributing_factors=["deploy"]),
            "y.md": pm("Y", D(2026, 1, 5), "SEV2", services=["api"], contributing_factors=["capacity"]),
            "z.md": pm("Z", D(2026, 1, 6), "SEV2", services=["web"], contributing_factors=["deploy"]),
        },
    )
    assert insights(*load(tmp_path)).recurrences == []


def test_window_option_is_bounded() -> None:
    assert Settings().recurrence_window_days == 90
    for bad in (0, 3661, "90"):
        with pytest.raises(ValueError):
            Settings.model_validate({"recurrence_window_days": bad})


def test_drafts_count_when_the_site_shows_them(root: Path) -> None:
    catalog, settings = load(root, show_drafts=True)
    found = insights(catalog, settings)
    assert found.incidents == 14
    assert found.incidents_by_month.series["SEV1"][-1] == 2
    assert [(r.earlier.id, r.later.id) for r in found.recurrences][:3] == [("m", "o"), ("h", "a"), ("b", "a")]


def test_since(root: Path) -> None:
    catalog, settings = load(root)
    found = insights(catalog, settings, since=D(2026, 1, 1))
    assert found.incidents == 7  # A, B, C, D, M, N, O
    assert (
        found.incidents_by_month.series["SEV4"]
        == [None] * 13 + monthly({"2026-10": 1, "2026-11": 1, "2026-03": 1})[13:]
    )
    assert found.incidents_by_year.labels == []
    assert [(r.earlier.id, r.later.id) for r in found.recurrences] == [("m", "o"), ("b", "a")]
    assert found.ttd.labels == ["2026 Q1", "2026 Q2", "2026 Q3", "2026 Q4"]


def test_no_incidents(tmp_path: Path) -> None:
    write_site(tmp_path, {})
    found = insights(*load(tmp_path))
    assert found.incidents == 0
    assert found.ttd.labels == [] and found.recurrences == [] and found.learned_not_fixed == []
    assert found.incidents_by_month.series["SEV1"] == [0] * 24
    for fmt in stats_report.FORMATS:
        assert stats_report.render(fmt, found)


# -- `postmortems stats` through the real command ------------------------------------------
@pytest.mark.parametrize("fmt", stats_report.FORMATS)
def test_stats_agrees_with_insights(root: Path, result: Insights, fmt: str) -> None:
    run = invoke(root, "stats", "--format", fmt)
    assert run.exit_code == 0, run.output
    assert run.stdout == stats_report.render(fmt, result) + "\n"


def test_stats_json(root: Path) -> None:
    run = invoke(root, "stats", "--format", "json")
    data = json.loads(run.stdout)
    assert data["today"] == "2026-11-25" and data["incidents"] == 13
    assert data["ttd"]["series"]["median"][-1] == 1.0
    assert data["reviews"]["series"] == {"reviews": [2, 1, 8]}
    assert data["recurrences"][1]["earlier"]["id"] == "b" and data["recurrences"][1]["fixed_before"] is True
    assert data["learned_not_fixed"][0] == {
        "factor": "config",
        "incidents": [
            {"id": "g2", "title": "G2", "date": "2025-08-30"},
            {"id": "g1", "title": "G1", "date": "2025-06-01"},
        ],
    }


def test_stats_table_and_markdown(root: Path) -> None:
    table = invoke(root, "stats").stdout
    assert "Insights as of 2026-11-25: 13 incident(s)" in table
    assert "2026 Q4  1       1.8" in table
    assert [line.split() for line in table.splitlines() if line.startswith("a ")] == [
        ["a", "b", "40", "api", "deploy", "yes"]  # later A repeats B
    ]
    md = invoke(root, "stats", "--format", "md").stdout
    assert "| 2026 Q4 | 50 |" in md
    assert "| a | b | 40 | api | deploy | yes |" in md
    assert "| o | m | 31 | db | disk | no addressing items |" in md


def test_stats_since(root: Path) -> None:
    run = invoke(root, "stats", "--since", "2026-01-01", "--format", "json")
    assert json.loads(run.stdout)["incidents"] == 7
    bad = invoke(root, "stats", "--since", "1800-01-01")
    assert bad.exit_code == 2


def test_stats_markdown_escapes_names(tmp_path: Path) -> None:
    write_site(
        tmp_path,
        {"x.md": pm("X", D(2026, 1, 1), "SEV2", services=["<b>[x](javascript:alert)</b>"], contributing_factors=["f"])},
    )
    md = invoke(tmp_path, "stats", "--format", "md").stdout
    assert "<b>" not in md and "](javascript" not in md
    assert "\\<b\\>\\[x\\]\\(javascript:alert\\)\\</b\\>" in md
