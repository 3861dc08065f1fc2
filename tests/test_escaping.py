"""Every string from front matter is escaped wherever it reaches HTML, on every page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from sitebuild import article, build_site, incident, write_site

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    '"><svg onload=alert(3)>',
    "javascript:alert(4)",
    "[click](javascript:alert(5))",
    "' onmouseover='alert(6)",
]
HOSTILE = " ".join(PAYLOADS)


def quoted(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid YAML double-quoted string


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    factor = HOSTILE
    extra = (
        f"summary: {quoted(HOSTILE)}\n"
        f"services: [{quoted(HOSTILE)}, checkout]\n"
        f"tags: [{quoted(HOSTILE)}, {quoted(PAYLOADS[1])}]\n"
        f"authors: [{quoted(HOSTILE)}]\n"
        f"contributing_factors: [{quoted(factor)}]\n"
        f"impact: {{description: {quoted(HOSTILE)}, users_affected: 3}}\n"
        "action_items:\n"
        f"  - action: {quoted(HOSTILE + ' 5 times')}\n"
        f"    owner: {quoted(HOSTILE)}\n"
        "    due: 2026-01-01\n"
        f"    addresses: {quoted(factor)}\n"
        "    ticket: https://tracker.example/browse/X-1?q=%3Cscript%3E\n"
        "related: [plain]\n"
    )
    files = {
        "2026/evil.md": incident(quoted(HOSTILE), extra=extra),
        "2026/plain.md": incident("Plain", extra=f"services: [checkout]\ntags: [{quoted(PAYLOADS[1])}]\n"),
        # Invalid: the ticket is refused, so this one is listed with its errors, still escaped.
        "2026/invalid.md": incident(
            quoted(HOSTILE), extra=f"action_items:\n  - action: x\n    ticket: {quoted('javascript:alert(7)')}\n"
        ),
    }
    config = write_site(root, files, options="      people: []\n", extra="  - tags\n")
    return build_site(config)


def html_files(site: Path) -> list[Path]:
    files = sorted(site.rglob("*.html"))
    assert len(files) > 10
    return files


def test_no_payload_becomes_markup_on_any_page(site: Path) -> None:
    for path in html_files(site):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for script in soup.find_all("script"):
            assert "alert(" not in script.get_text(), path
        for element in soup.find_all(True):
            for name, value in element.attrs.items():
                assert not name.lower().startswith("on"), (path, element.name, name)
                if name in ("href", "src", "action"):
                    assert not str(value).strip().lower().startswith("javascript:"), (path, value)
        assert soup.select("img[src=x]") == [], path
        assert soup.select("svg[onload]") == [], path


def test_payloads_are_shown_as_text(site: Path) -> None:
    body = article(site, "2026/evil")
    assert body.h1 is not None and body.h1.get_text() == HOSTILE
    text = body.get_text()
    assert text.count("<script>alert(1)</script>") >= 5  # title, summary, author, impact, action, owner...
    title = BeautifulSoup((site / "2026/evil/index.html").read_text(), "html.parser").title
    assert title is not None and title.get_text().startswith(HOSTILE)


def test_invalid_post_mortem_is_escaped_too(site: Path) -> None:
    body = article(site, "2026/invalid")
    assert body.h1 is not None and body.h1.get_text() == HOSTILE
    assert "javascript:alert(7)" in body.get_text()  # the error quotes it, as text


def test_tag_and_term_pages_escape_names(site: Path) -> None:
    for url in ("tags", "services", "factors", "incidents", ""):
        text = article(site, url).get_text()
        assert PAYLOADS[1] in text, url


@pytest.mark.parametrize("opener", ["<script>", "<style>", "<textarea>", "<title>", "<iframe src=x>"])
def test_an_unclosed_raw_text_tag_does_not_take_the_rest_of_the_page(tmp_path: Path, opener: str) -> None:
    """Sanitising drops a script with its text up to `</script>`; one never closed would take the
    rest of the page with it, silently. It shows as text instead, and the page stays whole."""
    body = (
        f"## Notes on {opener} in a heading\n\nKEPT-AFTER-THE-HEADING\n\nA paragraph {opener} too.\n\nKEPT-AT-THE-END\n"
    )
    config = write_site(tmp_path, {"2026-05-01-open-tag.md": incident("Open tag", body=body)})
    content = article(build_site(config), "2026-05-01-open-tag/")
    text = content.get_text()
    assert "KEPT-AFTER-THE-HEADING" in text and "KEPT-AT-THE-END" in text
    assert opener in text  # as written, shown as text
    assert content.find(opener.strip("<>").split()[0]) is None  # and never an element
