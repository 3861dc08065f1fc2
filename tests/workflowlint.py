"""The three offline validators of GitHub workflows and actions, run as the tests' subprocesses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

BIN = Path(sys.executable).parent


def tool(name: str, *args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The venv's `name` (next to this Python) run in `cwd`, output captured."""
    return subprocess.run(
        [str(BIN / name), *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def assert_valid(workflows: list[Path], actions: list[Path], cwd: Path) -> None:
    """check-jsonschema (the published schemas), actionlint and zizmor --offline all pass."""
    for path in workflows:
        done = tool("check-jsonschema", "--builtin-schema", "vendor.github-workflows", path, cwd=cwd)
        assert done.returncode == 0, f"{path}: {done.stdout}{done.stderr}"
    for path in actions:
        done = tool("check-jsonschema", "--builtin-schema", "vendor.github-actions", path, cwd=cwd)
        assert done.returncode == 0, f"{path}: {done.stdout}{done.stderr}"
    done = tool("actionlint", "-no-color", *workflows, cwd=cwd)
    assert done.returncode == 0, done.stdout + done.stderr
    done = tool("zizmor", "--offline", "--no-progress", *workflows, *actions, cwd=cwd)
    assert done.returncode == 0, done.stdout + done.stderr


def steps(path: Path) -> list[dict[str, Any]]:
    """Every step of a workflow (all jobs) or of a composite action."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if "runs" in data:
        return list(data["runs"].get("steps", []))
    return [step for job in data["jobs"].values() for step in job.get("steps", [])]


def scripts(path: Path) -> list[str]:
    """The shell of every `run:` and the JavaScript of every github-script `script:`."""
    found = []
    for step in steps(path):
        if "run" in step:
            found.append(step["run"])
        if str(step.get("uses", "")).startswith("actions/github-script@"):
            found.append(step.get("with", {}).get("script", ""))
    return found


def uses(path: Path) -> list[str]:
    return [step["uses"] for step in steps(path) if "uses" in step]
