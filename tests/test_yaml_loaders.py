"""libyaml (yaml.CSafeLoader) and the pure-Python SafeLoader read front matter the same way in
yamlsafe: the same values, the same lines and the same texts as written; errors are worded by
the pure-Python loader whichever composed first."""

from __future__ import annotations

import pytest
import yaml

from mkdocs_postmortems import yamlsafe
from sitebuild import ROOT

CASES = [
    "title: Caf\u00e9 \U0001f600 outage\ndate: 2026-05-01\ntags: [2147483647, no, '1.10', 1.10]\n",
    "a: &x [1, 2]\nb: *x\nc:\n  - {d: 2026-01-01T10:00:00Z}\n  - e: |\n      two\n      lines\n",
    "services: [no]\nimpact:\n  users_affected: 12\n  customer_facing: yes\n",
]


def fronts() -> list[str]:
    texts = list(CASES)
    for path in sorted((ROOT / "postmortems").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        if text.startswith("---\n"):
            texts.append(text[4 : text.index("\n---", 4) + 1])
    return texts


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML without libyaml")
@pytest.mark.parametrize("text", fronts())
def test_both_loaders_give_the_same_values_and_lines(text: str) -> None:
    lines = yamlsafe._Lines(text)
    fast = yamlsafe._load(text, lines, yamlsafe._CLoader)
    slow = yamlsafe._load(text, lines, yamlsafe._Loader)
    assert fast[0] == slow[0]
    assert (fast[1].keys, fast[1].values, fast[1].texts) == (slow[1].keys, slow[1].values, slow[1].texts)
    assert fast[1].texts or "2147483647" not in text


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a: 1\nb: [1, 2\nc: 3\n", 3),  # unclosed flow sequence
        ("a: 1\na: 2\n", 2),  # duplicate key: ours
        ("a: 1\nb: \u2028x\nc: d: e\n", 3),  # U+2028 is a line break for libyaml only
        ("a: !!python/object:os.system x\n", 1),
    ],
)
def test_errors_are_located_as_the_pure_python_loader_locates_them(text: str, line: int) -> None:
    with pytest.raises(yamlsafe.YamlProblem) as caught:
        yamlsafe.load(text)
    lines = yamlsafe._Lines(text)
    with pytest.raises(yamlsafe.YamlProblem) as python:
        yamlsafe._load(text, lines, yamlsafe._Loader)
    assert (caught.value.line, caught.value.message) == (python.value.line, python.value.message)
    assert caught.value.line == line
