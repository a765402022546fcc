"""Friendly error pages; the 500 handler rolls the session back first and never fails itself."""

import logging

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from markupsafe import escape

from meetings.errors import Busy
from meetings.extensions import db
from meetings.i18n import gettext as _

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


def init_app(app: Flask) -> None:
    @app.errorhandler(400)
    def bad_request(error):
        return render_template("errors/error.html", code=400, title=_("Bad request"),
                               message=getattr(error, "description", "")), 400

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/error.html", code=400, title=_("Form expired"),
                               message=_("The form was missing its security token or it had "
                                         "expired. Go back, reload the page and try again.")), 400

    @app.errorhandler(403)
    def forbidden(error):
        return render_template("errors/error.html", code=403, title=_("Not allowed"),
                               message=_("You do not have access to this page.")), 403

    @app.errorhandler(404)
    def not_found(error):
        return render_template("errors/error.html", code=404, title=_("Page not found"),
                               message=_("There is nothing at this address.")), 404

    @app.errorhandler(405)
    def method_not_allowed(error):
        return render_template("errors/error.html", code=405, title=_("Method not allowed"),
                               message=""), 405

    @app.errorhandler(413)
    def too_large(error):
        return render_template("errors/error.html", code=413, title=_("Request too large"),
                               message=_("What you sent is too large.")), 413

    @app.errorhandler(429)
    def too_many_requests(error):
        return render_template("errors/error.html", code=429, title=_("Too many requests"),
                               message=_("Please wait a moment and try again.")), 429

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
