"""Friendly error pages; the 500 handler rolls the session back first and never fails itself."""

import logging

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from markupsafe import escape

from meetings.errors import Busy
from meetings.extensions import db
from meetings.i18n import gettext as _
from meetings.i18n import lazy_gettext as _l

log = logging.getLogger("meetings.errors")
# Served when even the error template cannot be rendered (the database is gone, say).
BARE_ERROR_PAGE = """<!doctype html>
<html lang="en" dir="ltr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title></head>
<body><main><h1>{title}</h1><p>{message}</p><p><a href="/">Go to the home page</a></p></main>
</body></html>
"""


def bare_page(title: str, message: str) -> str:
    return BARE_ERROR_PAGE.format(title=escape(title), message=escape(message))


# Each status's page: title and message (None: the error's own description, as for 400).
PAGES = {
    400: (_l("Bad request"), None),
    403: (_l("Not allowed"), _l("You do not have access to this page.")),
    404: (_l("Page not found"), _l("There is nothing at this address.")),
    405: (_l("Method not allowed"), ""),
    413: (_l("Request too large"), _l("What you sent is too large.")),
    429: (_l("Too many requests"), _l("Please wait a moment and try again.")),
}


def page_handler(code: int, title, message):
    """A handler that renders the friendly page for one status."""

    def handle(error):
        text = getattr(error, "description", "") if message is None else message
        return render_template("errors/error.html", code=code, title=title, message=text), code

    return handle


def init_app(app: Flask) -> None:
    for code, (title, message) in PAGES.items():
        app.register_error_handler(code, page_handler(code, title, message))
    app.register_error_handler(CSRFError, page_handler(
        400, _l("Form expired"), _l("The form was missing its security token or it had "
                                    "expired. Go back, reload the page and try again.")))

    @app.errorhandler(Busy)
    def busy(error):
        db.session.rollback()
        return render_template("errors/error.html", code=503, title=_("Busy, try again"),
                               message=str(error.message)), 503, {"Retry-After": "2"}

    @app.errorhandler(500)
    def server_error(error):
        title = _("Something went wrong")
        message = _("The error has been logged. Please try again.")
        try:
            db.session.rollback()
        except Exception:  # a dropped connection fails its rollback too
            log.exception("Rollback failed while answering a server error")
        try:
            return render_template("errors/error.html", code=500, title=title,
                                   message=message), 500
        except Exception:
            log.exception("The error page could not be rendered")
            return bare_page(title, message), 500
