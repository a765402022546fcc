"""The site's public address, for absolute links that must work outside a request (mails, feeds).

The one module that reads SITE_URL from the configuration. Views and the CLI call `site_url()`,
or `mail_site()` for everything a mail needs (the address and the registration retention that
ends its links), and pass the value on: services and mail builders take it as a parameter
(tests/test_architecture.py keeps this the only reader, and the edge its only importers).
"""

from flask import current_app

from meetings.mail_site import MailSite


def site_url() -> str:
    """SITE_URL without its trailing slash, ready for `f"{site_url()}/path"`."""
    return current_app.config["SITE_URL"].rstrip("/")


def mail_site() -> MailSite:
    """The configured site for mails: SITE_URL and REGISTRATION_RETENTION_DAYS."""
    return MailSite(site_url(), current_app.config["REGISTRATION_RETENTION_DAYS"])
