"""mkdocs-postmortems: blameless post-mortems as Markdown in git, checked and published."""

__version__ = "0.1.0"
