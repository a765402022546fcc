"""Whether an app prints its mail to the terminal (no MAIL_SERVER, `make run`) or sends it.

The app decides from its configuration and records the answer on its database engine, where
`queue_message` reads it through its own session, never from current_app (the seat lock's
timeout travels the same way). The answer is refreshed each time an app context is pushed, as
the configuration of an app already built may still change (tests point it at an SMTP server).
"""

from flask import Flask, appcontext_pushed

from meetings.extensions import db
from meetings.mail.service import PRINT_MAIL_OPTION


def record_mail_printing(app: Flask, **_) -> None:
    """Tell the app's engine whether its mail is printed: yes when no MAIL_SERVER is set."""
    prints = not app.config.get("MAIL_SERVER")
    engine = db.engine
    if engine.get_execution_options().get(PRINT_MAIL_OPTION) != prints:
        engine.update_execution_options(**{PRINT_MAIL_OPTION: prints})


def init_app(app: Flask) -> None:
    appcontext_pushed.connect(record_mail_printing, app)
