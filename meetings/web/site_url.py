"""The site's public address, for absolute links that must work outside a request (mails, feeds).

The one module that reads SITE_URL from the configuration: views, the CLI and mail builders call
`site_url()` and pass the value on (tests/test_architecture.py keeps it the only reader).
"""

from flask import current_app


def site_url() -> str:
    """SITE_URL without its trailing slash, ready for `f"{site_url()}/path"`."""
    return current_app.config["SITE_URL"].rstrip("/")
