"""Hostile repositories for the hardening tests: what a pull request could contain, as files,
front matter, bodies and symlinks, plus helpers to run `postmortems check` and to inspect a
built site (every HTML file, every relative link, every byte)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup
from click.testing import Result

from sitebuild import incident, invoke, write_site

OUTSIDE_MARKER = "OUTSIDE-THE-REPOSITORY-7f3a91"
SCRIPT_BODY = (
    "## Summary\n\nA summary.\n\n"
    "<script>alert('body-script')</script>\n\n"
    '<img src="x" onerror="alert(\'body-img\')">\n\n'
    "[click me](javascript:alert('body-link'))\n\n"
    "[attr list](https://example.org){: onclick=\"alert('attr-list')\" }\n\n"
    "<a href=\"javascript:alert('raw-a')\">raw link</a>\n\n"
    "<details><summary>Kept: details</summary>\n\nHidden text.\n\n</details>\n\n"
    "| Kept | Table |\n|:---|---:|\n| a | b |\n\n"
    "```\n<script>alert('in code: shown as text')</script>\n```\n"
)
META_HOOK = """
import json, pathlib
from mkdocs.plugins import event_priority

def _record(config, entry):
    with open(pathlib.Path(config.config_file_path).parent / "meta.jsonl", "a", encoding="utf-8") as out:
        out.write(json.dumps(entry) + "\\n")

@event_priority(100)  # before every plugin: what MkDocs itself read from the page's source
def on_page_markdown(markdown, page, config, files):
    _record(config, {"src": page.file.src_uri, "read": sorted(map(str, page.meta))})

def on_page_context(context, page, config, nav):  # what the theme gets
    _record(config, {"src": page.file.src_uri, "keys": sorted(map(str, page.meta))})
    return context
"""


def run_cli(repo: Path, *args: str) -> Result:
    return invoke(repo, "--today", "2026-11-25", *args)


def check(repo: Path, *args: str) -> Result:
    return run_cli(repo, "check", *args)


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


TEXT_SUFFIXES = (".html", ".json", ".xml", ".ics", ".txt", ".log", ".md", ".js", ".css")


def all_bytes(site: Path) -> bytes:
    """Every text file of the site (pictures hold any byte)."""
    return b"".join(p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file() and p.suffix in TEXT_SUFFIXES)


def dead_links(site: Path) -> list[str]:
    """Relative links and sources in the site's pages that point at no file of the site."""
    dead = []
    for page in html_files(site):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag in soup.find_all(["a", "link", "script"]):
            target = tag.get("href") or tag.get("src")
            if not isinstance(target, str) or not target:
                continue
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not parts.path or target.startswith(("#", "/")):
                continue  # 404.html links from the site root, which a file tree cannot tell
            resolved = (page.parent / unquote(parts.path)).resolve()
            if not (resolved.is_file() or (resolved / "index.html").is_file()):
                dead.append(f"{page.relative_to(site)} -> {target}")
    return dead


def unsafe_markup(site: Path) -> list[str]:
    """Script a post-mortem could have put into the site: inline scripts, event handlers,
    javascript: URLs, anywhere in any page."""
    found = []
    for page in html_files(site):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag in soup.find_all(True):
            for name, value in tag.attrs.items():
                text = " ".join(value) if isinstance(value, list) else str(value)
                if name.lower().startswith("on"):
                    found.append(f"{page.relative_to(site)}: <{tag.name} {name}=...>")
                # `content` is a URL only in a refresh: a description may say "javascript:" as text.
                refresh = tag.name == "meta" and str(tag.get("http-equiv", "")).lower() == "refresh"
                url_attributes = ("href", "src", "action", "formaction", *(("content",) if refresh else ()))
                if name.lower() in url_attributes and "javascript:" in text.lower():
                    found.append(f"{page.relative_to(site)}: <{tag.name} {name}={text[:40]}>")
            if tag.name == "script" and tag.string and "alert(" in tag.string:
                found.append(f"{page.relative_to(site)}: inline <script> {tag.string[:40]}")
    return found


def with_meta_hook(config: Path) -> Path:
    """Add a hook that records the keys of every page's metadata as the theme sees them."""
    (config.parent / "meta_hook.py").write_text(META_HOOK, encoding="utf-8")
    config.write_text(config.read_text(encoding="utf-8") + "hooks:\n  - meta_hook.py\n", encoding="utf-8")
    return config


def theme_meta(root: Path, what: str = "keys") -> dict[str, list[str]]:
    """Metadata keys by page: those the theme got ("keys"), or those MkDocs read ("read")."""
    lines = (root / "meta.jsonl").read_text(encoding="utf-8").splitlines()
    return {entry["src"]: entry[what] for entry in map(json.loads, lines) if what in entry}


def hostile_repository(root: Path, outside: Path) -> Path:
    """One repository holding every hostile case that lets a build finish (the fatal folder
    symlinks are tested on their own): returns its mkdocs.yml."""
    outside.mkdir(parents=True, exist_ok=True)
    (outside / "secret.txt").write_text(f"{OUTSIDE_MARKER}\n", encoding="utf-8")
    (outside / "secret.md").write_text(f"---\ntitle: {OUTSIDE_MARKER}\n---\n{OUTSIDE_MARKER}\n", encoding="utf-8")
    img = '"><img src=x onerror=alert(1)>'
    files = {
        "2026/invalid-meta.md": incident(
            "Invalid meta",
            extra=(
                f"description: {{{json.dumps(img)}: 1}}\nauthor: {{{json.dumps(img)}: 1}}\n"
                "template: redirect.html\nlocation: \"javascript:alert('redirect')\"\n"
            ),
        ),
        "2026/missing-template.md": incident("Missing template", extra="template: nonexistent.html\n"),
        "2026/raw-html.md": incident("Raw HTML", body=SCRIPT_BODY),
        "2026/control.md": incident("Control", body="## Action items\n\nBell \x01 and escape \x1b[31m red.\n"),
        "2026/deep.md": incident("Deep", body="\n".join("  " * i + "- a" for i in range(800)) + "\n"),
        "2026/setext.md": incident(
            "Setext",
            extra="action_items:\n  - action: Add an alert on pool saturation above 85%\n    owner: '@sre'\n"
            "    due: 2026-12-15\n",
            body="Action items\n------------\n\nMore text.\n",
        ),
        "2026/index-tag.md": incident("Index tag", extra="tags: [index, Index, ｉｎｄｅｘ, db]\n"),
        "2026/same-id-a.md": incident("Same id A", extra="id: same\ntags: [only-a]\n"),
        "2026/same-id-b.md": incident("Same id B", extra="id: same\ntags: [only-b]\n"),
        "feed.xml.md": incident("Feed clash"),
        "2026/beside.md": incident("Beside"),
        "2026/beside/index.md": "# A page taking the post-mortem's URL\n",
        "tags.md": "# Our own tags page\n",
        "_about.md": (  # not a post-mortem: a page of the repository, whose front matter MkDocs reads
            "---\ntitle: \"<script>alert('page-title')</script>\"\ntemplate: redirect.html\n"
            "location: \"javascript:alert('page-redirect')\"\n"
            f"description: {json.dumps(img)}\n---\n\n# About\n\n<script>alert('page-body')</script>\n"
        ),
        "_missing.md": '---\ntemplate: "no"\n---\n\n# Missing template\n',
    }
    config = write_site(root, files, extra="  - tags\n")
    docs = root / "postmortems"
    (docs / "evidence.log").symlink_to(outside / "secret.txt")
    (docs / "2026" / "passwd.md").symlink_to(outside / "secret.md")
    (docs / "2026" / "zero.md").symlink_to("/dev/zero")
    (docs / "2026" / "loop-a.md").symlink_to(docs / "2026" / "loop-b.md")
    (docs / "2026" / "loop-b.md").symlink_to(docs / "2026" / "loop-a.md")
    (docs / "2026" / "folder.md").mkdir()
    return config
