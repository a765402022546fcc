"""What a mail needs to know about the site: its public address and how long links may live.

A plain value with no imports from the app (the bottom layer), so services of every feature and
the edge that builds it (meetings.web.site_url.mail_site) can all name it.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class MailSite:
    """The site's address (no trailing slash) and its registration retention in days.

    Built at the edge (views, CLI) from the configuration and passed to the mail builders, so
    they, and the services that call them, never read the configuration themselves.
    """

    url: str
    retention_days: int

    def link(self, path: str) -> str:
        """The absolute URL of `path` (which starts with a slash)."""
        return self.url + path
