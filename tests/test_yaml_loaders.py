"""libyaml (yaml.CSafeLoader) and the pure-Python SafeLoader read front matter the same way in
yamlsafe: the same values, the same lines and the same texts as written; errors are worded by
the pure-Python loader whichever composed first."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


# Documents _Builder reads in its one walk, and documents it leaves to the two passes.
READ_IN_ONE_WALK = [
    *CASES[::2],  # CASES[1] has an alias
    "a: !!str 12\nb: !!int '12'\nc: !!float 1\nd: ~\ne: null\nf: ''\ng: 2026-05-01 10:00:00\n",
    "- a\n- b: 2\n",  # a list, not a mapping
    "just text\n",
    "a: |\n  block\nb: >-\n  folded\n  text\nc: 'quoted: yes'\nd: \"2024\"\n",
    "a: {b: {c: {d: [1, 2, [3, {e: f}]]}}}\n",
]
LEFT_TO_THE_TWO_PASSES = [
    "a: 1\na: 2\n",  # a duplicate key
    "a:\n  <<: {x: 1}\n  y: 2\n",  # a merge key
    "a:\n  - b: 2026-02-30\nc: 2026-13-01\n",  # two impossible dates: the first reported is PyYAML's
    "a: [1, {b: !!bool maybe}]\n",
    "a: !!set {x, y}\n",
    "a: !!omap [x: 1]\n",
    "a: !custom 1\n",
    "? [a, b]\n: c\n",  # a key that is no text
    "1: a\n",
]
BUILDER_CASES = READ_IN_ONE_WALK + LEFT_TO_THE_TWO_PASSES + ["base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n"]

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False),
    st.dates(),
    st.text(max_size=12),
    st.sampled_from(["no", "yes", "1.10", "2024", "~", "null", "0o17", "0x1f", "1_000", ".inf", "2026-01-01"]),
)
_keys = st.text(min_size=1, max_size=8)
_values = st.recursive(
    _scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_keys, children, max_size=4),
    max_leaves=20,
)


def _left(text: str, loader_class: type[yaml.SafeLoader]) -> bool:
    """Whether _Builder leaves `text` to the two passes."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        assert node is not None
        return yamlsafe._Builder(loader, yamlsafe._Lines(text)).document(node) is None
    finally:
        loader.dispose()


def _read(text: str, loader_class: type[yaml.SafeLoader]) -> object:
    """What yamlsafe reads with one loader: the values and lines, or the error."""
    try:
        data, lines = yamlsafe._load(text, yamlsafe._Lines(text), loader_class)
    except yamlsafe.YamlProblem as problem:
        return "problem", problem.line, problem.message, problem.hint
    # libyaml's path raises bare errors, which send the document to the pure-Python loader
    except (ValueError, TypeError, KeyError) as exc:
        return type(exc).__name__, str(exc)
    return data, lines.keys, lines.values, lines.texts


@pytest.fixture
def two_passes_only(monkeypatch: pytest.MonkeyPatch) -> Callable[[str, type[yaml.SafeLoader]], object]:
    """_read with the one walk turned off: yamlsafe as it read every document before it."""

    def read(text: str, loader_class: type[yaml.SafeLoader]) -> object:
        with monkeypatch.context() as patch:
            patch.setattr(yamlsafe._Builder, "document", lambda self, node: None)
            return _read(text, loader_class)

    return read


LOADERS = [yamlsafe._Loader, *([yamlsafe._CLoader] if yaml.__with_libyaml__ else [])]


@pytest.mark.parametrize("loader_class", LOADERS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("text", BUILDER_CASES + fronts())
def test_the_one_walk_reads_every_document_as_the_two_passes_do(
    text: str, loader_class: type[yaml.SafeLoader], two_passes_only: Callable[[str, type[yaml.SafeLoader]], object]
) -> None:
    assert _read(text, loader_class) == two_passes_only(text, loader_class)


@pytest.mark.parametrize("loader_class", LOADERS, ids=lambda c: c.__name__)
def test_the_one_walk_reads_the_post_mortems_and_leaves_the_unusual_to_the_two_passes(
    loader_class: type[yaml.SafeLoader],
) -> None:
    assert [text for text in READ_IN_ONE_WALK + fronts() if _left(text, loader_class)] == []
    assert [text for text in LEFT_TO_THE_TWO_PASSES if not _left(text, loader_class)] == []


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_values, st.sampled_from([None, False, True]), st.integers(0, len(LOADERS) - 1))
def test_the_one_walk_reads_any_document_as_the_two_passes_do(value: object, flow: bool | None, which: int) -> None:
    text = yaml.safe_dump({"front": value}, default_flow_style=flow, allow_unicode=True)
    loader_class = LOADERS[which]
    assert not _left(text, loader_class)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(yamlsafe._Builder, "document", lambda self, node: None)
        before = _read(text, loader_class)
    assert _read(text, loader_class) == before


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="the tag cache is libyaml's loader's")
def test_a_plain_scalar_seen_before_keeps_its_type_and_the_cache_stays_bounded() -> None:
    """libyaml's loader keeps the tag of each short plain scalar it has resolved: the same text
    quoted is still text, and a file of many distinct values does not grow the cache past its
    bound."""
    first, _ = yamlsafe.load("a: yes\nb: 'yes'\nc: 2026-01-01\nd: '2026-01-01'\ne: 0x1F\nf: no-tag\n")
    again, _ = yamlsafe.load("f: 'no-tag'\nb: yes\nd: 2026-01-01\na: 'yes'\ne: '0x1F'\nc: 0x1F\n")
    day = yaml.safe_load("2026-01-01")
    assert first == {"a": True, "b": "yes", "c": day, "d": "2026-01-01", "e": 31, "f": "no-tag"}
    assert again == {"f": "no-tag", "b": True, "d": day, "a": "yes", "e": "0x1F", "c": 31}
    many = "".join(f"k{n}: v{n}\n" for n in range(2 * yamlsafe._CACHED_TAGS))
    values, _ = yamlsafe.load(many)
    assert values == {f"k{n}": f"v{n}" for n in range(2 * yamlsafe._CACHED_TAGS)}
    assert len(yamlsafe._PLAIN_TAGS) <= yamlsafe._CACHED_TAGS


TIMESTAMPS = [
    "2023-11-24",
    "2024-02-29",
    "2023-11-24T15:03:00Z",
    "2023-11-24T17:20:00+02:00",
    "2023-11-24T17:20:00-00:00",
    "2023-11-24T15:03:00+02:60",  # PyYAML adds the minutes up; the ISO parser refuses them
    "2023-11-24T15:03:00-23:59",
    "2023-11-24 15:03:00",
    "2023-11-24T15:03:00.5Z",
    "2023-1-5",
]
NOT_REAL = ["2023-02-29", "2023-13-01", "0000-01-01", "2023-11-24T24:00:00Z", "2023-11-24T10:00:00+24:00"]


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="the short way to dates is libyaml's loader's")
@pytest.mark.parametrize("value", TIMESTAMPS)
def test_dates_and_times_are_what_pyyaml_constructs(value: str) -> None:
    """libyaml's loader reads the template's dates and times by the ISO parser: the same
    value, of the same type and time zone, as PyYAML's own constructor gives."""
    want = yaml.load(f"a: {value}\n", Loader=yaml.SafeLoader)["a"]
    text = f"a: {value}\n"
    got = yamlsafe._load(text, yamlsafe._Lines(text), yamlsafe._CLoader)[0]["a"]
    assert (got, type(got), getattr(got, "tzinfo", None)) == (want, type(want), getattr(want, "tzinfo", None))


@pytest.mark.parametrize("value", NOT_REAL)
def test_a_date_that_does_not_exist_is_refused_in_pyyaml_s_words(value: str) -> None:
    with pytest.raises(ValueError) as pyyaml:
        yaml.load(f"a: {value}\n", Loader=yaml.SafeLoader)
    with pytest.raises(yamlsafe.YamlProblem) as ours:
        yamlsafe.load(f"a: {value}\n")
    assert ours.value.line == 1
    assert f"{value!r} is not a real date or time ({pyyaml.value})" in str(ours.value)


def test_a_short_text_that_recurs_is_one_object_and_a_long_one_is_not() -> None:
    """Names (services, tags, people) are one object wherever they recur, so the results of a
    chunk of files pickle each once; sentences are left as read."""
    first, _ = yamlsafe.load("services: [checkout]\nsummary: " + "long words " * 10 + "\n")
    again, _ = yamlsafe.load("owner: checkout\nsummary: " + "long words " * 10 + "\n")
    assert first["services"][0] is again["owner"]
    assert first["summary"] == again["summary"]
    assert first["summary"] is not again["summary"]
