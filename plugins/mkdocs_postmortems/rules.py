"""Every rule id, its default level and how drafts are treated: the one registry.

Rule ids are stable: repositories configure them by id and CI annotations show them, so an id
is never renamed or reused.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .findings import Level


class Drafts(str, Enum):
    """How a rule treats post-mortems whose status is draft or in-review."""

    SAME = "same"  # drafts are held to the rule like published post-mortems
    WARN = "warn"  # an error becomes a warning while the post-mortem is a draft
    SKIP = "skip"  # not checked on drafts at all


@dataclass(frozen=True)
class Rule:
    id: str
    level: Level
    drafts: Drafts
    summary: str


_RULES = [
    # Reading the file. These cannot be switched off: an unreadable file is never published.
    Rule("encoding", Level.ERROR, Drafts.SAME, "the file is not valid UTF-8 text, or holds control characters"),
    Rule("unsafe-file", Level.ERROR, Drafts.SAME, "a symlink out of the repository, a loop, a device, or too big"),
    Rule("body-nesting", Level.ERROR, Drafts.SAME, "the body nests lists, quotes or inline markup too deeply"),
    Rule("front-matter", Level.ERROR, Drafts.SAME, "front matter missing, empty, unclosed or not a mapping"),
    Rule("yaml", Level.ERROR, Drafts.SAME, "the front matter is not safe, valid YAML"),
    Rule("schema", Level.ERROR, Drafts.SAME, "a field is missing, has the wrong type or breaks a field rule"),
    # Across the repository.
    Rule("no-postmortems", Level.ERROR, Drafts.SAME, "the source folder holds no post-mortem at all"),
    Rule("url-clash", Level.ERROR, Drafts.SAME, "two files, pages or exports want the same URL"),
    Rule("file-name", Level.ERROR, Drafts.SAME, "a file name too long for the file system, or with control characters"),
    Rule("duplicate-id", Level.ERROR, Drafts.SAME, "two post-mortems share an id"),
    Rule("unknown-related", Level.ERROR, Drafts.SAME, "`related` names an id that does not exist"),
    Rule("writeup-late", Level.WARNING, Drafts.SKIP, "the first commit came later than `writeup_deadlines` allows"),
    # Action items.
    Rule("action-owner", Level.ERROR, Drafts.WARN, "an action item has no owner"),
    Rule("action-due", Level.ERROR, Drafts.WARN, "an action item has no due date"),
    Rule("action-completed", Level.WARNING, Drafts.SAME, "a done item has no `completed` date"),
    Rule("action-vague", Level.WARNING, Drafts.SAME, "an action item is vague, with no measurable outcome"),
    Rule("actions-none", Level.WARNING, Drafts.SKIP, "the post-mortem has no action items"),
    Rule("actions-too-many", Level.WARNING, Drafts.SKIP, "more action items than `max_action_items`"),
    Rule("action-overdue", Level.WARNING, Drafts.SKIP, "an open action item is past its due date"),
    Rule("review-overdue", Level.WARNING, Drafts.SKIP, "the effectiveness review is past `review_by`"),
    # Blameless writing.
    Rule("blame-language", Level.ERROR, Drafts.WARN, "blame language in the narrative"),
    Rule("blame-name", Level.ERROR, Drafts.WARN, "a person is named in Root causes"),
    # The body.
    Rule("section-missing", Level.WARNING, Drafts.SKIP, "a section of the template is missing"),
    Rule("what-went-well-missing", Level.WARNING, Drafts.SKIP, "no What went well section"),
    Rule("timeline-order", Level.ERROR, Drafts.WARN, "the Timeline's rows are not in time order"),
    Rule("timeline-time", Level.WARNING, Drafts.SAME, "a Timeline row does not start with a time"),
    Rule("broken-link", Level.ERROR, Drafts.WARN, "a relative link or image points at no file"),
    # Suppressions (`<!-- postmortems: allow RULE: reason -->`).
    Rule("suppression-invalid", Level.ERROR, Drafts.SAME, "a suppression names no known rule or gives no reason"),
    Rule("suppression-unused", Level.WARNING, Drafts.SAME, "a suppression that suppresses nothing"),
]

RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}
# Problems with the file itself: a repository cannot turn these off or down.
FIXED_RULES = frozenset({"encoding", "unsafe-file", "body-nesting", "front-matter", "yaml", "schema", "file-name"})
