"""The C-YAML floor of `postmortems check`: read every post-mortem, parse its front matter, nothing else.

No validation, no checks, no git: a process that only reads each `.md` file under DOCS (as
UTF-8) and parses the YAML between its first two `---` lines with PyYAML's C loader
(`yaml.CSafeLoader`). No check can be faster than this, which is what benchmarks/run.py compares
`postmortems check` with. It prints how many front matters it parsed.

    .venv/bin/python benchmarks/floor.py /tmp/realistic/postmortems
"""

from __future__ import annotations

import os
import sys

import yaml


def front_matter(text: str) -> str | None:
    """The text between the opening `---` line and the next `---` line; None without one."""
    text = text.removeprefix("\ufeff")
    if not text.startswith("---"):
        return None
    start = text.find("\n") + 1
    end = text.find("\n---", start - 1)
    return None if start == 0 or end < 0 else text[start : end + 1]


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} DOCS")
    parsed = 0
    for folder, subfolders, names in os.walk(sys.argv[1]):
        subfolders.sort()
        for name in sorted(names):
            if not name.endswith(".md"):
                continue
            with open(os.path.join(folder, name), encoding="utf-8") as file:
                block = front_matter(file.read())
            if block is not None:
                yaml.load(block, Loader=yaml.CSafeLoader)
                parsed += 1
    print(parsed)


if __name__ == "__main__":
    main()
