"""Secret tokens kept out of request logs: a token shows its first characters only.

Links in mails and calendar addresses carry a secret in the path (manage links, personal and
organizer feeds, account invitations, password resets, door-staff scanner links), and
registration invitations carry a code in the query string. Every request log the project writes
or ships shows such a request through redact(): the development server's and Flask's own
(RedactingFilter, installed by init_app), gunicorn's access log (deploy/gunicorn.conf.py) and
nginx's (deploy/nginx/meetings.conf repeats TOKEN_PATH in a map; tests/test_log_redaction.py
holds both to every route with a token).
"""

import logging
import re

from flask import Flask

SHOWN = 4  # characters of a token left in the log, enough to tell two links apart
MASK = "[...]"
TOKEN_PATH = re.compile(
    r"(/manage-registration/|/checkin/device/|/delegations/accept/|/feeds/organizer/|/feeds/|/invitation/|/password/[a-z-]+/)"
    rf"([^/.?#\s\"]{{0,{SHOWN}}})[^/.?#\s\"]*"
)
# Any other long random-looking segment: a token route added without updating TOKEN_PATH.
LONG_SEGMENT = re.compile(rf"(?<=/)([A-Za-z0-9_-]{{{SHOWN}}})[A-Za-z0-9_-]{{28,}}")
QUERY = re.compile(r"\?[^\s\"#]*")


def redact(text: str) -> str:
    """A path, request line or log message with tokens shortened and query strings left out."""
    text = TOKEN_PATH.sub(lambda m: m.group(1) + m.group(2) + MASK, text or "")
    text = LONG_SEGMENT.sub(lambda m: m.group(1) + MASK, text)
    return QUERY.sub("?" + MASK, text)


class RedactingFilter(logging.Filter):
    """Rewrites each record's message through redact()."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), None
        return True


FILTER = RedactingFilter()


def init_app(app: Flask) -> None:
    """Redact the development server's request log and Flask's "Exception on <path>" lines."""
    # app.logger's own logger, named rather than through app.logger: that property would give it
    # Flask's stderr handler now, before the CLI configures logging, and lines would repeat.
    for logger in (logging.getLogger("werkzeug"), logging.getLogger(app.name)):
        logger.addFilter(FILTER)
