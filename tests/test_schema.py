"""`postmortems schema` is a valid JSON Schema that agrees with the loader on real files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from mkdocs_postmortems.cli import main
from mkdocs_postmortems.load import discover
from mkdocs_postmortems.settings import from_mkdocs_yml

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = discover(from_mkdocs_yml(ROOT / "mkdocs.yml"))


def printed_schema() -> dict[str, Any]:
    result = CliRunner().invoke(main, ["--config", str(ROOT / "mkdocs.yml"), "schema"])
    assert result.exit_code == 0, result.output
    schema: dict[str, Any] = json.loads(result.output)
    return schema


def as_json(value: Any) -> Any:
    """Front matter as a JSON document would carry it: dates and times as ISO strings."""
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, dt.date):  # datetime included
        return value.isoformat()
    return value


def front_matter(path: Path) -> Any:
    text = path.read_text(encoding="utf-8-sig")
    return as_json(yaml.safe_load(text.split("---", 2)[1]))


def validator() -> jsonschema.Draft202012Validator:
    schema = printed_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def test_schema_is_a_valid_json_schema() -> None:
    schema = printed_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert {"title", "date", "severity"} <= set(schema["required"])


def test_example_site_has_files_to_validate() -> None:
    assert len(EXAMPLES) >= 6


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_schema_accepts_every_example_file(path: Path) -> None:
    errors = list(validator().iter_errors(front_matter(path)))
    assert errors == []


def test_schema_rejects_what_the_loader_rejects() -> None:
    check = validator()
    base = front_matter(EXAMPLES[0])
    assert check.is_valid(base)
    for change in (
        {"severity": "SEV9"},
        {"status": "final"},
        {"serverity": "SEV1"},
        {"date": "2026-02-30"},
        {"title": 12},
        {"impact": {"users_affected": -1}},
        {"action_items": [{"action": "x", "ticket": "javascript:alert(1)"}]},
        {"action_items": [{"action": "x", "priority": "P7"}]},
        {"related": ["Not A Slug"]},
    ):
        assert not check.is_valid({**base, **change}), change
    assert check.is_valid({**base, "x-team": {"anything": True}})  # extensions are allowed
