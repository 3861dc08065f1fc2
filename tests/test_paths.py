"""How a file is named in findings (display_path) and whether a docs path is a post-mortem
(is_postmortem_path): their string fast paths give what os.path.relpath and PurePosixPath give."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from hypothesis import given, settings
from hypothesis import strategies as st

from mkdocs_postmortems.load import NOT_POSTMORTEMS, display_path, is_postmortem_path

_parts = st.lists(st.sampled_from(["a", "b", ".", "..", "", "_x", ".h", "x.md", "README.md", "Index.md"]), max_size=5)


@settings(max_examples=1000, deadline=None)
@given(_parts, _parts, st.booleans(), st.sampled_from(["/", "//"]))
def test_a_path_is_shown_relative_to_the_folder_as_relpath_gives_it(
    path_parts: list[str], root_parts: list[str], absolute: bool, root_start: str
) -> None:
    path = Path(("/" if absolute else "") + "/".join(path_parts))
    root = Path(root_start + "/".join(root_parts))
    expected = Path(os.path.relpath(path, root)).as_posix() if path.is_absolute() else path.as_posix()
    assert display_path(path, root) == expected


@settings(max_examples=1000, deadline=None)
@given(_parts, st.booleans())
def test_a_post_mortem_path_is_judged_on_its_parts_as_pathlib_splits_them(parts: list[str], absolute: bool) -> None:
    relative = ("/" if absolute else "") + "/".join(parts)
    pure = PurePosixPath(relative).parts
    expected = (
        relative.endswith(".md")
        and pure[-1].lower() not in NOT_POSTMORTEMS
        and not any(part.startswith(("_", ".")) for part in pure)
    )
    assert is_postmortem_path(relative) == expected


def test_the_paths_of_a_repository_are_shown_below_it() -> None:
    root = Path("/work/repo")
    assert display_path(root / "postmortems" / "2026" / "a.md", root) == "postmortems/2026/a.md"
    assert display_path(Path("/elsewhere/a.md"), root) == "../../elsewhere/a.md"
    assert not is_postmortem_path("postmortems/_drafts/a.md")
    assert is_postmortem_path("postmortems/2026/a.md")
