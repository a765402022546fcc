"""Entry point: `flask --app app …` and `gunicorn app:app`."""

from meetings import create_app
from meetings.config import ConfigurationError

try:
    app = create_app()
except ConfigurationError as error:
    # A clear one-line message instead of a traceback, for gunicorn, systemd and the CLI alike.
    raise SystemExit(f"meetings: configuration error: {error}") from None
