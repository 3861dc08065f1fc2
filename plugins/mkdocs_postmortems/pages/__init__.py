"""What the plugin shows: generated pages and incident-page decoration, through templates."""

from .site import GeneratedPage, SitePages, make_env

__all__ = ["GeneratedPage", "SitePages", "make_env"]
