"""Fixtures every browser test module shares. Each module still calls browsing.require_chromium()
first, so it is skipped (or fails in CI) without Chromium before this fixture is asked for."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from browsing import chromium


@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[Browser]:
    """One headless Chromium for the module's tabs."""
    with chromium() as browser:
        yield browser
