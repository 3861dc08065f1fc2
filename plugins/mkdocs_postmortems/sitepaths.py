"""Every path of the built site has one owner.

Post-mortems, the repository's other pages and files, the plugin's generated pages, its exports
and what MkDocs writes itself (404.html, sitemap.xml, the search index, theme assets) all end up
as files in one folder. Two claims clash when they want the same path, or when one wants as a
file what the other needs as a folder (`feed.xml` and `feed.xml/index.html`): MkDocs would then
crash or silently overwrite one with the other. Claims are made in order of precedence, so the
first claim wins and each later one that clashes is refused with a located finding; the front
ends (the build and `postmortems check`) make the same claims and so agree.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from enum import IntEnum
from urllib.parse import quote

NAME_MAX = 255  # bytes in one path component on the file systems a site is built on
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# What MkDocs and its search plugin write whatever the docs folder holds.
MKDOCS_OUTPUTS = ("404.html", "sitemap.xml", "sitemap.xml.gz", "search/search_index.json")


class Owner(IntEnum):
    """Precedence, first wins: what MkDocs writes cannot move, and a post-mortem is never the
    one left out for a page or an export of the plugin."""

    MKDOCS = 0
    POSTMORTEM = 1
    REPOSITORY = 2
    GENERATED = 3
    EXPORT = 4


OWNER_WORDS = {
    Owner.MKDOCS: "MkDocs' own",
    Owner.POSTMORTEM: "the post-mortem",
    Owner.REPOSITORY: "the repository's",
    Owner.GENERATED: "the plugin's page",
    Owner.EXPORT: "the plugin's export",
}


def dest_of(src_uri: str, use_directory_urls: bool) -> str:
    """The site path MkDocs writes for a docs file (mkdocs.structure.files.File's rules)."""
    if not src_uri.endswith(".md"):
        return src_uri
    folder, name = posixpath.split(src_uri[: -len(".md")])
    if name in ("index", "README"):
        return posixpath.join(folder, "index.html")
    if use_directory_urls:
        return posixpath.join(folder, name, "index.html")
    return posixpath.join(folder, f"{name}.html")


def file_url(dest: str, use_directory_urls: bool) -> str:
    """The URL MkDocs gives a file it writes at `dest` (mkdocs File.url): a folder's index.html
    is the folder with directory URLs, and the URL is percent-quoted."""
    dirname, filename = posixpath.split(dest)
    if use_directory_urls and filename == "index.html":
        dest = (dirname or ".") + "/"
    return quote(dest)


def url_of(dest: str) -> str:
    """The URL MkDocs gives a page written at `dest`, relative to the site root."""
    if dest == "index.html":
        return ""
    if dest.endswith("/index.html"):
        return dest[: -len("index.html")]
    return dest


@dataclass(frozen=True)
class Claim:
    dest: str  # the path in the site folder
    owner: Owner
    name: str  # the docs path, or the generated page's or export's name


@dataclass(frozen=True)
class Clash:
    """A claim refused: `loser` wanted what `winner` has (or a name no file system takes)."""

    loser: Claim
    winner: Claim | None
    rule: str  # url-clash or file-name
    message: str
    hint: str


@dataclass
class SitePaths:
    use_directory_urls: bool
    files: dict[str, Claim] = field(default_factory=dict)  # dest -> winning claim
    folders: dict[str, Claim] = field(default_factory=dict)  # folder of a dest -> first claim under it
    clashes: list[Clash] = field(default_factory=list)

    def claim(self, name: str, owner: Owner, dest: str | None = None) -> Claim | None:
        """Claim `dest` (by default the path MkDocs writes for the docs file `name`);
        returns the claim that holds it when this one is refused, else None."""
        claim = Claim(dest or dest_of(name, self.use_directory_urls), owner, name)
        bad_name = _bad_name(claim.dest)
        if bad_name:
            self.clashes.append(Clash(claim, None, "file-name", *bad_name))
            return claim
        holder = self.files.get(claim.dest) or self.folders.get(claim.dest)
        parents = _parents(claim.dest)
        if holder is None:
            holder = next((self.files[p] for p in parents if p in self.files), None)
        if holder is not None:
            self.clashes.append(Clash(claim, holder, "url-clash", *_clash_text(claim, holder)))
            return holder
        self.files[claim.dest] = claim
        for parent in parents:
            self.folders.setdefault(parent, claim)
        return None


def _parents(dest: str) -> list[str]:
    parts = dest.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def _bad_name(dest: str) -> tuple[str, str] | None:
    for part in dest.split("/"):
        if len(part.encode("utf-8")) > NAME_MAX:
            return (
                f"the site would need a file name of {len(part.encode('utf-8'))} bytes ({part[:40]}…); "
                f"file systems allow {NAME_MAX}",
                "shorten the file name (the id can stay long with `id:`)",
            )
        if _CONTROL.search(part):
            return ("the file name contains a control character", "rename the file")
    return None


def _clash_text(claim: Claim, holder: Claim) -> tuple[str, str]:
    where = f"/{url_of(claim.dest)}" if claim.dest.endswith(".html") else f"/{claim.dest}"
    mine = f"{OWNER_WORDS[claim.owner]} {claim.name}"
    theirs = f"{OWNER_WORDS[holder.owner]} {holder.name}"
    if holder.dest != claim.dest:
        return (
            f"{mine} would be written at {where}, which {theirs} needs as a {_shape(holder, claim)}; "
            f"{mine} is left out",
            "rename the file so its URL is its own",
        )
    if claim.owner in (Owner.GENERATED, Owner.EXPORT) and holder.owner is Owner.REPOSITORY:
        hint = "rename your page, or keep it there on purpose with `rules: {url-clash: warning}`"
    elif holder.owner is Owner.MKDOCS:
        hint = "rename the file: MkDocs writes this path itself"
    else:
        hint = "rename one of them"
    return (f"{mine} would be published at {where}, where {theirs} is; {mine} is left out", hint)


def _shape(holder: Claim, claim: Claim) -> str:
    return "file" if claim.dest.startswith(holder.dest + "/") else "folder"


def mkdocs_excludes(relative: str) -> bool:
    """Files MkDocs 1.6 leaves out of a site by default (`exclude_docs`: `.*` and `/templates/`)."""
    parts = relative.split("/")
    return any(part.startswith(".") for part in parts) or (len(parts) > 1 and parts[0] == "templates")


class SitePlan:
    """The claims of one build, made in the same order by the build and by `postmortems check`:
    MkDocs' own outputs, then post-mortems, the repository's other files, the plugin's pages,
    its exports."""

    def __init__(self, use_directory_urls: bool, reserved: list[str]) -> None:
        self.paths = SitePaths(use_directory_urls)
        for dest in [*MKDOCS_OUTPUTS, *reserved]:
            self.paths.claim(dest, Owner.MKDOCS, dest)

    def docs(self, postmortems: list[str], others: list[str]) -> set[str]:
        """Claim the docs folder's files (relative names); returns those refused."""
        refused = set()
        for owner, names in ((Owner.POSTMORTEM, postmortems), (Owner.REPOSITORY, others)):
            for name in names:
                if self.paths.claim(name, owner) is not None:
                    refused.add(name)
        return refused

    def generated(self, pages: list[str], exports: list[str]) -> dict[str, Claim]:
        """Claim the plugin's pages (docs-style names) and exports (site paths); returns the
        refused ones with the claim that holds their place (links then follow that one)."""
        held: dict[str, Claim] = {}
        for name in pages:
            holder = self.paths.claim(name, Owner.GENERATED)
            if holder is not None:
                held[name] = holder
        for name in exports:
            holder = self.paths.claim(name, Owner.EXPORT, name)
            if holder is not None:
                held[name] = holder
        return held

    @property
    def clashes(self) -> list[Clash]:
        return self.paths.clashes


def located(clash: Clash) -> str | None:
    """The docs file a clash is reported on: the loser when it is one, else the winner."""
    for claim in (clash.loser, clash.winner):
        if claim is not None and claim.owner in (Owner.POSTMORTEM, Owner.REPOSITORY):
            return claim.name
    return None


def relative_url(url: str, other: str) -> str:
    """`url` relative to the page at `other`, both relative to the site root: what
    mkdocs.utils.get_relative_url returns, for front ends without MkDocs (generate.py)."""
    dirname, _, basename = other.rpartition("/")
    if "." in basename:  # a file, not a folder
        other = dirname
    here, there = _norm_parts(other), _norm_parts(url)
    common = 0
    for a, b in zip(here, there, strict=False):
        if a != b:
            break
        common += 1
    parts = [".."] * (len(here) - common) + there[common:]
    relative = "/".join(parts) or "."
    return relative + "/" if url.endswith("/") else relative


def _norm_parts(path: str) -> list[str]:
    if not path.startswith("/"):
        path = "/" + path
    path = posixpath.normpath(path)[1:]
    return path.split("/") if path else []
